"""Frames/s and time to the first frame from an nginx HTTP store against a local folder.

Starts nginx on loopback over the same folder the local server reads, then runs `soccer bench`
alternately against a server reading each, --reps times, and prints the medians and ratios.
"""

import json
import subprocess
import tempfile

from soccertest import Nginx

from ..clips import SIZES, clip
from ..servers import serve
from ..stats import alternated, medians

REPS = 5


def bench(binary, server, clip):
    out = subprocess.run(
        [binary, "bench", clip, "--server", server.target, "--json"], capture_output=True, text=True, check=True
    ).stdout
    report = json.loads(out)
    return report["fps"], report["first_frame_ms"]


def add_arguments(parser):
    parser.add_argument("--clip", choices=["sample", *SIZES], default="720p")
    parser.add_argument("--seconds", type=int, default=10, help="length of a generated clip")


def run(args, figures):
    media, _ = clip(args.clip, seconds=args.seconds)
    with tempfile.TemporaryDirectory() as work:
        nginx = Nginx(media, work)
        servers = {
            "local folder": serve(args.bin, media),
            "nginx store": serve(args.bin, nginx.url),
        }
        try:
            runs = alternated(
                list(servers),
                args.reps,
                lambda name: bench(args.bin, servers[name], args.clip),
                lambda f: f"{f[0]:.1f} frames/s, first frame {f[1]:.1f} ms",
            )
        finally:
            for server in servers.values():
                server.stop()
            nginx.stop()
    print(f"{args.clip}, one stream, {args.reps} alternated runs each (medians):")
    (local_fps, local_first), (store_fps, store_first) = medians(
        runs, lambda f: f"{f[0]:.1f} frames/s, first frame {f[1]:.1f} ms"
    ).values()
    figures[f"{args.clip}.store_over_local"] = store_fps / local_fps
    print(f"  store/local: frames/s {store_fps / local_fps:.3f}, first frame {store_first / local_first:.2f}x")
