"""Upload throughput: `soccer upload` of one large MP4 to a release server over loopback,
against `cp` of the same file into the same folder, alternated, medians of --reps.

cp is timed twice: as it is (the copy lands in the page cache), and followed by `sync -f`
on the copy's filesystem, since an upload is on disk (fsync) before the server answers. One
SHA-256 pass over the file (`openssl dgst -sha256`, the library both sides hash with) is timed
too: an upload makes two, the client's before it sends and the server's as it receives.
Every side reads a source file already in the page cache.
"""

import os
import shutil
import statistics
import subprocess
import sys
import time

from soccertest import MEDIA, ROOT

from ..servers import serve

REPS = 3


def big_clip(folder, megabytes):
    """An MP4 of about `megabytes` MB: the bundled sample looped by stream copy (no encoding)."""
    path = os.path.join(folder, f"upload-{megabytes}mb.mp4")
    if not os.path.exists(path):
        sample = os.path.join(MEDIA, "sample.mp4")
        loops = megabytes * 1_000_000 // os.path.getsize(sample)
        subprocess.run(
            [
                "ffmpeg",
                "-hide_banner",
                "-loglevel",
                "error",
                "-stream_loop",
                str(loops),
                "-i",
                sample,
                "-c",
                "copy",
                "-y",
                path,
            ],
            check=True,
        )
    return path


def timed(command):
    start = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def add_arguments(parser):
    parser.add_argument("--megabytes", type=int, default=1000)


def run(args, figures):
    work = os.path.join(ROOT, ".bench", "upload")
    media = os.path.join(work, "media")
    shutil.rmtree(media, ignore_errors=True)
    os.makedirs(media)
    clip = big_clip(work, args.megabytes)
    size = os.path.getsize(clip)
    with open(clip, "rb") as f:  # into the page cache, for both sides alike
        while f.read(1 << 24):
            pass
    server = serve(args.bin, media, "--allow-upload")
    copy = os.path.join(media, "copy.mp4")
    runs = {"upload": [], "cp": [], "cp + sync": [], "sha256 pass": []}
    try:
        for rep in range(args.reps):
            runs["upload"].append(
                timed([args.bin, "upload", clip, "--id", "big", "--replace", "--server", server.target])
            )
            os.remove(os.path.join(media, "big.mp4"))
            runs["cp"].append(timed(["cp", clip, copy]))
            os.remove(copy)
            runs["cp + sync"].append(timed(["sh", "-c", 'cp "$0" "$1" && sync -f "$1"', clip, copy]))
            os.remove(copy)
            runs["sha256 pass"].append(timed(["openssl", "dgst", "-sha256", clip]))
            print(
                f"run {rep + 1}: " + ", ".join(f"{k} {size / 1e6 / v[-1]:.0f} MB/s" for k, v in runs.items()),
                file=sys.stderr,
            )
    finally:
        server.stop()
    rate = {k: size / 1e6 / statistics.median(v) for k, v in runs.items()}
    print(f"{size / 1e6:.0f} MB, median of {args.reps} alternated runs:")
    for k, v in rate.items():
        print(f"  {k:12} {v:7.0f} MB/s")
    figures["upload_over_cp_sync"] = rate["upload"] / rate["cp + sync"]
    print(
        f"  upload / cp = {rate['upload'] / rate['cp']:.2f}; upload / (cp + sync) = "
        f"{rate['upload'] / rate['cp + sync']:.2f}"
    )
