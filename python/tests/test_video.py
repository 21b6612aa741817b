"""The `Video` message read straight from its bytes, checked against protobuf's own encoding."""

import numpy as np
import pytest

from soccerstream import DataLoss
from soccerstream._proto import stream_pb2
from soccerstream._video import parse_shape, parse_video


def test_every_field_reads_as_protobuf_wrote_it() -> None:
    pixels = np.arange(2 * 3 * 3, dtype=np.uint8).tobytes()
    message = stream_pb2.Video(
        data=pixels,
        data_type="uint8",
        data_shape="(2, 3, 3)",
        frame_index=41,
        pts_seconds=1.64,
        pixel_format=stream_pb2.PIXEL_FORMAT_RGB24,
        command=7,
        encoding=stream_pb2.FRAME_ENCODING_RAW,
    )
    message.slot.index, message.slot.offset, message.slot.length = 3, 4096 + 3 * 8192, 18
    video = parse_video(message.SerializeToString())
    assert video.raw[video.data_offset : video.data_offset + video.data_length] == pixels
    assert (video.data_type, video.data_shape, video.frame_index) == ("uint8", "(2, 3, 3)", 41)
    assert video.pts_seconds == 1.64 and video.pixel_format == stream_pb2.PIXEL_FORMAT_RGB24
    assert video.command == 7 and video.slot == (3, 4096 + 3 * 8192, 18)


def test_a_frame_is_a_view_of_the_bytes_in_its_shape() -> None:
    pixels = bytes(range(12))
    message = stream_pb2.Video(data=pixels, data_type="uint8", data_shape="(2, 2, 3)", frame_index=5)
    frame = parse_video(message.SerializeToString()).frame(None)
    assert frame.index == 5 and frame.array.shape == (2, 2, 3)
    assert frame.array.tobytes() == pixels and not frame.array.flags.writeable


@pytest.mark.parametrize(
    ("text", "shape"),
    [("(720, 1280, 3)", (720, 1280, 3)), ("(2, 3)", (2, 3)), ("(1,)", None), ("(0, 3)", None), ("720", None)],
)
def test_shapes(text: str, shape: tuple[int, ...] | None) -> None:
    assert parse_shape(text) == shape


def test_a_message_cut_short_or_a_frame_that_lies_is_data_loss() -> None:
    raw = stream_pb2.Video(data=b"\x01" * 12, data_type="uint8", data_shape="(2, 2, 3)").SerializeToString()
    with pytest.raises(DataLoss):
        parse_video(raw[:-3])
    lying = stream_pb2.Video(data=b"\x01" * 11, data_type="uint8", data_shape="(2, 2, 3)").SerializeToString()
    with pytest.raises(DataLoss, match="not the 12 its shape"):
        parse_video(lying).frame(None)
