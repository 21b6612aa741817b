"""Unix socket against TCP loopback, for `soccer bench` and the Python reference client.

Frames/s of one release server's stream over each, alternated, medians of each, on 10 s of
testsrc2 at 30 frames/s.
"""

import json
import os
import subprocess
import sys
import tempfile

from ..clips import SIZES, clip
from ..servers import serve
from ..stats import alternated, medians

REPS = 5


def add_arguments(parser):
    parser.add_argument("--clip", choices=SIZES, default="1080p")


def run(args, figures):
    media, _ = clip(args.clip)
    socket = os.path.join(tempfile.mkdtemp(prefix="soccer-ab-"), "soccer.sock")
    server = serve(args.bin, media, "--unix", socket)
    targets = {"tcp": server.target, "unix": f"unix:{socket}"}

    def measure(side):
        kind, transport = side.split(" ")
        if kind == "soccer":
            out = subprocess.run(
                [args.bin, "bench", args.clip, "--json", "--server", targets[transport]],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            return (json.loads(out)["fps"],)
        out = subprocess.run(
            [sys.executable, "-m", "soccertest.reference_client", targets[transport], args.clip, "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return (json.loads(out)["fps"],)

    try:
        sides = ["soccer tcp", "soccer unix", "python tcp", "python unix"]
        runs = alternated(sides, args.reps, measure, lambda f: f"{f[0]:.1f} frames/s")
        print(f"{args.clip}, median of {args.reps} alternated runs:")
        result = medians(runs, lambda f: f"{f[0]:.1f} frames/s")
        for kind in ("soccer", "python"):
            figures[f"{args.clip}.{kind}_unix_over_tcp"] = result[kind + " unix"][0] / result[kind + " tcp"][0]
            print(f"  {kind}: unix / tcp = {result[kind + ' unix'][0] / result[kind + ' tcp'][0]:.2f}")
    finally:
        server.stop()
