"""SoccerStream against real Python grpcio peers, and its CLI as a user runs it."""

import ast
import os
import subprocess

import grpc
import numpy as np
import pytest

from soccertest import MEDIA, cli, counter, reference_client
from soccertest.reference_server import pattern
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()


def close(pixel, expected, tolerance=12):
    return all(abs(int(a) - b) <= tolerance for a, b in zip(pixel, expected, strict=False))


# --- The Python reference client against our server ---------------------------------------


def test_reference_client_reads_every_frame_in_bgr(our_server):
    frames = list(reference_client.watch(our_server.target, "sample"))
    assert len(frames) == 100
    for n, (video, frame) in enumerate(frames):
        assert frame.shape == (360, 640, 3) and frame.dtype == np.uint8
        assert video.frame_index == n
        assert counter(frame) == n
    first = frames[0][1]
    # OpenCV order: blue, green, red.
    assert close(first[80, 80], (0, 0, 255)), first[80, 80]
    assert close(first[80, 240], (0, 255, 0)), first[80, 240]
    assert close(first[80, 400], (255, 0, 0)), first[80, 400]


def test_default_frames_are_byte_identical_to_opencv(our_server):
    # What the Python demo server sends: cv2.VideoCapture(...).read() frames.
    import cv2

    capture = cv2.VideoCapture(MEDIA + "/sample.mp4")
    ours = [frame for _, frame in reference_client.watch(our_server.target, "sample")]
    theirs = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        theirs.append(frame)
    assert len(ours) == len(theirs) == 100
    for n, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        assert a.shape == b.shape and a.dtype == b.dtype
        assert np.array_equal(a, b), f"frame {n} differs: max {np.abs(a.astype(int) - b).max()}"


def test_reference_client_can_ask_for_smaller_frames(our_server):
    frames = list(reference_client.watch(our_server.target, "sample", max_width=320, max_frames=3))
    assert [f.shape for _, f in frames] == [(180, 320, 3)] * 3


def test_stock_client_without_options_reads_small_frames(our_server):
    # 640x360 BGR is 691,200 bytes: under grpcio's default 4 MiB limit, so no options are needed.
    with grpc.insecure_channel(our_server.target) as channel:
        stub = stream_pb2_grpc.SoccerStub(channel)
        video = next(iter(stub.Watch(stream_pb2.Match(id="sample"))))
        frame = np.frombuffer(video.data, dtype=video.data_type).reshape(ast.literal_eval(video.data_shape))
        assert frame.shape == (360, 640, 3)


@pytest.mark.parametrize(
    "match_id, code",
    [
        ("missing", grpc.StatusCode.NOT_FOUND),
        ("../etc/passwd", grpc.StatusCode.INVALID_ARGUMENT),
        ("", grpc.StatusCode.INVALID_ARGUMENT),
    ],
)
def test_python_client_sees_error_statuses(our_server, match_id, code):
    with pytest.raises(grpc.RpcError) as raised:
        list(reference_client.watch(our_server.target, match_id))
    assert raised.value.code() == code


def test_describe_and_list_from_python(our_server):
    with grpc.insecure_channel(our_server.target) as channel:
        stub = stream_pb2_grpc.SoccerStub(channel)
        info = stub.Describe(stream_pb2.Match(id="sample"))
        assert (info.width, info.height, info.frame_count, info.codec) == (640, 360, 100, "h264")
        assert "sample" in stub.List(stream_pb2.ListRequest()).ids


# --- Our client against the Python server -------------------------------------------------


