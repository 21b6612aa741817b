"""FrameSampler's dealing: every match to exactly one share."""

import pytest

from soccerstream import Clip, FrameSampler, InvalidArgument


def never_connect() -> object:
    raise AssertionError("dealing connects to nothing")


def test_items_are_dealt_round_the_shares_and_together_cover_every_one() -> None:
    ids = [f"m{i}" for i in range(7)]
    shares = [FrameSampler(never_connect, ids, shard=(k, 3)).items() for k in range(3)]  # type: ignore[arg-type]
    assert [[c.id for c in share] for share in shares] == [["m0", "m3", "m6"], ["m1", "m4"], ["m2", "m5"]]
    assert sorted(c.id for share in shares for c in share) == sorted(ids)


def test_clips_keep_their_range() -> None:
    sampler = FrameSampler(never_connect, [Clip("a", 10, 5), "b"])  # type: ignore[arg-type]
    assert sampler.items() == [Clip("a", 10, 5), Clip("b")]


@pytest.mark.parametrize("shard", [(0, 0), (2, 2), (-1, 2)])
def test_a_bad_shard_is_refused(shard: tuple[int, int]) -> None:
    with pytest.raises(InvalidArgument):
        FrameSampler(never_connect, ["a"], shard=shard)  # type: ignore[arg-type]


def test_a_share_with_nothing_to_read_warns_and_connects_to_nothing() -> None:
    sampler = FrameSampler(never_connect, ["a"], shard=(1, 2))  # type: ignore[arg-type]
    with pytest.warns(RuntimeWarning, match="share 1 of 2 has no match to read"):
        assert list(sampler) == []
