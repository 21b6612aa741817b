"""The web API (`soccer serve --http`) with a real HTTP client: every route, ETags and 304,
each error with its status and JSON, the token over TLS, and the stream limit."""

import http.client
import json
import os
import shutil
import ssl
import threading
import time

import cv2
import numpy as np
import pytest

import soccerstream
from soccertest import MEDIA, http_get, make_media, make_pki, metric, serve, stream_parts, web_address

ORDER = (
    "/v1/matches/sample/frames/7.png?width=320&format=gray",
    "/v1/matches/sample/frames/7.png?format=gray&width=320",
)


def error_of(status, body):
    answer = json.loads(body)
    assert set(answer) == {"code", "message"} and answer["message"], answer
    return status, answer["code"]


@pytest.fixture(scope="module")
def server():
    server = serve("--http", "0", "--metrics", "0")
    try:
        server.metrics_port = int(server.announced("metrics on ").split(":")[-1].split("/")[0])
        yield server, web_address(server)
    finally:
        assert server.stop() == 0


def test_the_matches_and_what_describe_says_are_json(server):
    server, address = server
    status, headers, body = http_get(address, "/v1/matches")
    assert status == 200 and headers["Content-Type"] == "application/json" and headers["Soccer-Replica"]
    with soccerstream.connect(server.target) as client:
        assert json.loads(body) == {"matches": client.list()}
        info = client.describe("sample")
    status, _, body = http_get(address, "/v1/matches/sample")
    assert status == 200
    assert json.loads(body) == {
        "id": "sample",
        "width": info.width,
        "height": info.height,
        "frame_rate": info.frame_rate,
        "duration_seconds": info.duration_seconds,
        "frame_count": info.frame_count,
        "frame_count_exact": info.frame_count_exact,
        "codec": info.codec,
        "source_pixel_format": info.source_pixel_format,
        "damage": info.damage,
    }


