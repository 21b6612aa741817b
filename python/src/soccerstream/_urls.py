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
    options: dict[str, str | int] = {}
    for name, value in (("width", width), ("height", height)):
        if value is not None:
            if not 1 <= value <= 8192:
                raise ValueError(f"{name} must be 1 to 8192, not {value}")
            options[name] = value
    if format is not None:
        options["format"] = format
    if quality is not None:
        options["quality"] = quality
    url = f"{base.rstrip('/')}/v1/matches/{quote(id, safe='')}/frames/{index}.{file}"
    return f"{url}?{urlencode(options)}" if options else url