def read_pnm(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, width, height, maxval, pixels = data.split(maxsplit=4)
    channels = 3 if magic == b"P6" else 1
    assert maxval == b"255"
    shape = (int(height), int(width), channels) if channels == 3 else (int(height), int(width))
    return np.frombuffer(pixels, dtype=np.uint8).reshape(shape)


def test_dump_from_python_server_writes_rgb_ppm(soccer, python_server, tmp_path):
    result = cli(soccer, "dump", "demo", "--out", str(tmp_path), "--server", python_server.target)
    assert result.returncode == 0, result.stderr
    assert "wrote 12 frames" in result.stdout
    names = sorted(os.listdir(tmp_path))
    assert names == [f"demo_{n:06d}.ppm" for n in range(1, 13)]
    for n, name in enumerate(names):
        image = read_pnm(tmp_path / name)
        expected = pattern(320, 180, n)[..., ::-1]  # the server's BGR frame, as RGB
        assert np.array_equal(image, expected), name


def test_dump_from_python_server_writes_gray_pgm(soccer, python_gray_server, tmp_path):
    result = cli(soccer, "dump", "demo", "--out", str(tmp_path), "--server", python_gray_server.target)
    assert result.returncode == 0, result.stderr
    image = read_pnm(tmp_path / "demo_000002.pgm")
    assert np.array_equal(image, pattern(64, 36, 1, gray=True))


def test_an_empty_stream_is_an_error_not_a_success(soccer, python_server, tmp_path):
    # The Python demo ends OK with no frames for a match it cannot open; we say so.
    result = cli(soccer, "dump", "missing", "--out", str(tmp_path), "--server", python_server.target)
    assert result.returncode == 7
    assert result.stderr.strip().count("\n") == 0
    assert "no frames" in result.stderr


# --- The CLI against our server ----------------------------------------------------------


def test_cli_dump_info_and_list(soccer, our_server, tmp_path):
    result = cli(
        soccer,
        "dump",
        "sample",
        "--out",
        str(tmp_path / "f"),
        "--every",
        "10",
        "--width",
        "320",
        "--format",
        "gray",
        "--server",
        our_server.target,
    )
    assert result.returncode == 0, result.stderr
    names = sorted(os.listdir(tmp_path / "f"))
    assert names == [f"sample_{n:06d}.pgm" for n in range(1, 101, 10)]
    assert read_pnm(tmp_path / "f" / names[0]).shape == (180, 320)
    info = cli(soccer, "info", "sample", "--server", our_server.target)
    assert info.returncode == 0 and "640x360" in info.stdout and "h264" in info.stdout
    listing = cli(soccer, "list", "--server", our_server.target)
    assert listing.returncode == 0 and "sample" in listing.stdout.split()


@pytest.mark.parametrize(
    "args, message, status",
    [
        (["dump", "nope", "--out", "{tmp}"], "no match", 4),
        (["dump", "../etc/passwd", "--out", "{tmp}"], "invalid match id", 4),
        (["dump", "sample", "--out", "/proc/version/frames"], "output folder", 1),
        (["dump", "sample", "--out", "{tmp}", "--start", "99"], "past the end", 4),
        (["dump", "sample", "--out", "{tmp}", "--deadline", "0.005"], "deadline exceeded", 5),
        (["info", "nope"], "no match", 4),
    ],
)
def test_cli_errors_are_one_line_with_their_exit_status(soccer, our_server, tmp_path, args, message, status):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = cli(soccer, *args, "--server", our_server.target)
    assert result.returncode == status, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_cli_reports_a_server_that_is_down(soccer, tmp_path):
    result = cli(soccer, "dump", "sample", "--out", str(tmp_path), "--server", "127.0.0.1:1")
    assert result.returncode == 2
    assert "cannot reach 127.0.0.1:1" in result.stderr


def test_cli_help_explains_commands(soccer):
    result = cli(soccer, "--help")
    assert result.returncode == 0
    for command in ("serve", "dump", "info", "list", "bench"):
        assert command in result.stdout
    assert "Exit status" in result.stdout
    dump_help = cli(soccer, "dump", "--help").stdout
    assert "--every" in dump_help and "--out" in dump_help
    watch_help = " ".join(cli(soccer, "watch", "--help").stdout.split())
    assert "space or p pause and resume" in watch_help and "ID_NNNNNN.ppm" in watch_help, watch_help
    serve_help = " ".join(cli(soccer, "serve", "--help").stdout.split())
    assert "--pause-timeout" in serve_help


def test_serve_explains_why_it_cannot_start(soccer, our_server):
    port = our_server.target.rsplit(":", 1)[1]
    busy = cli(soccer, "serve", "--media", MEDIA, "--port", port)
    assert busy.returncode == 1
    assert busy.stderr.strip() == f"soccer serve: cannot serve on 127.0.0.1:{port}: Address already in use"
    missing = cli(soccer, "serve", "--media", "/nonexistent-media", "--port", "0")
    assert missing.returncode == 1 and "/nonexistent-media" in missing.stderr


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MiB tmpfs: room for one 640x360 frame, not two."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_dump_on_a_full_disk_fails_clearly_and_leaves_only_whole_files(soccer, our_server, tiny_disk):
    result = cli(soccer, "dump", "sample", "--out", str(tiny_disk), "--server", our_server.target)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "No space left on device" in lines[0], result.stderr
    assert "complete in" in lines[1] and lines[1].endswith("--resume"), result.stderr
    names = os.listdir(tiny_disk)
    assert names == ["sample_000001.ppm"], names
    assert read_pnm(tiny_disk / names[0]).shape == (360, 640, 3)


# --- soccer bench ---------------------------------------------------------------------------

import json  # noqa: E402


def bench_json(soccer, *args):
    result = cli(soccer, "bench", *args, "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def test_bench_json_against_our_server(soccer, our_server):
    report = bench_json(soccer, "sample", "--repeat", "2", "--server", our_server.target)
    assert report["frames"] == 100 and report["bytes"] == 100 * 640 * 360 * 3
    assert report["fps"] > 0 and report["mb_per_s"] > 0 and report["seconds"] > 0
    assert report["repeats"] == 2 and len(report["runs"]) == 2
    assert all(run["frames"] == 100 for run in report["runs"])
    assert 0 < report["first_frame_ms"] < report["seconds"] * 1000
    assert 0 < report["connect_ms"] < report["seconds"] * 1000
    assert report["gap_p50_ms"] <= report["gap_p90_ms"] <= report["gap_p99_ms"] <= report["gap_max_ms"]
    assert report["cpu_seconds"] > 0
    # fps is frames over seconds, not a made-up number.
    run0 = report["runs"][0]
    assert abs(run0["fps"] - run0["frames"] / run0["seconds"]) < 0.01 * run0["fps"]


def test_bench_concurrent_streams_report_each_stream(soccer, our_server):
    report = bench_json(soccer, "sample", "--streams", "3", "--width", "160", "--server", our_server.target)
    assert report["streams"] == 3 and len(report["stream_fps"]) == 3
    assert report["frames"] == 300 and report["bytes"] == 300 * 160 * 90 * 3
    assert all(rate > 0 for rate in report["stream_fps"])


def test_bench_against_the_python_server(soccer, python_server):
    report = bench_json(soccer, "demo", "--server", python_server.target)
    assert report["frames"] == 12 and report["bytes"] == 12 * 320 * 180 * 3
    # The demo has no List: its UNIMPLEMENTED answer still times the connection.
    assert report["connect_ms"] > 0


def test_bench_local_decodes_in_process(soccer):
    report = bench_json(soccer, "--local", os.path.join(MEDIA, "sample.mp4"))
    assert report["server"] == "local" and report["frames"] == 100 and report["fps"] > 0
    assert report["connect_ms"] == 0


def test_bench_table_and_errors(soccer, our_server):
    table = cli(soccer, "bench", "sample", "--repeat", "2", "--server", our_server.target)
    assert table.returncode == 0 and "frames/s" in table.stdout and "median" in table.stdout
    missing = cli(soccer, "bench", "nope", "--server", our_server.target)
    assert missing.returncode == 4 and "no match" in missing.stderr
    both = cli(soccer, "bench", "sample", "--local", "x.mp4")
    assert both.returncode != 0 and "not both" in both.stderr


def test_bench_shares_streams_among_several_matches(soccer, our_server):
    report = bench_json(soccer, "sample", "sample", "--streams", "4", "--width", "64", "--server", our_server.target)
    assert report["source"] == "sample,sample" and report["streams"] == 4 and report["frames"] == 400


def test_client_resolves_host_names(soccer, our_server):
    port = our_server.target.rsplit(":", 1)[1]
    listing = cli(soccer, "list", "--server", f"localhost:{port}")
    assert listing.returncode == 0 and "sample" in listing.stdout.split()


def test_a_python_client_resumes_at_an_exact_frame(soccer, our_server, tmp_path):
    with grpc.insecure_channel(our_server.target) as channel:
        stub = stream_pb2_grpc.SoccerStub(channel)
        frames = list(stub.Watch(stream_pb2.Match(id="sample", start_frame=60, max_frames=2), timeout=20))
    assert [f.frame_index for f in frames] == [60, 61]
    shape = ast.literal_eval(frames[0].data_shape)
    assert counter(np.frombuffer(frames[0].data, dtype=np.uint8).reshape(shape)) == 60
    dumped = cli(soccer, "dump", "sample", "--out", str(tmp_path), "--start-frame", "97", "--server", our_server.target)
    assert dumped.returncode == 0, dumped.stderr
    assert sorted(os.listdir(tmp_path)) == ["sample_000098.ppm", "sample_000099.ppm", "sample_000100.ppm"]
    past = cli(
        soccer, "dump", "sample", "--out", str(tmp_path / "past"), "--start-frame", "100", "--server", our_server.target
    )
    assert past.returncode == 4 and "start frame 100 is past the end" in past.stderr, past.stderr


# --- Frames at chosen indices ------------------------------------------------------------


def test_grpcio_client_gets_the_frames_it_chose_in_its_order(our_server):
    """frame_indices is plain protobuf: a grpcio client sets it and gets exactly those frames."""
    chosen = [99, 0, 50, 50, 49, 51, 7]
    with grpc.insecure_channel(our_server.target, options=[("grpc.max_receive_message_length", -1)]) as channel:
        stub = stream_pb2_grpc.SoccerStub(channel)
        videos = list(stub.Watch(stream_pb2.Match(id="sample", frame_indices=chosen)))
    assert [video.frame_index for video in videos] == chosen
    frames = [np.frombuffer(v.data, dtype=v.data_type).reshape(ast.literal_eval(v.data_shape)) for v in videos]
    assert [counter(frame) for frame in frames] == chosen


def test_grpcio_client_is_told_an_index_past_the_end_before_any_frame(our_server):
    with grpc.insecure_channel(our_server.target) as channel:
        stub = stream_pb2_grpc.SoccerStub(channel)
        received = []
        with pytest.raises(grpc.RpcError) as error:
            for video in stub.Watch(stream_pb2.Match(id="sample", frame_indices=[1, 100])):
                received.append(video)
    assert error.value.code() == grpc.StatusCode.OUT_OF_RANGE
    assert "frame index 100 is past the end" in error.value.details()
    assert received == []


def test_dump_writes_chosen_and_sampled_frames_under_their_numbers(our_server, soccer, tmp_path):
    out = tmp_path / "at"
    result = cli(
        soccer, "dump", "sample", "--out", str(out), "--frames-at", "0,50,99,50", "--server", our_server.target
    )
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(out)) == ["sample_000001.ppm", "sample_000051.ppm", "sample_000100.ppm"]
    sampled = tmp_path / "sample"
    result = cli(
        soccer,
        "dump",
        "sample",
        "--out",
        str(sampled),
        "--sample",
        "4",
        "--format",
        "gray",
        "--server",
        our_server.target,
    )
    assert result.returncode == 0, result.stderr
    # Four frames spread evenly over 100: 0, 33, 66, 99.
    assert sorted(os.listdir(sampled)) == [f"sample_{n:06d}.pgm" for n in (1, 34, 67, 100)]
    result = cli(
        soccer,
        "dump",
        "sample",
        "--out",
        str(tmp_path / "x"),
        "--sample",
        "4",
        "--every",
        "2",
        "--server",
        our_server.target,
    )
    assert result.returncode != 0 and "do not go with" in result.stderr
    result = cli(
        soccer, "dump", "sample", "--out", str(tmp_path / "y"), "--frames-at", "1,x", "--server", our_server.target
    )
    assert result.returncode != 0 and "frame indices" in result.stderr
    result = cli(
        soccer, "dump", "sample", "--out", str(tmp_path / "z"), "--sample", "101", "--server", our_server.target
    )
    assert result.returncode != 0 and "more frames than" in result.stderr
    assert not (tmp_path / "z").exists() or not os.listdir(tmp_path / "z")


def test_bench_times_sampled_frames(our_server, soccer):
    result = cli(soccer, "bench", "sample", "--sample", "8", "--json", "--server", our_server.target)
    assert result.returncode == 0, result.stderr
    import json

    report = json.loads(result.stdout)
    assert report["frames"] == 8 and report["fps"] > 0
