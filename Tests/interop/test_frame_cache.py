"""The decoded-frame cache through the real server: frames asked for again are sent from memory,
byte for byte what a decode gives, for every output; a match replaced by an upload is never
served its old frames; the cache stays within its size and gives way to streams."""

import json
import re
import threading
import time

import numpy as np
import pytest

import soccerstream
from soccertest import cli, free_port, make_media, metric, rss_mb, serve

INDICES = [3, 97, 40, 41, 12, 99, 75, 74, 50, 0]


def decoded(server, id, count):
    """What the log lines of the first `count` streams of `id` say they decoded."""
    deadline = time.monotonic() + 10
    lines = []
    while time.monotonic() < deadline and len(lines) < count:
        lines = [line for line in server.log(0.2).splitlines() if f"id={id} " in line and "decoded=" in line]
    assert len(lines) >= count, server.log()
    return [int(re.search(r"decoded=(\d+)", line).group(1)) for line in lines[:count]]


@pytest.fixture(scope="module")
def uncached():
    """A server without the cache: what a fresh decode gives."""
    server = serve("--frame-cache", "0")
    yield server
    assert server.stop() == 0


OUTPUTS = [
    {},
    {"format": "rgb", "width": 320},
    {"format": "gray", "height": 100},
    {"encoding": "jpeg", "quality": 80},
    {"encoding": "png", "format": "rgb", "width": 200},
]


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "raw")
def test_frames_asked_for_again_come_from_the_cache_as_a_decode_gives_them(uncached, output):
    port = free_port()
    server = serve("--metrics", str(port))
    try:
        with (
            soccerstream.connect(server.target, deadline=60) as client,
            soccerstream.connect(uncached.target, deadline=60) as fresh,
        ):
            expected = fresh.frames_at("sample", INDICES, **output)
            first = client.frames_at("sample", INDICES, **output)
            again = client.frames_at("sample", INDICES, **output)
        assert np.array_equal(first, expected)
        assert np.array_equal(again, expected)
        landed, cached = decoded(server, "sample", 2)
        assert landed > 0 and cached == 0, (landed, cached)
        assert metric(port, "soccer_frame_cache_hits_total") == len(INDICES)
        assert 0 < metric(port, "soccer_frame_cache_bytes") <= metric(port, "soccer_frame_cache_limit_bytes")
        assert metric(port, "soccer_frame_cache_frames") == len(set(INDICES))
    finally:
        assert server.stop() == 0


def test_a_start_frame_and_a_play_seek_land_from_the_cache(uncached):
    server = serve()
    try:
        with (
            soccerstream.connect(server.target, deadline=60) as client,
            soccerstream.connect(uncached.target, deadline=60) as fresh,
        ):
            client.frames_at("sample", [62, 63])
            with client.play("sample", real_time=False) as playback:
                frames = iter(playback)
                next(frames)
                playback.seek(frame=62)
                seek = [next(frames) for _ in range(3)]
            with fresh.play("sample", real_time=False) as playback:
                frames = iter(playback)
                next(frames)
                playback.seek(frame=62)
                expected = [next(frames) for _ in range(3)]
            assert [f.index for f in seek] == [62, 63, 64]
            assert all(np.array_equal(a.array, b.array) for a, b in zip(seek, expected, strict=True))
            start = [f for f in client.frames("sample", start_frame=63, count=3)]
            assert [f.index for f in start] == [63, 64, 65]
            assert np.array_equal(start[0].array, expected[1].array)
            assert np.array_equal(start[1].array, expected[2].array)
    finally:
        assert server.stop() == 0


def test_a_match_replaced_by_an_upload_is_never_served_its_old_frames(tmp_path):
    media = tmp_path / "media"
    other = make_media(tmp_path, "other", "--seconds", "4", "--size", "640x360", "--gop", "10")
    make_media(media, "match", "--seconds", "4", "--size", "640x360")
    server = serve("--allow-upload", media=media)
    reference = serve("--frame-cache", "0", media=tmp_path)
    try:
        with (
            soccerstream.connect(server.target, deadline=60) as client,
            soccerstream.connect(reference.target, deadline=60) as fresh,
        ):
            before = client.frames_at("match", INDICES)
            assert np.array_equal(client.frames_at("match", INDICES), before)
            client.upload(other, "match", replace=True)
            after = client.frames_at("match", INDICES)
            assert np.array_equal(after, fresh.frames_at("other", INDICES))
            assert not np.array_equal(after, before)
    finally:
        assert server.stop() == 0
        assert reference.stop() == 0


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    """10 s of 640x360 at 25 frames/s: 250 frames."""
    folder = tmp_path_factory.mktemp("cache")
    make_media(folder, "long", "--seconds", "10", "--size", "640x360", "--gop", "25")
    return folder


