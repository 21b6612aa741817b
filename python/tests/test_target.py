"""What `server` names, turned into grpcio targets, as the CLI's --server reads it."""

import pytest

from soccerstream import InvalidArgument, Unavailable
from soccerstream._target import grpc_target


@pytest.mark.parametrize(
    ("server", "target"),
    [
        ("127.0.0.1:50051", "ipv4:127.0.0.1:50051"),
        ("127.0.0.1", "ipv4:127.0.0.1:50051"),
        ("50551", "ipv4:127.0.0.1:50551"),
        ("10.0.0.1:1,10.0.0.2:2", "ipv4:10.0.0.1:1,10.0.0.2:2"),
        ("[::1]:7000", "ipv6:[::1]:7000"),
        ("unix:/tmp/s.sock", "unix:/tmp/s.sock"),
        ("dns:///soccer.internal:50051", "dns:///soccer.internal:50051"),
    ],
)
def test_targets(server: str, target: str) -> None:
    assert grpc_target(server) == target


@pytest.mark.parametrize("server", ["", "host:port", "host:70000", "70000", "0", ":50051"])
def test_bad_targets_are_invalid_arguments(server: str) -> None:
    with pytest.raises(InvalidArgument):
        grpc_target(server)


def test_a_name_that_does_not_resolve_is_unreachable() -> None:
    with pytest.raises(Unavailable, match=r"cannot reach nosuchhost\.invalid:50051: no such host"):
        grpc_target("nosuchhost.invalid:50051")
