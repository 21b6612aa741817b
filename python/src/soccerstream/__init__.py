"""Frames of SoccerStream matches as numpy arrays: `connect`, then `frames`, `frames_at`,
`describe`, `list`, `upload` and `play`; `FrameSampler` deals matches out to workers;
`frame_url`, `stream_url` and `viewer_url` name a frame, a frame stream and the viewer's
page at a server's web API."""

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
    StaleFrame,
    Unauthenticated,
    Unavailable,
)
from ._frame import Frame
from ._play import Playback, Refusal
from ._sampler import Clip, FrameSampler
from ._urls import frame_url, stream_url, viewer_url

__version__ = "0.1.0"
"""The package's version, as `soccer --version` prints its own."""

__all__ = [
    "Cancelled",
    "Client",
    "Clip",
    "DataLoss",
    "DeadlineExceeded",
    "FailedPrecondition",
    "Frame",
    "FrameSampler",
    "Internal",
    "InvalidArgument",
    "MatchInfo",
    "NotFound",
    "OutOfRange",
    "PermissionDenied",
    "Playback",
    "Refusal",
    "ResourceExhausted",
    "SoccerError",
    "StaleFrame",
    "Unauthenticated",
    "Unavailable",
    "connect",
    "frame_url",
    "stream_url",
    "viewer_url",
]
