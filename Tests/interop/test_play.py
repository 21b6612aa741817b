"""Play, the bidirectional stream, driven by Python grpcio and by raw misbehaviour."""

import ast
import json
import os
import queue
import time

import grpc
import numpy as np
import pytest

from soccertest import ROOT, cli, counter, cpu_seconds, make_media, readme_example, serve
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()


def test_the_readme_python_example_drives_play(our_server, capsys):
    code = readme_example("play-example").replace("localhost:50051", our_server.target)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.split()
    assert printed[:10] == [str(n) for n in range(10)]


class Player:
    """A grpcio Play call whose commands are put on a queue as the test goes."""

    def __init__(self, target, **match):
        self.commands = queue.Queue()
        self.sequence = 0
        self.commands.put(stream_pb2.PlayControl(sequence=0, start=stream_pb2.Match(**match)))
        self.channel = grpc.insecure_channel(target)
        self.frames = stream_pb2_grpc.SoccerStub(self.channel).Play(iter(self.commands.get, None), timeout=60)

    def send(self, **action):
        self.sequence += 1
        self.commands.put(stream_pb2.PlayControl(sequence=self.sequence, **action))
        return self.sequence

    def answering(self, command):
        """The first message answering `command` (a frame or a refusal)."""
        return next(v for v in self.frames if v.command >= command)

    def close(self):
        self.commands.put(None)
        self.frames.cancel()
        self.channel.close()


def pixels(video):
    return np.frombuffer(video.data, dtype=np.uint8).reshape(ast.literal_eval(video.data_shape))


def test_python_seeks_steps_and_resizes(our_server):
    player = Player(our_server.target, id="sample", real_time=True)
    try:
        assert [next(player.frames).frame_index for _ in range(3)] == [0, 1, 2]
        seek = player.send(seek=stream_pb2.Seek(frame=77))
        video = player.answering(seek)
        assert video.frame_index == 77 and counter(pixels(video)) == 77
        player.send(pause=stream_pb2.Pause())
        back = player.send(seek=stream_pb2.Seek(frame=30))
        video = player.answering(back)
        assert video.frame_index == 30 and counter(pixels(video)) == 30
        step = player.send(step=stream_pb2.Step(frames=-1))
        assert player.answering(step).frame_index == 29
        resize = player.send(resize=stream_pb2.Resize(max_width=320))
        video = player.answering(resize)
        assert video.frame_index == 30 and video.data_shape == "(180, 320, 3)"
        refused = player.send(seek=stream_pb2.Seek(seconds=3600))
        answer = player.answering(refused)
        assert answer.HasField("refusal") and not answer.data
        assert answer.refusal.code == grpc.StatusCode.OUT_OF_RANGE.value[0]
        assert "past the end" in answer.refusal.message
    finally:
        player.close()


@pytest.mark.parametrize(
    "first, message",
    [
        (stream_pb2.PlayControl(pause=stream_pb2.Pause()), "first PlayControl must be a start"),
        (stream_pb2.PlayControl(start=stream_pb2.Match(id="sample", stride=1, start_seconds=-1)), "start_seconds"),
    ],
)
def test_a_bad_start_is_invalid_argument(our_server, first, message):
    with grpc.insecure_channel(our_server.target) as channel, pytest.raises(grpc.RpcError) as failure:
        list(stream_pb2_grpc.SoccerStub(channel).Play(iter([first]), timeout=10))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in failure.value.details()


def test_a_stream_closed_without_a_start_is_invalid_argument(our_server):
    with grpc.insecure_channel(our_server.target) as channel, pytest.raises(grpc.RpcError) as failure:
        list(stream_pb2_grpc.SoccerStub(channel).Play(iter([]), timeout=10))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def decoder_thread_cpu(pid):
    """CPU ticks of the server's playback decoding threads."""
    ticks = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                stat = f.read()
        except FileNotFoundError:
            continue
        name, rest = stat.split("(", 1)[1].rsplit(")", 1)
        if name == "soccer-play":
            fields = rest.split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks


