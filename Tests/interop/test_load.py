"""The server under abrupt disconnects and many clients: decoders freed, memory bounded."""

import json
import signal
import subprocess
import sys
import time

from soccertest import proc_status, serve, threads_named

# 32 streams of 160x90 frames: each decoder is small; 400 MB leaves room for 32 FFmpeg
# decoders, their queues and the HTTP/2 buffers, and would catch one leaking per stream.
LOAD_BOUND_MB = 400


def decoding_threads(pid):
    """Threads of the server decoding a stream: the soccer-decode thread and FFmpeg's workers,
    which inherit its name."""
    return threads_named(pid, "soccer-decode")


def test_a_client_killed_mid_stream_leaves_no_decoder(soccer, tmp_path):
    server = serve()
    try:
        client = subprocess.Popen(
            [sys.executable, "-m", "soccertest.reference_client", server.target, "sample"],
            stdout=subprocess.PIPE,
            text=True,
        )
        # The client prints a line per frame; kill it after a few, while it streams.
        for _ in range(3):
            assert client.stdout.readline()
        assert decoding_threads(server.process.pid) >= 1
        client.send_signal(signal.SIGKILL)
        client.wait()
        deadline = time.monotonic() + 5
        while decoding_threads(server.process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert decoding_threads(server.process.pid) == 0
        # The server goes on serving.
        again = subprocess.run([soccer, "list", "--server", server.target], capture_output=True, text=True)
        assert again.returncode == 0 and "sample" in again.stdout
    finally:
        assert server.stop() == 0


def test_32_concurrent_clients_stream_without_error_in_bounded_memory(soccer):
    server = serve()
    try:
        result = subprocess.run(
            [soccer, "bench", "sample", "--streams", "32", "--width", "160", "--json", "--server", server.target],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["streams"] == 32 and report["frames"] == 32 * 100
        assert len(report["stream_fps"]) == 32 and min(report["stream_fps"]) > 0
        peak = proc_status(server.process.pid, "VmHWM") / 1024
        print(f"server peak RSS with 32 streams: {peak:.0f} MB")
        assert peak < LOAD_BOUND_MB
        assert decoding_threads(server.process.pid) == 0
    finally:
        assert server.stop() == 0
