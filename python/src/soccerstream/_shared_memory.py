"""A ring of frame slots in a /dev/shm object that the server converts frames straight into.

The layout and the hand-back are `SharedMemoryRing`'s in protos/stream.proto: a 4096-byte header
("SOCCERSM", then at byte 64 the count of frames handed back, which the server waits on as a
futex), then the slots. One ring serves one stream; its name is unlinked as soon as the stream's
first frame shows the server has it open, so nothing stays in /dev/shm.

Each slot is mapped on its own, and a frame's array views its slot's mapping. A slot goes back to
the server, in order, once the consumer has taken a later frame; if an array of it is still
alive then (the consumer kept the frame), its pages are first swapped, in one step (mremap), for a
private copy of them, so a kept array never changes, and the slot is mapped afresh for the frames
to come. A frame nobody keeps costs no copy. With `zero_copy` the slot goes back as soon as the
next frame is taken, whoever holds its array: fastest, and the consumer's to copy what it keeps.
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
import sys
from collections import deque
from collections.abc import Callable

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
_PROT_READ_WRITE = 0x3
_MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20
_MREMAP_MAYMOVE_FIXED = 0x1 | 0x2
_MAP_FAILED = ctypes.c_void_p(-1).value
_MADV_HUGEPAGE = 14
_MAP_POPULATE = getattr(mmap, "MAP_POPULATE", 0)


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name, use_errno=True) if name else None
    except OSError:
        return None


_LIBC = _libc()
if _LIBC is not None:
    _LIBC.mmap.restype = ctypes.c_void_p
    _LIBC.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    _LIBC.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    _LIBC.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    _LIBC.mremap.restype = ctypes.c_void_p


def available() -> bool:
    """Whether this machine can make rings: Linux with /dev/shm and futexes."""
    return _SYS_FUTEX is not None and _LIBC is not None and os.path.isdir(_FOLDER)


def frame_bytes_for(width: int, height: int, channels: int, max_width: int, max_height: int) -> int:
    """Bytes of the largest frame of a video of width x height fitted within max_width x max_height
    (0: no limit): the server's fitted size is at most a pixel or two off the scale."""
    scale = 1.0
    if max_width:
        scale = min(scale, max_width / width)
    if max_height:
        scale = min(scale, max_height / height)
    w = min(width, math.ceil(width * scale) + 2)
    h = min(height, math.ceil(height * scale) + 2)
    return w * h * channels


