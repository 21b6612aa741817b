"""Shared decodes: 8 streams of one match against 8 streams of 8 different matches.

A 10-second 1920x1080 H.264 clip at 30 frames/s is served under 8 ids (hard links: 8 files to the
server, none sharing a decode with another). One release `soccer serve` per run; `soccer bench
--streams 8` reads every frame over 8 connections, either all of match m1 (one decoder serves
them) or m1 to m8 (eight decoders), alternating, --reps times, medians. The server's CPU seconds
come from /proc. A third side reads m1 eight times from a server with --no-shared-decodes.
"""

import statistics

from soccertest import cpu_seconds

from ..clips import clip, served
from ..servers import json_of, serve
from ..stats import alternated

MARKDOWN = True
REPS = 3
STREAMS = 8


def add_arguments(parser):
    parser.add_argument("--clip", choices=["720p", "1080p"], default="1080p")


def run(args, figures):
    _, path = clip(args.clip, seconds=10, rate=30)
    media = served("sharing", {f"m{n}": path for n in range(1, STREAMS + 1)})
    ids = {
        "one match": ["m1"],
        "8 matches": [f"m{n}" for n in range(1, STREAMS + 1)],
        "one match, not shared": ["m1"],
    }

    def measure(side):
        options = ("--no-shared-decodes",) if side == "one match, not shared" else ()
        server = serve(args.bin, media, *options)
        try:
            before = cpu_seconds(server.process.pid)
            report = json_of(
                [args.bin, "bench", *ids[side], "--streams", str(STREAMS), "--json", "--server", server.target]
            )
            cpu = cpu_seconds(server.process.pid) - before
        finally:
            server.stop()
        return report["fps"], cpu / report["frames"] * 1000

    def describe(f):
        return f"{f[0]:.0f} frames/s, server {f[1]:.2f} CPU ms a frame"

    runs = alternated(list(ids), args.reps, measure, describe)
    print(f"{args.reps} runs, release build, {STREAMS} streams of {args.clip} over loopback, medians.\n")
    print("| streams of | aggregate frames/s | server CPU ms a frame |")
    print("| --- | ---: | ---: |")
    med = {side: tuple(statistics.median(r[i] for r in runs[side]) for i in range(2)) for side in runs}
    for side in ids:
        print(f"| {side} | {med[side][0]:.0f} | {med[side][1]:.2f} |")
    figures["fps_one_over_eight"] = med["one match"][0] / med["8 matches"][0]
    figures["cpu_one_over_eight"] = med["one match"][1] / med["8 matches"][1]
    print(
        f"\nOne match over 8 matches: {figures['fps_one_over_eight']:.2f}x the frames/s, "
        f"{figures['cpu_one_over_eight']:.2f}x the server CPU a frame."
    )
