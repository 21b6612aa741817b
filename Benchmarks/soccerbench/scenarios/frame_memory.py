"""A server's memory under clients that take one 8K frame and then stop reading.

Makes .bench/8k/big.mp4 (2 s of 8192x4320) once, starts `soccer serve` on it (with
--serve=--OPTION=VALUE added), opens --clients soccerstream clients' streams that read one frame each and stop,
and prints how many were served and refused, the server's peak RSS growth against its
--frame-memory budget, and how soon memory came back once they left. --reps is not used.
"""

import os
import time

import soccerstream
from soccertest import ROOT, free_port, make_8k, metric, rss_mb

from ..servers import serve

REPS = 1


def add_arguments(parser):
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--serve", action="append", default=[], help="an option for soccer serve, as --serve=--X=Y")


def run(args, figures):
    media = os.path.join(ROOT, ".bench", "8k")
    os.makedirs(media, exist_ok=True)
    if not os.path.exists(os.path.join(media, "big.mp4")):
        make_8k(os.path.join(media, "big.mp4"), seconds=2)
    port = free_port()
    server = serve(
        args.bin,
        media,
        "--max-frame-pixels",
        "8192x4320",
        "--stall-timeout",
        "120",
        "--metrics",
        str(port),
        *args.serve,
    )
    # A client each, so that each stream has a connection of its own.
    clients = [soccerstream.connect(server.target) for _ in range(args.clients)]
    try:
        pid = server.process.pid
        time.sleep(0.5)
        before = rss_mb(pid)
        limit = metric(port, "soccer_frame_memory_limit_bytes") / 2**20
        served, refused = [], 0
        for client in clients:
            frames = client.frames("big")
            try:
                next(frames)
                served.append(frames)
            except soccerstream.ResourceExhausted:
                refused += 1
        peak = before
        for _ in range(25):
            time.sleep(0.2)
            peak = max(peak, rss_mb(pid))
        reserved = metric(port, "soccer_frame_memory_bytes") / 2**20
        figures["peak_growth_over_budget"] = (peak - before) / limit
        print(
            f"{args.clients} clients of 8192x4320 that stopped after a frame: {len(served)} served, {refused} "
            f"refused; server RSS {before:.0f} -> peak {peak:.0f} MB (+{peak - before:.0f}); {reserved:.0f} MiB "
            f"reserved of a {limit:.0f} MiB budget"
        )
        for frames in served:
            frames.close()
        left = time.monotonic()
        while rss_mb(pid) > before + 64 and time.monotonic() - left < 15:
            time.sleep(0.1)
        figures["seconds_to_give_back"] = time.monotonic() - left
        print(
            f"{time.monotonic() - left:.1f} s after they left: RSS {rss_mb(pid):.0f} MB, "
            f"{metric(port, 'soccer_frame_memory_bytes'):.0f} bytes reserved"
        )
    finally:
        for client in clients:
            client.close()
        server.stop()
