"""Shared decodes through the real server: clients of one match at once are served by one
decoder, each getting every frame once and in order; a slow reader, a client that seeks and a
match replaced mid-way change nothing for the others."""

import re
import threading
import time

import numpy as np
import pytest

import soccerstream
from soccertest import free_port, make_media, metric, serve

FRAMES = 150


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """6 s of 320x180 at 25 frames/s, and another clip to replace it with."""
    folder = tmp_path_factory.mktemp("shared")
    make_media(folder, "match", "--seconds", "6", "--size", "320x180", "--gop", "25")
    make_media(folder, "other", "--seconds", "6", "--size", "320x180", "--gop", "50")
    return folder


@pytest.fixture(scope="module")
def reference(media):
    """Every frame of both clips, decoded by a server that shares nothing."""
    server = serve("--no-shared-decodes", "--frame-cache", "0", media=media)
    try:
        with soccerstream.connect(server.target, deadline=60) as client:
            yield {id: [f.array.copy() for f in client.frames(id)] for id in ("match", "other")}
    finally:
        assert server.stop() == 0


def read(target, id, out, key, pause=0.0, **options):
    """Every frame of `id` into `out[key]` as (index, array) pairs, pausing `pause` s after each."""
    with soccerstream.connect(target, deadline=60) as client:
        frames = []
        for frame in client.frames(id, **options):
            frames.append((frame.index, frame.array.copy()))
            time.sleep(pause)
        out[key] = frames


def run_together(jobs):
    threads = [threading.Thread(target=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)


def stream_lines(server, count):
    deadline = time.monotonic() + 10
    lines = []
    while time.monotonic() < deadline and len(lines) < count:
        lines = [line for line in server.log(0.2).splitlines() if "decoded=" in line and "rpc=" not in line]
    assert len(lines) >= count, server.log()
    return lines


def test_eight_clients_of_one_match_share_one_decoder_and_each_gets_every_frame(media, reference):
    port = free_port()
    server = serve("--metrics", str(port), media=media)
    count = 50
    try:
        out = {}
        # Watching in real time, as people do: 2 s each. One of them takes 80 ms a frame, half
        # the match's rate: it falls behind the others and goes on with a decoder of its own.
        run_together(
            [
                lambda n=n: read(
                    server.target, "match", out, n, pause=0.08 if n == 0 else 0.0, count=count, real_time=True
                )
                for n in range(8)
            ]
        )
        for n in range(8):
            assert [index for index, _ in out[n]] == list(range(count)), n
            assert all(np.array_equal(a, e) for (_, a), e in zip(out[n], reference["match"], strict=False)), n
        lines = stream_lines(server, 8)
        assert sum("decode=shared" in line for line in lines) == 7, lines
        decoded = [int(re.search(r"decoded=(\d+)", line).group(1)) for line in lines]
        assert metric(port, "soccer_frames_decoded_total") == sum(decoded)
        assert metric(port, "soccer_frames_sent_total") == 8 * count
        assert metric(port, "soccer_streams_joined_total") == 7
        # Eight decoders would decode 400 frames: the shared one decodes the 50 (and a few ahead),
        # the slow client's own what it had left from the keyframe before where it fell behind.
        assert sum(decoded) < 3 * count, decoded
    finally:
        assert server.stop() == 0


def test_a_client_that_seeks_away_and_back_gets_its_frames_while_others_share(media, reference):
    server = serve(media=media)
    try:
        out = {}
        seeking = {}

        def seek_away_and_back():
            with soccerstream.connect(server.target, deadline=60) as client:
                first = [f.index for f in client.frames("match", count=20)]
                away = [(f.index, f.array.copy()) for f in client.frames("match", start_frame=120, count=10)]
                back = [(f.index, f.array.copy()) for f in client.frames("match", start_frame=20, count=10)]
                seeking["frames"] = (first, away, back)

        run_together([*(lambda n=n: read(server.target, "match", out, n) for n in range(3)), seek_away_and_back])
        for n in range(3):
            assert [index for index, _ in out[n]] == list(range(FRAMES))
        first, away, back = seeking["frames"]
        assert first == list(range(20))
        assert [i for i, _ in away] == list(range(120, 130)) and [i for i, _ in back] == list(range(20, 30))
        for index, array in away + back:
            assert np.array_equal(array, reference["match"][index]), index
    finally:
        assert server.stop() == 0


def test_a_match_replaced_mid_way_serves_its_readers_the_file_they_began(media, reference):
    server = serve("--allow-upload", media=media)
    try:
        out = {}
        # 100 frames in real time: 4 s, during which the match is replaced.
        readers = [
            threading.Thread(
                target=read, args=(server.target, "match", out, n), kwargs={"real_time": True, "count": 100}
            )
            for n in range(2)
        ]
        for reader in readers:
            reader.start()
        time.sleep(1.5)
        with soccerstream.connect(server.target, deadline=60) as client:
            client.upload(media / "other.mp4", "match", replace=True)
            after = [f.array.copy() for f in client.frames("match")]
        for reader in readers:
            reader.join(timeout=60)
        for n in range(2):
            assert [index for index, _ in out[n]] == list(range(100))
            assert all(np.array_equal(a, e) for (_, a), e in zip(out[n], reference["match"], strict=False)), n
        assert len(after) == len(reference["other"])
        assert all(np.array_equal(a, e) for a, e in zip(after, reference["other"], strict=True))
    finally:
        assert server.stop() == 0


def test_no_shared_decodes_gives_each_stream_its_own_decoder(media):
    port = free_port()
    server = serve("--no-shared-decodes", "--metrics", str(port), media=media)
    try:
        out = {}
        run_together([lambda n=n: read(server.target, "match", out, n) for n in range(3)])
        assert all([i for i, _ in out[n]] == list(range(FRAMES)) for n in range(3))
        assert metric(port, "soccer_streams_joined_total") == 0
        assert metric(port, "soccer_frames_decoded_total") >= 3 * FRAMES
    finally:
        assert server.stop() == 0
