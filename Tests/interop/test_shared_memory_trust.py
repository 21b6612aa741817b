"""Shared memory no client can break: whatever a client does to its ring, only its own stream ends;
a cancelled or killed ring client frees everything at once; kept frames never change."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import grpc
import numpy as np
import pytest

import soccerstream
from soccertest import ROOT, free_port, metric, serve
from soccertest.rawring import SLOT, SLOTS, RawRing, watch_then
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()


def rings_mapped(pid):
    with open(f"/proc/{pid}/maps") as f:
        return [line for line in f if "/dev/shm/" in line]


@pytest.fixture
def shm_server(tmp_path):
    port = free_port()
    server = serve("--unix", str(tmp_path / "s.sock"), "--allow-shared-memory", "--metrics", str(port))
    server.metrics = port
    server.unix = f"unix:{tmp_path / 's.sock'}"
    yield server
    assert server.stop() == 0


def still_serving(server):
    """The server is up, and streams as before."""
    assert server.alive(), server.log()
    with soccerstream.connect(server.target, deadline=30) as client:
        assert [f.index for f in client.frames("sample", count=5)] == list(range(5))
    assert "Fatal" not in server.log() and "Crash" not in server.log()


SHRINKS = {
    "to its header": lambda ring: os.ftruncate(ring.fd, 4096),
    "to half": lambda ring: os.ftruncate(ring.fd, 4096 + SLOTS // 2 * SLOT),
}


@pytest.mark.parametrize("shrink", SHRINKS)
def test_a_ring_shrunk_mid_stream_ends_only_its_own_stream(shm_server, shrink):
    # Another ring client streams meanwhile, and must get every frame.
    other: list = []

    def watch_beside():
        with soccerstream.connect(shm_server.unix, deadline=60) as client:
            other.extend(f.index for f in client.frames("sample", real_time=True))
            other.append(client.shared_memory)

    beside = threading.Thread(target=watch_beside)
    beside.start()
    ring = RawRing(f"/soccer-test-shrink-{os.getpid()}")
    try:
        got, error = watch_then(shm_server.unix, ring, SHRINKS[shrink])
    finally:
        ring.close()
    assert isinstance(error, grpc.RpcError), f"the stream went on after its ring shrank ({got} frames)"
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error
    assert "lost pages" in error.details() and "must keep its size" in error.details(), error.details()
    assert SLOTS <= got < 100
    beside.join(30)
    assert other == [*list(range(100)), True]
    still_serving(shm_server)
    line = shm_server.wait_for_line("status=FAILED_PRECONDITION", "shared-memory:8", timeout=5)
    assert line, shm_server.log()


@pytest.mark.parametrize("act", ["grow", "unlink"])
def test_a_ring_grown_or_unlinked_mid_stream_streams_on(shm_server, act):
    ring = RawRing(f"/soccer-test-{act}-{os.getpid()}")
    try:
        if act == "grow":
            got, error = watch_then(shm_server.unix, ring, lambda r: os.ftruncate(r.fd, r.size * 2))
        else:
            got, error = watch_then(shm_server.unix, ring, lambda r: os.unlink(r.path))
    finally:
        ring.close()
    assert error is None and got == 100
    still_serving(shm_server)


def test_a_count_handed_back_out_of_thin_air_stalls_only_that_stream(tmp_path):
    server = serve("--unix", str(tmp_path / "s.sock"), "--allow-shared-memory", "--stall-timeout", "1")
    ring = RawRing(f"/soccer-test-garbage-{os.getpid()}")
    try:

        def garbage(r):
            r.released = 0xFFFFFFF0 - SLOTS  # far ahead of what was sent: hands nothing back

        got, error = watch_then(f"unix:{tmp_path / 's.sock'}", ring, garbage)
        assert got == SLOTS and error is not None and error.code() == grpc.StatusCode.CANCELLED
        assert "ring stayed full" in error.details()
        still_serving(server)
    finally:
        ring.close()
        assert server.stop() == 0


FULL_TMPFS = r"""
import json, os, sys, grpc, soccerstream
from soccertest import serve
from soccertest.rawring import RawRing, punch_hole, watch_then
from soccertest.stubs import load
stream_pb2, stream_pb2_grpc = load()

