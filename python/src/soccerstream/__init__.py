"""Frames of SoccerStream matches as numpy arrays: `connect`, then `frames`, `frames_at`,
`describe` and `list`."""

from ._client import Client, MatchInfo, connect
from ._errors import (
    Cancelled,
    DataLoss,
    DeadlineExceeded,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    NotFound,
    OutOfRange,
    PermissionDenied,
    ResourceExhausted,
    SoccerError,
    Unauthenticated,
    Unavailable,
)
from ._video import Frame

__all__ = [
    "Cancelled",
    "Client",
    "DataLoss",
    "DeadlineExceeded",
    "FailedPrecondition",
    "Frame",
    "Internal",
    "InvalidArgument",
    "MatchInfo",
    "NotFound",
    "OutOfRange",
    "PermissionDenied",
    "ResourceExhausted",
    "SoccerError",
    "Unauthenticated",
    "Unavailable",
    "connect",
]
