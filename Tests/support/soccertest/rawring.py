"""Shared-memory rings made by hand, as any local program may make one, to misbehave with."""

import ctypes
import os
import struct

import grpc

from .stubs import load

stream_pb2, stream_pb2_grpc = load()

# A slot for the sample's 640x360 BGR frames, as the server asks: whole pages, 64 bytes of slack.
SLOT = (640 * 360 * 3 + 64 + 4095) // 4096 * 4096
SLOTS = 8


class RawRing:
    """A ring made by hand, as any local program may make one, to misbehave with."""

    def __init__(self, name, allocate=True):
        self.path = f"/dev/shm{name}"
        self.size = 4096 + SLOTS * SLOT
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        os.ftruncate(self.fd, self.size)
        if allocate:
            os.posix_fallocate(self.fd, 0, self.size)
        os.pwrite(self.fd, b"SOCCERSM", 0)
        self.released = 0
        self.request = stream_pb2.SharedMemoryRing(name=name, size=self.size, slots=SLOTS, slot_bytes=SLOT)

    def hand_back(self, n=1):
        """Counts `n` more frames handed back, through the file (never touching a page it may have cut)."""
        self.released += n
        os.pwrite(self.fd, struct.pack("<I", self.released & 0xFFFFFFFF), 64)

    def close(self):
        os.close(self.fd)
        if os.path.exists(self.path):
            os.unlink(self.path)


def punch_hole(fd, offset, length):
    """Frees the pages of a range of a file, keeping its size (fallocate's PUNCH_HOLE)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
    assert libc.fallocate(fd, 0x02 | 0x01, offset, length) == 0, os.strerror(ctypes.get_errno())


def watch_then(target, ring, act):
    """A Watch through `ring`: takes the eight frames that fill it, does `act` to the ring, then
    hands slots back as frames come. Returns the frames received and the error that ended it."""
    with grpc.insecure_channel(target) as channel:
        call = stream_pb2_grpc.SoccerStub(channel).Watch(
            stream_pb2.Match(id="sample", shared_memory=ring.request), timeout=30
        )
        got = 0
        try:
            for _ in range(SLOTS):
                next(call)
                got += 1
            act(ring)
            ring.hand_back(SLOTS)
            for _ in call:
                got += 1
                ring.hand_back()
            return got, None
        except grpc.RpcError as error:
            return got, error
