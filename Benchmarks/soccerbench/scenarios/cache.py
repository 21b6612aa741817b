"""The frame cache: the same frames asked for twice, the second time sent from memory.

Uses the 5-minute 1280x720 H.264 clip at 25 frames/s with a keyframe every 50 frames that
`access` uses. For each of --reps runs, a fresh release `soccer serve` (default --frame-cache)
has its frame index scanned by a request for one other frame, then is asked through the
soccerstream package, over loopback, for the same 64 scattered frames (a fixed random draw, in
random order) with frame_indices twice: the first time every frame is decoded and kept, the
second time none is. The same request on a server with --frame-cache 0 stands beside them.
"""

import random
import statistics
import time

import soccerstream

from ..clips import clip, served
from ..servers import serve

MARKDOWN = True
REPS = 5
RATE = 25
GOP = 50
COUNT = 64


def timed(client, indices):
    started = time.perf_counter()
    frames = list(client.iter_frames_at("long", indices))
    assert [f.index for f in frames] == indices
    return time.perf_counter() - started


def add_arguments(parser):
    del parser  # the common options are all it takes


def run(args, figures):
    _, long = clip("720p", seconds=300, rate=RATE, gop=GOP, preset="veryfast")
    media = served("access", {"long": long})
    indices = random.Random(38).sample(range(1, 300 * RATE), COUNT)
    sides = {"first": [], "second": [], "uncached": []}
    for rep in range(args.reps):
        for cached in (True, False) if rep % 2 == 0 else (False, True):
            server = serve(args.bin, media, *(() if cached else ("--frame-cache", "0")))
            try:
                with soccerstream.connect(server.target) as client:
                    client.frames_at("long", [0])  # the index scanned, as every later request finds it
                    if cached:
                        sides["first"].append(timed(client, indices))
                        sides["second"].append(timed(client, indices))
                    else:
                        timed(client, indices)
                        sides["uncached"].append(timed(client, indices))
            finally:
                server.stop()
    med = statistics.median
    print(f"{args.reps} runs, release server, soccerstream client over loopback, medians, sides alternated.\n")
    print(f"### The same {COUNT} scattered frames of a 5-minute 720p clip, asked for twice\n")
    print("| request | ms | frames/s |")
    print("| --- | ---: | ---: |")
    for side, label in (
        ("first", "first time (decoded, kept)"),
        ("second", "second time (from the frame cache)"),
        ("uncached", "second time with --frame-cache 0"),
    ):
        print(f"| {label} | {med(sides[side]) * 1000:.1f} | {COUNT / med(sides[side]):.0f} |")
    figures["second_over_first"] = med(sides["second"]) / med(sides["first"])
    figures["uncached_over_first"] = med(sides["uncached"]) / med(sides["first"])
    print(
        f"\nSecond over first: {figures['second_over_first']:.3f}; "
        f"without the cache: {figures['uncached_over_first']:.2f}."
    )