def test_a_pause_costs_no_cpu(soccer, tmp_path):
    media = tmp_path / "media"
    make_media(str(media), "hd", "--size", "1280x720", "--seconds", "8", "--rate", "25", "--preset", "ultrafast")
    server = serve("--pause-timeout", "60", media=str(media))
    try:
        pid = server.process.pid
        player = Player(server.target, id="hd")
        try:
            next(player.frames)
            # Playing as fast as it can for 2 s, or for half of the 200 frames on a machine fast
            # enough to reach the end sooner; then paused for 2 s. CPU is compared per second.
            before = cpu_seconds(pid)
            start = time.monotonic()
            played = 0
            while time.monotonic() - start < 2 and played < 100:
                next(player.frames)
                played += 1
            playing = (cpu_seconds(pid) - before) / (time.monotonic() - start)
            pause = player.send(pause=stream_pb2.Pause())
            time.sleep(0.5)  # the frames already on their way
            before, threads = cpu_seconds(pid), decoder_thread_cpu(pid)
            time.sleep(2)
            paused = (cpu_seconds(pid) - before) / 2
            assert decoder_thread_cpu(pid) == threads, "the decoding thread ran while paused"
            assert paused < playing / 10, f"paused {paused:.2f} CPU s per s, playing {playing:.2f} ({played} frames)"
            resume = player.send(resume=stream_pb2.Resume())
            assert player.answering(resume).frame_index > 0
            assert pause < resume
        finally:
            player.close()
    finally:
        server.stop()


def test_a_paused_stream_ends_after_the_pause_timeout(soccer):
    server = serve("--pause-timeout", "1", media=os.path.join(ROOT, "media"))
    try:
        player = Player(server.target, id="sample", real_time=True)
        try:
            next(player.frames)
            player.send(pause=stream_pb2.Pause())
            started = time.monotonic()
            with pytest.raises(grpc.RpcError) as failure:
                for _ in player.frames:
                    pass
            assert failure.value.code() == grpc.StatusCode.CANCELLED
            assert "paused" in failure.value.details()
            assert time.monotonic() - started > 1
        finally:
            player.close()
        assert "cause=paused" in server.wait_for_line("rpc=Play", timeout=5)
    finally:
        server.stop()


def test_bench_measures_seeks_over_play_and_reopened_watch(soccer, our_server):
    result = cli(soccer, "bench", "sample", "--seeks", "6", "--json", "--server", our_server.target)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["seeks"] == 6 and report["id"] == "sample"
    for key in ("play_p50_ms", "play_p90_ms", "watch_p50_ms", "watch_p90_ms"):
        assert report[key] > 0, report
    assert report["play_p50_ms"] <= report["play_p90_ms"] and report["watch_p50_ms"] <= report["watch_p90_ms"]
    assert abs(report["p50_ratio"] - report["play_p50_ms"] / report["watch_p50_ms"]) < 1e-6
    table = cli(soccer, "bench", "sample", "--seeks", "2", "--server", our_server.target)
    assert table.returncode == 0 and "Play p50 / Watch p50" in table.stdout, table.stdout + table.stderr
    usage = cli(soccer, "bench", "sample", "other", "--seeks", "3", "--server", our_server.target)
    assert usage.returncode == 64 and "--seeks takes one match id" in usage.stderr


def test_a_stream_that_never_starts_ends_after_the_stall_timeout(soccer):
    server = serve("--stall-timeout", "1", media=os.path.join(ROOT, "media"))
    try:
        silent = queue.Queue()  # never fed: the request side stays open and says nothing
        with grpc.insecure_channel(server.target) as channel:
            started = time.monotonic()
            with pytest.raises(grpc.RpcError) as failure:
                list(stream_pb2_grpc.SoccerStub(channel).Play(iter(silent.get, None), timeout=20))
            silent.put(None)
        assert failure.value.code() == grpc.StatusCode.CANCELLED
        assert "no start" in failure.value.details()
        assert time.monotonic() - started > 1
        assert "cause=stalled" in server.wait_for_line("rpc=Play", timeout=5)
    finally:
        server.stop()


def test_frames_before_any_command_carry_zero_whatever_the_starts_sequence(our_server):
    start = stream_pb2.PlayControl(sequence=5, start=stream_pb2.Match(id="sample", max_frames=3))
    with grpc.insecure_channel(our_server.target) as channel:
        frames = list(stream_pb2_grpc.SoccerStub(channel).Play(iter([start]), timeout=20))
    assert [(f.frame_index, f.command) for f in frames] == [(0, 0), (1, 0), (2, 0)]
