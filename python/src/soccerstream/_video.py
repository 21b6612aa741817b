"""`Video` messages read straight from the bytes grpcio received, the pixels left where they are."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._errors import DataLoss
from ._frame import Frame
from ._images import NAMES, decode_image
from ._shared_memory import Ring

_DOUBLE = struct.Struct("<d")


@dataclass(frozen=True)
class RawVideo:
    """A `Video` message with its pixels as a range of the bytes that carried it."""

    raw: bytes
    data_offset: int
    data_length: int
    data_type: str
    data_shape: str
    frame_index: int
    pts_seconds: float
    command: int
    refusal: tuple[int, int] | None
    """Where a Play command's refusal lies in `raw`, when the message is one."""
    slot: tuple[int, int, int] | None = None
    """(index, offset, length) of the shared-memory slot that holds the pixels, when one does."""
    pixel_format: int = 0
    encoding: int = 0
    """The wire's FrameEncoding: 0 raw, 1 JPEG, 2 PNG."""

    def frame(self, replica: str | None, ring: Ring | None = None, decode: bool = True) -> Frame:
        """The frame, its header checked against its bytes (in `ring` when they came through it);
        a JPEG or PNG one decoded now, or with `decode` False when its array is first read."""
        if self.encoding == 0:
            valid = ring.validity() if ring is not None and ring.zero_copy and self.slot is not None else None
            return Frame(self.array(ring), self.frame_index, self.pts_seconds, replica, valid=valid)
        name = NAMES.get(self.encoding)
        shape = self.shape()
        if name is None or self.slot is not None or not self.data_length:
            raise DataLoss(
                f"frame {self.frame_index} came with encoding {self.encoding} and {self.data_length} bytes of data",
                code="DATA_LOSS",
            )
        encoded = self.raw[self.data_offset : self.data_offset + self.data_length]

        def decoded() -> npt.NDArray[np.uint8]:
            return decode_image(encoded, self.encoding, shape, self.pixel_format, self.frame_index)

        return Frame(
            decoded() if decode else None,
            self.frame_index,
            self.pts_seconds,
            replica,
            encoded=encoded,
            encoding=name,  # type: ignore[arg-type]
            decode=decoded,
        )

    def shape(self) -> tuple[int, ...]:
        """The array's shape, which must be of uint8."""
        if self.data_type != "uint8":
            raise DataLoss(f"frame {self.frame_index} has dtype {self.data_type!r}, not uint8", code="DATA_LOSS")
        shape = parse_shape(self.data_shape)
        if shape is None:
            raise DataLoss(f"frame {self.frame_index} has shape {self.data_shape!r}", code="DATA_LOSS")
        return shape

    def array(self, ring: Ring | None = None) -> npt.NDArray[np.uint8]:
        shape = self.shape()
        expected = 1
        for side in shape:
            expected *= side
        if self.slot is not None:
            _, offset, length = self.slot
            if ring is None or length != expected:
                raise DataLoss(
                    f"frame {self.frame_index} came in a shared-memory slot of {length} bytes that "
                    f"{'no ring was asked for' if ring is None else f'its shape {self.data_shape} does not fill'}",
                    code="DATA_LOSS",
                )
            try:
                return ring.array(offset, length, shape)
            except ValueError as error:
                raise DataLoss(f"frame {self.frame_index}: {error}", code="DATA_LOSS") from None
        if expected != self.data_length:
            raise DataLoss(
                f"frame {self.frame_index} is {self.data_length} bytes, not the {expected} its shape "
                f"{self.data_shape} says",
                code="DATA_LOSS",
            )
        pixels = np.frombuffer(self.raw, dtype=np.uint8, count=self.data_length, offset=self.data_offset)
        return pixels.reshape(shape)


def parse_shape(text: str) -> tuple[int, ...] | None:
    """(720, 1280, 3) from "(720, 1280, 3)"; None unless 2 or 3 positive sides."""
    inner = text.strip()
    if not (inner.startswith("(") and inner.endswith(")")):
        return None
    parts = [p.strip() for p in inner[1:-1].split(",") if p.strip()]
    if len(parts) not in (2, 3) or not all(p.isdigit() and int(p) > 0 for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _varint(raw: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(raw) or shift > 63:
            raise DataLoss("a Video message ends inside a number", code="DATA_LOSS")
        byte = raw[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def parse_video(raw: bytes) -> RawVideo:
    """Reads a `Video` message: its pixels stay in `raw`; other fields are decoded."""
    at = 0
    data = (0, 0)
    strings = {2: "", 3: ""}
    numbers = {4: 0, 6: 0, 7: 0, 10: 0}
    pts = 0.0
    refusal: tuple[int, int] | None = None
    slot: tuple[int, int, int] | None = None
    end = len(raw)
    while at < end:
        key, at = _varint(raw, at)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(raw, at)
            if field in numbers:
                numbers[field] = value
        elif wire == 1:
            if at + 8 > end:
                raise DataLoss("a Video message ends inside a field", code="DATA_LOSS")
            if field == 5:
                pts = _DOUBLE.unpack_from(raw, at)[0]
            at += 8
        elif wire == 2:
            length, at = _varint(raw, at)
            if at + length > end:
                raise DataLoss("a Video message ends inside a field", code="DATA_LOSS")
            if field == 1:
                data = (at, length)
            elif field in strings:
                strings[field] = raw[at : at + length].decode(errors="replace")
            elif field == 8:
                refusal = (at, length)
            elif field == 9:
                slot = _slot(raw, at, at + length)
            at += length
        elif wire == 5:
            at += 4
        else:
            raise DataLoss(f"a Video message has wire type {wire}", code="DATA_LOSS")
    return RawVideo(
        raw,
        data[0],
        data[1],
        strings[2],
        strings[3],
        numbers[4],
        pts,
        numbers[7],
        refusal,
        slot,
        numbers[6],
        numbers[10],
    )


def _slot(raw: bytes, at: int, end: int) -> tuple[int, int, int]:
    """(index, offset, length) of a `SharedMemorySlot` message in raw[at:end]."""
    values = {1: 0, 2: 0, 3: 0}
    while at < end:
        key, at = _varint(raw, at)
        if key & 7 != 0:
            raise DataLoss("a SharedMemorySlot holds a field that is not a number", code="DATA_LOSS")
        value, at = _varint(raw, at)
        if key >> 3 in values:
            values[key >> 3] = value
    return values[1], values[2], values[3]
