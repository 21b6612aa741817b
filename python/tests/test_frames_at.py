"""frames_at's checks before it asks the server for anything."""

import grpc
import pytest

import soccerstream._client as client_module
from soccerstream import Client, MatchInfo, ResourceExhausted
from soccerstream._output import Output


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Client:
    """A client whose server is never reached: Describe answers 1080p, and 1 GB is free."""
    made = Client(grpc.insecure_channel("127.0.0.1:1"), token=None, deadline=1)
    info = MatchInfo("m", 1920, 1080, 25.0, 60.0, 1500, True, "h264", "yuv420p")
    monkeypatch.setattr(made, "describe", lambda id: info)
    monkeypatch.setattr(client_module, "_free_memory", lambda: 1_000_000_000)
    return made


def test_an_array_larger_than_the_free_memory_is_refused_first(client: Client) -> None:
    # 200 full 1080p frames are 1.25 GB: more than is free.
    with pytest.raises(ResourceExhausted, match="iter_frames_at"):
        client.frames_at("m", list(range(200)) * 6)


def test_smaller_frames_fit_and_are_not_refused_by_the_check(client: Client) -> None:
    # The same count at 320 wide is about 35 MB: the check passes and the call goes on.
    client._check_fits("m", 1200, Output(320, None, "bgr"))
    client._check_fits("m", 1200, Output(640, None, "gray"))
    # Full-size gray frames are a third of BGR's, still 2.5 GB for 1200 of them.
    with pytest.raises(ResourceExhausted):
        client._check_fits("m", 1200, Output(None, None, "gray"))


@pytest.mark.parametrize("bad", [1.5, "3", True])
def test_indices_are_whole_numbers(client: Client, bad: object) -> None:
    with pytest.raises(TypeError):
        client.frames_at("m", [0, bad])  # type: ignore[list-item]
