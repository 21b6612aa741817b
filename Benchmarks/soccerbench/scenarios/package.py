"""Python clients side by side: plain grpcio, the soccerstream package, grpcio's floor, and cv2.

The README's plain grpcio client, the soccerstream package, grpcio handing over each message's
bytes and nothing else with the package's channel options and allocator (the floor: what any
grpcio client pays before it looks at a frame), and cv2.VideoCapture decoding the same file
locally. Starts one release server on the clip (10 s of testsrc2 at 30 frames/s), then runs each
client in a process of its own, alternating which goes first, --reps times, and prints each one's
median frames/s and client CPU milliseconds per frame (user + system of the client process while
it takes the frames), and the package's ratios to the plain client.
"""

import json
import subprocess
import sys

from ..clips import SIZES, clip
from ..servers import serve
from ..stats import alternated, medians

REPS = 5

PACKAGE = """
import json, sys, time, soccerstream
client = soccerstream.connect(sys.argv[1])
client.list()
started, cpu = time.perf_counter(), time.process_time()
count = sum(1 for _ in client.frames(sys.argv[2]))
print(json.dumps({"frames": count, "seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu}))
"""

# grpcio with the package's channel options and allocator, handing over each message's bytes:
# what the package cannot go below while grpcio assembles messages.
FLOOR = """
import json, sys, time, grpc
from soccerstream._allocator import keep_frame_memory
from soccerstream._client import _READ_CHUNK
from soccerstream._proto import stream_pb2
keep_frame_memory()
chunk = [(f"grpc.experimental.tcp_{k}read_chunk_size", _READ_CHUNK) for k in ("", "min_", "max_")]
channel = grpc.insecure_channel(sys.argv[1], options=[("grpc.max_receive_message_length", -1)] + chunk)
watch = channel.unary_stream("/stream.Soccer/Watch", request_serializer=stream_pb2.Match.SerializeToString)
started, cpu = time.perf_counter(), time.process_time()
count = sum(1 for _ in watch(stream_pb2.Match(id=sys.argv[2])))
print(json.dumps({"frames": count, "seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu}))
"""

LOCAL = """
import json, sys, time, cv2
capture = cv2.VideoCapture(sys.argv[1])
started, cpu = time.perf_counter(), time.process_time()
count = 0
while True:
    ok, frame = capture.read()
    if not ok:
        break
    count += 1
print(json.dumps({"frames": count, "seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu}))
"""


def client_figures(argv):
    """(frames/s, client CPU ms per frame) of one client process, both over its frames only: the
    interpreter's start and imports are left out, as a long-running consumer pays them once."""
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    return report["frames"] / report["seconds"], report["cpu_seconds"] * 1000 / max(1, report["frames"])


def add_arguments(parser):
    parser.add_argument("--clip", choices=SIZES, default="1080p")


def run(args, figures):
    media, path = clip(args.clip)
    server = serve(args.bin, media)
    python = sys.executable
    sides = {
        "grpcio (README)": [python, "-m", "soccertest.reference_client", server.target, args.clip, "--json"],
        "soccerstream": [python, "-c", PACKAGE, server.target, args.clip],
        "grpcio floor": [python, "-c", FLOOR, server.target, args.clip],
        "cv2 local": [python, "-c", LOCAL, path],
    }
    try:
        runs = alternated(
            list(sides),
            args.reps,
            lambda side: client_figures(sides[side]),
            lambda r: f"{r[0]:.1f} frames/s, {r[1]:.2f} client CPU ms/frame",
        )
        print(f"{args.clip}, {args.reps} alternated runs each (medians):")
        results = medians(runs, lambda r: f"{r[0]:.1f} frames/s, client CPU {r[1]:.2f} ms/frame")
        plain, package = results["grpcio (README)"], results["soccerstream"]
        figures["package_over_grpcio"] = package[0] / plain[0]
        figures["package_over_cv2"] = package[0] / results["cv2 local"][0]
        print(
            f"  soccerstream / grpcio: frames/s {package[0] / plain[0]:.3f}, client CPU per frame "
            f"{package[1] / plain[1]:.3f}"
        )
        floor = results["grpcio floor"]
        figures["package_cpu_over_floor"] = package[1] / floor[1]
        print(
            f"  soccerstream / grpcio floor (its bytes only, same channel and allocator): client CPU per frame "
            f"{package[1] / floor[1]:.3f}"
        )
    finally:
        server.stop()
