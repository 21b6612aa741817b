"""`soccer serve` against peers that misbehave on purpose: raw HTTP/2 (h2), curl, stopped clients."""

import os
import random
import signal
import socket
import subprocess
import sys
import time

import grpc
import pytest

from soccertest import (
    RawPeer,
    cpu_seconds,
    grpc_message,
    make_media,
    match_message,
    open_fds,
    open_files_limit,
    rss_mb,
    serve,
)
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()

METHODS = [
    "/stream.Soccer/Watch",
    "/stream.Soccer/Describe",
    "/stream.Soccer/List",
    "/grpc.health.v1.Health/Check",
    "/grpc.health.v1.Health/Watch",
]
BAD_TIMEOUTS = [
    "-1S",
    "-5S",
    "-1n",
    "",
    "S",
    "1",
    "123456789S",
    "99999999999999999999S",
    "1x",
    "1.5S",
    " 1S",
    "+1S",
    "0x10S",
    "1s",
    "-0S",
    "1\u0663S",
    "\u00e9S",
]


def serving(server):
    """The server process is alive and answers a List call from grpcio."""
    assert server.alive(), f"the server exited with {server.process.returncode}: {server.log()}"
    with grpc.insecure_channel(server.target) as channel:
        ids = stream_pb2_grpc.SoccerStub(channel).List(stream_pb2.ListRequest(), timeout=10).ids
    return len(ids) > 0


def ask(server, path, *headers):
    """(grpc-status, grpc-message) of a call with an empty request and `headers` ("name: value"),
    sent whole (headers, message and end of stream) before the answer can come."""
    peer = RawPeer(server.target)
    try:
        stream = peer.call(path, grpc_message(b""), headers=[tuple(h.split(": ", 1)) for h in headers])
        ending = peer.ending(stream, timeout=10)
        assert ending is not None and b"grpc-status" in ending, ending
        return int(ending[b"grpc-status"]), ending.get(b"grpc-message", b"").decode()
    finally:
        peer.close()


def test_negative_and_malformed_grpc_timeouts_get_invalid_argument_and_the_server_goes_on(tmp_path):
    token = tmp_path / "token"
    token.write_text("secret\n")
    server = serve("--token-file", str(token))
    try:
        for value in ["-1S", "-5S", "-1n", "1x", "123456789S"]:
            for path in ["/stream.Soccer/List", "/grpc.health.v1.Health/Check"]:
                status, message = ask(server, path, f"grpc-timeout: {value}")
                assert status == 3 and "grpc-timeout must be" in message, (value, path, status, message)
        # A valid timeout still passes through to the token check and the service.
        assert ask(server, "/stream.Soccer/List", "grpc-timeout: 5S")[0] == 16
        assert ask(server, "/stream.Soccer/List", "grpc-timeout: 5S", "authorization: Bearer secret")[0] == 0
        assert server.alive()
    finally:
        assert server.stop() == 0


def mutate(value, rng):
    data = bytearray(value.encode())
    for _ in range(rng.randint(1, 3)):
        choice = rng.randint(0, 3)
        if choice == 0 and data:
            data[rng.randrange(len(data))] = rng.randint(0, 255)
        elif choice == 1:
            data.insert(rng.randint(0, len(data)), rng.choice(b"-+0123456789HMSmun \t.%\x00\xff"))
        elif choice == 2 and data:
            del data[rng.randrange(len(data))]
        else:
            data = bytearray(b"-" + bytes(data))
    return bytes(data)


def test_random_and_mutated_headers_at_every_method_never_stop_the_server():
    rng = random.Random(20261122)
    server = serve()
    try:
        for batch in range(6):
            peer = RawPeer(server.target)
            streams = []
            for _n in range(40):
                if rng.random() < 0.5:
                    value = mutate(rng.choice([*BAD_TIMEOUTS, "1S", "250m", "10000000n"]), rng)
                else:
                    value = bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 12)))
                name = rng.choice(
                    [
                        b"grpc-timeout",
                        b"grpc-timeout",
                        b"grpc-encoding",
                        b"grpc-accept-encoding",
                        b"content-type",
                        b"te",
                        b"user-agent",
                        b"grpc-previous-rpc-attempts",
                    ]
                )
                path = rng.choice(METHODS)
                body = match_message("sample") if "Soccer" in path else b""
                try:
                    streams.append(peer.call(path, grpc_message(body), headers=[(name, value)]))
                except Exception:
                    # h2 refused to send something even unvalidated (or the server reset us): a new connection.
                    peer.close()
                    peer = RawPeer(server.target)
            peer.read(1.0)
            peer.close()
            assert serving(server), f"batch {batch}"
    finally:
        assert server.stop() == 0


@pytest.fixture(scope="module")
def hd_media(tmp_path_factory):
    """A folder with hd.mp4: 8 s of 1280x720 at 25 frames/s (2.76 MB a BGR frame)."""
    media = tmp_path_factory.mktemp("hd")
    make_media(media, "hd", "--size", "1280x720", "--seconds", "8", "--rate", "25", "--preset", "ultrafast")
    return media


