"""Streams opened and reset as soon as their headers arrive, on several connections at once.

`Churn` is the hostile pattern the suite runs for a few seconds; as a tool it runs the same
churn against one server several times and prints, for each run, how far its memory grew, how
many decoders were open at most, and how long memory took to come back, for --reps runs;
--busy N runs N busy loops beside it.
"""

import multiprocessing
import time

from soccertest import rss_mb
from soccertest.churn import Churn

from ..clips import clip
from ..servers import serve

REPS = 5


def _busy(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def add_arguments(parser):
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--busy", type=int, default=0, help="busy loops beside the churn, to load the machine")
    parser.add_argument("--serve", action="append", default=[], help="an option for soccer serve, as --serve=--X=Y")


def run(args, figures):
    media, _ = clip("720p", seconds=8, rate=25, preset="ultrafast")
    growth = []
    for rep in range(1, args.reps + 1):
        server = serve(args.bin, media, *args.serve)
        try:
            pid = server.process.pid
            time.sleep(0.5)
            before = rss_mb(pid)
            peak = before
            loops = [multiprocessing.Process(target=_busy, args=(args.seconds,)) for _ in range(args.busy)]
            for p in loops:
                p.start()
            with Churn(server.target, "720p") as churn:
                end = time.monotonic() + args.seconds
                while time.monotonic() < end:
                    time.sleep(0.1)
                    peak = max(peak, rss_mb(pid))
            for p in loops:
                p.join()
            ended = time.monotonic()
            back = None
            while time.monotonic() - ended < 15:
                if rss_mb(pid) < before + 32:
                    back = time.monotonic() - ended
                    break
                time.sleep(0.1)
            settled = "not within 15 s" if back is None else f"{back:.1f} s"
            growth.append(peak - before)
            print(
                f"run {rep}: {churn.opened} streams reset in {args.seconds:.0f} s; RSS {before:.0f} -> peak "
                f"{peak:.0f} MB (+{peak - before:.0f}); back within 32 MB of the start after {settled}",
                flush=True,
            )
        finally:
            server.stop()
    figures["peak_growth_mb"] = max(growth)
