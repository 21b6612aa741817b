"""One client contract: each careless input goes through the CLI and the Python package against a
real server, and both give the same outcome (exit status and exception class), the same substance
in their message, and no internal names. A new option gets its row here."""

import http.server
import os
import re
import signal
import subprocess
import threading
import time

import numpy as np
import pytest

import soccerstream
from soccertest import ROOT, cli, free_port, serve

# Words that belong to the libraries underneath, never in a message a user reads.
INTERNAL = re.compile(
    r"outOfRange|invalidArgument|notFound|transient failure|connections to all backends|"
    r"UNKNOWN:|\[ipv4\]|ipv4:|Channel is|RPCError|grpc_status|StatusCode\."
)

# CLI exit statuses (README, "Commands").
UNREACHABLE, REFUSED, USAGE = 2, 4, 64


@pytest.fixture(scope="module")
def server():
    server = serve()
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def http_port():
    """A plain HTTP/1 server: what answers there does not speak gRPC."""
    httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()


def python_outcome(call):
    """("ok", value) or (exception class name, message)."""
    try:
        return "ok", call()
    except soccerstream.SoccerError as error:
        return type(error).__name__, error.message
    except TypeError as error:
        return "TypeError", str(error)


def closed_port():
    return free_port()


# Each row: name, CLI arguments, the Python call, the CLI exit status, the Python class, and the
# words both messages hold. "{server}", "{port}", "{closed}", "{http}" and "{out}" are filled in.
ROWS = [
    (
        "connection refused",
        ["info", "sample", "--server", "127.0.0.1:{closed}"],
        lambda c: c("127.0.0.1:{closed}").describe("sample"),
        UNREACHABLE,
        "Unavailable",
        "cannot reach 127.0.0.1:{closed}: connection refused",
    ),
    (
        "no such host",
        ["info", "sample", "--server", "nosuchhost.invalid:50551"],
        lambda c: c("nosuchhost.invalid:50551").describe("sample"),
        UNREACHABLE,
        "Unavailable",
        "cannot reach nosuchhost.invalid:50551: no such host",
    ),
    (
        "no socket at the path",
        ["info", "sample", "--server", "unix:/nonexistent/soccer.sock"],
        lambda c: c("unix:/nonexistent/soccer.sock").describe("sample"),
        UNREACHABLE,
        "Unavailable",
        "no socket at that path",
    ),
    (
        "an HTTP/1 server on the port",
        ["info", "sample", "--server", "127.0.0.1:{http}"],
        lambda c: c("127.0.0.1:{http}").describe("sample"),
        UNREACHABLE,
        "Unavailable",
        "does not speak gRPC",
    ),
    (
        "a bare port is 127.0.0.1",
        ["info", "sample", "--server", "{port}"],
        lambda c: c("{port}").describe("sample").frame_count,
        0,
        "ok",
        None,
    ),
    (
        "no such match",
        ["info", "nosuch", "--server", "{server}"],
        lambda c: c("{server}").describe("nosuch"),
        REFUSED,
        "NotFound",
        'no match with id "nosuch"',
    ),
    (
        "a frame past the end",
        ["dump", "sample", "--out", "{out}", "--frames-at", "1000", "--server", "{server}"],
        lambda c: c("{server}").frames_at("sample", [1000]),
        REFUSED,
        "OutOfRange",
        "frame index 1000 is past the end",
    ),
    (
        "a negative index",
        ["dump", "sample", "--out", "{out}", "--frames-at", "-1", "--server", "{server}"],
        lambda c: c("{server}").frames_at("sample", [-1]),
        USAGE,
        "InvalidArgument",
        "0 or more",
    ),
    (
        "a fractional index",
        ["dump", "sample", "--out", "{out}", "--frames-at", "1.5", "--server", "{server}"],
        lambda c: c("{server}").frames_at("sample", [1.5]),
        USAGE,
        "TypeError",
        "1.5",
    ),
    (
        "JPEG quality past 100",
        ["dump", "sample", "--out", "{out}", "--format", "jpeg:101", "--server", "{server}"],
        lambda c: next(c("{server}").frames("sample", encoding="jpeg", quality=101)),
        USAGE,
        "InvalidArgument",
        "1 to 100",
    ),
    (
        "a negative width",
        ["dump", "sample", "--out", "{out}", "--width", "-1", "--server", "{server}"],
        lambda c: next(c("{server}").frames("sample", width=-1)),
        USAGE,
        "InvalidArgument",
        "0 or more",
    ),
    (
        "width 0 is no limit",
        ["dump", "sample", "--out", "{out}", "--frames", "1", "--width", "0", "--server", "{server}"],
        lambda c: next(c("{server}").frames("sample", width=0)).array.shape,
        0,
        "ok",
        None,
    ),
]


