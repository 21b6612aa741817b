"""Generates the Python gRPC stubs for protos/stream.proto into a cache folder and imports them."""
import importlib
import os
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load():
    """Returns (stream_pb2, stream_pb2_grpc), generating them on first use."""
    from grpc_tools import protoc

    out = os.path.join(tempfile.gettempdir(), "soccer-python-stubs")
    proto = os.path.join(ROOT, "protos", "stream.proto")
    marker = os.path.join(out, "stream_pb2.py")
    if not os.path.exists(marker) or os.path.getmtime(marker) < os.path.getmtime(proto):
        os.makedirs(out, exist_ok=True)
        include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
        status = protoc.main(["protoc", f"-I{ROOT}/protos", f"-I{include}", f"--python_out={out}",
                              f"--grpc_python_out={out}", proto])
        if status != 0:
            raise RuntimeError("protoc failed on stream.proto")
    if out not in sys.path:
        sys.path.insert(0, out)
    return importlib.import_module("stream_pb2"), importlib.import_module("stream_pb2_grpc")