def slot_bytes_for(width: int, height: int, channels: int, max_width: int, max_height: int) -> int:
    """Bytes a slot needs for such frames: a frame, the converter's slack, in whole pages."""
    return (frame_bytes_for(width, height, channels, max_width, max_height) + SLACK + 4095) // 4096 * 4096


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

    def __init__(self, slots: int, slot_bytes: int, *, zero_copy: bool = False) -> None:
        _remove_stale()
        self.slots = slots
        self.slot_bytes = slot_bytes
        self.size = HEADER + slots * slot_bytes
        self.zero_copy = zero_copy
        self.name = f"/{_PREFIX}{os.getpid()}-{secrets.token_hex(8)}"
        self._path: str | None = _FOLDER + self.name
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        self._fd = os.open(self._path, flags, 0o600)
        try:
            os.ftruncate(self._fd, self.size)
            # Every page exists now: a full /dev/shm is said here, not met by the server mid-frame.
            os.posix_fallocate(self._fd, 0, self.size)
            self._header = mmap.mmap(self._fd, HEADER, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            self._maps = [self._map_slot(slot) for slot in range(slots)]
        except BaseException:
            self.unlink()
            os.close(self._fd)
            raise
        self._header[0 : len(MAGIC)] = MAGIC
        self._released = ctypes.c_uint32.from_buffer(self._header, RELEASED)
        self._address = ctypes.addressof(self._released)
        # Slots of the frames taken and not yet handed back, oldest first.
        self._taken: deque[int] = deque()
        # Frames handed back so far, and frames whose release was asked for.
        self.handed_back = 0
        self._asked = 0
        self.copies = 0
        """Frames whose pixels were copied out of their slot because the consumer kept them."""

    def __del__(self) -> None:
        fd, self._fd = getattr(self, "_fd", -1), -1
        if fd >= 0:
            os.close(fd)

    def _map_slot(self, slot: int, populate: bool = False) -> mmap.mmap:
        """A mapping of `slot`; `populate` maps its pages now, in one call, rather than one fault each."""
        return mmap.mmap(
            self._fd,
            self.slot_bytes,
            mmap.MAP_SHARED | (_MAP_POPULATE if populate else 0),
            mmap.PROT_READ | mmap.PROT_WRITE,
            offset=HEADER + slot * self.slot_bytes,
        )

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
        """A read-only view of `length` bytes at `offset` (the start of a slot), as an array of `shape`."""
        slot, within = divmod(offset - HEADER, self.slot_bytes)
        if offset < HEADER or within or slot >= self.slots or not 0 <= length <= self.slot_bytes:
            raise ValueError(f"a slot at {offset} of {length} bytes is not one of the ring's")
        pixels = np.frombuffer(self._maps[slot], dtype=np.uint8, count=length)
        pixels.flags.writeable = False
        return pixels.reshape(shape)

    def validity(self) -> Callable[[], bool]:
        """For the frame whose slot is released next: whether its slot is still the consumer's."""
        number = self._asked
        return lambda: self.handed_back <= number

    def release(self, offset: int) -> None:
        """The consumer has taken the frame after the one in the slot at `offset`: hands slots back
        to the server, in order, and wakes it. A slot some array still views goes back with a
        private copy left in its place; the newest slot waits for the next call unless `zero_copy`
        (a `for` loop's variable still holds its frame while the next one is asked for)."""
        self._asked += 1
        self._taken.append((offset - HEADER) // self.slot_bytes)
        keep = 0 if self.zero_copy else 1
        while len(self._taken) > keep:
            slot = self._taken.popleft()
            # Ours: the list's reference and getrefcount's argument; each live array adds one.
            if not self.zero_copy and 0 <= slot < self.slots and sys.getrefcount(self._maps[slot]) > 2:
                self._set_aside(slot)
            self.handed_back += 1
            self._released.value = (self._released.value + 1) & 0xFFFFFFFF
        if _LIBC is not None and _SYS_FUTEX is not None:
            _LIBC.syscall(_SYS_FUTEX, ctypes.c_void_p(self._address), _FUTEX_WAKE, 0x7FFFFFFF, None, None, 0)

    def _set_aside(self, slot: int) -> None:
        """Leaves the arrays of `slot` a private copy of its pages, and maps the slot afresh."""
        kept = self._maps[slot]
        view = ctypes.c_char.from_buffer(kept)
        address = ctypes.addressof(view)
        del view
        length = self.slot_bytes
        libc = _LIBC
        copy = libc.mmap(None, length, _PROT_READ_WRITE, _MAP_PRIVATE_ANONYMOUS, -1, 0) if libc else None
        if libc is None or copy is None or copy == _MAP_FAILED:
            raise MemoryError("no memory for a copy of a kept shared-memory frame")
        # Huge pages where the kernel allows them: a third of the page faults' cost at 1080p.
        libc.madvise(copy, length, _MADV_HUGEPAGE)
        ctypes.memmove(copy, address, length)
        moved = libc.mremap(
            ctypes.c_void_p(copy),
            ctypes.c_size_t(length),
            ctypes.c_size_t(length),
            ctypes.c_int(_MREMAP_MAYMOVE_FIXED),
            ctypes.c_void_p(address),
        )
        if moved != address:
            libc.munmap(copy, length)
            raise MemoryError("cannot keep a shared-memory frame apart from its slot (mremap failed)")
        # `kept` now maps the copy, and unmaps it when its last array goes.
        self._maps[slot] = self._map_slot(slot, populate=True)
        self.copies += 1