def fill(value, where):
    return value.format(**where) if isinstance(value, str) else value


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_the_cli_and_the_package_agree(soccer, server, http_port, tmp_path, row):
    name, argv, call, status, kind, words = row
    where = {
        "server": server.target,
        "port": str(server.port),
        "closed": str(closed_port()),
        "http": str(http_port),
        "out": str(tmp_path / "out"),
    }
    run = cli(soccer, *[fill(a, where) for a in argv], timeout=60)
    assert run.returncode == status, (name, run.stdout, run.stderr)
    clients = []

    def connect(target):
        client = soccerstream.connect(fill(target, where), deadline=30)
        clients.append(client)
        return client

    outcome, message = python_outcome(lambda: call(connect))
    for client in clients:
        client.close()
    assert outcome == kind, (name, message)
    if words is None:
        return
    words = fill(words, where)
    assert words in run.stderr, (name, run.stderr)
    assert words in message, (name, message)
    for text in (run.stderr, message):
        assert not INTERNAL.search(text), (name, text)
        assert text.count("\n") <= 1 or status == USAGE, (name, text)


def test_width_zero_gives_the_full_frame_in_both(soccer, server, tmp_path):
    run = cli(
        soccer, "dump", "sample", "--out", str(tmp_path), "--frames", "1", "--width", "0", "--server", server.target
    )
    assert run.returncode == 0, run.stderr
    assert "wrote 1 frame " in run.stdout, run.stdout
    with open(tmp_path / "sample_000001.ppm", "rb") as f:
        assert f.read(15).startswith(b"P6\n640 360\n")
    with soccerstream.connect(server.target) as client:
        assert next(client.frames("sample", width=0, height=0)).array.shape == (360, 640, 3)


def test_integer_indices_of_numpy_are_taken_and_bools_are_not(server):
    with soccerstream.connect(server.target) as client:
        assert client.frames_at("sample", np.array([3, 1])).shape == (2, 360, 640, 3)
        with pytest.raises(TypeError):
            client.frames_at("sample", [True])


def test_version_and_bare_soccer(soccer):
    version = cli(soccer, "--version")
    assert version.returncode == 0 and version.stdout.strip() == soccerstream.__version__
    bare = cli(soccer)
    assert bare.returncode == USAGE
    assert "dump" in bare.stderr and "serve" in bare.stderr


def test_sample_past_the_frame_count_is_a_refused_request(soccer, server, tmp_path):
    run = cli(soccer, "dump", "sample", "--out", str(tmp_path), "--sample", "500", "--server", server.target)
    assert run.returncode == REFUSED
    assert "ask for 100 or fewer" in run.stderr and not INTERNAL.search(run.stderr)


