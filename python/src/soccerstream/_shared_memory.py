"""A ring of frame slots in a /dev/shm object that the server converts frames straight into.

The layout and the hand-back are `SharedMemoryRing`'s in protos/stream.proto: a 4096-byte header
("SOCCERSM", then at byte 64 the count of frames handed back, which the server waits on as a
futex), then the slots. One ring serves one stream; its name is unlinked as soon as the stream's
first frame shows the server has it open, so nothing stays in /dev/shm, and the mapping goes with
the last array that views it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import math
import mmap
import os
import platform
import secrets

import numpy as np
import numpy.typing as npt

from ._proto import stream_pb2

HEADER = 4096
MAGIC = b"SOCCERSM"
RELEASED = 64
SLACK = 64
DEFAULT_SLOTS = 8
# A Play ring holds full-size frames (a resize may ask for them): two the server decodes ahead,
# one it holds to send, and the consumer's.
PLAY_SLOTS = 5
_PREFIX = "soccerstream-"
_FOLDER = "/dev/shm"
_SYS_FUTEX = {"x86_64": 202, "aarch64": 98, "arm64": 98}.get(platform.machine())
_FUTEX_WAKE = 1


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name, use_errno=True) if name else None
    except OSError:
        return None


_LIBC = _libc()


def available() -> bool:
    """Whether this machine can make rings: Linux with /dev/shm and futexes."""
    return _SYS_FUTEX is not None and _LIBC is not None and os.path.isdir(_FOLDER)


def slot_bytes_for(width: int, height: int, channels: int, max_width: int, max_height: int) -> int:
    """Bytes a slot needs for a video of width x height fitted within max_width x max_height
    (0: no limit), rounded up: the server's fitted size is at most a pixel or two off the scale."""
    scale = 1.0
    if max_width:
        scale = min(scale, max_width / width)
    if max_height:
        scale = min(scale, max_height / height)
    w = min(width, math.ceil(width * scale) + 2)
    h = min(height, math.ceil(height * scale) + 2)
    return (w * h * channels + SLACK + 4095) // 4096 * 4096


def _remove_stale() -> None:
    """Unlinks rings that processes of this user left behind when they were killed before the
    server opened them."""
    try:
        names = os.listdir(_FOLDER)
    except OSError:
        return
    uid = os.getuid()
    for name in names:
        if not name.startswith(_PREFIX):
            continue
        pid = name[len(_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still running: its ring
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        path = os.path.join(_FOLDER, name)
        try:
            if os.lstat(path).st_uid == uid:
                os.unlink(path)
        except OSError:
            pass


class Ring:
    """One stream's ring: `slots` slots of `slot_bytes` in a new object of this user's."""

    def __init__(self, slots: int, slot_bytes: int) -> None:
        _remove_stale()
        self.slots = slots
        self.slot_bytes = slot_bytes
        self.size = HEADER + slots * slot_bytes
        self.name = f"/{_PREFIX}{os.getpid()}-{secrets.token_hex(8)}"
        self._path: str | None = _FOLDER + self.name
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(self._path, flags, 0o600)
        try:
            os.ftruncate(fd, self.size)
            self._map = mmap.mmap(fd, self.size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        except BaseException:
            self.unlink()
            raise
        finally:
            os.close(fd)
        self._map[0 : len(MAGIC)] = MAGIC
        self._released = ctypes.c_uint32.from_buffer(self._map, RELEASED)
        self._address = ctypes.addressof(self._released)

    def request(self) -> stream_pb2.SharedMemoryRing:
        """The ring as a `Match.shared_memory` names it."""
        return stream_pb2.SharedMemoryRing(name=self.name, size=self.size, slots=self.slots, slot_bytes=self.slot_bytes)

    def unlink(self) -> None:
        """Removes the name from /dev/shm (the server keeps what it opened); once."""
        path, self._path = self._path, None
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def array(self, offset: int, length: int, shape: tuple[int, ...]) -> npt.NDArray[np.uint8]:
        """A read-only view of `length` bytes at `offset`, as an array of `shape`."""
        if offset < HEADER or length < 0 or offset + length > self.size:
            raise ValueError(f"a slot at {offset} of {length} bytes lies outside the ring")
        pixels = np.frombuffer(self._map, dtype=np.uint8, count=length, offset=offset)
        pixels.flags.writeable = False
        return pixels.reshape(shape)

    def release(self) -> None:
        """Hands the oldest slot the client holds back to the server, and wakes it."""
        self._released.value = (self._released.value + 1) & 0xFFFFFFFF
        if _LIBC is not None and _SYS_FUTEX is not None:
            _LIBC.syscall(_SYS_FUTEX, ctypes.c_void_p(self._address), _FUTEX_WAKE, 0x7FFFFFFF, None, None, 0)
