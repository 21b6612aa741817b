"""One exception hierarchy for everything the server or the connection can say, mapped in one place."""

from __future__ import annotations

import re

import grpc


class SoccerError(Exception):
    """A call failed: `code` is gRPC's status name, `message` the server's words, `replica` the
    replica that answered (None when no replica did)."""

    def __init__(self, message: str, *, code: str = "UNKNOWN", replica: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.replica = replica

    def __str__(self) -> str:
        where = f" (replica {self.replica})" if self.replica else ""
        return f"{self.code}: {self.message}{where}"


class InvalidArgument(SoccerError):
    """The request was wrong: a bad id, option or combination of options."""


class NotFound(SoccerError):
    """No such match."""


class FailedPrecondition(SoccerError):
    """The match cannot be served as asked: not a playable video, or frames over the server's cap."""


class OutOfRange(SoccerError):
    """A start or a chosen frame past the end of the match."""


class ResourceExhausted(SoccerError):
    """Over one of the server's limits: streams, frame memory, upload size."""


class Unauthenticated(SoccerError):
    """The token is missing or wrong."""


class PermissionDenied(SoccerError):
    """The credentials may not do this."""


class Unavailable(SoccerError):
    """The server could not be reached, or went away and the stream could not be resumed."""


class DeadlineExceeded(SoccerError):
    """The call's deadline passed."""


class StaleFrame(FailedPrecondition):
    """A frame taken with `zero_copy=True` was read after its shared-memory slot went back."""


class DataLoss(SoccerError):
    """The match's data is damaged, or a frame arrived that is not what was asked for."""


class Cancelled(SoccerError):
    """The call was cancelled (by the server after a stall or a pause, or by this client)."""


class Internal(SoccerError):
    """The server or a proxy failed in a way the protocol does not name."""


_BY_CODE: dict[grpc.StatusCode, type[SoccerError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.OUT_OF_RANGE: OutOfRange,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.DATA_LOSS: DataLoss,
    grpc.StatusCode.CANCELLED: Cancelled,
    grpc.StatusCode.INTERNAL: Internal,
}

# A failure of the stream, not of what it asked for: the server died or drained, the connection
# was lost, or a proxy reset the stream (Envoy says INTERNAL when its upstream went away).
_BREAKS_STREAM = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}


def replica_of(call: object) -> str | None:
    """The `soccer-replica` a call's server named in its initial metadata, if it did."""
    metadata = getattr(call, "initial_metadata", None)
    if metadata is None:
        return None
    try:
        for key, value in metadata() or ():
            if key == "soccer-replica":
                return value if isinstance(value, str) else bytes(value).decode(errors="replace")
    except (grpc.RpcError, ValueError):
        return None
    return None


def from_rpc_error(error: grpc.RpcError, replica: str | None = None) -> SoccerError:
    """The SoccerError for a failed grpcio call, in the project's words where grpcio's are its own."""
    code = error.code() if isinstance(error, grpc.Call) else grpc.StatusCode.UNKNOWN
    message = (error.details() if isinstance(error, grpc.Call) else None) or str(error)
    if code == grpc.StatusCode.UNAVAILABLE:
        message = unreachable(message)
    kind = _BY_CODE.get(code, SoccerError)
    return kind(message, code=code.name, replica=replica or replica_of(error))


# grpc-core names the address it failed to reach: "ipv4:127.0.0.1:50551: Failed to connect…".
_ADDRESS = re.compile(r"(?:ipv4:|ipv6:|unix:)(\[[^\]]+\]:\d+|[^\s,;]+?)(?::\s|\s|$)")
_CONNECTION_FAILURES = (
    (("connection refused",), "connection refused (is the server running, on this port?)"),
    (("dns resolution failed", "name or service not known", "could not resolve"), "no such host"),
    (("no such file or directory",), "no socket at that path (is the server running?)"),
    (("permission denied",), "permission denied on the socket"),
    (
        ("http1.x server", "http/1", "connection preface", "bad http", "failed parsing http/2"),
        "what answered there does not speak gRPC (an HTTP/1 server, or one that needs tls=True)",
    ),
    (("certificate verify failed",), "TLS failed: the server's certificate is not trusted (give its CA with ca=)"),
    (("handshake", "ssl", "tls"), "TLS failed (does the server use TLS, and this client too?)"),
    (("timed out", "timeout"), "the connection timed out"),
    (("failed to connect", "connections to all backends failing"), "no connection could be made"),
)


# What grpc-core's own UNAVAILABLE details begin or end with, as against a server's message.
_GRPC_CORE = (
    "failed to connect",
    "connections to all backends failing",
    "dns resolution failed",
    "socket closed",
    "connection reset",
    "stream removed",
    "goaway",
    "keepalive",
    "empty address list",
    "endpoint closing",
)


def unreachable(details: str, server: str | None = None) -> str:
    """grpc-core's words for an UNAVAILABLE call as ours: "cannot reach 127.0.0.1:50551:
    connection refused (…)", or, for a stream that had started, that the server went away."""
    lowered = details.lower()
    if not any(mark in lowered for mark in _GRPC_CORE):
        return details  # the server's own words (an origin it cannot reach, say)
    for needles, reason in _CONNECTION_FAILURES:
        if any(needle in lowered for needle in needles):
            found = _ADDRESS.search(details)
            where = server or (found.group(1) if found else "the server")
            return f"cannot reach {where}: {reason}"
    return "the server went away or is shutting down"


def breaks_stream(error: grpc.RpcError) -> bool:
    """Whether re-issuing the stream, elsewhere if need be, may get the rest of its frames."""
    return isinstance(error, grpc.Call) and error.code() in _BREAKS_STREAM
