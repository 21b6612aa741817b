"""Play's figures: seek latency over Play against Watch reopened at the frame, and the server's
CPU over a pause against the same time playing in real time, on one release server.

The clip is testsrc2 at 25 frames/s with a keyframe every 50 frames; --reps is not used (--seeks
sets the number of seeks measured). The server has no frame cache: both sides seek to the same
frames.
"""

import json
import subprocess
import time

import soccerstream
from soccertest import cpu_seconds

from ..clips import SIZES, clip
from ..servers import serve

REPS = 1


def add_arguments(parser):
    parser.add_argument("--clip", choices=SIZES, default="720p")
    parser.add_argument("--seconds", type=int, default=60, help="length of the clip made for it")
    parser.add_argument("--seeks", type=int, default=40)
    parser.add_argument("--pause", type=float, default=5.0, help="seconds paused, and seconds played")


def run(args, figures):
    media, _ = clip(args.clip, seconds=args.seconds, rate=25)
    name = args.clip
    # Without the frame cache: both sides seek to the same frames, and the second would find them kept.
    server = serve(args.bin, media, "--frame-cache", "0")
    try:
        seeks = subprocess.run(
            [args.bin, "bench", name, "--seeks", str(args.seeks), "--json", "--server", server.target],
            capture_output=True,
            text=True,
            check=True,
        )
        report = json.loads(seeks.stdout)
        print(f"seeks: {args.seeks} in {name} ({SIZES[args.clip]}, {args.seconds} s, GOP 50):")
        print(f"  Play  p50 {report['play_p50_ms']:.1f} ms  p90 {report['play_p90_ms']:.1f} ms")
        print(f"  Watch p50 {report['watch_p50_ms']:.1f} ms  p90 {report['watch_p90_ms']:.1f} ms")
        print(f"  Play p50 / Watch p50 = {report['p50_ratio']:.3f}")
        figures[f"{args.clip}.play_over_watch_p50"] = report["p50_ratio"]

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
        figures["paused_over_playing_cpu"] = paused / playing
        print(f"server CPU over {args.pause:g} s: playing in real time {playing:.2f} s, paused {paused:.2f} s")
    finally:
        server.stop()
