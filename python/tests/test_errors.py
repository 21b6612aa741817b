"""grpcio's failures as the package's exceptions, in the project's words."""

import grpc
import pytest

from soccerstream import DataLoss, OutOfRange, SoccerError, Unavailable
from soccerstream._errors import breaks_stream, from_rpc_error, unreachable


class FakeCall(grpc.RpcError, grpc.Call):
    """A failed call as grpcio raises it: a code and details."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code = code
        self._details = details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details

    def initial_metadata(self) -> tuple[tuple[str, str], ...]:
        return (("soccer-replica", "r2"),)

    def trailing_metadata(self) -> tuple[tuple[str, str | bytes], ...]:  # type: ignore[override]
        return ()

    def is_active(self) -> bool:
        return False

    def time_remaining(self) -> float:
        return 0.0

    def cancel(self) -> bool:
        return False

    def add_callback(self, callback: object) -> bool:
        return False


@pytest.mark.parametrize(
    ("details", "message"),
    [
        (
            "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:50551: "
            "Failed to connect to remote host: connect: Connection refused (111)",
            "cannot reach 127.0.0.1:50551: connection refused (is the server running, on this port?)",
        ),
        (
            "connections to all backends failing; last error: UNAVAILABLE: ipv4:127.0.0.1:4: Failed parsing HTTP/2",
            "cannot reach 127.0.0.1:4: what answered there does not speak gRPC (an HTTP/1 server, or one "
            "that needs tls=True)",
        ),
        (
            "failed to connect to all addresses; last error: UNKNOWN: unix:/no/s.sock: No such file or directory",
            "cannot reach /no/s.sock: no socket at that path (is the server running?)",
        ),
        ("Socket closed", "the server went away or is shutting down"),
        # The server's own words (an origin it cannot reach) stay as they are.
        ("the media store http://x/ cannot be reached: connection refused", None),
    ],
)
def test_unavailable_in_plain_words(details: str, message: str | None) -> None:
    assert unreachable(details) == (message or details)
    error = from_rpc_error(FakeCall(grpc.StatusCode.UNAVAILABLE, details))
    assert isinstance(error, Unavailable) and error.message == (message or details)
    assert "ipv4:" not in error.message and "UNKNOWN" not in error.message


def test_each_status_has_its_class_and_the_replica() -> None:
    error = from_rpc_error(FakeCall(grpc.StatusCode.OUT_OF_RANGE, "frame 1000 is past the end"))
    assert isinstance(error, OutOfRange) and error.replica == "r2" and error.code == "OUT_OF_RANGE"
    assert isinstance(from_rpc_error(FakeCall(grpc.StatusCode.DATA_LOSS, "cut short")), DataLoss)
    other = from_rpc_error(FakeCall(grpc.StatusCode.UNIMPLEMENTED, "no Play"))
    assert type(other) is SoccerError and other.code == "UNIMPLEMENTED"


def test_which_failures_break_a_stream() -> None:
    assert breaks_stream(FakeCall(grpc.StatusCode.UNAVAILABLE, ""))
    assert breaks_stream(FakeCall(grpc.StatusCode.INTERNAL, ""))
    assert not breaks_stream(FakeCall(grpc.StatusCode.NOT_FOUND, ""))
