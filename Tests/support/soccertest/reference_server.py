"""A Python grpcio server that sends frames the way the OpenCV demo does.

usage: python -m soccertest.reference_server [--port P] [--media DIR | --frames N --size WxH [--gray]]

With --media it is the demo itself: Watch opens DIR/<id>.mp4 with
cv2.VideoCapture and sends frame.tobytes(), frame.dtype.name and
str(frame.shape) for every frame read; a file it cannot open gives a stream
that ends OK with no frames, as in the demo.

Without --media every match id streams N synthetic BGR frames drawn like
tools/make-sample-media (red, green and blue patches and a binary frame
counter on top), so tests know every pixel; the id "missing" streams nothing,
like the demo's missing file. Prints "listening on 127.0.0.1:PORT".
"""

import argparse
import sys
from concurrent import futures

import grpc
import numpy as np

from soccerstream._proto.stream_pb2_grpc import SoccerServicer
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()


def pattern(width, height, n, gray=False):
    """A BGR frame (or gray) with the sample's patches and the counter showing n."""
    frame = np.zeros((height, width, 3), dtype=np.uint8)
    pw, top = width // 4, height * 4 // 9
    frame[:top, 0:pw] = (0, 0, 255)  # red, in BGR order
    frame[:top, pw : 2 * pw] = (0, 255, 0)  # green
    frame[:top, 2 * pw : 3 * pw] = (255, 0, 0)  # blue
    left = 3 * pw
    stripe = max(1, (width - left) // 8)
    for bit in range(8):
        if n & (1 << bit):
            frame[:top, left + bit * stripe : left + (bit + 1) * stripe] = 255
    frame[top:] = (n * 7) % 256
    if gray:
        # What cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) gives: BT.601 luma.
        luma = frame[..., 2] * 0.299 + frame[..., 1] * 0.587 + frame[..., 0] * 0.114
        return np.round(luma).astype(np.uint8)
    return frame


class DemoSoccer(SoccerServicer):
    """The OpenCV demo's servicer."""

    def __init__(self, media):
        self.media = media

    def Watch(self, request, context):
        import cv2

        capture = cv2.VideoCapture(f"{self.media}/{request.id}.mp4")
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            yield stream_pb2.Video(data=frame.tobytes(), data_type=frame.dtype.name, data_shape=str(frame.shape))
        capture.release()


class Soccer(SoccerServicer):
    def __init__(self, frames, width, height, gray):
        self.frames, self.width, self.height, self.gray = frames, width, height, gray

    def Watch(self, request, context):
        if request.id == "missing":
            return
        for n in range(self.frames):
            frame = pattern(self.width, self.height, n, self.gray)
            yield stream_pb2.Video(data=frame.tobytes(), data_type=frame.dtype.name, data_shape=str(frame.shape))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--media")
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--gray", action="store_true")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.max_send_message_length", -1)])
    servicer = DemoSoccer(args.media) if args.media else Soccer(args.frames, width, height, args.gray)
    stream_pb2_grpc.add_SoccerServicer_to_server(servicer, server)
    port = server.add_insecure_port(f"127.0.0.1:{args.port}")
    server.start()
    print(f"listening on 127.0.0.1:{port}", flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    sys.exit(main())
