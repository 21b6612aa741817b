"""The web viewer in a real browser (Debian's chromium, driven by Playwright): the list of
matches, a link that opens on a frame, play and pause, step, seek and the keys, and a server
with a token. Every page must make no request off the server and log no error; screenshots are
kept in test-artifacts/."""

import base64
import os
import shutil
import time

import cv2
import numpy as np
import pytest

from soccertest import MEDIA, base_url, chromium, http_get, make_media, serve, watched_page, web_address

SCREEN = "#screen"


def picture(png):
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def on_screen(page):
    """The canvas's pixels, as RGB."""
    url = page.evaluate("document.querySelector('#screen').toDataURL('image/png')")
    return picture(base64.b64decode(url.split(",", 1)[1]))


def frame_png(address, id, n):
    status, _, body = http_get(address, f"/v1/matches/{id}/frames/{n}.png")
    assert status == 200
    return picture(body)


def wait_until(page, expression, timeout=15):
    """Waits until `expression` is true in the page. Polled with evaluate: the page's content
    security policy forbids the eval that Playwright's wait_for_function needs."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"not true after {timeout} s: {expression}"
        time.sleep(0.02)


def wait_for_line(server, text, timeout=10):
    """The server's last log line of a stream that contains `text`, once it has ended."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in server.log(0.1).splitlines() if text in line and " stream" in line]
        if lines:
            return lines[-1]
        assert time.monotonic() < deadline, f"no stream line with {text}: {server.log()[-2000:]}"


def frame_at_least(page, n):
    wait_until(page, f"Number(document.querySelector('#screen').dataset.frame) >= {n}")


def shown(page):
    return int(page.get_attribute(SCREEN, "data-frame"))


def wait_exact(page, n):
    """Waits until frame `n` is on screen without loss (the PNG after the JPEG)."""
    page.wait_for_selector(f"#screen[data-frame='{n}'][data-exact='1'][data-state='paused']", timeout=15000)


def opened(browser, url, frame):
    """A watched page at `url`, once frame `frame` is on screen without loss."""
    watched = watched_page(browser)
    watched.page.goto(url)
    wait_exact(watched.page, frame)
    return watched


def assert_clean(watched, base):
    assert watched.errors == [], watched.errors
    assert watched.requests and all(url.startswith(base + "/") for url in watched.requests), watched.requests


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    shutil.copy(os.path.join(MEDIA, "sample.mp4"), media)
    make_media(media, "long", "--seconds", "20", "--size", "320x180")
    server = serve("--http", "0", media=media)
    try:
        address = web_address(server)
        with chromium() as browser:
            yield browser, address, base_url(address), server
    finally:
        assert server.stop() == 0


def test_the_list_shows_each_match_with_its_size_duration_and_frames(site):
    browser, _, base, _ = site
    watched = watched_page(browser)
    page = watched.page
    page.goto(base + "/")
    page.wait_for_selector("tr[data-id='long'] td:nth-child(4):not(:empty)")
    page.wait_for_selector("tr[data-id='sample'] td:nth-child(4):not(:empty)")
    rows = {row[0]: row for row in (line.split("\t") for line in page.inner_text("#matches tbody").splitlines())}
    assert rows["sample"] == ["sample", "640×360", "0:04", "100"]
    assert rows["long"] == ["long", "320×180", "0:20", "500"]
    watched.screenshot("viewer-list")
    page.click("text=sample")
    page.wait_for_url(base + "/watch/sample")
    wait_exact(page, 0)
    assert_clean(watched, base)


def test_a_link_to_a_frame_opens_paused_on_exactly_that_frame(site):
    browser, address, base, _ = site
    watched = opened(browser, base + "/watch/sample?frame=42", 42)
    page = watched.page
    assert np.array_equal(on_screen(page), frame_png(address, "sample", 42))
    assert "frame 42 / 99 · 0:01.680 / 0:04.000" in page.inner_text("#position")
    assert page.get_attribute("#link", "href") == "/watch/sample?frame=42"
    assert page.input_value("#frame") == "42"
    watched.screenshot("viewer-watch")
    assert_clean(watched, base)
    # A link past the end, or to no frame, says so and shows a frame that exists.
    page.goto(base + "/watch/sample?frame=500")
    wait_exact(page, 99)
    assert "the match has 100 frames, 0 to 99: showing the last" in page.inner_text("#status")
    page.goto(base + "/watch/sample?frame=ten")
    wait_exact(page, 0)
    assert "frame=ten is not a frame number" in page.inner_text("#status")


