"""JPEG and PNG frames: the same arrays as raw (PNG exactly, JPEG as close as OpenCV's own JPEG at
that quality), files that Pillow and OpenCV open, and bad requests refused."""

import glob
import os

import cv2
import grpc
import numpy as np
import pytest
from PIL import Image

import soccerstream
from soccertest import cli
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()


def psnr(a, b):
    mean = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mean == 0 else 10 * np.log10(255**2 / mean)


def frames(target, **options):
    with soccerstream.connect(target) as client:
        return [(f.index, f.array.copy(), f.encoding, f.encoded) for f in client.frames("sample", **options)]


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"format": "rgb"},
        {"format": "gray"},
        {"width": 320},
        {"format": "rgb", "height": 101},
        {"format": "gray", "width": 250},
    ],
)
def test_png_frames_are_the_raw_frames(our_server, options):
    raw = frames(our_server.target, count=12, **options)
    png = frames(our_server.target, count=12, encoding="png", **options)
    assert [i for i, *_ in png] == [i for i, *_ in raw] == list(range(12))
    for (index, expected, _, _), (_, array, encoding, encoded) in zip(raw, png, strict=False):
        assert encoding == "png" and encoded[:8] == b"\x89PNG\r\n\x1a\n"
        assert array.shape == expected.shape and np.array_equal(array, expected), f"frame {index} differs"
        assert len(encoded) < expected.nbytes


@pytest.mark.parametrize("options", [{}, {"format": "rgb"}, {"format": "gray"}, {"width": 320}])
def test_jpeg_frames_at_quality_90_are_as_close_as_opencvs_own_jpeg(our_server, options):
    raw = frames(our_server.target, count=6, **options)
    jpeg = frames(our_server.target, count=6, encoding="jpeg", quality=90, **options)
    for (index, expected, _, _), (_, array, encoding, encoded) in zip(raw, jpeg, strict=False):
        assert encoding == "jpeg" and encoded[:2] == b"\xff\xd8"
        assert array.shape == expected.shape
        # OpenCV's JPEG of the raw frame, at the same quality, is the yardstick (4:2:0 as its default).
        bgr = expected if options.get("format") != "rgb" else expected[..., ::-1]
        _, theirs = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
        decoded = cv2.imdecode(theirs, cv2.IMREAD_UNCHANGED)
        if options.get("format") == "rgb":
            decoded = decoded[..., ::-1]
        ours, reference = psnr(array, expected), psnr(decoded, expected)
        assert ours >= 28 and ours >= reference - 0.5, f"frame {index}: {ours:.1f} dB, OpenCV's {reference:.1f} dB"
        assert len(encoded) * 10 < expected.nbytes


def test_lower_quality_is_fewer_bytes_and_decode_false_keeps_the_file(our_server):
    sizes = {}
    for quality in (50, 75, 95):
        with soccerstream.connect(our_server.target) as client:
            got = list(client.frames("sample", count=3, encoding="jpeg", quality=quality, decode=False))
        assert all(f.encoding == "jpeg" and f.encoded[:2] == b"\xff\xd8" for f in got)
        sizes[quality] = sum(len(f.encoded) for f in got)
        # Decoded when first read, and then kept.
        assert got[0].array is got[0].array and got[0].array.shape == (360, 640, 3)
    assert sizes[50] < sizes[75] < sizes[95]


def test_frames_at_and_play_take_the_encoding(our_server):
    with soccerstream.connect(our_server.target) as client:
        raw = client.frames_at("sample", [50, 3, 50], format="rgb")
        png = client.frames_at("sample", [50, 3, 50], format="rgb", encoding="png")
        assert np.array_equal(raw, png)
        with client.play("sample", real_time=False, encoding="png") as playback:
            played = iter(playback)
            assert next(played).encoding == "png"
            playback.seek(frame=40)
            frame = next(played)
            assert frame.index == 40 and np.array_equal(frame.array, client.frames_at("sample", [40])[0])


def test_bad_encoding_requests_are_refused(our_server):
    with grpc.insecure_channel(our_server.target) as channel:
        stub = stream_pb2_grpc.SoccerStub(channel)
        for match, words in [
            (
                stream_pb2.Match(id="sample", encoding=stream_pb2.FRAME_ENCODING_JPEG, jpeg_quality=101),
                "jpeg_quality must be 1 to 100",
            ),
            (
                stream_pb2.Match(id="sample", encoding=stream_pb2.FRAME_ENCODING_PNG, jpeg_quality=80),
                "jpeg_quality goes only with the JPEG encoding",
            ),
            (stream_pb2.Match(id="sample", encoding=9), "unknown encoding 9"),
            (
                stream_pb2.Match(
                    id="sample",
                    encoding=stream_pb2.FRAME_ENCODING_PNG,
                    shared_memory=stream_pb2.SharedMemoryRing(name="/x", size=8192, slots=1, slot_bytes=4096),
                ),
                "does not go with an encoding",
            ),
        ]:
            with pytest.raises(grpc.RpcError) as refused:
                list(stub.Watch(match, timeout=20))
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, refused.value.details()
            assert words in refused.value.details()
        # A client of the original contract gets raw frames, and no encoding field.
        first = next(iter(stub.Watch(stream_pb2.Match(id="sample", max_frames=1), timeout=20)))
        assert first.encoding == stream_pb2.FRAME_ENCODING_RAW and not first.HasField("slot")
        assert len(first.data) == 640 * 360 * 3 and first.data_shape == "(360, 640, 3)"
    with soccerstream.connect(our_server.target) as client, pytest.raises(soccerstream.InvalidArgument):
        list(client.frames("sample", encoding="png", quality=50))


