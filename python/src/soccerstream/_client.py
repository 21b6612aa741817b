"""The client: one channel to a server (or several), and the calls of `stream.Soccer`."""

from __future__ import annotations

import builtins
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
import numpy as np
import numpy.typing as npt

from ._allocator import keep_frame_memory
from ._closing import ClosedOnExit
from ._errors import (
    DataLoss,
    InvalidArgument,
    ResourceExhausted,
    SoccerError,
    breaks_stream,
    from_rpc_error,
    replica_of,
)
from ._frame import Frame
from ._images import EncodingName
from ._output import Output, PixelFormatName
from ._play import Playback
from ._proto import stream_pb2
from ._shared_memory import DEFAULT_SLOTS, PLAY_SLOTS, Ring, frame_bytes_for, slot_bytes_for
from ._shared_memory import available as rings_available
from ._target import address_list, by_match, endpoints, grpc_target
from ._upload import UploadSource
from ._video import RawVideo, parse_video

# grpcio reads a socket 4 MiB at a time: a 1080p frame is 6.2 MB, and its default chunks
# (a few KiB up to 256 KiB) cost a read call, and a slice to join, for every piece of it.
_READ_CHUNK = 4 << 20
_RingMaker = Callable[[], Ring]
# Indices one frames_at request carries at most (the server's limit).
_MAX_INDICES = 10_000


@dataclass(frozen=True)
class MatchInfo:
    """What the server says about a match."""

    id: str
    width: int
    height: int
    frame_rate: float
    duration_seconds: float
    frame_count: int
    frame_count_exact: bool
    codec: str
    source_pixel_format: str
    damage: str = ""
    """Why the file cannot be played whole, as far as its container shows; "" when it looks whole."""


def _serialize(message: Any) -> bytes:
    """A request message's bytes (every request type is a protobuf message)."""
    return bytes(message.SerializeToString())


def _match_info(info: stream_pb2.MatchInfo, id: str) -> MatchInfo:
    return MatchInfo(
        id=info.id or id,
        width=info.width,
        height=info.height,
        frame_rate=info.frame_rate,
        duration_seconds=info.duration_seconds,
        frame_count=info.frame_count,
        frame_count_exact=info.frame_count_exact,
        codec=info.codec,
        source_pixel_format=info.source_pixel_format,
        damage=info.damage,
    )


@dataclass
class _Sent:
    """What a stream of frames has yielded so far, across the streams that resumed it."""

    last: int | None = None
    count: int = 0


def _retry_delay(retry: int) -> float:
    """A moment for a balancer to see a server gone before retry `retry` (from 1): 0.1 s, 0.2 s, … 2 s."""
    return min(2.0, 0.1 * (1 << min(retry - 1, 5)))


MATCH_HEADER = "soccer-match"
"""The header that names the match a call is about."""
_MATCH_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


class _Calls:
    """The service's methods on one channel."""

    def __init__(self, channel: grpc.Channel) -> None:
        self.channel = channel
        service = "/stream.Soccer/"
        self.watch = channel.unary_stream(
            service + "Watch", request_serializer=_serialize, response_deserializer=parse_video
        )
        self.play = channel.stream_stream(
            service + "Play", request_serializer=_serialize, response_deserializer=parse_video
        )
        self.describe = channel.unary_unary(
            service + "Describe", request_serializer=_serialize, response_deserializer=stream_pb2.MatchInfo.FromString
        )
        self.upload = channel.stream_unary(
            service + "Upload", request_serializer=_serialize, response_deserializer=stream_pb2.MatchInfo.FromString
        )
        self.list = channel.unary_unary(
            service + "List", request_serializer=_serialize, response_deserializer=stream_pb2.MatchList.FromString
        )


