"""One exception hierarchy for everything the server or the connection can say, mapped in one place."""

from __future__ import annotations

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
    """The SoccerError for a failed grpcio call."""
    code = error.code() if isinstance(error, grpc.Call) else grpc.StatusCode.UNKNOWN
    message = (error.details() if isinstance(error, grpc.Call) else None) or str(error)
    kind = _BY_CODE.get(code, SoccerError)
    return kind(message, code=code.name, replica=replica or replica_of(error))


def breaks_stream(error: grpc.RpcError) -> bool:
    """Whether re-issuing the stream, elsewhere if need be, may get the rest of its frames."""
    return isinstance(error, grpc.Call) and error.code() in _BREAKS_STREAM
