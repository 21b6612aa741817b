"""The options every frame call shares, checked in one place whichever call took them."""

import pytest

from soccerstream import InvalidArgument
from soccerstream._output import Output
from soccerstream._proto import stream_pb2


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"format": "yuv"}, "format is bgr, rgb or gray"),
        ({"encoding": "webp"}, "encoding is raw, jpeg or png"),
        ({"quality": 90}, "quality goes with encoding='jpeg'"),
        ({"encoding": "jpeg", "quality": 101, "decode": False}, "from 1 to 100"),
        ({"width": -1}, "width and height are 0 or more"),
    ],
)
def test_each_bad_option_is_named(options: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidArgument, match=words):
        Output(**options)  # type: ignore[arg-type]


def test_the_request_carries_the_options_and_the_start() -> None:
    match = Output(320, 0, "gray", "jpeg", 75, decode=False).match("m", start_frame=7, every=2, real_time=True)
    assert match.id == "m" and match.max_width == 320 and match.max_height == 0
    assert match.pixel_format == stream_pb2.PIXEL_FORMAT_GRAY8 and match.encoding == 1 and match.jpeg_quality == 75
    assert match.start_frame == 7 and match.stride == 2 and match.real_time
    # Absent options are the old behaviour: full size, BGR, raw, from the start.
    plain = Output().match("m")
    assert plain.max_width == 0 and plain.pixel_format == stream_pb2.PIXEL_FORMAT_BGR24 and plain.encoding == 0
    assert Output(format="gray").channels == 1 and Output().channels == 3
