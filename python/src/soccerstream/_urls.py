"""Frame URLs of a server's web API (`soccer serve --http`), for tools that take images by URL."""

from typing import Literal
from urllib.parse import quote, urlencode

FileName = Literal["png", "jpg", "ppm"]
FormatName = Literal["rgb", "bgr", "gray"]


def frame_url(
    base: str,
    id: str,
    index: int,
    *,
    file: FileName = "png",
    width: int | None = None,
    height: int | None = None,
    format: FormatName | None = None,
    quality: int | None = None,
) -> str:
    """The URL of frame `index` (from 0, as `frames_at` counts) of match `id` as an image file,
    at a server whose web API is at `base` ("http://127.0.0.1:8080"): what Label Studio or CVAT
    import, or a browser opens. `width` and `height` bound the size (the frame keeps its shape);
    `quality` (1-100) is for JPEG. Raises ValueError for options the server would refuse."""
    if file not in ("png", "jpg", "ppm"):
        raise ValueError(f"file must be png, jpg or ppm, not {file!r}")
    if index < 0:
        raise ValueError(f"index must be 0 or more, not {index}")
    if quality is not None and (file != "jpg" or not 1 <= quality <= 100):
        raise ValueError("quality is 1 to 100, for jpg frames only")
    if format is not None and format not in ("rgb", "bgr", "gray"):
        raise ValueError(f"format must be rgb, bgr or gray, not {format!r}")
    if file == "ppm" and format == "bgr":
        raise ValueError("a ppm frame is rgb or gray")
    options = _size(width, height)
    if format is not None:
        options["format"] = format
    if quality is not None:
        options["quality"] = quality
    url = f"{base.rstrip('/')}/v1/matches/{quote(id, safe='')}/frames/{index}.{file}"
    return f"{url}?{urlencode(options)}" if options else url


def stream_url(
    base: str,
    id: str,
    *,
    start_frame: int = 0,
    every: int = 1,
    count: int | None = None,
    width: int | None = None,
    height: int | None = None,
    format: Literal["rgb", "gray"] | None = None,
    quality: int | None = None,
    pace: float | None = None,
) -> str:
    """The URL of match `id`'s frames from `start_frame` on, every `every`th, at most `count`, as
    one MJPEG stream (multipart/x-mixed-replace; each part's `Soccer-Frame` and `Soccer-Time`
    headers say which frame it is): what ffplay, VLC or an `<img>` play. The server sends as
    fast as the reader reads, or, with `pace`, at that many times the match's rate (1: its own),
    at most a second ahead. Raises ValueError for options the server would refuse."""
    if start_frame < 0:
        raise ValueError(f"start_frame must be 0 or more, not {start_frame}")
    if every < 1:
        raise ValueError(f"every must be 1 or more, not {every}")
    if count is not None and count < 1:
        raise ValueError(f"count must be 1 or more, not {count}")
    if quality is not None and not 1 <= quality <= 100:
        raise ValueError(f"quality is 1 to 100, not {quality}")
    if format is not None and format not in ("rgb", "gray"):
        raise ValueError(f"format must be rgb or gray for a JPEG stream, not {format!r}")
    options: dict[str, str | int] = {}
    for name, value in (("start", start_frame or None), ("stride", every if every > 1 else None), ("count", count)):
        if value is not None:
            options[name] = value
    options.update(_size(width, height))
    if format is not None:
        options["format"] = format
    if quality is not None:
        options["quality"] = quality
    if pace is not None:
        if not 1 / 16 <= pace <= 16:
            raise ValueError(f"pace is a speed from 0.0625 to 16, not {pace}")
        options["pace"] = f"{pace:g}"
    url = f"{base.rstrip('/')}/v1/matches/{quote(id, safe='')}/frames.mjpeg"
    return f"{url}?{urlencode(options)}" if options else url


def viewer_url(base: str, id: str, frame: int | None = None) -> str:
    """The web viewer's page for match `id`, opening paused on `frame` when given: the link to
    send a person to look at what a model saw."""
    if frame is not None and frame < 0:
        raise ValueError(f"frame must be 0 or more, not {frame}")
    url = f"{base.rstrip('/')}/watch/{quote(id, safe='')}"
    return f"{url}?frame={frame}" if frame is not None else url


def _size(width: int | None, height: int | None) -> dict[str, str | int]:
    """The `width` and `height` options, checked as the server checks them."""
    options: dict[str, str | int] = {}
    for name, value in (("width", width), ("height", height)):
        if value is not None:
            if not 1 <= value <= 8192:
                raise ValueError(f"{name} must be 1 to 8192, not {value}")
            options[name] = value
    return options
