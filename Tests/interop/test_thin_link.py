"""JPEG frames over a thin link: two network namespaces joined by a veth pair shaped to
100 Mbit/s, where raw 720p frames come a few a second."""

import json
import os
import subprocess
import sys

import pytest

from soccertest import ROOT, ThinLink, make_media, soccer_binary

CLIENT = """
import json, sys, time, soccerstream
options = json.loads(sys.argv[3])
with soccerstream.connect(sys.argv[1]) as client:
    times = [time.perf_counter() for frame in client.frames("clip720", count=int(sys.argv[2]), **options)]
print(json.dumps({"frames": len(times), "seconds": times[-1] - times[0]}))
"""


@pytest.fixture(scope="module")
def link(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.fail("the thin-link test makes network namespaces: it runs as root")
    media = tmp_path_factory.mktemp("media")
    make_media(str(media), "clip720", "--size", "1280x720", "--seconds", "4", "--rate", "30")
    link = ThinLink("100mbit")
    server = link.serve(soccer_binary(), media)
    yield link, f"{link.server_address}:{server.port}"
    assert server.stop() == 0
    link.close()


def rate(link, target, count, **options):
    """Frames/s a Python client in the client namespace takes, from its first frame to its last."""
    out = subprocess.run(
        link.in_client(sys.executable, "-c", CLIENT, target, str(count), json.dumps(options)),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=True,
    ).stdout
    report = json.loads(out.strip().splitlines()[-1])
    assert report["frames"] == count
    return (count - 1) / report["seconds"]


def test_jpeg_carries_at_least_six_times_the_frames_of_raw_at_720p(link):
    link, target = link
    raw = rate(link, target, 12)
    jpeg = rate(link, target, 100, encoding="jpeg")
    # 100 Mbit/s carries 12.5 MB/s: 4.5 raw 720p frames (2.76 MB each) a second at most.
    assert raw < 5.5, f"raw 720p at {raw:.1f} frames/s: the link is not shaped"
    assert jpeg >= 6 * raw, f"JPEG {jpeg:.1f} frames/s against raw {raw:.1f}"