class _ByMatch:
    """Channels that try a list of servers in the order a match's id gives them (`by_match`):
    the first that answers takes every call about the match. One channel per order in use."""

    def __init__(self, servers: list[tuple[str, int]], open_channel: Callable[[str], grpc.Channel]) -> None:
        self._servers = servers
        self._open = open_channel
        self._calls: dict[tuple[tuple[str, int], ...], _Calls] = {}
        self._lock = threading.Lock()

    def calls(self, id: str) -> _Calls:
        order = tuple(by_match(self._servers, id))
        with self._lock:
            calls = self._calls.get(order)
            if calls is None:
                calls = self._calls[order] = _Calls(self._open(address_list(list(order))))
            return calls

    def close(self) -> None:
        with self._lock:
            for calls in self._calls.values():
                calls.channel.close()
            self._calls.clear()


class Client(ClosedOnExit):
    """A connection to a SoccerStream server, or to several behind one name or list.

    Made by `connect`; a context manager that closes its channel. Safe to share between threads.
    """

    def __init__(
        self,
        channel: grpc.Channel,
        *,
        token: str | None,
        deadline: float | None,
        shared_memory: bool | None = False,
        by_match: _ByMatch | None = None,
    ) -> None:
        self._channel = channel
        # None: try it, and go without it from the first server that does not allow it.
        self._shared_memory = shared_memory
        self._metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token}"),) if token else ()
        self._deadline = deadline
        self._any = _Calls(channel)
        self._by_match = by_match

    def close(self) -> None:
        """Closes the channel; calls in flight end with `Cancelled`."""
        self._channel.close()
        if self._by_match is not None:
            self._by_match.close()

    @property
    def shared_memory(self) -> bool:
        """Whether frames come through shared memory: asked for, and not refused by the server."""
        return self._shared_memory is not False

    def _calls(self, id: str) -> _Calls:
        """The channel for calls about match `id`: its servers in its order, with `by_match`."""
        return self._by_match.calls(id) if self._by_match is not None else self._any

    def _about(self, id: str) -> tuple[tuple[str, str], ...]:
        """The metadata of a call about match `id`: `soccer-match` names it, so that a balancer in
        front of replicas can send every call about one match to the same replica. An id no
        server takes is left out (a header could not carry every one): any replica refuses it."""
        return (*self._metadata, (MATCH_HEADER, id)) if _MATCH_ID.fullmatch(id) else self._metadata

    def describe(self, id: str) -> MatchInfo:
        """What the container of match `id` says: size, frame rate, duration, frame count, codec."""
        try:
            info = self._calls(id).describe(stream_pb2.Match(id=id), timeout=self._deadline, metadata=self._about(id))
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None
        return _match_info(info, id)

    def upload(
        self,
        path: str | os.PathLike[str],
        id: str | None = None,
        *,
        replace: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> MatchInfo:
        """Uploads the file at `path` as match `id` (its name without ".mp4" by default),
        replacing a match of that id when `replace`. The file is checked (a readable, non-empty
        regular file) and hashed before anything is sent; the server checks its size, SHA-256
        and first and last frames before publishing it. `progress` hears the bytes sent so far.
        Returns the new match as the server describes it."""
        source = UploadSource(path)
        digest = source.sha256()
        chunks = source.chunks(id or source.default_id, digest, replace, progress)
        try:
            match = id or source.default_id
            info = self._calls(match).upload(chunks, metadata=self._about(match))
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None
        return _match_info(info, id or source.default_id)

    def play(
        self,
        id: str,
        *,
        start_frame: int = 0,
        start_seconds: float = 0.0,
        every: int = 1,
        width: int | None = None,
        height: int | None = None,
        format: PixelFormatName = "bgr",
        real_time: bool = True,
        encoding: EncodingName = "raw",
        quality: int | None = None,
        decode: bool = True,
        zero_copy: bool = False,
    ) -> Playback:
        """Plays match `id` under commands (`pause`, `resume`, `seek`, `speed`, `step`, `resize`
        on the `Playback` returned); iterating it gives the frames, those sent before the last
        seek dropped. `encoding`, `quality`, `decode` and `zero_copy` are as `frames` takes them."""
        output = Output(width, height, format, encoding, quality, decode, zero_copy)
        match = output.match(id, start_frame=start_frame, start_seconds=start_seconds, every=every, real_time=real_time)
        # A Play ring holds full-size frames, so that every resize fits.
        rings = self._rings(id, Output(None, None, format, encoding, quality, decode, zero_copy), slots=PLAY_SLOTS)

        def refused(error: grpc.RpcError) -> bool:
            if self._shared_memory is None and _refuses_rings(error):
                self._shared_memory = False
                return True
            return False

        return Playback(
            match,
            lambda commands: self._calls(id).play(commands, metadata=self._about(id)),
            self._ring(rings),
            refused,
            decode,
        )

    def list(self) -> builtins.list[str]:
        """The ids of the server's matches."""
        try:
            answer = self._any.list(stream_pb2.ListRequest(), timeout=self._deadline, metadata=self._metadata)
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None
        return list(answer.ids)

    def frames(
        self,
        id: str,
        *,
        start_frame: int = 0,
        start_seconds: float = 0.0,
        every: int = 1,
        count: int | None = None,
        width: int | None = None,
        height: int | None = None,
        format: PixelFormatName = "bgr",
        real_time: bool = False,
        retries: int = 3,
        encoding: EncodingName = "raw",
        quality: int | None = None,
        decode: bool = True,
        zero_copy: bool = False,
    ) -> Iterator[Frame]:
        """The frames of match `id`, from `start_frame` (or `start_seconds`), every `every`th, at
        most `count`, fitted within `width` x `height` (aspect kept, never enlarged).

        `encoding="jpeg"` (at `quality` 1-100, 90 by default) or `"png"` has the server send each
        frame as that file, a fraction of the bytes for a thin link: `Frame.array` is the same
        array as raw (PNG exactly, JPEG within its loss), decoded with OpenCV (the `images`
        extra), and `Frame.encoded` the file; with `decode=False` the array is decoded only when
        first read.

        Through shared memory (see `connect`) a frame's array views the slot the server wrote it
        into, and stays as it is however long it is kept: a slot whose array is still alive when
        it goes back to the server is first swapped for a private copy. `zero_copy=True` skips
        that check and copy: each array is then valid only until the next frame is taken (reading
        `Frame.array` after that raises `StaleFrame`; an array already taken changes silently),
        so copy what you keep.

        A stream that breaks (a server killed or drained, a lost connection) is asked for again
        from the frame after the last one yielded, on another replica when there is one, up to
        `retries` times; each frame is yielded once.
        """
        if start_frame and start_seconds:
            raise InvalidArgument("start_frame and start_seconds do not go together", code="INVALID_ARGUMENT")
        if every < 1 or (count is not None and count < 0) or start_frame < 0 or retries < 0:
            raise InvalidArgument(
                "every must be 1 or more; count, start_frame and retries 0 or more", code="INVALID_ARGUMENT"
            )
        output = Output(width, height, format, encoding, quality, decode, zero_copy)
        match = output.match(id, start_frame=start_frame, start_seconds=start_seconds, every=every, real_time=real_time)
        match.max_frames = count or 0
        if count == 0:
            return
        sent = _Sent()
        rings = self._rings(id, output)
        for video, replica, ring in self._resuming(
            match, retries, lambda: self._resume(match, sent, every, count), rings
        ):
            # A server that ignores start_frame sends the match from its start again.
            if sent.last is not None and video.frame_index <= sent.last:
                continue
            sent.last = video.frame_index
            sent.count += 1
            # Not bound to a name here: the ring sees whether the consumer still holds it.
            yield video.frame(replica, ring, decode)
            if count is not None and sent.count >= count:
                return

    def frames_at(
        self,
        id: str,
        indices: Sequence[int],
        *,
        width: int | None = None,
        height: int | None = None,
        format: PixelFormatName = "bgr",
        retries: int = 3,
        encoding: EncodingName = "raw",
        quality: int | None = None,
    ) -> npt.NDArray[np.uint8]:
        """The frames at `indices` of match `id`, in that order (repeats allowed), as one
        `(n, height, width, channels)` array (`(n, height, width)` for gray), each landed on
        exactly through the match's keyframes: the cost follows the frames asked for, not where
        they lie nor their order."""
        out: npt.NDArray[np.uint8] | None = None
        n = len(indices)
        self._check_fits(id, n, Output(width, height, format, encoding, quality))
        for i, frame in enumerate(
            self.iter_frames_at(
                id,
                indices,
                width=width,
                height=height,
                format=format,
                retries=retries,
                encoding=encoding,
                quality=quality,
                zero_copy=True,
            )
        ):
            if out is None:
                out = np.empty((n, *frame.array.shape), dtype=np.uint8)
            out[i] = frame.array
            # Let go of before the next is asked for: its shared-memory slot then goes back uncopied.
            del frame
        assert out is not None  # iter_frames_at yields every index or raises
        return out

    def _check_fits(self, id: str, n: int, output: Output) -> None:
        """Raises before anything is asked for when `n` frames would not fit in the memory free now."""
        if n < 1000:
            return
        free = _free_memory()
        info = self.describe(id)
        need = n * frame_bytes_for(info.width, info.height, output.channels, output.width or 0, output.height or 0)
        if free is not None and need > free:
            raise ResourceExhausted(
                f"{n} frames of {id!r} make an array of about {need / 1e9:.1f} GB, more than the "
                f"{free / 1e9:.1f} GB of memory free here: take them one at a time with iter_frames_at, "
                "or ask for smaller frames (width, height)",
                code="RESOURCE_EXHAUSTED",
            )

    def iter_frames_at(
        self,
        id: str,
        indices: Sequence[int],
        *,
        width: int | None = None,
        height: int | None = None,
        format: PixelFormatName = "bgr",
        retries: int = 3,
        encoding: EncodingName = "raw",
        quality: int | None = None,
        decode: bool = True,
        zero_copy: bool = False,
    ) -> Iterator[Frame]:
        """The frames at `indices`, one at a time, as `frames` yields them (see `frames_at`)."""
        wanted = _indices(indices)
        if not wanted:
            raise InvalidArgument("no frame indices given", code="INVALID_ARGUMENT")
        if any(i < 0 for i in wanted):
            raise InvalidArgument("frame indices are 0 or more", code="INVALID_ARGUMENT")
        output = Output(width, height, format, encoding, quality, decode, zero_copy)
        for start in range(0, len(wanted), _MAX_INDICES):
            yield from self._frames_at(id, wanted[start : start + _MAX_INDICES], output, retries)

    def _frames_at(self, id: str, wanted: builtins.list[int], output: Output, retries: int) -> Iterator[Frame]:
        match = output.match(id)
        match.frame_indices.extend(wanted)
        got = 0
        rings = self._rings(id, output)

        def resume() -> stream_pb2.Match:
            again = stream_pb2.Match()
            again.CopyFrom(match)
            del again.frame_indices[:]
            again.frame_indices.extend(wanted[got:])
            return again

        for video, replica, ring in self._resuming(match, retries, resume, rings):
            if got == len(wanted) or video.frame_index != wanted[got]:
                raise DataLoss(
                    f"the server sent frame {video.frame_index} where frame "
                    f"{wanted[got] if got < len(wanted) else 'none'} was asked for: it may not know frame_indices",
                    code="DATA_LOSS",
                    replica=replica,
                )
            got += 1
            yield video.frame(replica, ring, output.decode)
        if got < len(wanted):
            raise DataLoss(f"the stream ended after {got} of {len(wanted)} frames asked for", code="DATA_LOSS")

    @staticmethod
    def _resume(match: stream_pb2.Match, sent: _Sent, every: int, count: int | None) -> stream_pb2.Match:
        """`match` from the frame after the last one yielded, for the frames not yet yielded."""
        again = stream_pb2.Match()
        again.CopyFrom(match)
        if sent.last is not None:
            again.start_seconds = 0
            again.start_frame = sent.last + every
            if count is not None:
                again.max_frames = count - sent.count
        return again

    def _rings(self, id: str, output: Output, slots: int = DEFAULT_SLOTS) -> _RingMaker | None:
        """What makes a ring for each stream of `id` (each attempt gets a new one), when frames
        are to come through shared memory: raw frames only, which is what a ring carries."""
        if self._shared_memory is False or output.encoding != "raw":
            return None
        info = self.describe(id)
        slot_bytes = slot_bytes_for(info.width, info.height, output.channels, output.width or 0, output.height or 0)
        # Unless zero_copy, the consumer's newest frame waits a call before its slot goes back:
        # a slot more keeps the server as far ahead.
        slots += 0 if output.zero_copy else 1
        zero_copy = output.zero_copy
        return lambda: Ring(slots, slot_bytes, zero_copy=zero_copy)

    def _resuming(
        self, match: stream_pb2.Match, retries: int, resume: Any, rings: _RingMaker | None = None
    ) -> Iterator[tuple[RawVideo, str | None, Ring | None]]:
        """The messages of a Watch of `match`, re-issued as `resume()` says after a break; through
        a new ring from `rings` each time, when given, whose slots go back as the next is taken."""
        request = match
        retry = 0
        while True:
            ring = self._ring(rings)
            sent = request
            if ring is not None:
                sent = stream_pb2.Match()
                sent.CopyFrom(request)
                sent.shared_memory.CopyFrom(ring.request())
            call = self._calls(request.id).watch(sent, timeout=self._deadline, metadata=self._about(request.id))
            replica: str | None = None
            received = False
            try:
                for video in call:
                    if replica is None:
                        replica = replica_of(call)
                    if ring is not None and not received:
                        ring.unlink()  # the server has it open: nothing is left in /dev/shm
                    received = True
                    yield video, replica, ring
                    if ring is not None and video.slot is not None:
                        ring.release(video.slot[1])
                return
            except grpc.RpcError as error:
                if ring is not None and not received and self._shared_memory is None and _refuses_rings(error):
                    self._shared_memory = False
                    continue
                if not breaks_stream(error) or retry >= retries:
                    raise from_rpc_error(error, replica) from None
                retry += 1
                time.sleep(_retry_delay(retry))
                request = resume()
            except SoccerError as error:
                if error.replica is None:
                    error.replica = replica
                raise
            finally:
                call.cancel()
                if ring is not None:
                    ring.unlink()

    def _ring(self, rings: _RingMaker | None) -> Ring | None:
        """A new ring from `rings` when frames go through shared memory; None when they do not, or
        when this machine cannot make one and shared memory was not insisted on."""
        if rings is None or self._shared_memory is False:
            return None
        try:
            return rings()
        except OSError as error:
            if self._shared_memory is None:
                self._shared_memory = False
                return None
            raise ResourceExhausted(
                f"cannot make a shared-memory ring in /dev/shm: {error.strerror}; free some room there, or "
                "connect with shared_memory=None to go through the socket when it is full",
                code="RESOURCE_EXHAUSTED",
            ) from None


def _indices(indices: Sequence[int]) -> builtins.list[int]:
    """The frame indices as ints: whole numbers only (Python's or numpy's), never rounded."""
    wanted = []
    for index in indices:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"frame indices are whole numbers, not {index!r} ({type(index).__name__})")
        wanted.append(int(index))
    return wanted


