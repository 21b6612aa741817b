"""Match files made with FFmpeg for tests and benchmarks, and the frame counter drawn into them."""

import os
import shutil
import subprocess
import tempfile

import numpy as np

from .paths import ROOT

# Clips made so far in this process, by their options: FFmpeg draws each one only once. The
# folder goes when the process ends.
_made: dict[tuple[str, ...], str] = {}
_clips = tempfile.TemporaryDirectory(prefix="soccer-clips-")


def make_media(folder, name, *options):
    """Makes `folder/name.mp4` with tools/make-sample-media `options`; returns its path.

    A clip with options made before in this process is copied rather than drawn again (a copy,
    so a test that changes its file changes no other test's)."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.mp4")
    made = _made.get(options)
    if made is None or not os.path.exists(made):
        made = os.path.join(_clips.name, f"{len(_made)}.mp4")
        subprocess.run(
            [os.path.join(ROOT, "tools", "make-sample-media"), *options, made], check=True, stdout=subprocess.DEVNULL
        )
        _made[options] = made
    shutil.copyfile(made, path)
    return path


def make_8k(path, seconds):
    """An 8192x4320 H.264 clip at 25 frames/s, made with FFmpeg's test source (a second takes a few)."""
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=s=8192x4320:r=25:d={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )
    return path


def counter(frame):
    """The frame number drawn by tools/make-sample-media (or the Python server) into a frame."""
    height, width = frame.shape[:2]
    left = 3 * (width // 4)
    stripe = max(1, (width - left) // 8)
    y = (height * 4 // 9) // 2
    value = 0
    for bit in range(8):
        pixel = frame[y, left + bit * stripe + stripe // 2]
        if int(np.max(pixel)) > 128:
            value |= 1 << bit
    return value
