"""A local file checked, hashed and cut into the chunks an upload sends."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator

from ._errors import InvalidArgument
from ._proto import stream_pb2

CHUNK_BYTES = 1 << 20
"""Bytes of file one chunk carries: the most the protocol allows."""


class UploadSource:
    """A readable regular file with bytes in it, checked before anything is sent."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        try:
            status = os.stat(self.path)
        except OSError as error:
            raise InvalidArgument(f"cannot upload {self.path}: {error.strerror}", code="INVALID_ARGUMENT") from None
        if not stat.S_ISREG(status.st_mode):
            raise InvalidArgument(f"cannot upload {self.path}: not a regular file", code="INVALID_ARGUMENT")
        if not os.access(self.path, os.R_OK):
            raise InvalidArgument(f"cannot upload {self.path}: not readable", code="INVALID_ARGUMENT")
        if status.st_size == 0:
            raise InvalidArgument(f"cannot upload {self.path}: the file is empty", code="INVALID_ARGUMENT")
        self.size = status.st_size

    @property
    def default_id(self) -> str:
        """The match id the file gives when none is chosen: its name without ".mp4"."""
        name = os.path.basename(self.path)
        return name[:-4] if name.lower().endswith(".mp4") else name

    def _pieces(self) -> Iterator[bytes]:
        total = 0
        with open(self.path, "rb") as f:
            while piece := f.read(CHUNK_BYTES):
                total += len(piece)
                if total > self.size:
                    break
                yield piece
        if total != self.size:
            raise InvalidArgument(
                f"{self.path} changed while it was read ({total} bytes, not {self.size})", code="INVALID_ARGUMENT"
            )

    def sha256(self) -> bytes:
        """SHA-256 of the whole file, which the upload's first message declares."""
        hasher = hashlib.sha256()
        for piece in self._pieces():
            hasher.update(piece)
        return hasher.digest()

    def chunks(
        self, id: str, digest: bytes, replace: bool, progress: Callable[[int], None] | None
    ) -> Iterator[stream_pb2.UploadChunk]:
        """The upload's messages: the start, then the file 1 MiB at a time; `progress` hears the bytes sent."""
        start = stream_pb2.UploadStart(id=id, size=self.size, sha256=digest, replace=replace)
        yield stream_pb2.UploadChunk(start=start)
        sent = 0
        for piece in self._pieces():
            yield stream_pb2.UploadChunk(data=piece)
            sent += len(piece)
            if progress is not None:
                progress(sent)