def test_a_stream_whose_client_never_grants_window_is_ended_after_the_stall_timeout(hd_media):
    media = hd_media
    server = serve("--stall-timeout", "2", "--max-streams", "1", media=media)
    try:
        fds_before = open_fds(server.process.pid)
        peer = RawPeer(server.target)
        peer.call("/stream.Soccer/Watch", grpc_message(match_message("hd")))
        peer.read(0.5)  # the first 64 KiB arrive, then the window is closed for good
        # The stalled stream holds the only slot: another client is refused meanwhile.
        with grpc.insecure_channel(server.target) as channel:
            stub = stream_pb2_grpc.SoccerStub(channel)
            with pytest.raises(grpc.RpcError) as refused:
                list(stub.Watch(stream_pb2.Match(id="hd", max_width=64), timeout=10))
            assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert server.wait_for_line("id=hd", "status=CANCELLED", "cause=stalled", timeout=10), server.log()
            assert peer.status(1, timeout=5) == "reset 8"  # RST_STREAM CANCEL
            # The slot, the decoder and the file are free again.
            frames = list(stub.Watch(stream_pb2.Match(id="hd", max_width=64, max_frames=5), timeout=20))
            assert len(frames) == 5
        peer.close()
        # The stalled stream's file and both connections are closed (one descriptor of slack for
        # what the transport opens on first use).
        deadline = time.monotonic() + 5
        while open_fds(server.process.pid) > fds_before + 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert open_fds(server.process.pid) <= fds_before + 1
    finally:
        assert server.stop() == 0


def test_a_sigstopped_grpcio_client_loses_its_stream_and_connection(hd_media):
    server = serve(
        "--stall-timeout", "2", "--keepalive", "1", "--keepalive-timeout", "1", "--max-streams", "1", media=hd_media
    )
    script = (
        "import sys, grpc; from soccertest import stubs; pb, rpc = stubs.load()\n"
        "ch = grpc.insecure_channel(sys.argv[1], options=[('grpc.max_receive_message_length', -1)])\n"
        "for n, v in enumerate(rpc.SoccerStub(ch).Watch(pb.Match(id='hd'))):\n"
        "    print(n, flush=True)\n"
    )
    client = subprocess.Popen([sys.executable, "-c", script, server.target], stdout=subprocess.PIPE, text=True)
    try:
        assert client.stdout.readline().strip() == "0"
        os.kill(client.pid, signal.SIGSTOP)
        assert server.wait_for_line("id=hd", "status=CANCELLED", timeout=15), server.log()
        assert serving(server)
        with grpc.insecure_channel(server.target) as channel:
            frames = list(
                stream_pb2_grpc.SoccerStub(channel).Watch(
                    stream_pb2.Match(id="hd", max_frames=3, max_width=64), timeout=10
                )
            )
        assert len(frames) == 3
    finally:
        client.kill()
        client.wait()
        assert server.stop() == 0


def test_a_peer_that_never_answers_pings_is_disconnected():
    server = serve("--keepalive", "1", "--keepalive-timeout", "1")
    try:
        peer = RawPeer(server.target)
        assert peer.closed_by_server(timeout=8)
    finally:
        assert server.stop() == 0


def test_a_connection_that_never_sends_the_preface_is_closed():
    server = serve("--handshake-timeout", "1")
    try:
        silent = RawPeer(server.target, handshake=False)
        started = time.monotonic()
        assert silent.closed_by_server(timeout=5)
        assert time.monotonic() - started > 0.8
        assert serving(server)
    finally:
        assert server.stop() == 0


def test_idle_connections_get_goaway_then_are_closed():
    import h2.connection

    server = serve("--idle-timeout", "1")
    try:
        peer = RawPeer(server.target)
        stream = peer.call("/stream.Soccer/List", grpc_message(b""))
        assert peer.status(stream) == 0
        started = time.monotonic()
        alive = True
        while alive and time.monotonic() - started < 8:
            alive = peer.read(0.2)
        assert not alive, "the idle connection was not closed"
        # h2's connection state turns CLOSED when a GOAWAY arrives.
        assert peer.conn.state_machine.state == h2.connection.ConnectionState.CLOSED
    finally:
        assert server.stop() == 0


def test_connections_past_the_limit_are_closed_and_service_resumes():
    server = serve("--max-connections", "3")
    try:
        peers = [RawPeer(server.target) for _ in range(3)]
        for peer in peers:
            assert peer.status(peer.call("/stream.Soccer/List", grpc_message(b""))) == 0
        extra = RawPeer(server.target)
        assert extra.closed_by_server(timeout=5)
        for peer in peers:
            peer.close()
        time.sleep(0.3)
        assert serving(server)
    finally:
        assert server.stop() == 0


def test_a_flood_of_connections_at_the_file_limit_costs_no_cpu_and_service_resumes():
    # 128 open files in all, soft and hard, so the server cannot raise its own limit.
    server = serve(preexec_fn=open_files_limit(128))
    flood = []
    try:
        for _ in range(300):
            try:
                flood.append(socket.create_connection((server.host, server.port), timeout=2))
            except OSError:
                break
        time.sleep(0.5)
        before = cpu_seconds(server.process.pid)
        time.sleep(2)
        spent = cpu_seconds(server.process.pid) - before
        assert spent < 0.5, f"the server spent {spent:.2f} s of CPU in 2 s under a connection flood"
        assert server.alive()
    finally:
        for s in flood:
            s.close()
    try:
        time.sleep(0.5)
        assert serving(server)
    finally:
        assert server.stop() == 0


