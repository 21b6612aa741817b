"""The Python package, soccerstream, against the real server: frames, chosen frames, the rest of
the service, errors, TLS and tokens, a list of replicas with one killed, and a fresh install."""

import os
import signal
import subprocess
import sys
import time

import grpc
import numpy as np
import pytest

import soccerstream
from soccertest import MEDIA, ROOT, Server, make_pki, readme_example, serve, soccer_binary
from soccertest.stubs import load

stream_pb2, stream_pb2_grpc = load()


@pytest.fixture(scope="module")
def server():
    s = serve("--replica", "only")
    yield s
    s.stop()


def test_frames_are_read_only_views_with_their_place_and_replica(server):
    with soccerstream.connect(server.target) as client:
        frames = list(client.frames("sample"))
    assert [f.index for f in frames] == list(range(100))
    first = frames[0]
    assert first.array.shape == (360, 640, 3) and first.array.dtype == np.uint8
    assert not first.array.flags.writeable
    assert first.replica == "only" and first.seconds == 0.0
    assert frames[1].seconds == pytest.approx(0.04)
    # The pixels a plain grpcio client gets, bit for bit.
    with grpc.insecure_channel(server.target, options=[("grpc.max_receive_message_length", -1)]) as channel:
        video = next(stream_pb2_grpc.SoccerStub(channel).Watch(stream_pb2.Match(id="sample")))
    assert first.array.tobytes() == video.data


def test_frames_take_the_ranges_sizes_and_formats_the_cli_takes(server):
    with soccerstream.connect(server.target) as client:
        picked = list(client.frames("sample", start_frame=10, every=5, count=4, width=320, format="gray"))
        assert [f.index for f in picked] == [10, 15, 20, 25]
        assert all(f.array.shape == (180, 320) for f in picked)
        late = next(client.frames("sample", start_seconds=2.0, format="rgb", height=90))
        assert late.index == 50 and late.array.shape == (90, 160, 3)
        assert list(client.frames("sample", count=0)) == []


def test_frames_at_gives_the_frames_asked_for_in_order(server):
    indices = [99, 0, 50, 50, 7]
    with soccerstream.connect(server.target) as client:
        batch = client.frames_at("sample", indices, width=160)
        whole = {f.index: f.array for f in client.frames("sample", width=160)}
    assert batch.shape == (5, 90, 160, 3)
    for row, index in zip(batch, indices, strict=False):
        assert np.array_equal(row, whole[index])


def test_describe_and_list(server):
    with soccerstream.connect(server.target) as client:
        info = client.describe("sample")
        ids = client.list()
    assert (info.width, info.height, info.frame_count, info.codec) == (640, 360, 100, "h264")
    assert info.frame_count_exact and info.frame_rate == pytest.approx(25)
    assert "sample" in ids


def test_every_failure_is_a_soccer_error_with_the_servers_message(server):
    with soccerstream.connect(server.target) as client:
        with pytest.raises(soccerstream.NotFound) as missing:
            client.describe("no-such-match")
        assert missing.value.code == "NOT_FOUND" and "no-such-match" in missing.value.message
        with pytest.raises(soccerstream.OutOfRange) as late:
            next(client.frames("sample", start_frame=1000))
        assert "past the end" in late.value.message and late.value.replica == "only"
        with pytest.raises(soccerstream.OutOfRange):
            client.frames_at("sample", [5, 100])
        with pytest.raises(soccerstream.InvalidArgument):
            next(client.frames("../etc/passwd"))
        with pytest.raises(soccerstream.InvalidArgument):
            next(client.frames("sample", start_frame=3, start_seconds=1.0))
        with pytest.raises(soccerstream.InvalidArgument):
            client.frames_at("sample", [])
        assert issubclass(soccerstream.Unavailable, soccerstream.SoccerError)
    with soccerstream.connect("127.0.0.1:1", deadline=5) as nowhere, pytest.raises(soccerstream.Unavailable):
        nowhere.list()


