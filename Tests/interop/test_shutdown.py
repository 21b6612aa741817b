"""Health and shutdown of `soccer serve` as real Python peers see them: grpcio itself for health,
keepalive and request limits, the soccerstream package for streams (never retrying here)."""

import signal
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

import soccerstream
from soccertest import MEDIA, Server
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()


def serve(soccer, *extra):
    return Server([soccer, "serve", "--media", MEDIA, "--port", "0", *extra])


def test_python_health_client_sees_serving_then_not_serving(soccer):
    server = serve(soccer, "--grace", "5")
    with grpc.insecure_channel(server.target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        assert (
            health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5).status
            == health_pb2.HealthCheckResponse.SERVING
        )
        assert (
            health.Check(health_pb2.HealthCheckRequest(service="stream.Soccer"), timeout=5).status
            == health_pb2.HealthCheckResponse.SERVING
        )
        with pytest.raises(grpc.RpcError) as unknown:
            health.Check(health_pb2.HealthCheckRequest(service="no.Such"), timeout=5)
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
        statuses = []
        for answer in health.Watch(health_pb2.HealthCheckRequest(service="stream.Soccer"), timeout=15):
            statuses.append(answer.status)
            if len(statuses) == 1:
                server.process.send_signal(signal.SIGTERM)
    assert statuses == [health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING]
    assert server.process.wait(timeout=15) == 0


def test_sigterm_lets_streams_in_flight_finish_then_exits_0(soccer):
    server = serve(soccer, "--grace", "30")
    frames = []
    with soccerstream.connect(server.target, deadline=20) as client:
        for frame in client.frames("sample", real_time=True, count=25, width=64, retries=0):
            frames.append(frame.index)
            if len(frames) == 2:
                server.process.send_signal(signal.SIGTERM)
    # The stream was 1 s of real time and the grace 30 s: it ended whole, then the server left.
    assert frames == list(range(25))
    assert server.process.wait(timeout=15) == 0


def test_sigterm_ends_streams_past_the_grace_period(soccer):
    server = serve(soccer, "--grace", "0.5")
    frames = []
    ended = {}
    with soccerstream.connect(server.target, deadline=20) as client:
        started = time.monotonic()
        try:
            for frame in client.frames("sample", real_time=True, width=64, retries=0):
                frames.append(frame.index)
                if len(frames) == 2:
                    server.process.send_signal(signal.SIGTERM)
        except soccerstream.SoccerError as error:
            ended["code"] = error.code
        elapsed = time.monotonic() - started
    assert server.process.wait(timeout=15) == 0
    # The sample plays 4 s in real time; a 0.5 s grace cut it short, and the client heard why.
    assert len(frames) < 100 and ended.get("code") is not None, (elapsed, len(frames), ended)


def test_new_streams_are_refused_once_shutdown_begins(soccer):
    server = serve(soccer, "--grace", "5")
    with soccerstream.connect(server.target, deadline=20) as client:
        slow = client.frames("sample", real_time=True, count=50, width=64, retries=0)
        next(slow)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        with pytest.raises((soccerstream.Unavailable, soccerstream.Cancelled)):
            next(client.frames("sample", count=1, retries=0))
        assert len(list(slow)) == 49
    assert server.process.wait(timeout=15) == 0


def test_clients_that_ping_while_idle_keep_their_connection(soccer):
    server = serve(soccer)
    states = []
    options = [
        ("grpc.keepalive_time_ms", 1000),
        ("grpc.keepalive_timeout_ms", 5000),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.max_pings_without_data", 0),
    ]
    try:
        with grpc.insecure_channel(server.target, options=options) as channel:
            channel.subscribe(lambda state: states.append(state), try_to_connect=True)
            health = health_pb2_grpc.HealthStub(channel)
            assert (
                health.Check(health_pb2.HealthCheckRequest(), timeout=5).status
                == health_pb2.HealthCheckResponse.SERVING
            )
            time.sleep(4)  # about four pings with no call in flight
            assert (
                health.Check(health_pb2.HealthCheckRequest(), timeout=5).status
                == health_pb2.HealthCheckResponse.SERVING
            )
    finally:
        assert server.stop() == 0
    # A server that punished the pings would have sent GOAWAY: the channel would have left READY.
    ready = states.index(grpc.ChannelConnectivity.READY)
    assert all(state == grpc.ChannelConnectivity.READY for state in states[ready:]), states


def test_requests_over_the_size_limit_are_refused(soccer):
    server = serve(soccer)
    try:
        with grpc.insecure_channel(server.target) as channel:
            stub = stream_pb2_grpc.SoccerStub(channel)
            try:
                # Over the 1 MiB + 64 bytes a request may weigh (an upload chunk and its header).
                next(iter(stub.Watch(stream_pb2.Match(id="a" * 1_100_000), timeout=5)))
                raise AssertionError("a 1.1 MB request was accepted")
            except grpc.RpcError as error:
                # grpc-swift-nio-transport resets the stream (CANCELLED); either way it never reaches the service.
                assert error.code() in (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.CANCELLED), error
            # The connection and the server are still fine.
            video = next(iter(stub.Watch(stream_pb2.Match(id="sample", max_frames=1), timeout=5)))
            assert video.data_shape == "(360, 640, 3)"
    finally:
        assert server.stop() == 0


def test_streams_finishing_inside_the_grace_period_lose_no_frame_across_shutdowns(soccer):
    import threading

    rounds, streams, frames_each = 5, 20, 50
    lost = []
    for round_ in range(rounds):
        server = serve(soccer, "--grace", "20", "--log-level", "warning")
        results = [None] * streams
        started = threading.Semaphore(0)

        def watch(n, server=server, results=results, started=started):
            with soccerstream.connect(server.target, deadline=20) as client:
                got = []
                try:
                    for frame in client.frames("sample", real_time=True, count=frames_each, width=320, retries=0):
                        got.append(frame.index)
                        if len(got) == 1:
                            started.release()
                    results[n] = (got, "OK")
                except soccerstream.SoccerError as error:
                    results[n] = (got, error.code)

        threads = [threading.Thread(target=watch, args=(n,)) for n in range(streams)]
        for t in threads:
            t.start()
        # Every stream is in flight (2 s of real time each) when shutdown begins.
        for _ in range(streams):
            assert started.acquire(timeout=20)
        server.process.send_signal(signal.SIGTERM)
        for t in threads:
            t.join()
        assert server.process.wait(timeout=15) == 0
        for got, status in results:
            if got != list(range(frames_each)) or status != "OK":
                lost.append((round_, len(got), status))
    assert lost == [], f"streams that lost frames or ended badly (round, frames, status): {lost}"
