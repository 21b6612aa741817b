"""JPEG and PNG frames decoded into numpy arrays, with OpenCV (the `images` extra)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ._errors import DataLoss

EncodingName = Literal["raw", "jpeg", "png"]

# The wire's FrameEncoding values.
ENCODINGS: dict[str, int] = {"raw": 0, "jpeg": 1, "png": 2}
NAMES = {value: name for name, value in ENCODINGS.items()}
_RGB = 1


def opencv() -> Any:
    """OpenCV's module; ImportError saying how to get it when it is missing."""
    try:
        import cv2
    except ImportError:
        raise ImportError(
            "decoding JPEG and PNG frames needs OpenCV: pip install 'soccerstream[images]' "
            "(or pass decode=False for the encoded bytes)"
        ) from None
    return cv2


def decode_image(
    data: bytes, encoding: int, shape: tuple[int, ...], pixel_format: int, index: int
) -> npt.NDArray[np.uint8]:
    """The array a JPEG or PNG frame holds, in the channel order `pixel_format` says, checked
    against the shape its message gave."""
    cv2 = opencv()
    rgb = pixel_format == _RGB
    if len(shape) == 2:
        flags = cv2.IMREAD_GRAYSCALE
    elif rgb and hasattr(cv2, "IMREAD_COLOR_RGB"):
        flags = cv2.IMREAD_COLOR_RGB
        rgb = False
    else:
        flags = cv2.IMREAD_COLOR
    array = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flags)
    if array is None:
        raise DataLoss(f"frame {index}: its {NAMES.get(encoding, '?')} file does not decode", code="DATA_LOSS")
    if rgb:
        array = np.ascontiguousarray(array[..., ::-1])
    if array.shape != shape or array.dtype != np.uint8:
        raise DataLoss(
            f"frame {index}: its {NAMES.get(encoding, '?')} file holds a {array.shape} array, not {shape}",
            code="DATA_LOSS",
        )
    result: npt.NDArray[np.uint8] = array
    return result