def test_tls_and_the_token(tmp_path):
    pki = make_pki(tmp_path)
    (pki / "token").write_text("s3cret\n")
    server = serve(
        "--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key"), "--token-file", str(pki / "token")
    )
    try:
        target = f"localhost:{server.port}"
        with soccerstream.connect(target, ca=pki / "ca.pem", token_file=pki / "token") as client:
            assert "sample" in client.list()
            assert next(client.frames("sample", width=64)).array.shape == (36, 64, 3)
        with soccerstream.connect(target, ca=pki / "ca.pem") as client, pytest.raises(soccerstream.Unauthenticated):
            client.list()
        os.environ["SOCCER_TOKEN"] = "s3cret"
        try:
            with soccerstream.connect(target, tls=True, ca=pki / "ca.pem") as client:
                assert client.describe("sample").frame_count == 100
        finally:
            del os.environ["SOCCER_TOKEN"]
        with soccerstream.connect(target, ca=pki / "other-ca.pem", token="s3cret", deadline=5) as client:
            with pytest.raises(soccerstream.Unavailable):
                client.list()
    finally:
        server.stop()


def test_a_stream_resumes_on_the_other_replica_when_its_replica_is_killed():
    servers = [serve("--replica", name) for name in ("one", "two")]
    try:
        by_name = {"one": servers[0], "two": servers[1]}
        with soccerstream.connect(",".join(s.target for s in servers)) as client:
            frames = []
            for frame in client.frames("sample", real_time=True, width=64):
                frames.append(frame)
                if len(frames) == 10:
                    by_name[frame.replica].process.send_signal(signal.SIGKILL)
        assert [f.index for f in frames] == list(range(100))
        assert len({f.replica for f in frames}) == 2
        assert frames[-1].replica != frames[0].replica
    finally:
        for s in servers:
            s.stop()


def test_unix_socket_targets(tmp_path):
    path = tmp_path / "soccer.sock"
    server = Server([soccer_binary(), "serve", "--media", MEDIA, "--unix", str(path)])
    try:
        with soccerstream.connect(f"unix:{path}") as client:
            assert client.frames_at("sample", [3]).shape == (1, 360, 640, 3)
    finally:
        server.stop()


