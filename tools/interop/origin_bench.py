#!/usr/bin/env python3
"""Frames/s and time to the first frame from an nginx HTTP store against a local folder.

Starts nginx on loopback over the same folder the local server reads, then runs `soccer bench`
alternately against a server reading each, --reps times, and prints the medians and ratios.
Example:  tools/origin-bench --clip 720p --reps 5
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "interop"))

from harness import Nginx, Server, alternated, make_media, medians  # noqa: E402

CLIPS = {"sample": None, "720p": "1280x720", "1080p": "1920x1080"}


def bench(binary, server, clip):
    out = subprocess.run([binary, "bench", clip, "--server", server.target, "--json"], capture_output=True,
                         text=True, check=True).stdout
    report = json.loads(out)
    return report["fps"], report["first_frame_ms"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.environ.get("SOCCER_BIN"), required="SOCCER_BIN" not in os.environ)
    parser.add_argument("--clip", choices=CLIPS, default="720p")
    parser.add_argument("--seconds", type=int, default=10, help="length of a generated clip")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()

    media = os.path.join(ROOT, ".bench", "media")
    os.makedirs(media, exist_ok=True)
    if args.clip == "sample":
        shutil.copyfile(os.path.join(ROOT, "media", "sample.mp4"), os.path.join(media, "sample.mp4"))
    elif not os.path.exists(os.path.join(media, f"{args.clip}.mp4")):
        make_media(media, args.clip, "--size", CLIPS[args.clip], "--seconds", str(args.seconds), "--rate", "30")
    with tempfile.TemporaryDirectory() as work:
        nginx = Nginx(media, work)
        servers = {
            "local folder": Server([args.bin, "serve", "--media", media, "--port", "0", "--log-level", "warning"]),
            "nginx store": Server([args.bin, "serve", "--media", nginx.url, "--port", "0", "--log-level", "warning"]),
        }
        try:
            runs = alternated(list(servers), args.reps, lambda name: bench(args.bin, servers[name], args.clip),
                              lambda f: f"{f[0]:.1f} frames/s, first frame {f[1]:.1f} ms")
        finally:
            for server in servers.values():
                server.stop()
            nginx.stop()
    print(f"{args.clip}, one stream, {args.reps} alternated runs each (medians):")
    (local_fps, local_first), (store_fps, store_first) = medians(
        runs, lambda f: f"{f[0]:.1f} frames/s, first frame {f[1]:.1f} ms").values()
    print(f"  store/local: frames/s {store_fps / local_fps:.3f}, first frame {store_first / local_first:.2f}x")

if __name__ == "__main__":
    main()