def test_a_frame_url_gives_exactly_that_frame_in_each_file_type(server):
    server, address = server
    with soccerstream.connect(server.target) as client:
        rgb = client.frames_at("sample", [0, 42, 99], format="rgb")
        near = client.frames_at("sample", [41, 42, 43], width=320, format="rgb")
    for n, expected in zip([0, 42, 99], rgb, strict=True):
        # The package names the URL as the server reads it.
        url = soccerstream.frame_url(f"http://{address[1]}:{address[2]}", "sample", n)
        status, headers, body = http_get(address, url.split(str(address[2]), 1)[1])
        assert status == 200 and headers["Content-Type"] == "image/png"
        picture = cv2.cvtColor(cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        assert np.array_equal(picture, expected), n
    status, headers, body = http_get(address, "/v1/matches/sample/frames/42.ppm")
    assert status == 200 and body.startswith(b"P6\n640 360\n255\n")
    assert np.array_equal(np.frombuffer(body[len(b"P6\n640 360\n255\n") :], np.uint8).reshape(360, 640, 3), rgb[1])
    status, _, body = http_get(address, "/v1/matches/sample/frames/42.jpg?width=320&quality=95")
    picture = cv2.cvtColor(cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    assert status == 200 and picture.shape == near[1].shape
    # Lossy, with chroma at half resolution: closest to frame 42, and close.
    psnr = [cv2.PSNR(picture, frame) for frame in near]
    assert psnr[1] > 25 and psnr[1] > max(psnr[0], psnr[2]), psnr
    status, _, body = http_get(address, "/v1/matches/sample/frames/42.ppm?format=gray")
    assert status == 200 and body.startswith(b"P5\n640 360\n255\n") and len(body) == 15 + 640 * 360
    # HEAD: the headers of GET, no body.
    status, headers, body = http_get(address, "/v1/matches/sample/frames/42.png", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    assert "via=http" in server.log()


def test_an_etag_names_the_file_and_options_and_304_costs_no_decode(server):
    server, address = server
    status, headers, _ = http_get(address, ORDER[0])
    etag = headers["ETag"]
    assert status == 200 and headers["Cache-Control"].startswith("public, max-age=")
    # The same options in another order are the same file.
    assert http_get(address, ORDER[1])[1]["ETag"] == etag
    assert http_get(address, "/v1/matches/sample/frames/7.png?width=320")[1]["ETag"] != etag
    assert http_get(address, "/v1/matches/sample/frames/8.png?width=320&format=gray")[1]["ETag"] != etag
    streams = server.log(0.5).count("via=http")
    status, headers, body = http_get(address, ORDER[0], **{"If-None-Match": etag})
    assert status == 304 and body == b"" and headers["ETag"] == etag
    assert server.log(0.5).count("via=http") == streams, "a 304 decoded the frame"
    assert http_get(address, ORDER[0], **{"If-None-Match": '"something-else"'})[0] == 200


def test_a_replaced_match_gets_a_new_etag_and_its_own_frames(tmp_path):
    media = tmp_path / "media"
    make_media(media, "match", "--seconds", "2", "--size", "320x180")
    make_media(tmp_path, "other", "--seconds", "2", "--size", "320x180", "--rate", "10")
    server = serve("--http", "0", media=media)
    try:
        address = web_address(server)
        path = "/v1/matches/match/frames/15.ppm"
        _, before, old = http_get(address, path)
        shutil.copyfile(tmp_path / "other.mp4", media / "incoming.mp4")
        os.rename(media / "incoming.mp4", media / "match.mp4")
        status, headers, body = http_get(address, path, **{"If-None-Match": before["ETag"]})
        assert status == 200 and headers["ETag"] != before["ETag"] and body != old
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize(
    "path,status,code",
    [
        ("/v1/matches/nope", 404, "NOT_FOUND"),
        ("/v1/matches/nope/frames/1.png", 404, "NOT_FOUND"),
        ("/v1/matches/sample/frames/100.png", 404, "OUT_OF_RANGE"),
        ("/v1/matches/sample/frames/1.png?width=abc", 400, "INVALID_ARGUMENT"),
        ("/v1/matches/sample/frames/1.png?quality=50", 400, "INVALID_ARGUMENT"),
        ("/v1/matches/sample/frames/1.bmp", 404, "NOT_FOUND"),
        ("/v1/matches/..%2Fetc/frames/1.png", 400, "INVALID_ARGUMENT"),
        ("/elsewhere", 404, "NOT_FOUND"),
        # A frame stream that cannot start is an error answer, not a stream.
        ("/v1/matches/nope/frames.mjpeg", 404, "NOT_FOUND"),
        ("/v1/matches/sample/frames.mjpeg?start=100", 404, "OUT_OF_RANGE"),
        ("/v1/matches/sample/frames.mjpeg?format=bgr", 400, "INVALID_ARGUMENT"),
    ],
)
def test_each_error_has_its_status_and_says_what_happened(server, path, status, code):
    _, address = server
    got, headers, body = http_get(address, path)
    assert headers["Content-Type"] == "application/json" and headers["Soccer-Replica"]
    assert error_of(got, body) == (status, code)


def test_other_methods_are_refused(server):
    _, address = server
    status, _, body = http_get(address, "/v1/matches", method="POST")
    assert error_of(status, body) == (405, "METHOD_NOT_ALLOWED")


def test_answers_are_counted_by_route_and_status(server):
    server, address = server
    series = 'soccer_http_requests_total{route="describe",status="404"}'
    before = metric(server.metrics_port, series) if http_get(address, "/v1/matches/nope")[0] == 404 else None
    assert http_get(address, "/v1/matches/nope")[0] == 404
    assert metric(server.metrics_port, series) == before + 1
    # A frame stream counts once it has started or failed before its first frame.
    streams = 'soccer_http_requests_total{route="frames",status="404"}'
    assert http_get(address, "/v1/matches/nope/frames.mjpeg")[0] == 404
    before = metric(server.metrics_port, streams)
    assert http_get(address, "/v1/matches/nope/frames.mjpeg")[0] == 404
    assert metric(server.metrics_port, streams) == before + 1


def test_a_server_with_a_token_and_tls_asks_for_the_token(tmp_path):
    pki = make_pki(tmp_path / "pki")
    (pki / "token").write_text("a-long-random-token\n")
    server = serve(
        "--http",
        "0",
        "--tls-cert",
        str(pki / "server.pem"),
        "--tls-key",
        str(pki / "server.key"),
        "--token-file",
        str(pki / "token"),
    )
    try:
        address = web_address(server)
        assert address[0] == "https"
        context = ssl.create_default_context(cafile=str(pki / "ca.pem"))
        status, headers, body = http_get(address, "/v1/matches", context=context)
        assert error_of(status, body) == (401, "UNAUTHENTICATED") and headers["WWW-Authenticate"] == "Bearer"
        status, _, body = http_get(address, "/v1/matches", context=context, Authorization="Bearer wrong")
        assert error_of(status, body) == (401, "UNAUTHENTICATED") and "wrong" in json.loads(body)["message"]
        # Health stays open, for load balancers, as the gRPC health service does.
        status, _, body = http_get(address, "/v1/health", context=context)
        assert status == 200 and json.loads(body) == {"status": "SERVING"}
        status, _, body = http_get(address, "/v1/matches", context=context, Authorization="Bearer a-long-random-token")
        assert status == 200 and "sample" in json.loads(body)["matches"]
        with pytest.raises(ssl.SSLError):
            http_get(address, "/v1/matches", context=ssl.create_default_context())
    finally:
        assert server.stop() == 0


def test_frames_wait_their_turn_within_the_stream_limit(tmp_path):
    server = serve("--http", "0", "--max-streams", "1", media=MEDIA)
    try:
        address = web_address(server)
        started = threading.Event()

        def hold():
            with soccerstream.connect(server.target) as client:
                for _ in client.frames("sample", real_time=True, count=40):
                    started.set()

        holder = threading.Thread(target=hold)
        holder.start()
        assert started.wait(10)
        status, headers, body = http_get(address, "/v1/matches/sample/frames/3.png")
        assert error_of(status, body) == (503, "RESOURCE_EXHAUSTED") and headers["Retry-After"] == "1"
        holder.join(30)
        deadline = time.monotonic() + 10
        while http_get(address, "/v1/matches/sample/frames/3.png")[0] != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        assert server.stop() == 0


def test_an_open_keep_alive_connection_does_not_hold_the_server_past_its_grace():
    """A load balancer's health checks keep a connection open: SIGTERM still ends the server
    after its grace period, and the connection with it."""
    server = serve("--http", "0", "--grace", "1")
    _, host, port = web_address(server)
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", "/v1/health")
        assert connection.getresponse().read() == b'{"status":"SERVING"}'
        started = time.monotonic()
        assert server.stop() == 0
        assert time.monotonic() - started < 8
        with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
            connection.request("GET", "/v1/health")
            connection.getresponse().read()
    finally:
        connection.close()


def jpeg_rgb(data):
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def test_a_frame_stream_sends_the_frames_it_names_in_order_with_their_times(server):
    server, address = server
    with soccerstream.connect(server.target) as client:
        raw = list(client.frames("sample", start_frame=10, every=3, count=5, format="rgb"))
    status, headers, body = http_get(address, "/v1/matches/sample/frames.mjpeg?start=10&stride=3&count=5&quality=95")
    assert status == 200 and headers["Content-Type"] == "multipart/x-mixed-replace; boundary=soccerframe"
    parts, closed = stream_parts(body)
    assert closed
    assert [int(h["soccer-frame"]) for h, _ in parts] == [10, 13, 16, 19, 22]
    for (part_headers, jpeg), frame in zip(parts, raw, strict=True):
        assert part_headers["content-type"] == "image/jpeg"
        assert float(part_headers["soccer-time"]) == pytest.approx(frame.seconds, abs=1e-6)
        assert cv2.PSNR(jpeg_rgb(jpeg), frame.array) > 30
    # To the end by default: the last frame is the match's last.
    parts, closed = stream_parts(http_get(address, "/v1/matches/sample/frames.mjpeg?start=95")[2])
    assert closed and [int(h["soccer-frame"]) for h, _ in parts] == [95, 96, 97, 98, 99]


def test_a_paced_frame_stream_runs_at_most_a_second_ahead_of_its_pace(server):
    """Frames 11 to 99 are 3.56 s of the match: at twice its rate, 1.78 s, of which the first
    second may go at once."""
    server, address = server
    started = time.monotonic()
    status, _, body = http_get(address, "/v1/matches/sample/frames.mjpeg?start=11&pace=2&width=160")
    elapsed = time.monotonic() - started
    parts, closed = stream_parts(body)
    assert status == 200 and closed and [int(h["soccer-frame"]) for h, _ in parts] == list(range(11, 100))
    assert elapsed >= 0.7, elapsed


def test_a_frame_stream_ends_when_its_reader_goes_away_and_frees_its_slot(tmp_path):
    """A viewer that closes its tab mid-stream: the stream ends as a disconnect and its slot is free."""
    media = tmp_path / "media"
    make_media(media, "long", "--seconds", "30", "--size", "320x180")
    server = serve("--http", "0", "--max-streams", "1", media=media)
    try:
        _, host, port = web_address(server)
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request("GET", "/v1/matches/long/frames.mjpeg?pace=1")
        response = connection.getresponse()
        assert response.status == 200 and response.read(2000).startswith(b"--soccerframe\r\n")
        response.close()
        connection.close()
        deadline = time.monotonic() + 10
        while "cause=disconnect" not in server.log(0.2):
            assert time.monotonic() < deadline, server.log()
        line = next(line for line in server.log().splitlines() if "cause=disconnect" in line)
        assert "status=CANCELLED" in line and "via=http" in line and "id=long" in line
        assert http_get((("http", host, port)), "/v1/matches/long/frames/3.png")[0] == 200
    finally:
        assert server.stop() == 0
