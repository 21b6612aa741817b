"""Frames through shared memory on the Unix socket: the same frames as the socket carries, every
refusal before anything is mapped, either side killed, and a client that stops taking frames."""

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import grpc
import numpy as np
import pytest

import soccerstream
from soccertest import ROOT, Pane, cli, free_port, metric, serve
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()

NOBODY = 65534


def rings():
    """Shared-memory objects the package made that are in /dev/shm now."""
    return sorted(name for name in os.listdir("/dev/shm") if name.startswith("soccerstream-"))


def mapped(pid, name):
    """Whether process `pid` maps /dev/shm/`name`."""
    with open(f"/proc/{pid}/maps") as f:
        return any(f"/dev/shm/{name}" in line for line in f)


@pytest.fixture
def shm_server(tmp_path):
    port = free_port()
    server = serve(
        "--unix",
        str(tmp_path / "s.sock"),
        "--unix-mode",
        "666",
        "--allow-shared-memory",
        "--metrics",
        str(port),
        "--port",
        "0",
    )
    server.metrics = port
    server.unix = f"unix:{tmp_path / 's.sock'}"
    yield server
    assert server.stop() == 0


def frames(target, shared_memory, **options):
    with soccerstream.connect(target, shared_memory=shared_memory, deadline=60) as client:
        got = [(f.index, f.seconds, f.array.copy()) for f in client.frames("sample", **options)]
        return got, client.shared_memory


@pytest.mark.parametrize(
    "options",
    [{}, {"format": "rgb"}, {"format": "gray"}, {"width": 320}, {"format": "gray", "height": 100, "every": 3}],
)
def test_frames_through_shared_memory_are_the_frames_the_socket_carries(shm_server, options):
    before = rings()
    through, used = frames(shm_server.unix, None, **options)
    assert used, "a unix: target to a server that allows it uses shared memory by itself"
    carried, _ = frames(shm_server.unix, False, **options)
    assert [i for i, _, _ in through] == [i for i, _, _ in carried] and len(through) >= 34
    for (_, seconds, a), (_, expected_seconds, b) in zip(through, carried, strict=False):
        assert seconds == expected_seconds and a.shape == b.shape and np.array_equal(a, b)
    assert shm_server.wait_for_line("shared-memory:9", "status=OK", timeout=10), shm_server.log()
    assert rings() == before


def test_frames_at_through_shared_memory_repeats_and_goes_back(shm_server):
    with soccerstream.connect(shm_server.unix) as client:
        assert client.shared_memory
        chosen = client.frames_at("sample", [70, 3, 3, 99, 0], width=128)
    with soccerstream.connect(shm_server.unix, shared_memory=False) as client:
        expected = client.frames_at("sample", [70, 3, 3, 99, 0], width=128)
    assert chosen.shape == expected.shape and np.array_equal(chosen, expected)


def test_a_server_without_the_flag_or_a_tcp_client_is_refused_and_the_package_goes_on_without(tmp_path):
    server = serve("--unix", str(tmp_path / "s.sock"), "--port", "0")
    try:
        with soccerstream.connect(f"unix:{tmp_path / 's.sock'}", shared_memory=True) as client:
            with pytest.raises(soccerstream.FailedPrecondition) as off:
                next(client.frames("sample"))
        assert "--allow-shared-memory" in off.value.message
        got, used = frames(f"unix:{tmp_path / 's.sock'}", None, count=5)
        assert len(got) == 5 and not used
    finally:
        assert server.stop() == 0
    assert rings() == []


def raw_watch(target, ring, **match):
    """One frame of a Watch with `ring` as its shared_memory, straight through grpcio; the error if refused."""
    with grpc.insecure_channel(target) as channel:
        request = stream_pb2.Match(id="sample", max_frames=1, shared_memory=ring, **match)
        try:
            return list(stream_pb2_grpc.SoccerStub(channel).Watch(request, timeout=20))
        except grpc.RpcError as error:
            return error


