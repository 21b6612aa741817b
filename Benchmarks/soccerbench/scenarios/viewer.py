"""The web viewer in headless chromium: seek to paint, and frames shown a second while playing.

Two 60 s H.264 clips at 25 frames/s with a keyframe every 50 frames, 1280x720 and 1920x1080.
One release `soccer serve --http`; Debian's chromium driven by Playwright, in a 1280x800
window (the canvas is 1248 pixels wide, so a 1080p match's frames are asked for at that width
and a 720p match's at its own).

Seek: --seeks frames at random positions, each asked for while paused (as the frame box, the
slider or a key asks), from the call to the paint of that frame on the canvas (its JPEG; the
lossless PNG follows); p50 and p95. Playback: --play-seconds of playing from frame 0, the frames
painted a second, on loopback and over a 100 Mbit/s link (the thin-link harness: server and
browser in two network namespaces; root only).
"""

import os
import random
import statistics
import time

from soccertest import ThinLink, chromium

from ..clips import clip, served
from ..servers import serve

MARKDOWN = True
REPS = 1
RATE = 25
SIZES = ("720p", "1080p")


def add_arguments(parser):
    parser.add_argument("--seeks", type=int, default=40, help="seeks per clip (default 40)")
    parser.add_argument("--play-seconds", type=float, default=12, help="seconds of playing per run (default 12)")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def open_player(browser, base, id):
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{base}/watch/{id}")
    page.wait_for_selector("#screen[data-frame='0'][data-exact='1']", timeout=30000)
    return page


def seeks(page, count, last, seed):
    """Milliseconds from asking for each of `count` random frames to its paint."""
    times = []
    for frame in random.Random(seed).sample(range(1, last), count):
        page.evaluate(f"soccerViewer.seek({frame})")
        deadline = time.monotonic() + 10
        while (painted := page.evaluate("soccerViewer.seeks.at(-1)"))["painted"] is None:
            assert time.monotonic() < deadline, f"frame {frame} was not painted"
            time.sleep(0.002)
        times.append(painted["painted"] - painted["asked"])
        # Let the lossless PNG land, as a person looking at the frame would.
        page.wait_for_selector(f"#screen[data-frame='{frame}'][data-exact='1']", timeout=10000)
    return times


def playback(page, seconds):
    """Frames painted a second over `seconds` of playing from frame 0, after its first second."""
    page.evaluate("soccerViewer.seek(0)")
    page.wait_for_selector("#screen[data-frame='0'][data-exact='1']", timeout=10000)
    page.keyboard.press("Space")
    time.sleep(1)
    painted, started = page.evaluate("soccerViewer.painted"), time.monotonic()
    time.sleep(seconds)
    shown = page.evaluate("soccerViewer.painted") - painted
    elapsed = time.monotonic() - started
    page.keyboard.press("Space")
    return shown / elapsed


def run(args, figures):
    clips = {size: clip(size, seconds=60, rate=RATE, gop=50, preset="veryfast")[1] for size in SIZES}
    media = served("viewer", clips)
    last = 60 * RATE - 1
    rows = []
    server = serve(args.bin, media, "--http", "0")
    try:
        base = server.announced("web on ").rstrip("/")
        with chromium() as browser:
            for size in SIZES:
                page = open_player(browser, base, size)
                times = seeks(page, args.seeks, last, seed=39)
                fps = playback(page, args.play_seconds)
                page.context.close()
                figures[f"{size}.seek_p50_ms"] = statistics.median(times)
                figures[f"{size}.seek_p95_ms"] = percentile(times, 95)
                figures[f"{size}.play_fps_loopback"] = fps
                rows.append((size, statistics.median(times), percentile(times, 95), fps))
    finally:
        server.stop()

    link_fps = {}
    if os.geteuid() == 0:
        link = ThinLink("100mbit")
        try:
            server = link.serve(args.bin, media, "--http", f"{link.server_address}:0")
            try:
                base = server.announced("web on ").rstrip("/")
                with chromium(namespace=link.client_ns) as browser:
                    for size in SIZES:
                        page = open_player(browser, base, size)
                        link_fps[size] = playback(page, args.play_seconds)
                        page.context.close()
                        figures[f"{size}.play_fps_link"] = link_fps[size]
            finally:
                server.stop()
        finally:
            link.close()

    print(
        f"Headless chromium 1280x800, release server, 60 s clips at {RATE} frames/s; {args.seeks} seeks a clip "
        f"to random frames while paused; {args.play_seconds:.0f} s of playing.\n"
    )
    print("| clip | seek to paint p50 ms | p95 ms | frames shown/s, loopback | over 100 Mbit/s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for size, p50, p95, fps in rows:
        over = f"{link_fps[size]:.1f}" if size in link_fps else "not run (needs root)"
        print(f"| {size} | {p50:.0f} | {p95:.0f} | {fps:.1f} | {over} |")
