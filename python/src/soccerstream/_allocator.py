"""Keeps glibc from handing each received frame's memory back to the kernel.

grpcio copies every message into new Python objects (three buffers the size of a frame at
grpcio 1.76-1.85). With glibc's defaults the top of the heap is trimmed as soon as they are freed,
so the next frame's buffers are mapped again and every page faulted in and zeroed: at 1080p that
is a third of the CPU a frame costs the client. Raising the trim threshold and the top pad keeps
that memory for the next frame: each heap keeps up to `_KEEP` bytes free at its top.
"""

import ctypes
import ctypes.util
import os
import threading

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_KEEP = 128 << 20
_PAD = 32 << 20
_MMAP_ABOVE = 64 << 20

_lock = threading.Lock()
_done = False


def keep_frame_memory() -> None:
    """Tunes glibc's malloc once per process; does nothing elsewhere or with SOCCERSTREAM_MALLOC=default."""
    global _done
    with _lock:
        if _done:
            return
        _done = True
        if os.environ.get("SOCCERSTREAM_MALLOC") == "default":
            return
        name = ctypes.util.find_library("c")
        if name is None:
            return
        try:
            libc = ctypes.CDLL(name)
            mallopt = libc.mallopt
        except (OSError, AttributeError):
            return
        mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        mallopt.restype = ctypes.c_int
        mallopt(_M_MMAP_THRESHOLD, _MMAP_ABOVE)
        mallopt(_M_TRIM_THRESHOLD, _KEEP)
        mallopt(_M_TOP_PAD, _PAD)
