#!/usr/bin/env python3
"""Unix socket against TCP loopback: frames/s of one release server's stream to `soccer bench`
and to the Python reference client, over each, alternated, medians of each.

    tools/socket-ab --clip 1080p --reps 5
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "interop"))

from harness import Server, alternated, make_media, medians  # noqa: E402

CLIPS = {"720p": "1280x720", "1080p": "1920x1080"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.environ.get("SOCCER_BIN"), required="SOCCER_BIN" not in os.environ)
    parser.add_argument("--clip", choices=CLIPS, default="1080p")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    media = os.path.join(ROOT, ".bench", "media")
    if not os.path.exists(os.path.join(media, f"{args.clip}.mp4")):
        make_media(media, args.clip, "--size", CLIPS[args.clip], "--seconds", "12")
    socket = os.path.join(tempfile.mkdtemp(prefix="soccer-ab-"), "soccer.sock")
    server = Server([args.bin, "serve", "--media", media, "--port", "0", "--unix", socket, "--log-level", "warning"])
    targets = {"tcp": server.target, "unix": f"unix:{socket}"}
    client = os.path.join(ROOT, "tools", "interop", "reference_client.py")

    def measure(side):
        kind, transport = side.split(" ")
        if kind == "soccer":
            out = subprocess.run([args.bin, "bench", args.clip, "--json", "--server", targets[transport]],
                                 capture_output=True, text=True, check=True).stdout
            return (json.loads(out)["fps"],)
        out = subprocess.run([sys.executable, client, targets[transport], args.clip, "--json"],
                             capture_output=True, text=True, check=True).stdout
        return (json.loads(out)["fps"],)

    try:
        sides = ["soccer tcp", "soccer unix", "python tcp", "python unix"]
        runs = alternated(sides, args.reps, measure, lambda f: f"{f[0]:.1f} frames/s")
        print(f"{args.clip}, median of {args.reps} alternated runs:")
        result = medians(runs, lambda f: f"{f[0]:.1f} frames/s")
        for kind in ("soccer", "python"):
            print(f"  {kind}: unix / tcp = {result[kind + ' unix'][0] / result[kind + ' tcp'][0]:.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
