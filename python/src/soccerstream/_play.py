"""Play from Python: a stream of frames under commands sent while it runs."""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc

from ._closing import ClosedOnExit
from ._errors import from_rpc_error, replica_of
from ._frame import Frame
from ._proto import stream_pb2
from ._shared_memory import Ring
from ._video import RawVideo


@dataclass(frozen=True)
class Refusal:
    """A command the server refused (a seek past the end, a resize too big); the stream went on."""

    command: int
    """The refused command's sequence number."""
    code: str
    """gRPC's name for why: "OUT_OF_RANGE", "FAILED_PRECONDITION", "RESOURCE_EXHAUSTED", …"""
    message: str


def _code_name(code: int) -> str:
    for status in grpc.StatusCode:
        if status.value[0] == code:
            return str(status.name)
    return f"CODE_{code}"


class Playback(ClosedOnExit):
    """One Play stream: commands go out as they are called; iterating gives the frames, those
    sent before the last seek (or step back, or resize) dropped.

    Through shared memory, a frame's array is valid until the next frame is taken, as with
    `Client.frames`. Made by `Client.play`; a context manager that ends the stream.
    """

    def __init__(
        self,
        start: stream_pb2.Match,
        open_call: Any,
        ring: Ring | None = None,
        refused: Callable[[grpc.RpcError], bool] | None = None,
        decode: bool = True,
    ) -> None:
        self._start = start
        self._decode = decode
        self._open_call = open_call
        self._ring = ring
        self._refused = refused
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()
        self._floor = 0
        self.refusals: list[Refusal] = []
        """The refusals received so far, in order."""
        # Commands sent before the first message, replayed if the stream is opened again
        # without shared memory; None once a message came.
        self._early: list[stream_pb2.PlayControl] | None = []
        self._replica: str | None = None
        self._closed = False
        with self._lock:
            self._open()

    @property
    def shared_memory(self) -> bool:
        """Whether the frames come through a shared-memory ring."""
        return self._ring is not None

    def _open(self) -> None:
        start = stream_pb2.Match()
        start.CopyFrom(self._start)
        if self._ring is not None:
            start.shared_memory.CopyFrom(self._ring.request())
        self._commands: queue.Queue[stream_pb2.PlayControl | None] = queue.Queue()
        self._commands.put(stream_pb2.PlayControl(sequence=0, start=start))
        for command in self._early or []:
            self._commands.put(command)
        self._call = self._open_call(iter(self._commands.get, None))

    def close(self) -> None:
        """Ends the stream."""
        self._closed = True
        self._commands.put(None)
        self._call.cancel()
        if self._ring is not None:
            self._ring.unlink()

    def _send(self, moves: bool = False, **action: Any) -> int:
        with self._lock:
            sequence = next(self._sequence)
            if moves:
                self._floor = sequence
            command = stream_pb2.PlayControl(sequence=sequence, **action)
            if self._early is not None:
                self._early.append(command)
            self._commands.put(command)
        return sequence

    def pause(self) -> int:
        """Pauses; returns the command's sequence number."""
        return self._send(pause=stream_pb2.Pause())

    def resume(self) -> int:
        """Resumes after a pause."""
        return self._send(resume=stream_pb2.Resume())

    def seek(self, *, frame: int | None = None, seconds: float | None = None) -> int:
        """Goes to a frame index or a time; the next frame is the one there."""
        if (frame is None) == (seconds is None):
            raise ValueError("seek takes frame or seconds")
        target = stream_pb2.Seek(frame=frame) if frame is not None else stream_pb2.Seek(seconds=seconds)
        return self._send(moves=True, seek=target)

    def speed(self, x: float) -> int:
        """Paces frames at `x` times their own rate (0.01 to 100)."""
        return self._send(speed=x)

    def step(self, n: int = 1) -> int:
        """Pauses and sends `n` frames forward, or the one before with -1."""
        return self._send(moves=n < 0, step=stream_pb2.Step(frames=n))

    def resize(self, width: int = 0, height: int = 0) -> int:
        """Frames fitted within `width` x `height` from the next one on (0: no limit)."""
        return self._send(moves=True, resize=stream_pb2.Resize(max_width=width, max_height=height))

    def __iter__(self) -> Iterator[Frame]:
        while True:
            try:
                yield from self._frames()
                return
            except grpc.RpcError as error:
                if self._closed:
                    return
                ring = self._ring
                if ring is not None and self._early is not None and self._refused and self._refused(error):
                    # The server takes no shared memory: the same stream again, through the socket.
                    ring.unlink()
                    with self._lock:
                        self._ring = None
                        self._open()
                    continue
                raise from_rpc_error(error, self._replica) from None

    def _frames(self) -> Iterator[Frame]:
        ring = self._ring
        for video in self._call:
            if self._early is not None:
                with self._lock:
                    self._early = None
                if ring is not None:
                    ring.unlink()  # the server has it open: nothing is left in /dev/shm
            if self._replica is None:
                self._replica = replica_of(self._call)
            message: RawVideo = video
            if message.refusal is not None:
                at, length = message.refusal
                refusal = stream_pb2.CommandRefusal.FromString(message.raw[at : at + length])
                self.refusals.append(Refusal(message.command, _code_name(refusal.code), refusal.message))
                continue
            with self._lock:
                stale = message.command < self._floor
            if not stale:
                yield message.frame(self._replica, ring, self._decode)
            # A slot goes back once its frame is dropped or the next one is asked for.
            if ring is not None and message.slot is not None:
                ring.release(message.slot[1])
