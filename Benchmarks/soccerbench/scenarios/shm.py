"""Shared memory against the Unix socket, TCP and decoding locally, on one release server.

For `soccer bench` (against `soccer bench --local`, the same decoder in-process) and for the
Python package (against cv2.VideoCapture decoding the file in Python; through shared memory with
its safe default, with zero_copy, and keeping every frame a while): frames/s, the client's CPU
per frame and the server's CPU per frame on each path, alternated, medians of --reps, on 10 s
of testsrc2 at 30 frames/s.
"""

import json
import os
import subprocess
import sys
import tempfile

from soccertest import cpu_seconds

from ..clips import SIZES, clip
from ..servers import serve
from ..stats import alternated, medians
from .package import LOCAL

# Each frame's array is read, as a consumer does; "keep" holds the last three arrays, so every
# frame is set aside (copied out of its slot) before its slot goes back.
PACKAGE = """
import collections, json, sys, time, soccerstream
mode = sys.argv[4]
with soccerstream.connect(sys.argv[1], shared_memory=sys.argv[3] == "yes") as client:
    client.list()
    kept = collections.deque(maxlen=3 if mode == "keep" else 0)
    started, cpu = time.perf_counter(), time.process_time()
    count = 0
    for frame in client.frames(sys.argv[2], zero_copy=mode == "zero-copy"):
        kept.append(frame.array)
        count += int(frame.array[0, 0, 0] >= 0)
    print(json.dumps({"frames": count, "seconds": time.perf_counter() - started,
                      "cpu_seconds": time.process_time() - cpu, "shared_memory": client.shared_memory}))
"""


REPS = 5


def add_arguments(parser):
    parser.add_argument("--clip", choices=SIZES, default="1080p")
    parser.add_argument("--only", choices=["soccer", "python"], help="measure one client kind alone")


def run(args, figures):
    media, path = clip(args.clip)
    socket = os.path.join(tempfile.mkdtemp(prefix="soccer-shm-"), "soccer.sock")
    server = serve(args.bin, media, "--unix", socket, "--allow-shared-memory")
    unix = f"unix:{socket}"

    def soccer(side):
        argv = {
            "local": ["--local", path],
            "shm": ["--server", unix],
            "unix": ["--server", unix, "--no-shared-memory"],
            "tcp": ["--server", server.target],
        }[side]
        before = cpu_seconds(server.process.pid)
        out = subprocess.run(
            [args.bin, "bench", *([] if side == "local" else [args.clip]), *argv, "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        report = json.loads(out)
        assert report["shared_memory"] == (side == "shm"), report
        served = cpu_seconds(server.process.pid) - before
        return report["fps"], report["cpu_seconds"] * 1000 / report["frames"], served * 1000 / report["frames"]

    def python(side):
        before = cpu_seconds(server.process.pid)
        if side == "cv2":
            argv = [sys.executable, "-c", LOCAL, path]
        else:
            target = server.target if side == "tcp" else unix
            shm = side.startswith("shm")
            mode = side.partition(" ")[2] or "default"
            argv = [sys.executable, "-c", PACKAGE, target, args.clip, "yes" if shm else "no", mode]
        report = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
        assert report.get("shared_memory", False) == side.startswith("shm"), report
        served = cpu_seconds(server.process.pid) - before
        frames = report["frames"]
        return frames / report["seconds"], report["cpu_seconds"] * 1000 / frames, served * 1000 / frames

    def describe(figures):
        return f"{figures[0]:.1f} frames/s, client {figures[1]:.2f} ms/frame, server {figures[2]:.2f} ms/frame"

    try:
        sides = {}
        if args.only != "python":
            sides.update({f"soccer bench {s}": (soccer, s) for s in ("local", "shm", "unix", "tcp")})
        if args.only != "soccer":
            sides.update(
                {f"python {s}": (python, s) for s in ("cv2", "shm", "shm zero-copy", "shm keep", "unix", "tcp")}
            )
        runs = alternated(list(sides), args.reps, lambda side: sides[side][0](sides[side][1]), describe)
        print(f"{args.clip}, {args.reps} alternated runs each (medians):")
        result = medians(runs, describe)
        if args.only != "python":
            local = result["soccer bench local"][0]
            figures[f"{args.clip}.bench_shm_over_local"] = result["soccer bench shm"][0] / local
            print(
                f"  soccer bench: shared memory / local = "
                f"{result['soccer bench shm'][0] / result['soccer bench local'][0]:.2f}, "
                f"unix / local = {result['soccer bench unix'][0] / result['soccer bench local'][0]:.2f}"
            )
        if args.only != "soccer":
            cv2 = result["python cv2"][0]
            figures[f"{args.clip}.python_shm_over_cv2"] = result["python shm"][0] / cv2
            figures[f"{args.clip}.python_kept_over_cv2"] = result["python shm keep"][0] / cv2
            print(
                f"  python: shared memory / cv2 = {result['python shm'][0] / cv2:.2f} (zero_copy "
                f"{result['python shm zero-copy'][0] / cv2:.2f}, every frame kept "
                f"{result['python shm keep'][0] / cv2:.2f}), "
                f"unix / cv2 = {result['python unix'][0] / result['python cv2'][0]:.2f}, "
                f"tcp / cv2 = {result['python tcp'][0] / result['python cv2'][0]:.2f}"
            )
    finally:
        server.stop()
