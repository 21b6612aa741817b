"""Bounded work per request: chosen frames in any order decode each keyframe interval about once,
through the real server, and are the frames a decode from the start gives."""

import re
import time

import numpy as np
import pytest

import soccerstream
from soccertest import free_port, make_media, metric, serve

GOP = 25
COUNT = 200


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """8 s of 320x180 at 25 frames/s, a keyframe every 25 frames: 200 frames in 8 intervals."""
    folder = tmp_path_factory.mktemp("work")
    make_media(folder, "clip", "--size", "320x180", "--seconds", "8", "--gop", str(GOP))
    return folder


def walk_backwards():
    """Every position, each keyframe interval walked from its end to its keyframe."""
    return [p for start in range(0, COUNT, GOP) for p in reversed(range(start, start + GOP))]


def ascending_then_backwards(server):
    """Every frame in order, then every frame walking each interval backwards: the same frames."""
    with soccerstream.connect(server.target, deadline=60) as client:
        everything = client.frames_at("clip", list(range(COUNT)))
        backwards = client.frames_at("clip", walk_backwards())
    assert np.array_equal(backwards, everything[walk_backwards()])


def decoded_counts(server, streams):
    """The frames decoded for each of the first `streams` streams of the clip, from their log lines."""
    deadline = time.monotonic() + 10
    lines = []
    while time.monotonic() < deadline:
        lines = [line for line in server.log(0.2).splitlines() if "id=clip" in line and "decoded=" in line]
        if len(lines) >= streams:
            break
    assert len(lines) >= streams, server.log()
    return [int(re.search(r"decoded=(\d+)", line).group(1)) for line in lines[:streams]]


def test_each_interval_walked_backwards_is_decoded_about_once(clip):
    # Without the frame cache, which would give the second request every frame without decoding.
    server = serve("--frame-cache", "0", media=clip)
    try:
        ascending_then_backwards(server)
        ascending, walked = decoded_counts(server, 2)
        assert ascending == COUNT
        assert walked <= 1.5 * ascending, (walked, ascending)
    finally:
        assert server.stop() == 0


def test_a_budget_without_room_to_hold_frames_serves_the_request_without(clip):
    # 8 MiB: room for the stream's own frames (about 2 MB), not for the 199 it would hold (34 MB).
    port = free_port()
    server = serve("--frame-memory", "8MiB", "--frame-cache", "0", "--metrics", str(port), media=clip)
    try:
        ascending_then_backwards(server)
        ascending, walked = decoded_counts(server, 2)
        # Each position lands again from its keyframe: about 13 frames decoded for each.
        assert walked > 5 * ascending, (walked, ascending)
        assert metric(port, 'soccer_stream_rejections_total{reason="frame_memory"}') == 0
        assert metric(port, "soccer_frames_decoded_total") == ascending + walked
        assert metric(port, "soccer_frames_sent_total") == 2 * COUNT
    finally:
        assert server.stop() == 0


def test_a_play_streams_log_line_says_what_was_decoded_for_it(clip):
    port = free_port()
    server = serve("--metrics", str(port), media=clip)
    try:
        with (
            soccerstream.connect(server.target, deadline=60) as client,
            client.play("clip", real_time=False) as playback,
        ):
            frames = iter(playback)
            taken = [next(frames).index for _ in range(5)]
            playback.seek(frame=150)
            taken += [next(frames).index for _ in range(5)]
        assert taken == [0, 1, 2, 3, 4, 150, 151, 152, 153, 154]
        line = server.wait_for_line("rpc=Play", "decoded=", timeout=10)
        assert line, server.log()
        decoded = int(re.search(r"decoded=(\d+)", line).group(1))
        # The frames sent, those decoded ahead and from the keyframe before 150: never fewer than sent.
        assert 10 <= decoded < COUNT, line
        assert metric(port, "soccer_frames_decoded_total") == decoded
    finally:
        assert server.stop() == 0