def fill():
    fd = os.open("/dev/shm/filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            os.write(fd, b"\1" * (1 << 20))
    except OSError:
        pass
    finally:
        os.close(fd)

def outcome(error):
    return None if error is None else [error.code().name, error.details()]

out = {}
server = serve("--unix", sys.argv[1], "--allow-shared-memory")
target = "unix:" + sys.argv[1]
try:
    # A sparse ring (only its header written) on a full tmpfs: refused before anything is mapped.
    sparse = RawRing("/soccer-test-sparse", allocate=False)
    fill()
    with grpc.insecure_channel(target) as channel:
        try:
            list(stream_pb2_grpc.SoccerStub(channel).Watch(
                stream_pb2.Match(id="sample", shared_memory=sparse.request), timeout=20))
            out["sparse"] = None
        except grpc.RpcError as error:
            out["sparse"] = outcome(error)
    # The package's own ring cannot be made there: it goes through the socket instead.
    with soccerstream.connect(target) as client:
        out["package"] = [sum(1 for _ in client.frames("sample", count=5)), client.shared_memory]
    sparse.close()
    os.unlink("/dev/shm/filler")
    # A whole ring whose pages are punched out mid-stream while the tmpfs is full.
    ring = RawRing("/soccer-test-hole")
    def hole(r):
        punch_hole(r.fd, 4096, r.size - 4096)
        fill()
    got, error = watch_then(target, ring, hole)
    out["hole"] = [got, outcome(error)]
    ring.close()
    os.unlink("/dev/shm/filler")
    out["alive"] = server.alive()
    with soccerstream.connect(target) as client:
        out["after"] = [sum(1 for _ in client.frames("sample")), client.shared_memory]
finally:
    out["exit"] = server.stop()
    out["log"] = server.log()
print(json.dumps(out))
"""


def test_a_sparse_ring_on_a_full_tmpfs_is_refused_and_lost_pages_end_only_that_stream(tmp_path):
    script = tmp_path / "full_tmpfs.py"
    script.write_text(FULL_TMPFS)
    # A private /dev/shm of 24 MiB, in a mount namespace of its own: the server and the clients
    # run inside it, and the machine's /dev/shm is never filled.
    command = 'mount -t tmpfs -o size=24m tmpfs /dev/shm && exec "$0" "$@"'
    run = subprocess.run(
        [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            command,
            sys.executable,
            str(script),
            str(tmp_path / "s.sock"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOCCER_BIN": os.environ.get("SOCCER_BIN", os.path.join(ROOT, ".build", "debug", "soccer"))},
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    code, details = out["sparse"]
    assert code == "RESOURCE_EXHAUSTED" and "no room in /dev/shm" in details, out["sparse"]
    assert out["package"] == [5, False]
    got, (code, details) = out["hole"]
    assert code == "FAILED_PRECONDITION" and "lost pages" in details, out["hole"]
    assert SLOTS <= got < 100
    assert out["alive"] and out["after"] == [100, True] and out["exit"] == 0, out["log"]


HOLDER = """
import sys, time, soccerstream
with soccerstream.connect(sys.argv[1]) as client:
    stream = client.frames("sample")
    next(stream)
    assert client.shared_memory
    print("holding", flush=True)
    time.sleep(120)
"""


def wait_until_free(server, started, within):
    """Seconds from `started` until a new stream is admitted with frame memory and maps clear."""
    with grpc.insecure_channel(server.target) as channel:
        stub = stream_pb2_grpc.SoccerStub(channel)
        while True:
            try:
                list(stub.Watch(stream_pb2.Match(id="sample", max_frames=1), timeout=5))
                break
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, error
                assert time.monotonic() - started < within, "no stream admitted in time"
                time.sleep(0.005)
    admitted = time.monotonic() - started
    while rings_mapped(server.process.pid) or metric(server.metrics, "soccer_frame_memory_bytes") > 0:
        assert time.monotonic() - started < within, rings_mapped(server.process.pid)
        time.sleep(0.005)
    return admitted, time.monotonic() - started


@pytest.fixture
def one_stream_server(tmp_path):
    port = free_port()
    server = serve(
        "--unix", str(tmp_path / "s.sock"), "--allow-shared-memory", "--max-streams", "1", "--metrics", str(port)
    )
    server.metrics = port
    server.unix = f"unix:{tmp_path / 's.sock'}"
    yield server
    assert server.stop() == 0


def test_a_ring_client_killed_with_its_ring_full_frees_everything_at_once(one_stream_server):
    server = one_stream_server
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, server.unix], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        time.sleep(0.3)  # the server fills the ring and waits for a slot
        assert rings_mapped(server.process.pid)
        started = time.monotonic()
        holder.send_signal(signal.SIGKILL)
        admitted, freed = wait_until_free(server, started, within=1.0)
    finally:
        holder.kill()
        holder.wait()
    print(
        f"SIGKILL to a new stream admitted: {admitted * 1000:.0f} ms; maps and frame memory clear: "
        f"{freed * 1000:.0f} ms"
    )
    assert server.wait_for_line("status=CANCELLED", "shared-memory:9", timeout=5), server.log()


def test_a_ring_client_that_cancels_with_its_ring_full_frees_everything_at_once(one_stream_server):
    server = one_stream_server
    ring = RawRing(f"/soccer-test-cancel-{os.getpid()}")
    try:
        with grpc.insecure_channel(server.unix) as channel:
            call = stream_pb2_grpc.SoccerStub(channel).Watch(
                stream_pb2.Match(id="sample", shared_memory=ring.request), timeout=60
            )
            for _ in range(SLOTS):
                next(call)
            time.sleep(0.3)  # the ring is full: the server waits for a slot
            started = time.monotonic()
            call.cancel()
            wait_until_free(server, started, within=1.0)
    finally:
        ring.close()
    assert server.wait_for_line("status=CANCELLED", "cause=cancel", timeout=5), server.log()


def test_play_through_a_full_ring_frees_everything_when_cancelled(one_stream_server):
    server = one_stream_server
    with soccerstream.connect(server.unix, deadline=60) as client:
        playback = client.play("sample", real_time=False)
        frames = iter(playback)
        next(frames)
        assert playback.shared_memory
        time.sleep(0.3)
        started = time.monotonic()
        playback.close()
        wait_until_free(server, started, within=1.0)


def test_ring_churn_leaves_nothing_mapped(shm_server):
    def churn():
        with soccerstream.connect(shm_server.unix, deadline=30) as client:
            for _ in range(10):
                stream = client.frames("sample")
                next(stream)
                stream.close()

    workers = [threading.Thread(target=churn) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    time.sleep(1)
    assert rings_mapped(shm_server.process.pid) == []
    assert metric(shm_server.metrics, "soccer_frame_memory_bytes") == 0
    assert shm_server.log().count("shared-memory:9") >= 40


def test_frames_kept_in_a_list_are_the_frames_tcp_carries(shm_server):
    with soccerstream.connect(shm_server.target, deadline=60) as client:
        over_tcp = [f.array for f in client.frames("sample", count=40)]
    with soccerstream.connect(shm_server.unix, deadline=60) as client:
        kept = [f.array for f in client.frames("sample", count=40)]
        assert client.shared_memory
        frames = list(client.frames("sample", count=40, format="gray", width=320))
        gray = [f.array for f in frames]
    assert len(kept) == 40 and all(np.array_equal(a, b) for a, b in zip(kept, over_tcp, strict=False))
    with soccerstream.connect(shm_server.target, deadline=60) as client:
        gray_tcp = [f.array for f in client.frames("sample", count=40, format="gray", width=320)]
    assert all(np.array_equal(a, b) for a, b in zip(gray, gray_tcp, strict=False))


def test_zero_copy_frames_raise_once_their_slot_went_back(shm_server):
    with soccerstream.connect(shm_server.unix, deadline=60) as client:
        taken = list(client.frames("sample", count=10, zero_copy=True))
        with pytest.raises(soccerstream.StaleFrame) as stale:
            _ = taken[0].array
        assert "zero_copy" in stale.value.message and ".copy()" in stale.value.message
        assert isinstance(stale.value, soccerstream.FailedPrecondition)
        last = taken[-1].array.copy()
        # The one a loop holds is there until the next is taken.
        for frame in client.frames("sample", count=10, zero_copy=True):
            assert frame.array.shape == (360, 640, 3)
    with soccerstream.connect(shm_server.target) as client:
        assert np.array_equal(last, next(iter(client.frames("sample", start_frame=9, count=1))).array)