def test_playing_advances_at_the_matchs_rate_and_pausing_shows_the_frame_exactly(site):
    browser, address, base, server = site
    watched = opened(browser, base + "/watch/long?frame=10", 10)
    page = watched.page
    page.keyboard.press("Space")
    page.wait_for_selector("#screen[data-state='playing']")
    frame_at_least(page, 12)
    started = time.monotonic()
    frame_at_least(page, 62)
    # 50 frames at 25 frames/s: played at the match's rate, not as fast as they came.
    assert time.monotonic() - started > 1.6
    page.keyboard.press("p")
    page.wait_for_selector("#screen[data-state='paused'][data-exact='1']")
    paused = shown(page)
    time.sleep(0.3)
    assert shown(page) == paused and paused >= 62
    assert np.array_equal(on_screen(page), frame_png(address, "long", paused))
    # The stream was paced: the server sent at most about a second (25 frames) beyond the frames
    # shown, where the socket buffers could have taken the whole clip.
    line = wait_for_line(server, "start-frame:11,")
    sent = int(line.split(" frames=", 1)[1].split()[0])
    assert paused - 10 <= sent <= paused - 10 + 40, line
    assert_clean(watched, base)


def test_step_seek_and_the_keys_land_on_the_frames_they_name(site):
    browser, address, base, _ = site
    watched = opened(browser, base + "/watch/long?frame=100", 100)
    page = watched.page
    for key, frame in [(".", 101), (".", 102), (",", 101), ("ArrowRight", 226), ("ArrowLeft", 101)]:
        page.keyboard.press(key)
        wait_exact(page, frame)
    page.keyboard.press("ArrowUp")
    wait_exact(page, 499)  # 60 s on is past the end: the last frame
    page.keyboard.press("ArrowDown")
    wait_exact(page, 0)
    page.fill("#frame", "377")
    page.press("#frame", "Enter")
    wait_exact(page, 377)
    assert np.array_equal(on_screen(page), frame_png(address, "long", 377))
    page.click("#forward")
    wait_exact(page, 378)
    page.eval_on_selector("#seek", "slider => { slider.value = 250; slider.dispatchEvent(new Event('input')); }")
    wait_exact(page, 250)
    assert np.array_equal(on_screen(page), frame_png(address, "long", 250))
    for key, speed in [("]", 1.1), ("}", 2.2), ("Backspace", 1.0), ("{", 0.5)]:
        page.keyboard.press(key)
        assert page.evaluate("soccerViewer.speed") == pytest.approx(speed)
    assert_clean(watched, base)


def test_a_server_with_a_token_refuses_the_page_until_it_is_given(site, tmp_path):
    browser = site[0]
    (tmp_path / "token").write_text("a-long-random-token\n")
    server = serve("--http", "0", "--token-file", str(tmp_path / "token"))
    try:
        address = web_address(server)
        base = base_url(address)
        assert http_get(address, "/v1/matches")[0] == 401
        watched = watched_page(browser)
        page = watched.page
        page.goto(base + "/")
        page.wait_for_selector("#token-form:not([hidden])")
        assert page.is_hidden("#matches") and "needs a token" in page.inner_text("#status")
        page.fill("#token", "wrong")
        page.click("#token-form button")
        wait_until(page, "document.querySelector('#status').textContent.includes('refused')")
        assert page.is_hidden("#matches")
        page.fill("#token", "a-long-random-token")
        page.click("#token-form button")
        page.wait_for_selector("tr[data-id='sample'] td:nth-child(4):not(:empty)")
        # The tab keeps the token: the player needs it no more.
        page.goto(base + "/watch/sample?frame=5")
        wait_exact(page, 5)
        assert page.is_hidden("#token-form")
        # The only errors are the two refusals of the API, as the browser logs them.
        assert all("401" in error for error in watched.errors) and len(watched.errors) == 2, watched.errors
    finally:
        assert server.stop() == 0


def test_a_stream_cut_off_mid_play_stops_on_the_last_frame_it_got_and_says_so(site):
    """The link or the server goes away mid-play: the browser gets the server's own stream of
    frames 1 to 30 without its closing boundary, as a connection cut there leaves it."""
    browser, address, base, _ = site
    status, _, body = http_get(address, "/v1/matches/long/frames.mjpeg?start=1&count=30&quality=80")
    assert status == 200 and body.endswith(b"--soccerframe--\r\n")
    cut = body[: -len(b"--soccerframe--\r\n")]
    watched = watched_page(browser)
    page = watched.page
    page.route(
        "**/frames.mjpeg?*",
        lambda route: route.fulfill(
            status=200, headers={"Content-Type": "multipart/x-mixed-replace; boundary=soccerframe"}, body=cut
        ),
    )
    page.goto(base + "/watch/long")
    wait_exact(page, 0)
    page.keyboard.press("Space")
    wait_exact(page, 30)
    assert "stopped coming before the end" in page.inner_text("#status")
    assert np.array_equal(on_screen(page), frame_png(address, "long", 30))
    assert_clean(watched, base)
