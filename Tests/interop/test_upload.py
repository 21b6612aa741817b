"""Upload, the client-streaming call: from Python grpcio and from `soccer upload`, with the
server killed, the client killed, and a disk too small."""

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import grpc
import pytest

import soccerstream
from soccertest import MEDIA, FakeTerminal, cli, make_media, readme_example, serve
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()

SAMPLE = os.path.join(MEDIA, "sample.mp4")


@pytest.fixture
def folder():
    """A media folder holding the sample."""
    path = tempfile.mkdtemp(prefix="soccer-upload-")
    shutil.copy(SAMPLE, os.path.join(path, "sample.mp4"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def contents(path):
    return sorted(os.listdir(path))


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def watch_all(target, match_id):
    with soccerstream.connect(target, deadline=60) as client:
        return [frame.array.tobytes() for frame in client.frames(match_id)]


class HeldUpload:
    """A grpcio upload that sends its start and `first` bytes of `data`, then waits to be told to go on."""

    def __init__(self, target, match_id, data, first):
        self.go_on = threading.Event()
        self.error = None
        self.reply = None

        def chunks():
            yield stream_pb2.UploadChunk(
                start=stream_pb2.UploadStart(id=match_id, size=len(data), sha256=hashlib.sha256(data).digest())
            )
            yield stream_pb2.UploadChunk(data=data[:first])
            self.go_on.wait(60)
            yield stream_pb2.UploadChunk(data=data[first:])

        def run():
            try:
                with grpc.insecure_channel(target) as channel:
                    self.reply = stream_pb2_grpc.SoccerStub(channel).Upload(chunks(), timeout=60)
            except grpc.RpcError as error:
                self.error = error

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def finish(self):
        self.go_on.set()
        self.thread.join(30)
        return self


def test_the_readme_python_example_uploads_a_match_that_streams_its_frames(folder):
    server = serve("--allow-upload", media=folder)
    try:
        code = (
            readme_example("upload-example")
            .replace("localhost:50051", server.target)
            .replace('"kickoff.mp4"', repr(SAMPLE))
        )
        exec(compile(code, "README.md", "exec"), {})
        assert contents(folder) == ["kickoff.mp4", "sample.mp4"]
        with open(os.path.join(folder, "kickoff.mp4"), "rb") as a, open(SAMPLE, "rb") as b:
            assert a.read() == b.read()
        uploaded = watch_all(server.target, "kickoff")
        assert len(uploaded) == 100
        assert uploaded == watch_all(server.target, "sample")
        line = server.wait_for_line("rpc=Upload", "id=kickoff", timeout=5)
        assert line and "status=OK" in line and "bytes=387764" in line.replace(str(os.path.getsize(SAMPLE)), "387764")
    finally:
        server.stop()


def test_soccer_upload_says_each_failure_in_one_line_with_its_exit_status(soccer, folder, tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(os.urandom(50_000))
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    token = tmp_path / "token"
    token.write_text("writer\n")
    server = serve("--allow-upload", "--max-upload-bytes", "1000000", "--upload-token-file", str(token), media=folder)
    closed = serve(media=folder)
    try:

        def upload(*args, server=server, token_file=str(token)):
            extra = ["--token-file", token_file] if token_file else []
            return cli(soccer, "upload", *args, "--server", server.target, *extra)

        cases = [
            (upload(SAMPLE, "--id", "a/b"), 4, "invalid match id"),
            (upload(SAMPLE), 4, 'a match with id "sample" exists'),
            (upload(str(junk)), 4, "not a playable video"),
            (upload("/no/such/file.mp4"), 1, "No such file"),
            (upload(str(empty)), 1, "the file is empty"),
            (upload(str(tmp_path)), 1, "not a regular file"),
            (upload(make_media(str(tmp_path), "long", "--seconds", "40")), 6, "upload limit of 1000000 bytes"),
            (upload(SAMPLE, "--id", "x", token_file=None), 3, "needs a bearer token"),
            (upload(SAMPLE, "--id", "x", server=closed, token_file=None), 3, "--allow-upload"),
        ]
        for result, status, words in cases:
            assert result.returncode == status, (words, result.stderr)
            assert words in result.stderr, result.stderr
            assert result.stderr.startswith("soccer upload: ") and result.stderr.count("\n") == 1, result.stderr
            assert result.stdout == ""
            assert contents(folder) == ["sample.mp4"]
        done = upload(SAMPLE, "--id", "again")
        assert done.returncode == 0, done.stderr
        assert re.fullmatch(
            r"uploaded again: 0\.4 MB in [0-9.]+ s \([0-9.]+ MB/s, [0-9.]+ s of it hashing\); "
            r"640x360 h264, 25 frames/s, "
            r"100 frames, 4 s\n",
            done.stdout,
        ), done.stdout
        replaced = upload(str(junk), "--id", "again", "--replace")
        assert replaced.returncode == 4
        assert contents(folder) == ["again.mp4", "sample.mp4"]
    finally:
        server.stop()
        closed.stop()


def test_a_server_killed_mid_upload_leaves_nothing_once_restarted(folder):
    server = serve("--allow-upload", media=folder)
    with open(SAMPLE, "rb") as f:
        data = f.read()
    held = HeldUpload(server.target, "killed", data, 100_000)
    try:
        assert wait_until(lambda: ".upload-killed.part" in contents(folder))
        server.process.kill()
        server.process.wait()
        assert ".upload-killed.part" in contents(folder)
        held.finish()
        assert held.error is not None and held.error.code() == grpc.StatusCode.UNAVAILABLE
        server = serve("--allow-upload", media=folder)
        assert contents(folder) == ["sample.mp4"]
        assert server.wait_for_line("removed uploads", ".upload-killed.part", timeout=5)
        # The id is free again.
        again = HeldUpload(server.target, "killed", data, 100_000).finish()
        assert again.error is None and again.reply.frame_count == 100
    finally:
        server.stop()


CLIENT = """
import hashlib, sys, time, grpc
from soccertest.stubs import load
stream_pb2, stream_pb2_grpc = load()
data = open(sys.argv[2], "rb").read()
def chunks():
    digest = hashlib.sha256(data).digest()
    yield stream_pb2.UploadChunk(start=stream_pb2.UploadStart(id="dying", size=len(data), sha256=digest))
    yield stream_pb2.UploadChunk(data=data[:100000])
    print("sent", flush=True)
    time.sleep(60)
stream_pb2_grpc.SoccerStub(grpc.insecure_channel(sys.argv[1])).Upload(chunks())
"""


def test_a_client_killed_mid_upload_leaves_nothing(folder):
    server = serve("--allow-upload", media=folder)
    try:
        client = subprocess.Popen(
            [sys.executable, "-c", CLIENT, server.target, SAMPLE], stdout=subprocess.PIPE, text=True
        )
        assert client.stdout.readline().strip() == "sent"
        assert wait_until(lambda: ".upload-dying.part" in contents(folder))
        client.kill()
        client.wait()
        assert wait_until(lambda: contents(folder) == ["sample.mp4"], timeout=5), contents(folder)
        line = server.wait_for_line("rpc=Upload", "id=dying", timeout=5)
        assert line and "status=CANCELLED" in line, line
    finally:
        server.stop()


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs mounted for the test, 1.5 times the sample's size, holding nothing."""
    mount = tmp_path / "disk"
    mount.mkdir()
    size = os.path.getsize(SAMPLE) * 3 // 2 // 4096 * 4096
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], check=True)
    yield str(mount)
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_disk_too_small_refuses_the_upload_before_and_while_another_holds_the_room(soccer, small_disk, tmp_path):
    big = make_media(str(tmp_path), "big", "--seconds", "8")
    assert os.path.getsize(big) > os.path.getsize(SAMPLE) * 3 // 2
    server = serve("--allow-upload", media=small_disk)
    try:
        result = cli(soccer, "upload", big, "--server", server.target)
        assert result.returncode == 6, result.stderr
        assert "the media folder's disk has room for" in result.stderr
        assert contents(small_disk) == []
        # The first upload reserves its room when it begins: a second one that would fit the
        # free space now but not beside the first is refused at once, not when the disk fills.
        with open(SAMPLE, "rb") as f:
            data = f.read()
        held = HeldUpload(server.target, "first", data, 1000)
        assert wait_until(lambda: ".upload-first.part" in contents(small_disk))
        second = cli(soccer, "upload", SAMPLE, "--id", "second", "--server", server.target)
        assert second.returncode == 6, second.stderr
        assert contents(small_disk) == [".upload-first.part"]
        held.finish()
        assert held.error is None, held.error
        assert contents(small_disk) == ["first.mp4"]
        assert len(watch_all(server.target, "first")) == 100
    finally:
        server.stop()


def test_soccer_upload_shows_its_progress_on_a_terminal(soccer, folder, tmp_path):
    big = tmp_path / "big.mp4"
    big.write_bytes(os.urandom(150_000_000))
    server = serve("--allow-upload", media=folder)
    try:
        terminal = FakeTerminal([soccer, "upload", str(big), "--server", server.target], reply=None)
        assert terminal.read_until(b"uploading big: ", timeout=30)
        # Held up by a stopped server, the line still tells how far the upload got.
        server.process.send_signal(signal.SIGSTOP)
        time.sleep(0.5)
        server.process.send_signal(signal.SIGCONT)
        assert terminal.read_until(b" MB/s, ", timeout=30)
        assert terminal.read_until(b"not a playable video", timeout=60)
        assert terminal.process.wait(timeout=30) == 4
        text = terminal.output.decode(errors="replace")
        assert re.search(r"uploading big: [0-9.]+ MB of 150\.0 MB, [0-9.]+ MB/s, [0-9]+ s left", text), text
        assert contents(folder) == ["sample.mp4"]
    finally:
        server.stop()


def test_a_refused_upload_tells_the_client_to_stop_sending(folder):
    """A raw HTTP/2 upload refused after its first message gets its status, then RST_STREAM
    NO_ERROR, so neither side keeps a half-open stream (RFC 9113 section 8.1)."""
    import h2.events

    from soccertest import RawPeer, grpc_message

    server = serve(media=folder)  # uploads off: refused as soon as the call arrives
    try:
        peer = RawPeer(server.target)
        start = stream_pb2.UploadChunk(start=stream_pb2.UploadStart(id="x", size=10_000_000, sha256=bytes(32)))
        stream = peer.call("/stream.Soccer/Upload", grpc_message(start.SerializeToString()), end=False)
        assert peer.read(2.0)
        trailers = [e for e in peer.events if isinstance(e, h2.events.ResponseReceived) and e.stream_id == stream]
        assert trailers and (b"grpc-status", b"7") in trailers[0].headers, peer.events
        resets = [e for e in peer.events if isinstance(e, h2.events.StreamReset) and e.stream_id == stream]
        assert resets and resets[0].error_code == 0, peer.events
        # A Watch, whose client ends its side at once, is not reset after its status.
        missing = peer.call("/stream.Soccer/Watch", grpc_message(stream_pb2.Match(id="missing").SerializeToString()))
        assert peer.read(2.0)
        assert not [e for e in peer.events if isinstance(e, h2.events.StreamReset) and e.stream_id == missing]
    finally:
        server.stop()
