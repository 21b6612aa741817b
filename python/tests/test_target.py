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


SERVERS = [("127.0.0.1", 50061), ("127.0.0.1", 50062), ("127.0.0.1", 50063)]


def test_a_match_orders_the_servers_the_same_way_every_time_and_as_soccer_does() -> None:
    from soccerstream._target import by_match

    # The same orders `soccer --route-by-match` gives (Tests/SoccerClientTests/ServerTargetTests).
    assert [port for _, port in by_match(SERVERS, "sample")] == [50063, 50062, 50061]
    assert [port for _, port in by_match(SERVERS, "m3")] == [50061, 50062, 50063]
    assert by_match(SERVERS, "m1") == by_match(list(reversed(SERVERS)), "m1")


def test_matches_spread_over_the_servers_and_a_server_gone_moves_only_its_own() -> None:
    from collections import Counter

    from soccerstream._target import by_match

    ids = [f"match{n}" for n in range(3000)]
    first = {id: by_match(SERVERS, id)[0] for id in ids}
    counts = Counter(first.values())
    assert all(900 < counts[server] < 1100 for server in SERVERS), counts
    left = SERVERS[1:]
    for id in ids:
        after = by_match(left, id)[0]
        assert after == first[id] if first[id] != SERVERS[0] else after == by_match(SERVERS, id)[1]