def test_the_cache_stays_within_its_size_and_gives_way_to_a_stream(long_clip):
    port = free_port()
    # Frame memory for the cache and one stream of small frames: a stream of full-size frames
    # needs more than the cache leaves free, and must have it let go of frames.
    server = serve("--frame-memory", "24MiB", "--frame-cache", "20MiB", "--metrics", str(port), media=long_clip)
    try:
        baseline = rss_mb(server.process.pid)
        peak = baseline
        done = threading.Event()

        def sample():
            nonlocal peak
            while not done.wait(0.05):
                peak = max(peak, rss_mb(server.process.pid))

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            with soccerstream.connect(server.target, deadline=120) as client:
                # Every frame at 320x180, 43 MB into a 20 MiB cache, ten at a time: the even
                # ones ascending, then the odd ones descending.
                for order in (list(range(0, 250, 2)), list(range(249, -1, -2))):
                    for at in range(0, len(order), 10):
                        client.frames_at("long", order[at : at + 10], width=320)
                    assert metric(port, "soccer_frame_cache_bytes") <= 20 << 20
                assert metric(port, "soccer_frame_cache_evictions_total") > 0
                held = metric(port, "soccer_frame_cache_bytes")
                assert held > 15 << 20, held
                # A stream that does not fit beside the cache is served; the cache gave way.
                frames = list(client.frames("long", count=20))
                assert [f.index for f in frames] == list(range(20))
        finally:
            done.set()
            sampler.join()
        assert metric(port, 'soccer_stream_rejections_total{reason="frame_memory"}') == 0
        assert metric(port, "soccer_frame_cache_bytes") < held
        # Within the frame-memory budget, with room for FFmpeg's own buffers and the allocator.
        assert peak - baseline < 24 + 64, (baseline, peak)
    finally:
        assert server.stop() == 0


def test_frame_cache_takes_a_size_and_the_server_says_what_it_has(soccer):
    bad = cli(soccer, "serve", "--frame-cache", "lots")
    assert bad.returncode == 64 and "--frame-cache must be a size" in bad.stderr, bad.stderr
    server = serve("--frame-memory", "1GiB")
    off = serve("--frame-cache", "0")
    try:
        # The line after where it listens says its limits.
        limits = server.process.stdout.readline()
        assert "frame memory 1 GiB, frame cache 256 MiB," in limits, limits
        limits = off.process.stdout.readline()
        assert "frame cache off" in limits, limits
    finally:
        server.stop()
        off.stop()
    help = " ".join(cli(soccer, "serve", "--help").stdout.split())
    assert "--frame-cache" in help and "a quarter of --frame-memory" in help


def test_frames_from_the_cache_through_shared_memory_are_the_ones_over_tcp(tmp_path, uncached):
    socket = tmp_path / "s.sock"
    port = free_port()
    server = serve("--unix", str(socket), "--allow-shared-memory", "--metrics", str(port), port=None)
    try:
        with (
            soccerstream.connect(f"unix:{socket}", deadline=60) as client,
            soccerstream.connect(uncached.target, deadline=60) as fresh,
        ):
            assert client.shared_memory is not False
            expected = fresh.frames_at("sample", INDICES)
            first = client.frames_at("sample", INDICES)
            # Copied from the cache into the ring's slots.
            again = client.frames_at("sample", INDICES)
            start = [f.array.copy() for f in client.frames("sample", start_frame=40, count=2)]
            assert client.shared_memory
        assert np.array_equal(first, expected) and np.array_equal(again, expected)
        assert np.array_equal(start[0], expected[INDICES.index(40)])
        assert np.array_equal(start[1], expected[INDICES.index(41)])
        assert metric(port, "soccer_frame_cache_hits_total") >= len(INDICES) + 1
    finally:
        assert server.stop() == 0


def test_soccer_bench_says_what_the_server_decoded_for_the_frames_it_sent(soccer, uncached):
    server = serve()
    try:
        args = ["bench", "sample", "--frames-at", ",".join(map(str, INDICES)), "--repeat", "2", "--json"]
        cached = json.loads(cli(soccer, *args, "--server", server.target).stdout)
        fresh = json.loads(cli(soccer, *args, "--server", uncached.target).stdout)
    finally:
        assert server.stop() == 0
    first, again = cached["runs"]
    assert first["frames"] == again["frames"] == len(INDICES)
    # The first run decoded every frame it was sent and those on the way; the second none.
    assert first["decoded"] >= len(INDICES) and first["decoded_per_frame"] >= 1
    assert again["decoded"] == 0 and again["decoded_per_frame"] == 0
    assert all(run["decoded"] >= len(INDICES) for run in fresh["runs"])
