"""A replica's name: `soccer-replica` initial metadata on every response, `replica=` in every log line."""

import socket

import grpc
import pytest

from soccertest import serve
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()


def replica_of(call):
    return dict(call.initial_metadata()).get("soccer-replica")


def test_a_named_replica_says_its_name_to_clients_and_in_its_log():
    server = serve("--replica", "east-1")
    try:
        with grpc.insecure_channel(server.target) as channel:
            stub = stream_pb2_grpc.SoccerStub(channel)
            watch = stub.Watch(stream_pb2.Match(id="sample", max_frames=2), timeout=20)
            assert len(list(watch)) == 2
            assert replica_of(watch) == "east-1"
            _, describe = stub.Describe.with_call(stream_pb2.Match(id="sample"), timeout=20)
            assert replica_of(describe) == "east-1"
            # An error carries it too, so a failing replica can be found behind a load balancer.
            missing = stub.Watch(stream_pb2.Match(id="nothing-here"), timeout=20)
            with pytest.raises(grpc.RpcError):
                list(missing)
            assert replica_of(missing) == "east-1"
        assert server.wait_for_line("id=sample", "replica=east-1", "status=OK", timeout=10), server.log()
    finally:
        assert server.stop() == 0


def test_an_unnamed_replica_is_its_host_and_port():
    server = serve()
    try:
        with grpc.insecure_channel(server.target) as channel:
            stub = stream_pb2_grpc.SoccerStub(channel)
            _, call = stub.List.with_call(stream_pb2.ListRequest(), timeout=20)
            assert replica_of(call) == f"{socket.gethostname()}:{server.port}"
    finally:
        assert server.stop() == 0
