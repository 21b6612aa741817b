"""TLS, mutual TLS and bearer tokens, against `soccer serve` with real certificates."""

import os
import subprocess

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from soccertest import MEDIA, cli, make_pki, serve


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = make_pki(tmp_path_factory.mktemp("pki"))
    (d / "token").write_text("a-long-random-token\n")
    return d


def test_tls(soccer, pki):
    server = serve("--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key"))
    try:
        ok = cli(soccer, "list", "--server", server.target, "--tls", "--ca", str(pki / "ca.pem"))
        assert ok.returncode == 0 and "sample" in ok.stdout.split()
        by_name = cli(
            soccer,
            "list",
            "--server",
            "localhost:" + server.target.rsplit(":", 1)[1],
            "--tls",
            "--ca",
            str(pki / "ca.pem"),
        )
        assert by_name.returncode == 0
        untrusted = cli(soccer, "list", "--server", server.target, "--tls", "--ca", str(pki / "other-ca.pem"))
        assert untrusted.returncode == 2
        assert "TLS" in untrusted.stderr and "not trusted" in untrusted.stderr
        plaintext = cli(soccer, "list", "--server", server.target)
        assert plaintext.returncode == 2 and "--tls" in plaintext.stderr
        # A Python grpcio client with the CA reads frames over TLS.
        credentials = grpc.ssl_channel_credentials(root_certificates=(pki / "ca.pem").read_bytes())
        with grpc.secure_channel(server.target, credentials) as channel:
            from soccertest import stubs

            stream_pb2, stream_pb2_grpc = stubs.load()
            video = next(iter(stream_pb2_grpc.SoccerStub(channel).Watch(stream_pb2.Match(id="sample", max_frames=1))))
            assert video.data_shape == "(360, 640, 3)"
    finally:
        assert server.stop() == 0


def test_mutual_tls(soccer, pki):
    server = serve(
        "--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key"), "--client-ca", str(pki / "ca.pem")
    )
    try:
        with_cert = cli(
            soccer,
            "list",
            "--server",
            server.target,
            "--tls",
            "--ca",
            str(pki / "ca.pem"),
            "--cert",
            str(pki / "client.pem"),
            "--key",
            str(pki / "client.key"),
        )
        assert with_cert.returncode == 0 and "sample" in with_cert.stdout.split()
        without = cli(soccer, "list", "--server", server.target, "--tls", "--ca", str(pki / "ca.pem"))
        assert without.returncode == 2
        assert "TLS" in without.stderr and "client certificate" in without.stderr
    finally:
        assert server.stop() == 0


def test_bearer_token(soccer, pki):
    server = serve("--token-file", str(pki / "token"))
    try:
        missing = cli(soccer, "list", "--server", server.target, env={"SOCCER_TOKEN": ""})
        assert missing.returncode == 3 and "credentials" in missing.stderr
        wrong = cli(soccer, "list", "--server", server.target, env={"SOCCER_TOKEN": "a-long-random-tokeN"})
        assert wrong.returncode == 3 and "wrong" in wrong.stderr
        from_env = cli(soccer, "list", "--server", server.target, env={"SOCCER_TOKEN": "a-long-random-token"})
        assert from_env.returncode == 0 and "sample" in from_env.stdout.split()
        from_file = cli(
            soccer,
            "dump",
            "sample",
            "--frames",
            "2",
            "--out",
            str(pki / "frames"),
            "--server",
            server.target,
            "--token-file",
            str(pki / "token"),
        )
        assert from_file.returncode == 0, from_file.stderr
        # Health stays open without a token.
        with grpc.insecure_channel(server.target) as channel:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        assert server.stop() == 0


def test_server_token_from_the_environment_and_one_log_line_per_stream(soccer, pki):
    env = {**os.environ, "SOCCER_TOKEN": "from-env"}
    process = subprocess.Popen(
        [soccer, "serve", "--media", MEDIA, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = process.stdout.readline()
    target = line.split()[2].rstrip(",")
    try:
        ok = cli(
            soccer,
            "dump",
            "sample",
            "--frames",
            "3",
            "--width",
            "64",
            "--out",
            str(pki / "f2"),
            "--server",
            target,
            env={"SOCCER_TOKEN": "from-env"},
        )
        assert ok.returncode == 0, ok.stderr
        refused = cli(
            soccer, "dump", "nope", "--out", str(pki / "f3"), "--server", target, env={"SOCCER_TOKEN": "from-env"}
        )
        assert refused.returncode == 4
    finally:
        process.terminate()
        _, err = process.communicate(timeout=15)
    streams = [line for line in err.splitlines() if line.endswith(" stream")]
    assert len(streams) == 2, err
    assert "id=sample" in streams[0] and "frames=3" in streams[0] and "status=OK" in streams[0]
    assert "options=format:rgb24,max:64x0,frames:3" in streams[0] and "peer=ipv4:127.0.0.1" in streams[0]
    assert "id=nope" in streams[1] and "status=NOT_FOUND" in streams[1] and "frames=0" in streams[1]


def test_serve_refuses_unreadable_security_files(soccer, pki):
    result = cli(
        soccer,
        "serve",
        "--media",
        MEDIA,
        "--port",
        "0",
        "--tls-cert",
        "/nonexistent.pem",
        "--tls-key",
        str(pki / "server.key"),
    )
    assert result.returncode == 1 and "cannot read the certificate /nonexistent.pem" in result.stderr