def test_the_package_installs_into_a_fresh_environment_and_imports(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    started = time.monotonic()
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", os.path.join(ROOT, "python")],
        check=True,
        timeout=300,
    )
    result = subprocess.run(
        [
            python,
            "-c",
            "import soccerstream, sys; print(soccerstream.__file__); print(sorted(soccerstream.__all__)[:3])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(venv) in result.stdout and "Cancelled" in result.stdout
    print(f"installed into a fresh environment in {time.monotonic() - started:.1f} s")
    # And as a wheel: pure Python, typed, with its generated messages inside.
    import zipfile

    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--disable-pip-version-check",
            "--no-deps",
            "-w",
            str(wheels),
            os.path.join(ROOT, "python"),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.iterdir()
    assert wheel.name.startswith("soccerstream-") and wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("soccerstream/__init__.py", "soccerstream/py.typed", "soccerstream/_proto/stream_pb2.py"):
        assert part in names, names


def test_the_readme_example_runs_as_printed(server, capsys):
    code = readme_example("package-example").replace("127.0.0.1:50051", server.target)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "100"
    assert printed[1:5] == [f"{n} (180, 320, 3)" for n in (25, 30, 35, 40)]
    assert "past the end" in printed[5]


def test_upload_checks_hashes_and_publishes(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    server = serve("--allow-upload", media=media)
    try:
        sent = []
        with soccerstream.connect(server.target) as client:
            info = client.upload(os.path.join(MEDIA, "sample.mp4"), "uploaded", progress=sent.append)
            assert (info.id, info.frame_count) == ("uploaded", 100)
            assert sent[-1] == os.path.getsize(os.path.join(MEDIA, "sample.mp4"))
            assert client.frames_at("uploaded", [99]).shape == (1, 360, 640, 3)
            with pytest.raises(soccerstream.SoccerError) as taken:
                client.upload(os.path.join(MEDIA, "sample.mp4"), "uploaded")
            assert taken.value.code == "ALREADY_EXISTS"
            assert client.upload(os.path.join(MEDIA, "sample.mp4"), "uploaded", replace=True).frame_count == 100
            (tmp_path / "empty.mp4").write_bytes(b"")
            with pytest.raises(soccerstream.InvalidArgument, match="empty"):
                client.upload(tmp_path / "empty.mp4")
            with pytest.raises(soccerstream.InvalidArgument, match="not a regular file"):
                client.upload(tmp_path)
            (tmp_path / "text.mp4").write_text("not a video\n" * 100)
            with pytest.raises(soccerstream.FailedPrecondition):
                client.upload(tmp_path / "text.mp4")
        assert sorted(os.listdir(media)) == ["uploaded.mp4"]
    finally:
        server.stop()


def test_play_seeks_pauses_and_drops_the_frames_before_a_seek(server):
    with soccerstream.connect(server.target) as client, client.play("sample", width=64) as playback:
        frames = iter(playback)
        assert [next(frames).index for _ in range(3)] == [0, 1, 2]
        playback.seek(frame=60)
        assert next(frames).index == 60
        playback.pause()
        playback.step(2)
        stepped = [next(frames).index for _ in range(2)]
        assert stepped[-1] > 60
        playback.seek(frame=500)
        playback.seek(frame=10)
        assert next(frames).index == 10
        assert [r.code for r in playback.refusals] == ["OUT_OF_RANGE"]
        assert "past the end" in playback.refusals[0].message


def _sampled(target, shard, out):
    """One worker process: its share of seven matches, and the frames it got from them."""
    sampler = soccerstream.FrameSampler(
        lambda: soccerstream.connect(target), [f"m{n}" for n in range(7)], shard=shard, width=32
    )
    indices = [frame.index for frame in sampler]
    out.put(([clip.id for clip in sampler.items()], len(indices), indices.count(0)))


def test_the_sampler_deals_each_match_to_one_shard_across_processes(tmp_path):
    import multiprocessing

    media = tmp_path / "media"
    media.mkdir()
    for n in range(7):
        with open(os.path.join(MEDIA, "sample.mp4"), "rb") as src, open(media / f"m{n}.mp4", "wb") as dst:
            dst.write(src.read())
    server = serve(media=media)
    try:
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        workers = [context.Process(target=_sampled, args=(server.target, (i, 3), out)) for i in range(3)]
        for w in workers:
            w.start()
        shares = [out.get(timeout=120) for _ in workers]
        for w in workers:
            w.join(timeout=30)
        # Each match to exactly one process, and each process got its matches' every frame.
        assert sorted(id for ids, _, _ in shares for id in ids) == [f"m{n}" for n in range(7)]
        assert sorted(len(ids) for ids, _, _ in shares) == [2, 2, 3]
        assert all(count == 100 * len(ids) and starts == len(ids) for ids, count, starts in shares)
    finally:
        server.stop()


def test_the_sampler_splits_a_share_again_inside_a_torch_dataloader_worker(tmp_path):
    # A stand-in for torch.utils.data that says this is worker 1 of 2, as a DataLoader worker's would.
    fake = tmp_path / "fake" / "torch" / "utils" / "data"
    fake.mkdir(parents=True)
    for folder in (fake.parent.parent, fake.parent):
        (folder / "__init__.py").write_text("")
    (fake / "__init__.py").write_text(
        "class _Info:\n    id, num_workers = 1, 2\n\ndef get_worker_info():\n    return _Info()\n"
    )
    code = (
        "import soccerstream; s = soccerstream.FrameSampler(lambda: None, ['a','b','c','d','e','f'], "
        "shard=(1, 2)); print(s.share(), [c.id for c in s.items()])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "fake")},
    )
    assert result.stdout.strip() == "(3, 4) ['d']"


ALLOCATOR = """
import sys, soccerstream
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096
client = soccerstream.connect(sys.argv[1])
before = rss()
block = bytearray(48 << 20)
block[::4096] = b"x" * len(block[::4096])
del block
print((rss() - before) >> 20)
"""


def test_connect_keeps_freed_frame_memory_for_reuse_unless_told_not_to(server):
    # A 48 MiB buffer freed after connect stays with the process (the next frame reuses it);
    # with SOCCERSTREAM_MALLOC=default glibc hands it back to the kernel as before.
    def kept(env):
        out = subprocess.run(
            [sys.executable, "-c", ALLOCATOR, server.target],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **env},
        ).stdout
        return int(out.strip())

    assert kept({}) >= 40
    assert kept({"SOCCERSTREAM_MALLOC": "default"}) <= 8