def make_object(name, slots=2, slot_bytes=1 << 20, size=None, magic=b"SOCCERSM", mode=0o600):
    path = f"/dev/shm{name}"
    size = 4096 + slots * slot_bytes if size is None else size
    with open(path, "wb") as f:
        f.write(magic)
        f.truncate(size)
    os.chmod(path, mode)
    return path, stream_pb2.SharedMemoryRing(
        name=name, size=4096 + slots * slot_bytes, slots=slots, slot_bytes=slot_bytes
    )


def test_each_check_refuses_before_anything_is_mapped(shm_server, tmp_path):
    pid = shm_server.process.pid
    made = []
    try:

        def refused(ring, code, words, target=shm_server.unix, **match):
            error = raw_watch(target, ring, **match)
            assert isinstance(error, grpc.RpcError), f"{ring.name} was served"
            assert error.code() == code, (error.code(), error.details())
            assert words in error.details(), error.details()
            assert not mapped(pid, ring.name.lstrip("/"))

        good_path, good = make_object("/soccer-test-good")
        made.append(good_path)
        # Over TCP, whatever the object.
        refused(
            good,
            grpc.StatusCode.FAILED_PRECONDITION,
            "only over the server's Unix socket",
            target=f"127.0.0.1:{shm_server.port}",
        )
        refused(
            stream_pb2.SharedMemoryRing(name="/../etc/passwd", size=4096 + 4096, slots=1, slot_bytes=4096),
            grpc.StatusCode.INVALID_ARGUMENT,
            "shared_memory.name must be",
        )
        refused(
            stream_pb2.SharedMemoryRing(name="/soccer-test-none", size=4096 + 4096, slots=1, slot_bytes=4096),
            grpc.StatusCode.INVALID_ARGUMENT,
            "there is no shared-memory object /soccer-test-none",
        )
        refused(
            stream_pb2.SharedMemoryRing(name=good.name, size=good.size, slots=0, slot_bytes=good.slot_bytes),
            grpc.StatusCode.INVALID_ARGUMENT,
            "slots must be 1 to 64",
        )
        refused(
            stream_pb2.SharedMemoryRing(
                name=good.name, size=good.size + 1, slots=good.slots, slot_bytes=good.slot_bytes
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "shared_memory.size must be",
        )
        os.symlink(good_path, "/dev/shm/soccer-test-link")
        made.append("/dev/shm/soccer-test-link")
        link = stream_pb2.SharedMemoryRing(
            name="/soccer-test-link", size=good.size, slots=good.slots, slot_bytes=good.slot_bytes
        )
        refused(link, grpc.StatusCode.PERMISSION_DENIED, "is a symbolic link")
        os.mkfifo("/dev/shm/soccer-test-fifo")
        made.append("/dev/shm/soccer-test-fifo")
        refused(
            stream_pb2.SharedMemoryRing(
                name="/soccer-test-fifo", size=good.size, slots=good.slots, slot_bytes=good.slot_bytes
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "is not a regular file",
        )
        short_path, short = make_object("/soccer-test-short", size=4096 + 4096)
        made.append(short_path)
        refused(short, grpc.StatusCode.INVALID_ARGUMENT, "holds 8192 bytes, not the")
        magic_path, no_magic = make_object("/soccer-test-magic", magic=b"NOTMAGIC")
        made.append(magic_path)
        refused(no_magic, grpc.StatusCode.INVALID_ARGUMENT, "does not begin with the ring's magic")
        small_path, small = make_object("/soccer-test-small", slot_bytes=4096)
        made.append(small_path)
        refused(small, grpc.StatusCode.INVALID_ARGUMENT, "slots of 4096 bytes hold no 640x360 bgr24 frame")
        theirs_path, theirs = make_object("/soccer-test-theirs")
        made.append(theirs_path)
        os.chown(theirs_path, NOBODY, NOBODY)
        refused(theirs, grpc.StatusCode.PERMISSION_DENIED, f"belongs to uid {NOBODY}, not to uid 0")
        # The good object is served: one frame, in slot 0.
        videos = raw_watch(shm_server.unix, good)
        assert not isinstance(videos, grpc.RpcError), videos
        assert videos[0].slot.index == 0 and videos[0].slot.offset == 4096 and not videos[0].data
        assert videos[0].slot.length == 640 * 360 * 3
        # Play checks the ring the same way.
        with grpc.insecure_channel(shm_server.unix) as channel:
            start = stream_pb2.PlayControl(start=stream_pb2.Match(id="sample", shared_memory=small))
            with pytest.raises(grpc.RpcError) as play:
                list(stream_pb2_grpc.SoccerStub(channel).Play(iter([start]), timeout=20))
        assert play.value.code() == grpc.StatusCode.INVALID_ARGUMENT, play.value.details()
        assert "slots of 4096 bytes hold no 640x360 bgr24 frame" in play.value.details()
        assert not mapped(pid, small.name.lstrip("/"))
    finally:
        for path in made:
            os.unlink(path)
    assert shm_server.alive()


def test_a_ring_counts_in_the_frame_memory_budget(tmp_path):
    server = serve("--unix", str(tmp_path / "s.sock"), "--allow-shared-memory", "--frame-memory", "16MiB", port=None)
    path, ring = make_object("/soccer-test-budget", slots=16, slot_bytes=1 << 20)
    try:
        error = raw_watch(server.target, ring)
        assert isinstance(error, grpc.RpcError) and error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "a shared-memory ring of 16.0 MiB" in error.details(), error.details()
        assert not mapped(server.process.pid, ring.name.lstrip("/"))
    finally:
        os.unlink(path)
        assert server.stop() == 0


SLOW_READER = """
import sys, time, soccerstream
with soccerstream.connect(sys.argv[1]) as client:
    assert client.shared_memory
    for frame in client.frames("sample", real_time=True):
        print(frame.index, flush=True)
"""


def test_a_client_killed_mid_stream_frees_its_stream_and_the_mapping_at_once(shm_server):
    reader = subprocess.Popen([sys.executable, "-c", SLOW_READER, shm_server.unix], stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(5):
            assert reader.stdout.readline().strip()
        assert metric(shm_server.metrics, "soccer_frame_memory_bytes") > 0
        assert rings() == [], "the ring's name is gone once the first frame came"
        reader.send_signal(signal.SIGKILL)
        reader.wait(10)
        deadline = time.monotonic() + 5
        while metric(shm_server.metrics, "soccer_frame_memory_bytes") > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert metric(shm_server.metrics, "soccer_frame_memory_bytes") == 0
        with open(f"/proc/{shm_server.process.pid}/maps") as f:
            assert "soccerstream-" not in f.read()
    finally:
        reader.kill()
    assert rings() == []


def test_a_server_killed_mid_stream_leaves_the_client_a_clear_error_and_nothing_in_dev_shm(tmp_path):
    server = serve("--unix", str(tmp_path / "s.sock"), "--allow-shared-memory", port=None)
    got = []
    with soccerstream.connect(server.target) as client, pytest.raises(soccerstream.Unavailable) as lost:
        for frame in client.frames("sample", real_time=True, retries=0):
            got.append(frame.index)
            if len(got) == 3:
                server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)
    assert 3 <= len(got) < 100 and got == list(range(len(got)))
    assert lost.value.message
    assert rings() == []


def test_a_client_that_stops_taking_frames_is_ended_by_the_stall_timeout(tmp_path):
    port = free_port()
    server = serve(
        "--unix",
        str(tmp_path / "s.sock"),
        "--allow-shared-memory",
        "--stall-timeout",
        "1",
        "--metrics",
        str(port),
        port=None,
    )
    try:
        with soccerstream.connect(server.target) as client:
            stream = client.frames("sample", retries=0)
            first = next(stream)  # its slot, and the eight after it, stay with the client
            assert first.index == 0
            line = server.wait_for_line("id=sample", "cause=stalled", timeout=10)
            assert line and "status=CANCELLED" in line, server.log()
            assert metric(port, 'soccer_stream_rejections_total{reason="stall"}') == 1
            assert metric(port, "soccer_frame_memory_bytes") == 0
            with pytest.raises(soccerstream.Cancelled) as ended:
                list(stream)
            assert "shared-memory ring stayed full" in ended.value.message
    finally:
        assert server.stop() == 0
    assert rings() == []


NOBODY_CLIENT = """
import sys, grpc, soccerstream
from soccerstream._proto import stream_pb2, stream_pb2_grpc
ring = stream_pb2.SharedMemoryRing(name=sys.argv[2], size=int(sys.argv[3]), slots=2, slot_bytes=1 << 20)
with grpc.insecure_channel(sys.argv[1]) as channel:
    try:
        list(stream_pb2_grpc.SoccerStub(channel).Watch(stream_pb2.Match(id="sample", max_frames=1, shared_memory=ring)))
        print("served")
    except grpc.RpcError as error:
        print(error.code().name, error.details())
with soccerstream.connect(sys.argv[1]) as client:
    print(sum(1 for _ in client.frames("sample", count=5)), client.shared_memory)
"""


def test_a_client_of_another_user_may_use_only_its_own_objects():
    # The socket in a folder every user may enter, open to every user (pytest's folders are private).
    folder = tempfile.mkdtemp(prefix="soccer-shm-")
    os.chmod(folder, 0o755)
    server = serve("--unix", os.path.join(folder, "s.sock"), "--unix-mode", "666", "--allow-shared-memory", port=None)
    path, ring = make_object("/soccer-test-root")
    try:
        result = subprocess.run(
            [
                "setpriv",
                f"--reuid={NOBODY}",
                f"--regid={NOBODY}",
                "--clear-groups",
                sys.executable,
                "-c",
                NOBODY_CLIENT,
                server.target,
                ring.name,
                str(ring.size),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env={**os.environ, "HOME": "/tmp"},
        )
        assert result.returncode == 0, result.stderr
        refusal, own = result.stdout.strip().splitlines()
        assert refusal.startswith("PERMISSION_DENIED") and f"belongs to uid 0, not to uid {NOBODY}" in refusal
        assert own == "5 True", "its own ring is served"
    finally:
        os.unlink(path)
        assert server.stop() == 0
        shutil.rmtree(folder, ignore_errors=True)
    assert rings() == []


def test_soccer_dump_and_bench_use_shared_memory_by_themselves_and_say_so(soccer, shm_server, tmp_path):
    through = cli(soccer, "dump", "sample", "--out", str(tmp_path / "shm"), "--server", shm_server.unix)
    assert through.returncode == 0, through.stderr
    assert through.stdout.strip().endswith("through shared memory"), through.stdout
    carried = cli(
        soccer, "dump", "sample", "--out", str(tmp_path / "socket"), "--server", shm_server.unix, "--no-shared-memory"
    )
    assert carried.returncode == 0 and "shared memory" not in carried.stdout, carried.stdout
    names = sorted(os.listdir(tmp_path / "shm"))
    assert len(names) == 100 and names == sorted(os.listdir(tmp_path / "socket"))
    for name in names:
        assert (tmp_path / "shm" / name).read_bytes() == (tmp_path / "socket" / name).read_bytes(), name
    chosen = cli(
        soccer,
        "dump",
        "sample",
        "--out",
        str(tmp_path / "chosen"),
        "--frames-at",
        "70,3,99",
        "--server",
        shm_server.unix,
    )
    assert chosen.returncode == 0 and "through shared memory" in chosen.stdout, chosen.stdout + chosen.stderr
    for name in os.listdir(tmp_path / "chosen"):
        assert (tmp_path / "chosen" / name).read_bytes() == (tmp_path / "socket" / name).read_bytes(), name
    bench = cli(soccer, "bench", "sample", "--json", "--width", "320", "--server", shm_server.unix)
    assert bench.returncode == 0 and json.loads(bench.stdout)["shared_memory"] is True, bench.stdout + bench.stderr
    table = cli(soccer, "bench", "sample", "--server", shm_server.unix, "--no-shared-memory")
    assert table.returncode == 0 and "through shared memory" not in table.stdout
    assert rings() == [] and not [n for n in os.listdir("/dev/shm") if n.startswith("soccer-")]


def test_soccer_bench_goes_through_the_socket_where_shared_memory_is_off(soccer, tmp_path):
    server = serve("--unix", str(tmp_path / "s.sock"), port=None)
    try:
        bench = cli(soccer, "bench", "sample", "--json", "--server", server.target)
        assert bench.returncode == 0, bench.stderr
        report = json.loads(bench.stdout)
        assert report["shared_memory"] is False and report["frames"] == 100
    finally:
        assert server.stop() == 0
    assert not [n for n in os.listdir("/dev/shm") if n.startswith("soccer-")]


def play_moves(target, shared_memory):
    """Frames of a Play stream moved about: five from the start, a seek, a seek back, and a resize;
    (index, array copy) for each, and whether they came through shared memory."""
    with soccerstream.connect(target, shared_memory=shared_memory, deadline=60) as client:
        with client.play("sample", real_time=False) as playback:
            frames = iter(playback)
            got = []

            def take(n):
                for _ in range(n):
                    frame = next(frames)
                    got.append((frame.index, frame.array.copy()))

            take(5)
            playback.seek(frame=60)
            take(5)
            playback.seek(frame=10)
            take(3)
            playback.resize(width=320)
            take(3)
            return got, playback.shared_memory


def test_play_through_shared_memory_seeks_and_resizes_as_through_the_socket(shm_server):
    through, used = play_moves(shm_server.unix, None)
    assert used, "Play takes a ring by itself on a unix: server that allows it"
    carried, used = play_moves(shm_server.unix, False)
    assert not used
    for got in (through, carried):
        indices = [i for i, _ in got]
        assert indices[:5] == [0, 1, 2, 3, 4] and indices[5:10] == [60, 61, 62, 63, 64], indices
        assert indices[10:13] == [10, 11, 12], indices
        # The resize goes on after the last frame the server sent, which may be ahead of those taken.
        assert all(a.shape == (180, 320, 3) for _, a in got[13:]) and indices[13] > 12, indices
        assert indices[14:] == [indices[13] + 1, indices[13] + 2], indices
    # Every frame is the frame at its index, as frames_at gives it through the socket.
    with soccerstream.connect(shm_server.unix, shared_memory=False) as client:
        for got in (through, carried):
            full = client.frames_at("sample", [i for i, _ in got[:13]])
            small = client.frames_at("sample", [i for i, _ in got[13:]], width=320)
            for (index, array), expected in zip(got, [*full, *small], strict=False):
                assert np.array_equal(array, expected), f"frame {index} differs"
    assert rings() == []


def test_seeks_give_back_the_slots_of_the_frames_they_drop(tmp_path):
    # Each seek drops the frames decoded ahead into slots; a slot never freed would hold the
    # five-slot ring until the stream stalls.
    port = free_port()
    server = serve(
        "--unix",
        str(tmp_path / "s.sock"),
        "--allow-shared-memory",
        "--stall-timeout",
        "2",
        "--metrics",
        str(port),
        port=None,
    )
    try:
        with soccerstream.connect(server.target, deadline=60) as client:
            with client.play("sample", real_time=False) as playback:
                frames = iter(playback)
                assert next(frames).index == 0 and playback.shared_memory
                for seek in range(40):
                    playback.seek(frame=(seek * 7) % 90)
                    frame = next(frames)
                    assert frame.index == (seek * 7) % 90
                # Paused longer than the stall timeout, with the frames sent before the pause
                # untaken in their slots: a pause is no stall.
                playback.pause()
                time.sleep(3)
                playback.resume()
                assert next(frames).index == (39 * 7) % 90 + 1
        deadline = time.monotonic() + 5
        while metric(port, "soccer_frame_memory_bytes") > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert metric(port, "soccer_frame_memory_bytes") == 0
        assert metric(port, 'soccer_stream_rejections_total{reason="stall"}') == 0
    finally:
        assert server.stop() == 0
    assert rings() == []


def test_play_goes_through_the_socket_where_shared_memory_is_off_with_commands_kept(tmp_path):
    server = serve("--unix", str(tmp_path / "s.sock"), port=None)
    try:
        with soccerstream.connect(server.target) as client:
            with client.play("sample", real_time=False) as playback:
                playback.seek(frame=30)  # sent before the refusal: sent again on the socket's stream
                first = next(iter(playback))
                assert first.index == 30 and not playback.shared_memory
            assert not client.shared_memory
    finally:
        assert server.stop() == 0
    assert rings() == []


def test_a_resize_past_the_slots_is_refused_and_play_goes_on(shm_server):
    # Slots for 320-wide frames; the full 640x360 ones do not fit.
    slot_bytes = -(-(320 * 180 * 3 + 64) // 4096) * 4096
    path, ring = make_object("/soccer-test-resize", slots=2, slot_bytes=slot_bytes)
    commands = []
    try:
        with grpc.insecure_channel(shm_server.unix) as channel:
            start = stream_pb2.Match(id="sample", max_width=320, shared_memory=ring)
            outgoing = queue.Queue()
            outgoing.put(stream_pb2.PlayControl(start=start))
            call = stream_pb2_grpc.SoccerStub(channel).Play(iter(outgoing.get, None), timeout=30)
            refusal = None
            for released, video in enumerate(call, 1):  # each handed straight back, as a client done with it does
                if video.HasField("refusal"):
                    refusal = video.refusal
                    break
                assert video.slot.length == 320 * 180 * 3 and not video.data
                with open(path, "r+b") as f:
                    f.seek(64)
                    f.write(released.to_bytes(4, "little"))
                if released == 2:
                    outgoing.put(stream_pb2.PlayControl(sequence=1, resize=stream_pb2.Resize(max_width=0)))
                    commands.append(1)
            assert refusal is not None and refusal.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
            assert f"slots of {slot_bytes} bytes hold no 640x360 bgr24 frame" in refusal.message
            after = next(call)
            assert after.slot.length == 320 * 180 * 3, "frames go on at the size that fits"
            outgoing.put(None)
            call.cancel()
    finally:
        os.unlink(path)
    assert commands == [1]


def test_soccer_watch_plays_through_shared_memory_and_says_so(soccer, shm_server):
    socket = shm_server.unix.removeprefix("unix:")
    for flag, said in (("", True), ("--no-shared-memory", False)):
        pane = Pane(f"shm-watch-{int(said)}")
        try:
            pane.type(f"{soccer} watch sample --mode blocks {flag} --server unix:{socket}; echo exit=$?")
            pane.wait_for(
                lambda lines: (
                    any((m := re.search(r"frame (\d+)/100", line)) and int(m.group(1)) >= 3 for line in lines) or None
                ),
                what="playback",
            )
            pane.key("q")
            summary = pane.wait_for(
                lambda _, pane=pane: next(
                    (line for line in pane.screen(joined=True) if "sample: showed" in line), None
                ),
                what="the summary",
            )
            assert ("through shared memory" in summary) == said, summary
            assert pane.wait_for(lambda lines: any("exit=0" in line for line in lines) or None, what="exit")
        finally:
            pane.close()
    assert not [name for name in os.listdir("/dev/shm") if name.startswith("soccer-")]
