"""The server on a Unix domain socket: grpcio and soccer as clients, its socket file's life."""

import ast
import os
import stat
import subprocess

import grpc
import numpy as np

from soccertest import cli, counter, serve
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()


def test_grpcio_and_soccer_read_every_frame_over_a_socket_alone(soccer, tmp_path):
    path = str(tmp_path / "soccer.sock")
    server = serve("--unix", path, port=None)
    try:
        assert server.target == f"unix:{path}"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o660
        # grpcio understands gRPC's unix: targets as they are.
        with grpc.insecure_channel(server.target) as channel:
            videos = list(stream_pb2_grpc.SoccerStub(channel).Watch(stream_pb2.Match(id="sample"), timeout=30))
        assert [v.frame_index for v in videos] == list(range(100))
        out = tmp_path / "frames"
        dumped = cli(soccer, "dump", "sample", "--out", str(out), "--frames", "10", "--server", f"unix://{path}")
        assert dumped.returncode == 0, dumped.stderr
        assert len(os.listdir(out)) == 10
        listed = cli(soccer, "list", "--server", server.target)
        assert "sample" in listed.stdout.split()
        # No TCP port was asked for, so none was opened.
        assert "listening on 127.0.0.1" not in server.log()
    finally:
        assert server.stop() == 0
    assert not os.path.exists(path), "the socket file outlived its server"


def test_beside_tcp_with_its_own_mode(tmp_path):
    path = str(tmp_path / "both.sock")
    server = serve("--unix", path, "--unix-mode", "600")
    try:
        assert server.port  # TCP too, since --port was given
        # The socket's line comes once it has its mode; the TCP line may come before.
        line = server.process.stdout.readline()
        assert line.startswith(f"listening on unix:{path},"), line
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        for target in (server.target, f"unix:{path}"):
            with grpc.insecure_channel(target) as channel:
                video = next(
                    iter(
                        stream_pb2_grpc.SoccerStub(channel).Watch(
                            stream_pb2.Match(id="sample", start_frame=42), timeout=30
                        )
                    )
                )
                frame = np.frombuffer(video.data, np.uint8).reshape(ast.literal_eval(video.data_shape))
                assert video.frame_index == 42 and counter(frame) == 42
    finally:
        server.stop()


def test_a_killed_servers_socket_is_replaced_and_other_files_are_refused(soccer, tmp_path):
    path = str(tmp_path / "soccer.sock")
    first = serve("--unix", path, port=None)
    first.process.kill()
    first.process.wait()
    assert stat.S_ISSOCK(os.stat(path).st_mode), "a killed server leaves its socket file"
    second = serve("--unix", path, port=None)
    try:
        # A live server's socket is not taken over.
        taken = cli(soccer, "serve", "--unix", path, timeout=30)
        assert taken.returncode == 1
        assert taken.stderr.strip() == f"soccer serve: cannot listen on {path}: a server is already listening on {path}"
        with grpc.insecure_channel(second.target) as channel:
            assert (
                len(
                    list(
                        stream_pb2_grpc.SoccerStub(channel).Watch(
                            stream_pb2.Match(id="sample", max_frames=3), timeout=30
                        )
                    )
                )
                == 3
            )
    finally:
        second.stop()
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    refused = subprocess.run([soccer, "serve", "--unix", str(notes)], capture_output=True, text=True, timeout=30)
    assert refused.returncode == 1
    assert "exists and is not a socket" in refused.stderr
    assert notes.read_text() == "keep me"
