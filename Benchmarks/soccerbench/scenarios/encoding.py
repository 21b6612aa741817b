"""Raw, PNG and JPEG frames side by side, on one release server per place.

On the clip (10 s of testsrc2 at 30 frames/s), for each encoding (raw, PNG, JPEG
at 75, 90 and 95): `soccer bench --json` (which decodes JPEG and PNG frames, as a consumer must)
reports bytes per frame and frames/s, and the server's /proc CPU time over the run gives its CPU
per frame; on loopback, and over a 100 Mbit/s link between two network namespaces (tc tbf on the
server's side, as Tests/interop/test_thin_link.py makes it), where raw frames are limited to
--link-frames each. Encodings alternate within each rep; medians of --reps. Then `soccer dump
--format jpeg` of the whole clip against `ffmpeg -i FILE -q:v 2 out_%06d.jpg`, alternated.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

from soccertest import ThinLink, cpu_seconds

from ..clips import SIZES, clip
from ..servers import serve
from ..stats import alternated, medians

REPS = 3

ENCODINGS = ["raw", "png", "jpeg:75", "jpeg:90", "jpeg:95"]


def bench(binary, server, target, clip, encoding, frames, wrap=lambda argv: argv):
    """(bytes per frame, frames/s, server CPU ms per frame) of one `soccer bench` run."""
    before = cpu_seconds(server.process.pid)
    argv = wrap(
        [
            binary,
            "bench",
            clip,
            "--server",
            target,
            "--encoding",
            encoding,
            "--json",
            *(["--frames", str(frames)] if frames else []),
        ]
    )
    report = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
    server_cpu = cpu_seconds(server.process.pid) - before
    return report["bytes"] / report["frames"], report["fps"], server_cpu * 1000 / report["frames"]


def describe(r):
    return f"{r[0] / 1000:.1f} kB/frame, {r[1]:.1f} frames/s, server {r[2]:.2f} ms/frame"


def dump_against_ffmpeg(binary, server, clip, path, reps):
    out = tempfile.mkdtemp(prefix="soccer-dump-")

    def run(side):
        target = os.path.join(out, side)
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        started = time.perf_counter()
        if side == "soccer dump --format jpeg":
            subprocess.run(
                [binary, "dump", clip, "--out", target, "--format", "jpeg", "--server", server.target],
                check=True,
                capture_output=True,
            )
        else:
            subprocess.run(
                ["ffmpeg", "-v", "error", "-i", path, "-q:v", "2", os.path.join(target, "out_%06d.jpg")], check=True
            )
        seconds = time.perf_counter() - started
        files = os.listdir(target)
        size = sum(os.path.getsize(os.path.join(target, f)) for f in files)
        return seconds, len(files), size / len(files)

    sides = ["soccer dump --format jpeg", "ffmpeg -q:v 2"]
    runs = alternated(sides, reps, run, lambda r: f"{r[0]:.2f} s, {r[1]} files, {r[2] / 1000:.1f} kB each")
    print("whole clip to JPEG files (medians):")
    medians(runs, lambda r: f"{r[0]:.2f} s for {r[1]} files ({r[1] / r[0]:.1f} files/s), {r[2] / 1000:.1f} kB each")
    shutil.rmtree(out, ignore_errors=True)


def add_arguments(parser):
    parser.add_argument("--clip", choices=SIZES, default="720p")
    parser.add_argument("--link-frames", type=int, default=20, help="raw frames per run over the thin link")


def run(args, figures):
    media, path = clip(args.clip)

    server = serve(args.bin, media)
    try:
        runs = alternated(
            ENCODINGS, args.reps, lambda e: bench(args.bin, server, server.target, args.clip, e, 0), describe
        )
        print(f"{args.clip} on loopback, {args.reps} alternated runs (medians):")
        medians(runs, describe)
        dump_against_ffmpeg(args.bin, server, args.clip, path, args.reps)
    finally:
        server.stop()

    if os.geteuid() != 0:
        print("the 100 Mbit/s link needs root (network namespaces): left out")
        return
    link = ThinLink("100mbit")
    try:
        server = link.serve(args.bin, media)
        target = f"{link.server_address}:{server.port}"
        try:
            runs = alternated(
                ENCODINGS,
                args.reps,
                lambda e: bench(
                    args.bin,
                    server,
                    target,
                    args.clip,
                    e,
                    args.link_frames if e == "raw" else 0,
                    lambda argv: link.in_client(*argv),
                ),
                describe,
            )
            print(f"{args.clip} over 100 Mbit/s, {args.reps} alternated runs (medians):")
            results = medians(runs, describe)
            figures[f"{args.clip}.link_jpeg90_over_raw"] = results["jpeg:90"][1] / results["raw"][1]
            print(f"  JPEG 90 / raw frames/s: {results['jpeg:90'][1] / results['raw'][1]:.1f}x")
        finally:
            server.stop()
    finally:
        link.close()