def test_soccer_dump_writes_the_servers_files_which_pillow_and_opencv_open(soccer, our_server, tmp_path):
    ppm, jpeg, png = tmp_path / "ppm", tmp_path / "jpeg", tmp_path / "png"
    for out, fmt in ((ppm, "rgb"), (jpeg, "jpeg:85"), (png, "png")):
        done = cli(
            soccer, "dump", "sample", "--out", str(out), "--format", fmt, "--every", "10", "--server", our_server.target
        )
        assert done.returncode == 0, done.stderr
        assert "wrote 10 frames" in done.stdout, done.stdout
    ppms, jpegs, pngs = (sorted(glob.glob(str(d / "*"))) for d in (ppm, jpeg, png))
    assert [os.path.basename(p) for p in jpegs] == [f"sample_{n:06d}.jpg" for n in range(1, 100, 10)]
    assert [os.path.basename(p) for p in pngs] == [f"sample_{n:06d}.png" for n in range(1, 100, 10)]
    for p, j, g in zip(ppms, jpegs, pngs, strict=False):
        rgb = np.asarray(Image.open(p))
        assert np.array_equal(np.asarray(Image.open(g)), rgb)
        assert np.array_equal(cv2.imread(g, cv2.IMREAD_COLOR)[..., ::-1], rgb)
        with Image.open(j) as picture:
            assert picture.format == "JPEG" and picture.size == (640, 360)
            assert psnr(np.asarray(picture), rgb) > 28
        assert cv2.imread(j).shape == (360, 640, 3)


def test_soccer_dump_of_jpegs_resumes_and_takes_chosen_frames(soccer, our_server, tmp_path):
    out = tmp_path / "out"
    first = cli(
        soccer, "dump", "sample", "--out", str(out), "--format", "jpeg", "--frames", "4", "--server", our_server.target
    )
    assert first.returncode == 0, first.stderr
    (out / "sample_000009.ppm").write_bytes(b"not this dump's")
    rest = cli(
        soccer,
        "dump",
        "sample",
        "--out",
        str(out),
        "--format",
        "jpeg",
        "--frames",
        "10",
        "--resume",
        "--server",
        our_server.target,
    )
    assert rest.returncode == 0, rest.stderr
    assert "after 4 already there" in rest.stdout, rest.stdout
    assert sorted(p.name for p in out.glob("*.jpg")) == [f"sample_{n:06d}.jpg" for n in range(1, 11)]
    chosen = cli(
        soccer,
        "dump",
        "sample",
        "--out",
        str(tmp_path / "chosen"),
        "--format",
        "png",
        "--frames-at",
        "70,5",
        "--server",
        our_server.target,
    )
    assert chosen.returncode == 0, chosen.stderr
    assert sorted(p.name for p in (tmp_path / "chosen").iterdir()) == ["sample_000006.png", "sample_000071.png"]


def test_a_server_that_does_not_encode_is_an_error_for_dump(soccer, python_server, tmp_path):
    done = cli(
        soccer, "dump", "sample", "--out", str(tmp_path / "x"), "--format", "png", "--server", python_server.target
    )
    assert done.returncode != 0 and "does not encode frames" in done.stderr, done.stderr
    assert not list((tmp_path / "x").glob("*"))


@pytest.mark.parametrize(
    "args,words",
    [
        (["dump", "sample", "--out", "/tmp/x", "--format", "jpeg:0"], "--format"),
        (["dump", "sample", "--out", "/tmp/x", "--format", "webp"], "--format"),
        (["bench", "sample", "--encoding", "jpeg:101"], "--encoding"),
        (["watch", "sample", "--encoding", "gif"], "--encoding"),
        (["bench", "--local", "media/sample.mp4", "--encoding", "png"], "not with --local"),
    ],
)
def test_bad_encodings_on_the_command_line_are_usage_errors(soccer, args, words):
    done = cli(soccer, *args)
    assert done.returncode == 64 or done.returncode == 2, (done.returncode, done.stderr)
    assert words in done.stderr, done.stderr


def test_bench_and_watch_decode_encoded_frames(soccer, our_server):
    raw = cli(soccer, "bench", "sample", "--json", "--server", our_server.target)
    jpeg = cli(soccer, "bench", "sample", "--json", "--encoding", "jpeg:75", "--server", our_server.target)
    assert raw.returncode == 0 and jpeg.returncode == 0, jpeg.stderr
    import json

    raw_report, jpeg_report = json.loads(raw.stdout), json.loads(jpeg.stdout)
    assert jpeg_report["frames"] == raw_report["frames"] == 100
    assert jpeg_report["bytes"] * 10 < raw_report["bytes"]
    drawn = cli(
        soccer,
        "watch",
        "sample",
        "--once",
        "--mode",
        "ascii",
        "--size",
        "40x12",
        "--encoding",
        "png",
        "--server",
        our_server.target,
    )
    plain = cli(
        soccer, "watch", "sample", "--once", "--mode", "ascii", "--size", "40x12", "--server", our_server.target
    )
    assert drawn.returncode == 0 and drawn.stdout == plain.stdout and drawn.stdout.strip()
