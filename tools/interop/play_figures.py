#!/usr/bin/env python3
"""Play's figures: seek latency over Play against Watch reopened at the frame, and the server's
CPU over a pause against the same time playing in real time, on one release server.

    tools/play-figures --clip 720p --seeks 40 --pause 5
"""
import argparse
import json
import os
import subprocess
import sys
import time

import soccerstream

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "interop"))

from harness import Server, cpu_seconds, make_media  # noqa: E402

CLIPS = {"720p": "1280x720", "1080p": "1920x1080"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.environ.get("SOCCER_BIN"), required="SOCCER_BIN" not in os.environ)
    parser.add_argument("--clip", choices=CLIPS, default="720p")
    parser.add_argument("--seconds", type=int, default=60, help="length of the clip made for it")
    parser.add_argument("--seeks", type=int, default=40)
    parser.add_argument("--pause", type=float, default=5.0, help="seconds paused, and seconds played")
    args = parser.parse_args()
    media = os.path.join(ROOT, ".bench", "media")
    name = f"{args.clip}-{args.seconds}s"
    if not os.path.exists(os.path.join(media, f"{name}.mp4")):
        make_media(media, name, "--size", CLIPS[args.clip], "--seconds", str(args.seconds))
    server = Server([args.bin, "serve", "--media", media, "--port", "0", "--log-level", "warning"])
    try:
        seeks = subprocess.run([args.bin, "bench", name, "--seeks", str(args.seeks), "--json",
                                "--server", server.target], capture_output=True, text=True, check=True)
        report = json.loads(seeks.stdout)
        print(f"seeks: {args.seeks} in {name} ({CLIPS[args.clip]}, GOP 50):")
        print(f"  Play  p50 {report['play_p50_ms']:.1f} ms  p90 {report['play_p90_ms']:.1f} ms")
        print(f"  Watch p50 {report['watch_p50_ms']:.1f} ms  p90 {report['watch_p90_ms']:.1f} ms")
        print(f"  Play p50 / Watch p50 = {report['p50_ratio']:.3f}")

        with soccerstream.connect(server.target) as client, client.play(name, real_time=True) as playback:
            frames = iter(playback)
            next(frames)
            pid = server.process.pid
            before, start = cpu_seconds(pid), time.monotonic()
            while time.monotonic() - start < args.pause:
                next(frames)
            playing = cpu_seconds(pid) - before
            playback.pause()
            time.sleep(0.5)
            before = cpu_seconds(pid)
            time.sleep(args.pause)
            paused = cpu_seconds(pid) - before
        print(f"server CPU over {args.pause:g} s: playing in real time {playing:.2f} s, paused {paused:.2f} s")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
