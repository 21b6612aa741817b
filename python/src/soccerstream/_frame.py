"""A frame of a match, as the package hands it out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ._errors import DataLoss, StaleFrame
from ._images import EncodingName


class Frame:
    """One frame of a match."""

    __slots__ = ("_array", "_decode", "_valid", "encoded", "encoding", "index", "replica", "seconds")

    def __init__(
        self,
        array: npt.NDArray[np.uint8] | None,
        index: int,
        seconds: float,
        replica: str | None = None,
        *,
        encoded: bytes | None = None,
        encoding: EncodingName = "raw",
        decode: Callable[[], npt.NDArray[np.uint8]] | None = None,
        valid: Callable[[], bool] | None = None,
    ) -> None:
        self._array = array
        self._decode = decode
        self._valid = valid
        self.index = index
        """Its position in the match, counting from 0 in presentation order."""
        self.seconds = seconds
        """Its presentation time, in seconds from the start."""
        self.replica = replica
        """The replica that sent it, when the server names itself."""
        self.encoded = encoded
        """The JPEG or PNG file the server sent, when frames were asked for encoded; None for raw."""
        self.encoding: EncodingName = encoding
        """"raw", "jpeg" or "png": how the frame travelled."""

    @property
    def array(self) -> npt.NDArray[np.uint8]:
        """The pixels, (height, width, 3) or (height, width). Raw frames are read-only views of
        the received bytes (`.copy()` gives a writable array), which never change however long
        they are kept; JPEG and PNG frames are decoded, with `decode=False` only when this is
        first read. A `zero_copy` frame's array raises `StaleFrame` once its slot went back."""
        if self._valid is not None and not self._valid():
            raise StaleFrame(
                f"frame {self.index} came with zero_copy=True and its shared-memory slot went back to the "
                "server when a later frame was taken: copy what you keep (frame.array.copy()) before taking "
                "the next, or leave zero_copy off",
                code="FAILED_PRECONDITION",
            )
        if self._array is None:
            if self._decode is None:
                raise DataLoss(f"frame {self.index} has no pixels", code="DATA_LOSS")
            self._array = self._decode()
            self._decode = None
        return self._array

    def __repr__(self) -> str:
        return (
            f"Frame(index={self.index}, seconds={self.seconds}, encoding={self.encoding!r}, replica={self.replica!r})"
        )
