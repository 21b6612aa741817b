"""The generated `stream` messages and grpcio stubs, as the soccerstream package carries them
(`make protos` writes them there), for the tests and tools that speak raw grpcio on purpose:
the demo's client, foreign peers, compatibility checks."""

import sys


def load():
    """Returns (stream_pb2, stream_pb2_grpc), importable as `stream_pb2` and `stream_pb2_grpc`
    too, as a user who ran protoc beside their script has them (the README's examples do)."""
    from soccerstream._proto import stream_pb2, stream_pb2_grpc

    sys.modules.setdefault("stream_pb2", stream_pb2)
    sys.modules.setdefault("stream_pb2_grpc", stream_pb2_grpc)
    return stream_pb2, stream_pb2_grpc