def test_a_dump_cut_short_says_what_it_wrote_and_how_to_go_on(soccer, tmp_path):
    victim = serve()
    out = tmp_path / "out"
    dump = subprocess.Popen(
        [soccer, "dump", "sample", "--out", str(out), "--retries", "0", "--server", victim.target],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(os.listdir(out) if out.exists() else []) < 3:
        time.sleep(0.01)
    victim.process.send_signal(signal.SIGKILL)
    victim.process.wait(10)
    _, stderr = dump.communicate(timeout=60)
    if dump.returncode == 0:
        pytest.skip("the dump finished before the server was killed")
    written = len([n for n in os.listdir(out) if n.endswith(".ppm")])
    assert f"{written} frame" in stderr and f"complete in {out}" in stderr, stderr
    assert "go on with: soccer dump sample --out" in stderr and "--resume" in stderr, stderr
    assert not INTERNAL.search(stderr), stderr
    again = serve()
    try:
        command = stderr.split("go on with: ", 1)[1].strip().split()[1:]
        command[command.index("--server") + 1] = again.target
        resumed = cli(soccer, *command)
        assert resumed.returncode == 0, resumed.stderr
        assert len([n for n in os.listdir(out) if n.endswith(".ppm")]) == 100
    finally:
        assert again.stop() == 0


def test_a_failed_stream_logs_its_reason_and_the_server_says_when_it_stops(soccer, tmp_path):
    server = serve()
    with soccerstream.connect(server.target) as client, pytest.raises(soccerstream.OutOfRange):
        client.frames_at("sample", [1000])
    line = server.wait_for_line("status=OUT_OF_RANGE", timeout=10)
    assert line and "reason=" in line and "past the end" in line, line
    assert server.stop() == 0
    assert re.search(r"stopped after \d+\.\d s", server.process.stdout.read())


def test_watch_once_into_a_file_writes_no_colours(soccer, server, tmp_path):
    run = cli(soccer, "watch", "sample", "--once", "--mode", "blocks", "--server", server.target)
    assert run.returncode == 0 and run.stdout.strip()
    assert "\x1b[" not in run.stdout
    coloured = cli(
        soccer, "watch", "sample", "--once", "--mode", "blocks", "--colors", "256", "--server", server.target
    )
    assert "\x1b[" in coloured.stdout


def test_a_sampler_share_with_nothing_to_read_warns(server):
    sampler = soccerstream.FrameSampler(lambda: soccerstream.connect(server.target), ["sample"], shard=(1, 2))
    with pytest.warns(RuntimeWarning, match="share 1 of 2 has no match to read"):
        assert list(sampler) == []


def test_a_file_cut_short_is_named_damaged_by_describe_info_and_the_stream(soccer, tmp_path):
    # The sample with its index first, cut at half its bytes: the index lists 100 frames.
    media = tmp_path / "media"
    media.mkdir()
    whole = tmp_path / "whole.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            os.path.join(ROOT, "media", "sample.mp4"),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(whole),
        ],
        check=True,
    )
    data = whole.read_bytes()
    (media / "cut.mp4").write_bytes(data[: len(data) // 2])
    (media / "whole.mp4").write_bytes(data)
    (media / "junk.mp4").write_text("not a video")
    server = serve(media=media)
    try:
        listed = cli(soccer, "list", "--server", server.target)
        assert listed.returncode == 0, listed.stderr
        lines = sorted(listed.stdout.splitlines())
        assert lines[0].startswith("cut\tdamaged: the file is cut short"), lines
        assert lines[1].startswith("junk\tcannot be played: "), lines
        assert lines[2] == "whole", lines
        assert sorted(cli(soccer, "list", "--ids-only", "--server", server.target).stdout.split()) == [
            "cut",
            "junk",
            "whole",
        ]
        info = cli(soccer, "info", "cut", "--server", server.target)
        assert info.returncode == 0 and "frames:    100" in info.stdout, info.stdout
        assert re.search(r"damaged: +the file is cut short: its data holds \d+ of the 100 frames", info.stdout)
        with soccerstream.connect(server.target) as client:
            assert "cut short" in client.describe("cut").damage
            with pytest.raises(soccerstream.DataLoss) as broke:
                list(client.frames("cut", retries=0))
        dump = cli(soccer, "dump", "cut", "--out", str(tmp_path / "out"), "--retries", "0", "--server", server.target)
        assert dump.returncode == 7, dump.stderr
        for text in (dump.stderr, broke.value.message):
            assert "damaged" in text or "cut short" in text, text
            assert not INTERNAL.search(text), text
    finally:
        assert server.stop() == 0


def test_more_indices_than_one_request_carries_go_in_consecutive_requests_in_both(soccer, server, tmp_path):
    indices = [i // 101 for i in range(10_001)]  # every frame about a hundred times, in order
    run = cli(
        soccer,
        "dump",
        "sample",
        "--out",
        str(tmp_path),
        "--width",
        "16",
        "--server",
        server.target,
        "--frames-at",
        ",".join(map(str, indices)),
    )
    assert run.returncode == 0, run.stderr
    assert "wrote 10001 frames" in run.stdout and ", then" not in run.stdout, run.stdout
    assert len(os.listdir(tmp_path)) == 100
    with soccerstream.connect(server.target) as client:
        got = client.frames_at("sample", indices, width=16)
        assert got.shape == (10_001, 9, 16, 3)
        assert np.array_equal(got[-1], client.frames_at("sample", [99], width=16)[0])
    # Each client sent 10,000 indices, then the last one.
    assert server.wait_for_line("frames-at:10000", "frames=10000 ", timeout=5), server.log()
    assert server.log().count("frames-at:10000") == 2, server.log()
