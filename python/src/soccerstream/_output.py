"""How frames come out, as `frames`, `frames_at`, `iter_frames_at` and `play` all take it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ._errors import InvalidArgument
from ._images import ENCODINGS, EncodingName, opencv
from ._proto import stream_pb2

PixelFormatName = Literal["bgr", "rgb", "gray"]

_FORMATS: dict[str, stream_pb2.PixelFormat] = {
    "bgr": stream_pb2.PIXEL_FORMAT_BGR24,
    "rgb": stream_pb2.PIXEL_FORMAT_RGB24,
    "gray": stream_pb2.PIXEL_FORMAT_GRAY8,
}


@dataclass(frozen=True)
class Output:
    """The frames' size limit, pixel format and encoding, and how their arrays are made: checked
    once here, whichever call took them."""

    width: int | None = None
    height: int | None = None
    format: PixelFormatName = "bgr"
    encoding: EncodingName = "raw"
    quality: int | None = None
    decode: bool = True
    zero_copy: bool = False

    def __post_init__(self) -> None:
        if self.format not in _FORMATS:
            raise InvalidArgument(f"format is bgr, rgb or gray, not {self.format!r}", code="INVALID_ARGUMENT")
        if self.encoding not in ENCODINGS:
            raise InvalidArgument(f"encoding is raw, jpeg or png, not {self.encoding!r}", code="INVALID_ARGUMENT")
        if self.quality is not None and (self.encoding != "jpeg" or not 1 <= self.quality <= 100):
            raise InvalidArgument("quality goes with encoding='jpeg', from 1 to 100", code="INVALID_ARGUMENT")
        if self.encoding != "raw" and self.decode:
            opencv()  # missing: said now, not at the first frame
        if (self.width is not None and self.width < 0) or (self.height is not None and self.height < 0):
            raise InvalidArgument("width and height are 0 or more (0: no limit)", code="INVALID_ARGUMENT")

    @property
    def channels(self) -> int:
        return 1 if self.format == "gray" else 3

    def match(
        self, id: str, *, start_frame: int = 0, start_seconds: float = 0.0, every: int = 1, real_time: bool = False
    ) -> stream_pb2.Match:
        """The `Match` request for match `id` with these frames, from where the caller says."""
        return stream_pb2.Match(
            id=id,
            pixel_format=_FORMATS[self.format],
            max_width=self.width or 0,
            max_height=self.height or 0,
            start_frame=start_frame,
            start_seconds=start_seconds,
            stride=every,
            real_time=real_time,
            encoding=ENCODINGS[self.encoding],  # type: ignore[arg-type]
            jpeg_quality=self.quality or 0,
        )