def _free_memory() -> int | None:
    """Bytes of memory available now (Linux's MemAvailable); None where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _refuses_rings(error: grpc.RpcError) -> bool:
    """Whether the server said it takes no shared memory (off, or this is not its Unix socket)."""
    details = error.details() if isinstance(error, grpc.Call) else ""
    return error.code() == grpc.StatusCode.FAILED_PRECONDITION and (details or "").startswith("shared memory")


def connect(
    server: str = "127.0.0.1:50051",
    *,
    tls: bool = False,
    ca: str | os.PathLike[str] | None = None,
    cert: str | os.PathLike[str] | None = None,
    key: str | os.PathLike[str] | None = None,
    token: str | None = None,
    token_file: str | os.PathLike[str] | None = None,
    authority: str | None = None,
    deadline: float | None = None,
    shared_memory: bool | None = None,
    by_match: bool = False,
) -> Client:
    """A client of `server`: "host:port", a comma-separated list of them (calls go round robin
    over every address), "dns:///NAME:PORT" (every address the name has) or "unix:PATH".

    `tls` (implied by `ca`, `cert` or `key`) checks the server against `ca` (PEM file; the
    system's CAs without it) and presents `cert`/`key` when given (mutual TLS). The bearer token
    comes from `token`, `token_file`, or the SOCCER_TOKEN environment variable. `authority`
    overrides the name the server is checked and addressed by; `deadline` bounds every call,
    in seconds.

    On a "unix:PATH" target, frames come through shared memory when the server allows it (a ring
    in /dev/shm the server converts frames straight into), with arrays that never change however
    long they are kept (see `frames` for `zero_copy`). `shared_memory=False` turns that off; True
    insists on it (a refusal is then the server's error).

    `by_match=True` with a list of servers (or a name with several addresses) sends every call
    about one match to the same server, the first that answers in the order its id gives them
    (rendezvous hashing, as `soccer --route-by-match` and Envoy's hash in deploy/ do it), so that
    a match's streams meet on one server, share its decode and find its frames cached there;
    when that server goes, its matches move to the next in their order and no other match moves.

    On glibc the first connect keeps up to 128 MiB of freed heap for reuse (mallopt), so frames
    are not faulted in afresh each time; SOCCERSTREAM_MALLOC=default leaves the allocator alone.
    """
    if token is not None and token_file is not None:
        raise InvalidArgument("give token or token_file, not both", code="INVALID_ARGUMENT")
    if (cert is None) != (key is None):
        raise InvalidArgument("cert and key go together", code="INVALID_ARGUMENT")
    if token_file is not None:
        try:
            with open(token_file, encoding="utf-8") as f:
                token = f.read().strip()
        except OSError as error:
            raise InvalidArgument(f"cannot read the token file: {error.strerror}", code="INVALID_ARGUMENT") from None
    elif token is None:
        token = os.environ.get("SOCCER_TOKEN") or None
    keep_frame_memory()
    target = grpc_target(server)
    if shared_memory is None:
        shared_memory = None if target.startswith("unix:") and rings_available() else False
    elif shared_memory and not target.startswith("unix:"):
        raise InvalidArgument(
            "shared memory works only over the server's Unix socket: give a unix:PATH server",
            code="INVALID_ARGUMENT",
        )
    options: list[tuple[str, Any]] = [
        ("grpc.max_receive_message_length", -1),
        ("grpc.lb_policy_name", "round_robin"),
        ("grpc.experimental.tcp_read_chunk_size", _READ_CHUNK),
        ("grpc.experimental.tcp_min_read_chunk_size", _READ_CHUNK),
        ("grpc.experimental.tcp_max_read_chunk_size", _READ_CHUNK),
    ]
    if authority:
        options.append(("grpc.default_authority", authority))
    if tls or ca is not None or cert is not None:

        def read(path: str | os.PathLike[str] | None) -> bytes | None:
            if path is None:
                return None
            try:
                with open(path, "rb") as f:
                    return f.read()
            except OSError as error:
                raise InvalidArgument(
                    f"cannot read {os.fspath(path)}: {error.strerror}", code="INVALID_ARGUMENT"
                ) from None

        credentials = grpc.ssl_channel_credentials(read(ca), read(key), read(cert))
        if authority:
            options.append(("grpc.ssl_target_name_override", authority))

        def open_channel(target: str, options: list[tuple[str, Any]] = options) -> grpc.Channel:
            return grpc.secure_channel(target, credentials, options=options)

    else:

        def open_channel(target: str, options: list[tuple[str, Any]] = options) -> grpc.Channel:
            return grpc.insecure_channel(target, options=options)

    routing = None
    if by_match:
        if server.strip().startswith(("unix:", "dns:")):
            raise InvalidArgument(
                "by_match takes a list of servers or a host name, not a unix: or dns: target", code="INVALID_ARGUMENT"
            )
        # The first server of a match's order that answers takes its calls.
        first_that_answers = [(key, value) for key, value in options if key != "grpc.lb_policy_name"]
        routing = _ByMatch(
            endpoints(server),
            lambda target: open_channel(target, [*first_that_answers, ("grpc.lb_policy_name", "pick_first")]),
        )
    channel = open_channel(target)
    return Client(channel, token=token, deadline=deadline, shared_memory=shared_memory, by_match=routing)
