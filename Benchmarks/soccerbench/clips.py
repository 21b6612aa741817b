"""The one way benchmark clips are made: testsrc2 H.264 at a named size, kept in .bench/media by
length, rate and keyframe interval, so two scenarios asking for different clips never share a file."""

import os
import shutil

from soccertest import MEDIA, ROOT, make_media

SIZES = {"360p": "640x360", "720p": "1280x720", "1080p": "1920x1080"}


def clip(name, seconds=10, rate=30, gop=None, preset=None):
    """(folder, path) of clip `name` (one of SIZES, or "sample" for the bundled sample), made the
    first time it is asked for; its match id is `name`."""
    tag = f"{seconds}s-{rate}fps" + (f"-gop{gop}" if gop else "") + (f"-{preset}" if preset else "")
    folder = os.path.join(ROOT, ".bench", "media", "sample" if name == "sample" else tag)
    path = os.path.join(folder, f"{name}.mp4")
    if os.path.exists(path):
        return folder, path
    if name == "sample":
        os.makedirs(folder, exist_ok=True)
        shutil.copyfile(os.path.join(MEDIA, "sample.mp4"), path)
        return folder, path
    options = ["--size", SIZES[name], "--seconds", str(seconds), "--rate", str(rate)]
    options += ["--gop", str(gop)] if gop else []
    options += ["--preset", preset] if preset else []
    make_media(folder, name, *options)
    return folder, path


def served(name, clips):
    """A folder .bench/served/NAME holding `clips` ({match id: clip path}) as hard links, and nothing
    else: one server serves them under the ids a scenario chooses."""
    folder = os.path.join(ROOT, ".bench", "served", name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for match_id, path in clips.items():
        os.link(path, os.path.join(folder, f"{match_id}.mp4"))
    return folder
