"""The reference Python client, written like the Soccer Match Service demo's.

usage: python -m soccertest.reference_client HOST:PORT ID [--max-width W] [--frames N] [--json]

Reads every frame with numpy exactly as the demo client does and prints one
line per frame (index, shape, first pixel), or with --json a summary object.
"""

import argparse
import ast
import json
import sys
import time

import grpc
import numpy as np

from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()


def watch(target, match_id, max_width=0, max_frames=0, on_connected=None):
    """Yields the frames of a match as numpy arrays, as the reference client reads them."""
    # Frames over 4 MiB need the receive limit lifted, as the README says.
    options = [("grpc.max_receive_message_length", -1)]
    with grpc.insecure_channel(target, options=options) as channel:
        stub = stream_pb2_grpc.SoccerStub(channel)
        if on_connected:
            # One round trip opens the connection, as soccer bench does; the demo server answers
            # UNIMPLEMENTED, which proves the connection just as well.
            try:
                stub.List(stream_pb2.ListRequest(), timeout=10)
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNIMPLEMENTED:
                    raise
            on_connected()
        match = stream_pb2.Match(id=match_id, max_width=max_width, max_frames=max_frames)
        for video in stub.Watch(match):
            frame = np.frombuffer(video.data, dtype=video.data_type).reshape(ast.literal_eval(video.data_shape))
            yield video, frame


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target")
    parser.add_argument("id")
    parser.add_argument("--max-width", type=int, default=0)
    parser.add_argument("--frames", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    cpu_started = time.process_time()
    connected = {}

    def on_connected():
        # Like soccer bench: the connection is timed apart from the stream's first frame.
        connected["at"] = time.perf_counter()
        connected["cpu"] = time.process_time()

    first = None
    count = 0
    size = 0
    try:
        for video, frame in watch(args.target, args.id, args.max_width, args.frames, on_connected):
            if first is None:
                first = time.perf_counter() - connected["at"]
            count += 1
            size += frame.nbytes
            if not args.json:
                print(video.frame_index, frame.shape, frame.dtype, frame[0, 0].tolist())
    except grpc.RpcError as error:
        print(f"{error.code().name}: {error.details()}", file=sys.stderr)
        return 1
    # Like soccer bench: throughput is timed from the Watch request, the connection apart.
    elapsed = time.perf_counter() - connected.get("at", started)
    if args.json:
        print(
            json.dumps(
                {
                    "frames": count,
                    "bytes": size,
                    "seconds": elapsed,
                    "fps": count / elapsed if elapsed else 0,
                    "first_frame_seconds": first,
                    "connect_seconds": connected["at"] - started,
                    "cpu_seconds": time.process_time() - connected.get("cpu", cpu_started),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
