"""One frame by URL against `soccer dump --frames-at` for the same frame.

Uses the 5-minute 1280x720 H.264 clip at 25 frames/s with a keyframe every 50 frames that
`access` uses. One release `soccer serve --http 0 --frame-cache 0` (every request decodes its
frame). For each of --reps runs and each of 8 frames spread over the clip, alternating which
goes first: `curl -o` of the frame's PNG URL, and `soccer dump ID --frames-at N --format png`,
each a fresh process, as a script would run them. Medians over every frame and run.
"""

import os
import random
import statistics
import subprocess
import tempfile
import time

from ..clips import clip, served
from ..servers import serve

MARKDOWN = True
REPS = 5
RATE = 25
GOP = 50
FRAMES = 8


def add_arguments(parser):
    del parser  # the common options are all it takes


def timed(argv):
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def run(args, figures):
    _, long = clip("720p", seconds=300, rate=RATE, gop=GOP, preset="veryfast")
    media = served("access", {"long": long})
    server = serve(args.bin, media, "--http", "0", "--frame-cache", "0")
    sides = {"url": [], "dump": []}
    sizes = {"url": [], "dump": []}
    try:
        web = server.announced("web on ").rstrip("/")
        # The frame index scanned first, as every later request finds it.
        timed(["curl", "-sf", "-o", os.devnull, f"{web}/v1/matches/long/frames/0.png"])
        with tempfile.TemporaryDirectory(prefix="soccer-web-") as work:
            for rep in range(args.reps):
                for n, index in enumerate(random.Random(39 + rep).sample(range(1, 300 * RATE), FRAMES)):
                    url = os.path.join(work, f"{index}.png")
                    out = os.path.join(work, f"dump-{rep}-{n}")
                    commands = {
                        "url": ["curl", "-sf", "-o", url, f"{web}/v1/matches/long/frames/{index}.png"],
                        "dump": [
                            args.bin,
                            "dump",
                            "long",
                            "--frames-at",
                            str(index),
                            "--format",
                            "png",
                            "--out",
                            out,
                            "--server",
                            server.target,
                        ],
                    }
                    for side in ("url", "dump") if (rep + n) % 2 == 0 else ("dump", "url"):
                        sides[side].append(timed(commands[side]))
                    sizes["url"].append(os.path.getsize(url))
                    sizes["dump"].append(sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out)))
    finally:
        server.stop()
    med = statistics.median
    assert sizes["url"] == sizes["dump"], "the URL's file and the dump's differ"
    print(f"{args.reps} runs of {FRAMES} frames spread over a 5-minute 720p clip, release server, loopback, medians.\n")
    print("| how | ms a frame | PNG bytes |")
    print("| --- | ---: | ---: |")
    print(f"| `curl` of `/v1/matches/ID/frames/N.png` | {med(sides['url']) * 1000:.1f} | {med(sizes['url']):.0f} |")
    print(
        f"| `soccer dump ID --frames-at N --format png` | {med(sides['dump']) * 1000:.1f} | {med(sizes['dump']):.0f} |"
    )
    figures["url_over_dump"] = med(sides["url"]) / med(sides["dump"])
    print(f"\nBy URL over soccer dump: {figures['url_over_dump']:.2f}x the time; the files are the same size.")
