"""Server memory under a slow client: bounded by flow control and the decode-ahead queue."""
import os
import subprocess
import time

import grpc

from harness import ROOT, Server, rss_mb
from stubs import load

stream_pb2, stream_pb2_grpc = load()

# 20 s of 1280x720 at 30 frames/s: 600 frames, 1.66 GB of BGR pixels once decoded.
FRAMES = 600
FRAME_BYTES = 1280 * 720 * 3
# The server may hold a few frames in its decode-ahead queue and what HTTP/2 flow control
# lets into the socket; 250 MB is a tenth of the match and far above that.
BOUND_MB = 250


def test_a_client_reading_one_frame_a_second_keeps_server_memory_bounded(soccer, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    subprocess.run([os.path.join(ROOT, "tools", "make-sample-media"), "--size", "1280x720", "--seconds", "20",
                    "--rate", "30", "--preset", "ultrafast", str(media / "long.mp4")], check=True,
                   stdout=subprocess.DEVNULL)
    server = Server([soccer, "serve", "--media", str(media), "--port", "0"])
    samples = []
    try:
        options = [("grpc.max_receive_message_length", -1)]
        with grpc.insecure_channel(server.target, options=options) as channel:
            frames = stream_pb2_grpc.SoccerStub(channel).Watch(stream_pb2.Match(id="long"))
            for n, video in enumerate(frames):
                assert len(video.data) == FRAME_BYTES
                samples.append(rss_mb(server.process.pid))
                if n == 10:
                    break
                time.sleep(1)
            frames.cancel()
    finally:
        assert server.stop() == 0
    print(f"server RSS while a client read 1 frame/s: {', '.join(f'{s:.0f}' for s in samples)} MB")
    assert len(samples) == 11
    assert max(samples) < BOUND_MB, samples
    # Steady, not creeping up with the file: the last sample is close to the third.
    assert samples[-1] - samples[2] < 40, samples
