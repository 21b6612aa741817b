"""Server memory under a slow client: bounded by flow control and the decode-ahead queue."""

import os
import re
import subprocess
import time

import pytest

import soccerstream
from soccertest import ROOT, Server, free_port, make_8k, metric, rss_mb, serve

# 20 s of 1280x720 at 30 frames/s: 600 frames, 1.66 GB of BGR pixels once decoded.
FRAMES = 600
FRAME_BYTES = 1280 * 720 * 3
# The server may hold a few frames in its decode-ahead queue and what HTTP/2 flow control
# lets into the socket; 250 MB is a tenth of the match and far above that.
BOUND_MB = 250


def test_a_client_reading_one_frame_a_second_keeps_server_memory_bounded(soccer, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    subprocess.run(
        [
            os.path.join(ROOT, "tools", "make-sample-media"),
            "--size",
            "1280x720",
            "--seconds",
            "20",
            "--rate",
            "30",
            "--preset",
            "ultrafast",
            str(media / "long.mp4"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = Server([soccer, "serve", "--media", str(media), "--port", "0"])
    samples = []
    try:
        with soccerstream.connect(server.target) as client:
            frames = client.frames("long")
            for n, frame in enumerate(frames):
                assert frame.array.nbytes == FRAME_BYTES
                samples.append(rss_mb(server.process.pid))
                if n == 10:
                    break
                time.sleep(1)
            frames.close()
    finally:
        assert server.stop() == 0
    print(f"server RSS while a client read 1 frame/s: {', '.join(f'{s:.0f}' for s in samples)} MB")
    assert len(samples) == 11
    assert max(samples) < BOUND_MB, samples
    # Steady, not creeping up with the file: the last sample is close to the third.
    assert samples[-1] - samples[2] < 40, samples


@pytest.fixture(scope="module")
def eight_k(tmp_path_factory):
    """A folder with big.mp4: 1 s of 8192x4320 at 25 frames/s (106 MB a BGR frame)."""
    media = tmp_path_factory.mktemp("8k")
    make_8k(media / "big.mp4", seconds=1)
    return media


BUDGET = "2.5GiB"
BUDGET_MB = 2.5 * 1024


def test_eight_clients_that_stop_reading_8k_frames_hold_the_server_within_its_frame_memory(eight_k):
    port = free_port()
    server = serve(
        "--frame-memory",
        BUDGET,
        "--max-frame-pixels",
        "8192x4320",
        "--stall-timeout",
        "60",
        "--metrics",
        str(port),
        media=eight_k,
    )
    pid = server.process.pid
    # A client (and so a connection) each.
    clients = [soccerstream.connect(server.target) for _ in range(8)]
    try:
        time.sleep(0.5)
        before = rss_mb(pid)
        served, refused = [], []
        for client in clients:
            frames = client.frames("big")
            try:
                frame = next(frames)  # one frame, then the client stops reading
                assert frame.array.shape == (4320, 8192, 3)
                served.append(frames)
            except soccerstream.ResourceExhausted as error:
                refused.append(error)
        peak = before
        for _ in range(15):
            time.sleep(0.2)
            peak = max(peak, rss_mb(pid))
        reserved = metric(port, "soccer_frame_memory_bytes")
        print(
            f"8 clients stopped at 8192x4320: {len(served)} served, {len(refused)} refused; RSS {before:.0f} -> "
            f"peak {peak:.0f} MB (+{peak - before:.0f}) under a {BUDGET} budget; {reserved / 2**20:.0f} MiB reserved"
        )
        assert served and refused and len(served) + len(refused) == 8
        for refusal in refused:
            assert "8192x4320 bgr24 frames" in refusal.message and "2.5 GiB (--frame-memory)" in refusal.message
        # Growth stays within the budget, with room for what is not a frame (threads, the index, HTTP/2).
        assert peak - before < BUDGET_MB + 150
        assert 0 < reserved <= 2.5 * 2**30
        assert metric(port, "soccer_frame_memory_limit_bytes") == 2.5 * 2**30
        assert metric(port, 'soccer_stream_rejections_total{reason="frame_memory"}') == len(refused)

        # The size the refusal names is served now, beside the streams that hold the budget.
        hint = re.search(r"max_width (\d+)", refused[0].message)
        assert hint, refused[0].message
        width = int(hint.group(1))
        with soccerstream.connect(server.target, deadline=60) as client:
            scaled = list(client.frames("big", width=width))
        assert len(scaled) == 25 and all(f.array.shape[1] <= width for f in scaled)

        for frames in served:
            frames.close()
        deadline = time.monotonic() + 10
        while (
            metric(port, "soccer_frame_memory_bytes") > 0 or rss_mb(pid) > before + 200
        ) and time.monotonic() < deadline:
            time.sleep(0.25)
        print(
            f"{10 - (deadline - time.monotonic()):.1f} s after the clients left: RSS {rss_mb(pid):.0f} MB, "
            f"{metric(port, 'soccer_frame_memory_bytes'):.0f} bytes reserved"
        )
        assert metric(port, "soccer_frame_memory_bytes") == 0
        assert rss_mb(pid) < before + 200
    finally:
        for client in clients:
            client.close()
        assert server.stop() == 0


def test_frames_over_the_pixel_cap_are_served_only_scaled_under_it(eight_k):
    server = serve(media=eight_k)
    try:
        with soccerstream.connect(server.target, deadline=60) as client:
            with pytest.raises(soccerstream.FailedPrecondition) as refused:
                next(client.frames("big"))
            assert "8192x4320" in refused.value.message and "33177600 pixels" in refused.value.message
            frames = list(client.frames("big", width=3840, count=2))
            assert [f.array.shape for f in frames] == [(2025, 3840, 3)] * 2
    finally:
        assert server.stop() == 0