FRAME_MB = 1280 * 720 * 3 / 2**20


def test_streams_whose_clients_never_read_hold_a_bounded_number_of_frames_and_memory_goes_back(hd_media):
    server = serve("--stall-timeout", "60", media=hd_media)
    pid = server.process.pid
    try:
        # One stream first, so the baseline includes what any first stream sets up for good.
        with grpc.insecure_channel(server.target) as channel:
            list(stream_pb2_grpc.SoccerStub(channel).Watch(stream_pb2.Match(id="hd", max_frames=3), timeout=20))
        time.sleep(2)
        before = rss_mb(pid)
        # SOCCER_UNREAD_STREAMS=32 gives the figure the README quotes; 16 keeps the suite quick.
        streams = int(os.environ.get("SOCCER_UNREAD_STREAMS", "16"))
        peers = [RawPeer(server.target) for _ in range(2)]
        for n in range(streams):
            peers[n % 2].call("/stream.Soccer/Watch", grpc_message(match_message("hd")))
        peak = before
        for _ in range(30):
            time.sleep(0.2)
            peak = max(peak, rss_mb(pid))
        bound = streams * (6 * FRAME_MB + 20) + 150
        print(
            f"{streams} unread 720p streams: RSS {before:.0f} -> peak {peak:.0f} MB "
            f"(+{peak - before:.0f}, bound +{bound:.0f})"
        )
        assert peak - before < bound
        for peer in peers:
            peer.close()
        deadline = time.monotonic() + 10
        while rss_mb(pid) > before + 200 and time.monotonic() < deadline:
            time.sleep(0.25)
        after = rss_mb(pid)
        print(f"RSS {time.monotonic() - deadline + 10:.1f} s after the clients left: {after:.0f} MB")
        assert after < before + 200
    finally:
        assert server.stop() == 0


def test_clients_resetting_every_stream_leave_memory_and_latency_bounded(hd_media):
    from soccertest.churn import Churn

    server = serve("--log-level", "warning", media=hd_media)
    pid = server.process.pid
    try:
        before = rss_mb(pid)
        latencies = []
        peak = before
        with Churn(server.target, "hd", connections=4) as churn, grpc.insecure_channel(server.target) as channel:
            stub = stream_pb2_grpc.SoccerStub(channel)
            started = time.monotonic()
            seconds = float(os.environ.get("SOCCER_CHURN_SECONDS", "10"))
            while time.monotonic() - started < seconds:
                t0 = time.monotonic()
                stub.Describe(stream_pb2.Match(id="hd"), timeout=10)
                latencies.append(time.monotonic() - t0)
                peak = max(peak, rss_mb(pid))
                time.sleep(0.1)
        ended = time.monotonic()
        while rss_mb(pid) > before + 64 and time.monotonic() - ended < 10:
            time.sleep(0.1)
        settled = time.monotonic() - ended
        latencies.sort()
        p90 = latencies[int(len(latencies) * 0.9)]
        print(
            f"{churn.opened} streams opened and reset in {seconds:.0f} s; RSS {before:.0f} -> peak {peak:.0f} MB, "
            f"{rss_mb(pid):.0f} MB {settled:.1f} s after; Describe p90 {p90 * 1000:.0f} ms over {len(latencies)} calls"
        )
        assert churn.opened > 50
        assert peak - before < 256
        assert rss_mb(pid) < before + 64, "memory did not come back within 10 s of the churn's end"
        assert p90 < 0.5
        assert serving(server)
    finally:
        assert server.stop() == 0


def test_the_stream_log_line_tells_cancel_disconnect_and_deadline_apart():
    server = serve()
    try:
        with grpc.insecure_channel(server.target) as channel:
            stub = stream_pb2_grpc.SoccerStub(channel)
            call = stub.Watch(stream_pb2.Match(id="sample", real_time=True, max_width=64))
            next(call)
            call.cancel()
            assert server.wait_for_line("options=max:64x0,real-time", "status=CANCELLED", "cause=cancel", timeout=10), (
                server.log()
            )
            with pytest.raises(grpc.RpcError) as late:
                list(stub.Watch(stream_pb2.Match(id="sample", real_time=True, max_width=32), timeout=0.5))
            assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            assert server.wait_for_line("options=max:32x0,real-time", "status=DEADLINE_EXCEEDED", timeout=10), (
                server.log()
            )
        # A client that goes away without a word: its connection closes under the stream.
        peer = RawPeer(server.target)
        peer.call("/stream.Soccer/Watch", grpc_message(match_message("sample")))
        peer.read(0.3)
        peer.close()
        assert server.wait_for_line("id=sample", "options=-", "status=CANCELLED", "cause=disconnect", timeout=10), (
            server.log()
        )
        assert "INTERNAL" not in server.log()
    finally:
        assert server.stop() == 0
