"""Per-frame costs of a replica, for capacity planning (docs/capacity.md).

For each clip (360p, 720p, 1080p H.264, 30 frames/s), starts a server, runs `soccer bench`
with --streams N against it --reps times, and reads from /proc the server's CPU seconds and
peak resident memory over each run. Prints, per clip: server core-milliseconds per frame, bytes
per frame on the wire, frames/s one core sustains, and resident memory per stream (peak minus
the idle server, over N). With --envoy instead: 720p straight from a replica against through Envoy.
"""

import json
import statistics
import subprocess
import sys
import threading
import time

from soccertest import Envoy, cpu_seconds, rss_mb

from ..clips import SIZES, clip
from ..servers import json_of, serve
from ..stats import alternated, medians

MARKDOWN = True
REPS = 3


def bench_run(binary, server, clip, streams):
    """One bench run: (frames, bytes, wall seconds, server CPU seconds, server peak RSS MB)."""
    pid = server.process.pid
    peak = [rss_mb(pid)]
    done = threading.Event()

    def sample():
        while not done.wait(0.05):
            peak[0] = max(peak[0], rss_mb(pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    cpu = cpu_seconds(pid)
    try:
        report = json_of([binary, "bench", clip, "--streams", str(streams), "--server", server.target, "--json"])
    finally:
        done.set()
        sampler.join()
    return report["frames"], report["bytes"], report["seconds"], cpu_seconds(pid) - cpu, peak[0]


def add_arguments(parser):
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10, help="length of each generated clip")
    parser.add_argument(
        "--envoy", action="store_true", help="instead: 720p straight from a replica against through Envoy, alternated"
    )


def run(args, figures):
    media = ""
    for name in SIZES:
        media, _ = clip(name, seconds=args.seconds)
    if args.envoy:
        return through_envoy(args, media, figures)
    rows = []
    for name in SIZES:
        server = serve(args.bin, media)
        try:
            time.sleep(0.5)
            idle = rss_mb(server.process.pid)
            runs = [bench_run(args.bin, server, name, args.streams) for _ in range(args.reps)]
        finally:
            server.stop()
        frames = statistics.median(r[0] for r in runs)
        core_ms = statistics.median(1000 * r[3] / r[0] for r in runs)
        frame_bytes = statistics.median(r[1] / r[0] for r in runs)
        fps = statistics.median(r[0] / r[2] for r in runs)
        per_stream = statistics.median((r[4] - idle) / args.streams for r in runs)
        figures[f"{name}.core_ms_per_frame"] = core_ms
        figures[f"{name}.rss_mb_per_stream"] = per_stream
        rows.append((name, SIZES[name], frames, core_ms, frame_bytes, fps, per_stream, idle))
        print(
            f"{name}: "
            + "; ".join(f"{r[0]} frames in {r[2]:.2f} s, server CPU {r[3]:.2f} s, peak {r[4]:.0f} MB" for r in runs),
            file=sys.stderr,
        )
    print(f"{args.streams} concurrent streams, {args.reps} runs each, medians; BGR24 at full size:\n")
    print(
        "| clip | server core-ms per frame | frames/s per core | MB per frame | MB/s per 30 fps stream "
        "| RSS per stream MB | idle server RSS MB | frames/s measured |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, size, _frames, core_ms, frame_bytes, fps, per_stream, idle in rows:
        print(
            f"| {name} ({size}) | {core_ms:.2f} | {1000 / core_ms:.0f} | {frame_bytes / 1e6:.2f} "
            f"| {30 * frame_bytes / 1e6:.1f} | {per_stream:.0f} | {idle:.0f} | {fps:.0f} |"
        )


def through_envoy(args, media, figures):
    """What Envoy costs: frames/s straight from a replica and through Envoy (deploy/envoy/envoy.yaml),
    alternated, and Envoy's CPU seconds per GB passed on."""
    import tempfile

    server = serve(args.bin, media)
    with tempfile.TemporaryDirectory() as work:
        envoy = Envoy([server.port], work)
        envoy.wait_for_health({server.port: True})
        targets = {"direct": server.target, "envoy": envoy.target}
        try:

            def measure(side):
                cpu = cpu_seconds(envoy.process.pid)
                out = subprocess.run(
                    [args.bin, "bench", "720p", "--streams", str(args.streams), "--server", targets[side], "--json"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                report = json.loads(out)
                return report["fps"], (cpu_seconds(envoy.process.pid) - cpu) / (report["bytes"] / 1e9)

            runs = alternated(
                list(targets), args.reps, measure, lambda f: f"{f[0]:.1f} frames/s, envoy {f[1]:.2f} s/GB"
            )
        finally:
            envoy.stop()
            server.stop()
    print("```text")
    (direct, _), (proxied, envoy_cpu) = medians(runs, lambda f: f"{f[0]:.1f} frames/s").values()
    figures["envoy_over_direct"] = proxied / direct
    print(
        f"720p, {args.streams} streams, {args.reps} alternated runs (medians): direct {direct:.1f} frames/s, "
        f"through Envoy {proxied:.1f} frames/s (ratio {proxied / direct:.3f}); Envoy CPU {envoy_cpu:.2f} s per GB"
    )
    print("```")
