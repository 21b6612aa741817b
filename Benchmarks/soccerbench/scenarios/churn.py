"""Streams opened and reset as soon as their headers arrive, on several connections at once.

`Churn` is the hostile pattern the suite runs for a few seconds; as a tool it runs the same
churn against one server (`--frame-memory 256MiB` unless --serve sets it) several times and
prints, for each run, how far its memory grew, how long memory took to come back, and how long
Describe took meanwhile, asked by another client 5 times a second (p90 over every run); --busy N
runs N busy loops beside it.
"""

import multiprocessing
import statistics
import threading
import time

import soccerstream
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


def _describing(target, stop, took):
    """Asks for Describe every 0.2 s until `stop`, appending each answer's time in ms to `took`."""
    with soccerstream.connect(target, deadline=30) as client:
        while not stop.wait(0.2):
            started = time.monotonic()
            client.describe("720p")
            took.append((time.monotonic() - started) * 1000)


def run(args, figures):
    media, _ = clip("720p", seconds=8, rate=25, preset="ultrafast")
    options = (
        args.serve
        if any(o.startswith("--frame-memory") for o in args.serve)
        else [*args.serve, "--frame-memory=256MiB"]
    )
    growth = []
    describes = []
    for rep in range(1, args.reps + 1):
        server = serve(args.bin, media, *options)
        try:
            pid = server.process.pid
            time.sleep(0.5)
            before = rss_mb(pid)
            peak = before
            loops = [multiprocessing.Process(target=_busy, args=(args.seconds,)) for _ in range(args.busy)]
            for p in loops:
                p.start()
            stop, took = threading.Event(), []
            describer = threading.Thread(target=_describing, args=(server.target, stop, took))
            with Churn(server.target, "720p") as churn:
                describer.start()
                end = time.monotonic() + args.seconds
                while time.monotonic() < end:
                    time.sleep(0.1)
                    peak = max(peak, rss_mb(pid))
                stop.set()
                describer.join()
            describes += took
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
            p90 = statistics.quantiles(took, n=10)[-1] if len(took) > 1 else float("nan")
            print(
                f"run {rep}: {churn.opened} streams reset in {args.seconds:.0f} s; RSS {before:.0f} -> peak "
                f"{peak:.0f} MB (+{peak - before:.0f}); back within 32 MB of the start after {settled}; "
                f"{len(took)} Describes, p90 {p90:.0f} ms",
                flush=True,
            )
        finally:
            server.stop()
    print(f"\nserve options: {' '.join(options)}")
    figures["peak_growth_mb"] = max(growth)
    figures["describe_p90_ms"] = statistics.quantiles(describes, n=10)[-1]
