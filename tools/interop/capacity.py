#!/usr/bin/env python3
"""Per-frame costs of a replica, for capacity planning (docs/capacity.md).

For each clip (360p, 720p, 1080p H.264, 30 frames/s), starts a server, runs `soccer bench`
with --streams N against it --reps times, and reads from /proc the server's CPU seconds and
peak resident memory over each run. Prints, per clip: server core-milliseconds per frame, bytes
per frame on the wire, frames/s one core sustains, and resident memory per stream (peak minus
the idle server, over N). Example:  tools/capacity --streams 4 --reps 3
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "interop"))

from harness import Envoy, Server, alternated, cpu_seconds, make_media, medians, rss_mb  # noqa: E402

CLIPS = {"360p": "640x360", "720p": "1280x720", "1080p": "1920x1080"}


def run(binary, server, clip, streams):
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
        out = subprocess.run([binary, "bench", clip, "--streams", str(streams), "--server", server.target, "--json"],
                             capture_output=True, text=True, check=True).stdout
    finally:
        done.set()
        sampler.join()
    report = json.loads(out)
    return report["frames"], report["bytes"], report["seconds"], cpu_seconds(pid) - cpu, peak[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.environ.get("SOCCER_BIN"), required="SOCCER_BIN" not in os.environ)
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="length of each generated clip")
    parser.add_argument("--envoy", action="store_true",
                        help="instead: 720p straight from a replica against through Envoy, alternated")
    args = parser.parse_args()

    media = os.path.join(ROOT, ".bench", "media")
    for name, size in CLIPS.items():
        if not os.path.exists(os.path.join(media, f"{name}.mp4")):
            make_media(media, name, "--size", size, "--seconds", str(args.seconds), "--rate", "30")
    if args.envoy:
        return through_envoy(args, media)
    rows = []
    for name in CLIPS:
        server = Server([args.bin, "serve", "--media", media, "--port", "0", "--log-level", "warning"])
        try:
            time.sleep(0.5)
            idle = rss_mb(server.process.pid)
            runs = [run(args.bin, server, name, args.streams) for _ in range(args.reps)]
        finally:
            server.stop()
        frames = statistics.median(r[0] for r in runs)
        core_ms = statistics.median(1000 * r[3] / r[0] for r in runs)
        frame_bytes = statistics.median(r[1] / r[0] for r in runs)
        fps = statistics.median(r[0] / r[2] for r in runs)
        per_stream = statistics.median((r[4] - idle) / args.streams for r in runs)
        rows.append((name, CLIPS[name], frames, core_ms, frame_bytes, fps, per_stream, idle))
        print(f"{name}: " + "; ".join(f"{r[0]} frames in {r[2]:.2f} s, server CPU {r[3]:.2f} s, peak {r[4]:.0f} MB"
                                      for r in runs), file=sys.stderr)
    print(f"{args.streams} concurrent streams, {args.reps} runs each, medians; BGR24 at full size:\n")
    print("| clip | server core-ms per frame | frames/s per core | MB per frame | MB/s per 30 fps stream "
          "| RSS per stream MB | idle server RSS MB | frames/s measured |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, size, frames, core_ms, frame_bytes, fps, per_stream, idle in rows:
        print(f"| {name} ({size}) | {core_ms:.2f} | {1000 / core_ms:.0f} | {frame_bytes / 1e6:.2f} "
              f"| {30 * frame_bytes / 1e6:.1f} | {per_stream:.0f} | {idle:.0f} | {fps:.0f} |")


def through_envoy(args, media):
    """What Envoy costs: frames/s straight from a replica and through Envoy (deploy/envoy/envoy.yaml),
    alternated, and Envoy's CPU seconds per GB passed on."""
    import tempfile

    server = Server([args.bin, "serve", "--media", media, "--port", "0", "--log-level", "warning"])
    with tempfile.TemporaryDirectory() as work:
        envoy = Envoy([server.port], work)
        envoy.wait_for_health({server.port: True})
        targets = {"direct": server.target, "envoy": envoy.target}
        try:
            def measure(side):
                cpu = cpu_seconds(envoy.process.pid)
                out = subprocess.run([args.bin, "bench", "720p", "--streams", str(args.streams), "--server",
                                      targets[side], "--json"], capture_output=True, text=True, check=True).stdout
                report = json.loads(out)
                return report["fps"], (cpu_seconds(envoy.process.pid) - cpu) / (report["bytes"] / 1e9)

            runs = alternated(list(targets), args.reps, measure, lambda f: f"{f[0]:.1f} frames/s, envoy {f[1]:.2f} s/GB")
        finally:
            envoy.stop()
            server.stop()
    (direct, _), (proxied, envoy_cpu) = medians(runs, lambda f: f"{f[0]:.1f} frames/s").values()
    print(f"720p, {args.streams} streams, {args.reps} alternated runs (medians): direct {direct:.1f} frames/s, "
          f"through Envoy {proxied:.1f} frames/s (ratio {proxied / direct:.3f}); Envoy CPU {envoy_cpu:.2f} s per GB")


if __name__ == "__main__":
    main()
