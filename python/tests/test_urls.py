"""Frame URLs as the server's web API reads them."""

from typing import Any

import pytest

from soccerstream import frame_url, stream_url, viewer_url


def test_a_frame_url_names_the_match_the_frame_and_its_options() -> None:
    assert frame_url("http://127.0.0.1:8080/", "sample", 42) == "http://127.0.0.1:8080/v1/matches/sample/frames/42.png"
    assert (
        frame_url("https://h", "m.1", 7, file="jpg", width=320, format="gray", quality=70)
        == "https://h/v1/matches/m.1/frames/7.jpg?width=320&format=gray&quality=70"
    )
    assert frame_url("http://h", "a b", 0, file="ppm") == "http://h/v1/matches/a%20b/frames/0.ppm"


@pytest.mark.parametrize(
    "options",
    [
        {"index": -1},
        {"file": "gif"},
        {"quality": 50},
        {"file": "jpg", "quality": 0},
        {"width": 0},
        {"height": 9000},
        {"format": "yuv"},
        {"file": "ppm", "format": "bgr"},
    ],
)
def test_options_the_server_would_refuse_are_refused_here(options: dict[str, Any]) -> None:
    arguments = {"index": 1, **options}
    index = arguments.pop("index")
    with pytest.raises(ValueError):
        frame_url("http://h", "m", index, **arguments)


def test_a_stream_url_names_the_frames_from_a_start_on() -> None:
    assert stream_url("http://h/", "sample") == "http://h/v1/matches/sample/frames.mjpeg"
    assert (
        stream_url("http://h", "m", start_frame=250, every=2, count=10, width=640, quality=70, pace=1.5)
        == "http://h/v1/matches/m/frames.mjpeg?start=250&stride=2&count=10&width=640&quality=70&pace=1.5"
    )


@pytest.mark.parametrize(
    "options",
    [{"start_frame": -1}, {"every": 0}, {"count": 0}, {"quality": 101}, {"width": 0}, {"format": "bgr"}, {"pace": 0}],
)
def test_stream_options_the_server_would_refuse_are_refused_here(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        stream_url("http://h", "m", **options)


def test_a_viewer_url_opens_on_a_frame() -> None:
    assert viewer_url("http://h/", "a b") == "http://h/watch/a%20b"
    assert viewer_url("http://h", "m", 48213) == "http://h/watch/m?frame=48213"
    with pytest.raises(ValueError):
        viewer_url("http://h", "m", -1)
