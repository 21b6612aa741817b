"""Many replicas as one service: an nginx media store, three replicas reading from it, Envoy in
front (or client-side round robin), and clients whose streams survive a replica lost mid-run."""

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from typing import ClassVar

import pytest

import soccerstream
from soccertest import MEDIA, Envoy, Nginx, Server, cli, free_port, http_get, serve, soccer_binary, stream_parts

DUMPS = 12
MATCHES = ["sample", "m1", "m2", "m3", "m4", "m5"]
# Frames small enough that twelve dumps write little; the match is the 100-frame sample.
DUMP_OPTIONS = ["--width", "160"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """nginx serving the sample; its /slow/ location sends 64 kB/s a connection, so each stream
    takes about six seconds whatever the machine: long enough to lose a replica mid-stream."""
    work = tmp_path_factory.mktemp("store")
    folder = work / "media"
    folder.mkdir()
    # The sample under other ids too: matches that a balancer by match spreads over the replicas.
    for id in MATCHES:
        shutil.copy(os.path.join(MEDIA, "sample.mp4"), folder / f"{id}.mp4")
    nginx = Nginx(folder, work / "nginx")
    yield nginx
    nginx.stop()


@pytest.fixture(scope="module")
def reference(tmp_path_factory, soccer):
    """The dump a single healthy server gives, from a local folder: what every dump must equal."""
    out = tmp_path_factory.mktemp("reference")
    server = serve()
    try:
        result = cli(soccer, "dump", "sample", "--out", str(out), *DUMP_OPTIONS, "--server", server.target)
        assert result.returncode == 0, result.stderr
    finally:
        assert server.stop() == 0
    files = {name: (out / name).read_bytes() for name in os.listdir(out)}
    assert len(files) == 100
    return files


class Replicas:
    """Three `soccer serve` replicas named r1..r3 on fixed loopback ports, reading the store;
    with `hosts`, one port on three loopback addresses instead; with `web`, each serves its web
    API on a port of `web_ports` too."""

    def __init__(self, media, hosts=("127.0.0.1",) * 3, web=False):
        self.media = media
        self.hosts = list(hosts)
        port = free_port()
        self.ports = [port] * 3 if len(set(hosts)) == 3 else [free_port() for _ in range(3)]
        self.web_ports = [free_port() for _ in range(3)] if web else []
        self.servers = [self.start(n) for n in range(3)]

    def start(self, n):
        return Server(
            [
                soccer_binary(),
                "serve",
                "--media",
                self.media,
                "--host",
                self.hosts[n],
                "--port",
                str(self.ports[n]),
                "--replica",
                f"r{n + 1}",
                "--grace",
                "2",
                *(["--http", f"{self.hosts[n]}:{self.web_ports[n]}"] if self.web_ports else []),
            ]
        )

    def restart(self, n):
        self.servers[n] = self.start(n)

    @property
    def targets(self):
        return ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def stop(self):
        for server in self.servers:
            server.stop()


@pytest.fixture
def replicas(store):
    group = Replicas(store.url.replace("/media/", "/slow/"))
    yield group
    group.stop()


@pytest.fixture
def envoy(replicas, tmp_path):
    proxy = Envoy(replicas.ports, tmp_path / "envoy")
    assert proxy.wait_for_health({port: True for port in replicas.ports}) == {port: True for port in replicas.ports}
    yield proxy
    proxy.stop()


class Dump:
    """One `soccer dump` of the sample running in the background; `wrap` goes before the command."""

    # Every dump a test started: one still running when the test ends (a failed assertion) is
    # killed, so it cannot disturb the next test.
    started: ClassVar[list["Dump"]] = []

    def __init__(self, target, out, wrap=(), extra=(), id="sample"):
        self.out = out
        self.id = id
        self.process = subprocess.Popen(
            [*wrap, soccer_binary(), "dump", id, "--out", str(out), *DUMP_OPTIONS, *extra, "--server", target],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout = self.stderr = ""
        Dump.started.append(self)

    def files(self):
        return [name for name in os.listdir(self.out) if not name.startswith(".")] if self.out.exists() else []

    def finish(self, timeout=90):
        self.stdout, self.stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode

    def replicas(self):
        """The replicas that sent the frames, in order, from the summary line."""
        match = re.search(r"frames/s from (.+)$", self.stdout.strip())
        return match.group(1).split(", then ") if match else []

    def breaks(self):
        return [line for line in self.stderr.splitlines() if "broke after frame" in line]


@pytest.fixture(autouse=True)
def no_dump_outlives_its_test():
    yield
    for dump in Dump.started:
        if dump.process.poll() is None:
            dump.process.kill()
            dump.process.communicate(timeout=10)
    Dump.started.clear()


def start_dumps(target, folder, count=DUMPS, wrap=(), extra=()):
    return [Dump(target, folder / f"dump{n}", wrap, extra) for n in range(count)]


def wait_until_all_streaming(dumps, frames=3, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(len(dump.files()) >= frames for dump in dumps):
            return
        time.sleep(0.05)
    raise AssertionError(f"not every dump got {frames} frames: {[len(d.files()) for d in dumps]}")


def assert_complete(dump, reference):
    """Exit 0 and exactly every frame once, each equal to the healthy server's (the sample's
    frames, whatever id the dump asked for them by)."""
    assert dump.finish() == 0, dump.stderr
    names = sorted(name.replace(f"{dump.id}_", "sample_", 1) for name in dump.files())
    assert names == sorted(reference), f"{dump.out}: {len(names)} files\n{dump.stderr}"
    for name in names:
        assert (dump.out / name.replace("sample_", f"{dump.id}_", 1)).read_bytes() == reference[name], name


def test_envoy_sends_each_match_to_one_replica_and_spreads_the_matches(envoy, replicas, reference, tmp_path):
    dumps = [Dump(envoy.target, tmp_path / f"dump{n}", id=MATCHES[n % len(MATCHES)]) for n in range(2 * len(MATCHES))]
    for dump in dumps:
        assert_complete(dump, reference)
        assert not dump.breaks(), dump.stderr
    served = {}
    for dump in dumps:
        served.setdefault(dump.id, set()).add(dump.replicas()[0])
    assert all(len(replicas) == 1 for replicas in served.values()), served
    assert len(set().union(*served.values())) >= 2, served
    # The Python package names the match too: its calls go where the CLI's went.
    with soccerstream.connect(envoy.target, deadline=60) as client:
        for id in MATCHES:
            seen = {frame.replica for _ in range(3) for frame in client.frames(id, count=1, width=160)}
            assert seen == served[id], (id, seen, served[id])


def test_envoy_serves_the_web_viewer_and_api_each_match_from_its_grpc_replica(store, tmp_path):
    """Envoy's web listener: the viewer's page, and each match's frames and frame stream from one
    replica, the one its gRPC calls go to (both clusters hash the id over the same replica names)."""
    group = Replicas(store.url, web=True)
    proxy = None
    try:
        proxy = Envoy(group.ports, tmp_path / "envoy", web_ports=group.web_ports)
        for cluster, ports in (("soccer", group.ports), ("soccer-web", group.web_ports)):
            healthy = {port: True for port in ports}
            assert proxy.wait_for_health(healthy, cluster=cluster) == healthy
        address = ("http", "127.0.0.1", proxy.web_port)
        status, headers, body = http_get(address, "/watch/m1?frame=3")
        assert status == 200 and b"/static/viewer.js" in body
        served = {}
        with soccerstream.connect(proxy.target, deadline=60) as client:
            for id in MATCHES:
                seen = set()
                for n in (3, 50, 3):
                    status, headers, body = http_get(address, f"/v1/matches/{id}/frames/{n}.png?width=160")
                    assert status == 200 and body.startswith(b"\x89PNG"), body[:200]
                    seen.add(headers["Soccer-Replica"])
                status, headers, body = http_get(address, f"/v1/matches/{id}/frames.mjpeg?start=95&width=160")
                parts, closed = stream_parts(body)
                assert status == 200 and closed and [int(h["soccer-frame"]) for h, _ in parts] == [95, 96, 97, 98, 99]
                seen.add(headers["Soccer-Replica"])
                assert len(seen) == 1, (id, seen)
                served[id] = seen.pop()
                assert {frame.replica for frame in client.frames(id, count=1, width=160)} == {served[id]}, id
        assert len(set(served.values())) >= 2, served
    finally:
        if proxy:
            proxy.stop()
        group.stop()


def test_eight_clients_of_one_match_behind_envoy_meet_on_one_replica_and_share_its_decode(envoy, replicas):
    """Eight viewers of one match through Envoy, starting together: one replica serves them all,
    from one decode of the store's file."""
    out = {}

    def watch(n):
        with soccerstream.connect(envoy.target, deadline=60) as client:
            out[n] = [(f.index, f.replica) for f in client.frames("sample", count=50, width=160, real_time=True)]

    threads = [threading.Thread(target=watch, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all([index for index, _ in out[n]] == list(range(50)) for n in range(8)), out
    served = {replica for frames in out.values() for _, replica in frames}
    assert len(served) == 1, served
    server = replicas.servers[int(served.pop()[1:]) - 1]
    deadline = time.monotonic() + 10
    lines = []
    while len(lines) < 8 and time.monotonic() < deadline:
        lines = [line for line in server.log(0.2).splitlines() if "id=sample" in line and "decoded=" in line]
    assert len(lines) == 8, lines
    # One decode: the 50 frames, and the few it decoded ahead before the viewers stopped. (A
    # viewer whose first frame comes after the decode has moved on starts one of its own: on a
    # busy machine, one of the eight may.)
    shared = sum("decode=shared" in line for line in lines)
    decoded = sum(int(re.search(r"decoded=(\d+)", line).group(1)) for line in lines)
    assert shared >= 6 and decoded < (8 - shared) * 60, lines


def kill_one_mid_run(dumps, replicas, victim=0):
    wait_until_all_streaming(dumps)
    assert all(dump.process.poll() is None for dump in dumps), "a dump finished before the kill"
    replicas.servers[victim].process.send_signal(signal.SIGKILL)
    replicas.servers[victim].process.wait(timeout=10)


def serving(envoy, replicas):
    """The replica Envoy has most requests open to now (by index)."""
    active = envoy.active_requests()
    return replicas.ports.index(max(active, key=active.get))


def assert_kill_survived(dumps, reference, victim_name="r1"):
    """Every dump complete; the streams that were on the victim went on elsewhere."""
    for dump in dumps:
        assert_complete(dump, reference)
    broken = [dump for dump in dumps if dump.breaks()]
    first = [dump.replicas()[0] for dump in dumps]
    assert len(broken) == first.count(victim_name) and broken, [d.stdout for d in dumps]
    for dump in broken:
        assert len(dump.replicas()) == 2 and dump.replicas()[1] != victim_name, dump.stdout
        assert re.search(r"broke after frame (\d+) .*; resuming at frame (\d+), retry 1 of 3", dump.breaks()[0])
    return len(broken)


def test_a_replica_killed_mid_run_behind_envoy_loses_and_repeats_no_frame(envoy, replicas, reference, tmp_path):
    dumps = start_dumps(envoy.target, tmp_path / "first")
    wait_until_all_streaming(dumps)
    # Every dump is of one match: the replica serving it is the one to kill.
    victim = serving(envoy, replicas)
    kill_one_mid_run(dumps, replicas, victim)
    assert_kill_survived(dumps, reference, f"r{victim + 1}")
    # Envoy's health check (1 s) takes the dead replica out; the match's streams go to one of
    # the others at once.
    healthy = {port: True for port in replicas.ports} | {replicas.ports[victim]: False}
    assert envoy.wait_for_health(healthy, timeout=10) == healthy
    after = start_dumps(envoy.target, tmp_path / "after", count=6)
    for dump in after:
        assert_complete(dump, reference)
        assert not dump.breaks() and dump.replicas()[0] != f"r{victim + 1}", dump.stdout + dump.stderr
    assert len({dump.replicas()[0] for dump in after}) == 1


def test_a_replica_killed_mid_run_with_client_side_round_robin_loses_and_repeats_no_frame(
    replicas, reference, tmp_path
):
    dumps = start_dumps(replicas.targets, tmp_path)
    kill_one_mid_run(dumps, replicas)
    assert_kill_survived(dumps, reference)


def test_chosen_frames_survive_a_replica_killed_mid_request(replicas, reference, tmp_path):
    """Dumps of chosen frames (forward runs, repeats, a jump back) over three replicas: the one
    killed mid-request costs no frame, and each dump's files equal the healthy server's."""
    chosen = [*range(0, 100, 3), 97, 97, 10]
    dumps = start_dumps(replicas.targets, tmp_path, extra=("--frames-at", ",".join(map(str, chosen))))
    kill_one_mid_run(dumps, replicas)
    wanted = {f"sample_{n + 1:06d}.ppm" for n in chosen}
    for dump in dumps:
        assert dump.finish() == 0, dump.stderr
        assert set(dump.files()) == wanted, dump.stderr
        for name in wanted:
            assert (dump.out / name).read_bytes() == reference[name], name
    broken = [dump for dump in dumps if dump.breaks()]
    assert broken, [dump.stdout for dump in dumps]
    for dump in broken:
        assert len(dump.replicas()) == 2 and dump.replicas()[1] != "r1", dump.stdout


def test_a_rolling_restart_under_load_fails_no_stream(envoy, replicas, reference, tmp_path):
    every_port = {port: True for port in replicas.ports}
    running = start_dumps(envoy.target, tmp_path / "wave0", count=6)
    finished = []
    in_flight = []
    for n in range(3):
        wait_until_all_streaming(running, frames=1)
        in_flight.append(sum(dump.process.poll() is None for dump in running))
        replicas.servers[n].process.send_signal(signal.SIGTERM)
        # Draining: health says NOT_SERVING, new calls go elsewhere, streams get --grace 2 s.
        assert replicas.servers[n].process.wait(timeout=20) == 0
        replicas.restart(n)
        assert envoy.wait_for_health(every_port) == every_port
        # Keep the load up: streams that ended are replaced by new ones.
        still = []
        for dump in running:
            (finished if dump.process.poll() is not None else still).append(dump)
        running = still + start_dumps(envoy.target, tmp_path / f"wave{n + 1}", count=6 - len(still))
    finished += running
    for dump in finished:
        assert_complete(dump, reference)
    # Each replica went down with streams in flight somewhere in the service.
    assert all(count > 0 for count in in_flight), in_flight


def test_bench_through_envoy_counts_every_frame_when_a_replica_dies(envoy, replicas, soccer, tmp_path):
    import json

    bench = subprocess.Popen(
        [soccer, "bench", "sample", "--streams", "6", "--json", *DUMP_OPTIONS, "--server", envoy.target],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Once all six are under way, the replica serving them (all of one match) dies. Each stream
    # first calls List, so six requests are all six Watches only once six have completed (a
    # Watch of the slow store takes seconds).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        completed = envoy.completed_requests()
        active = envoy.active_requests()
        if completed >= 6 and sum(active.values()) == 6:
            break
        time.sleep(0.1)
    assert sum(active.values()) == 6 and completed >= 6 and bench.poll() is None, (active, completed)
    victim = replicas.ports.index(max(active, key=active.get))
    time.sleep(0.5)  # frames under way on each stream
    replicas.servers[victim].process.send_signal(signal.SIGKILL)
    out, err = bench.communicate(timeout=90)
    assert bench.returncode == 0, err
    report = json.loads(out)
    assert report["frames"] == 600 and report["stream_fps"] and len(report["stream_fps"]) == 6
    assert "broke after frame" in err and "resuming at frame" in err, err


def test_an_interrupted_dump_resumes_from_the_files_on_disk(replicas, reference, soccer, tmp_path):
    out = tmp_path / "out"
    dump = Dump(replicas.servers[0].target, out)
    wait_until_all_streaming([dump], frames=20)
    dump.process.send_signal(signal.SIGKILL)
    dump.process.wait(timeout=10)
    had = len(dump.files())
    assert 20 <= had < 100
    (out / ".sample_000077.ppm.part").write_bytes(b"half a frame")
    result = cli(
        soccer, "dump", "sample", "--out", str(out), "--resume", *DUMP_OPTIONS, "--server", replicas.servers[0].target
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote {100 - had} frames" in result.stdout and f"after {had} already there" in result.stdout
    assert sorted(os.listdir(out)) == sorted(reference), "a frame is missing, repeated or half-written"
    for name in reference:
        assert (out / name).read_bytes() == reference[name], name
    # Once everything is there, --resume has nothing left to do and says so.
    again = cli(
        soccer, "dump", "sample", "--out", str(out), "--resume", *DUMP_OPTIONS, "--server", replicas.servers[0].target
    )
    assert again.returncode == 0 and "already in" in again.stdout, again.stdout + again.stderr


def test_nginx_as_the_grpc_balancer_carries_whole_streams_and_their_resumption(replicas, reference, tmp_path):
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "deploy", "nginx", "grpc.conf")) as f:
        config = f.read()
    for n, port in enumerate(replicas.ports):
        config = config.replace(f"127.0.0.1:5006{n + 1}", f"127.0.0.1:{port}")
    proxy = Nginx(None, tmp_path / "nginx", server=config)
    try:
        target = f"127.0.0.1:{proxy.port}"
        dumps = start_dumps(target, tmp_path / "dumps", count=6)
        kill_one_mid_run(dumps, replicas)
        for dump in dumps:
            assert_complete(dump, reference)
        assert any(dump.breaks() for dump in dumps), [d.stdout for d in dumps]
    finally:
        proxy.stop()


def test_unary_calls_to_a_list_with_a_dead_server_go_to_a_live_one(replicas, soccer):
    dead = f"127.0.0.1:{free_port()}"
    replicas.servers[0].process.send_signal(signal.SIGKILL)
    replicas.servers[0].process.wait(timeout=10)
    target = ",".join([dead, f"127.0.0.1:{replicas.ports[0]}", f"127.0.0.1:{replicas.ports[1]}"])
    for _ in range(5):
        info = cli(soccer, "info", "sample", "--server", target)
        assert info.returncode == 0 and "640x360" in info.stdout, info.stderr
    # Every server down: the command fails fast and says so, rather than waiting.
    replicas.servers[1].process.send_signal(signal.SIGKILL)
    replicas.servers[1].process.wait(timeout=10)
    started = time.monotonic()
    down = cli(soccer, "info", "sample", "--server", target)
    assert down.returncode == 2 and "cannot reach" in down.stderr, down.stderr
    assert time.monotonic() - started < 10


def test_a_dns_name_spreads_streams_over_every_address_and_survives_a_kill(store, reference, tmp_path):
    """A name with three addresses (127.0.0.1-3, in a private /etc/hosts mounted for the clients
    alone): streams go to more than one replica, and a replica killed mid-run costs no frame."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare for a private /etc/hosts")
    hosts = tmp_path / "hosts"
    hosts.write_text("".join(f"127.0.0.{n} soccer-replicas\n" for n in (1, 2, 3)))
    group = Replicas(store.url.replace("/media/", "/slow/"), hosts=("127.0.0.1", "127.0.0.2", "127.0.0.3"))
    try:
        wrap = ["unshare", "--mount", "sh", "-c", f'mount --bind {hosts} /etc/hosts && exec "$0" "$@"']
        dumps = start_dumps(f"dns:///soccer-replicas:{group.ports[0]}", tmp_path / "dumps", wrap=wrap)
        kill_one_mid_run(dumps, group)
        assert_kill_survived(dumps, reference)
        assert len({dump.replicas()[0] for dump in dumps}) >= 2
    finally:
        group.stop()


def test_watch_through_envoy_goes_on_from_another_replica_when_its_own_dies(store, soccer, tmp_path):
    """Playing through Envoy while only r1 is up; r2 and r3 come up, r1 is killed: playback goes
    on from the next frame on another replica, and every frame arrives once. (From the slow
    store, so r1 is still sending when it dies: small frames would otherwise all be in the
    client's flow-control window long before.)"""
    from soccertest import Pane

    group = Replicas(store.url.replace("/media/", "/slow/"))
    pane = Pane("watch-resume")
    envoy = None
    try:
        for n in (1, 2):
            group.servers[n].process.kill()
            group.servers[n].process.wait(timeout=10)
        envoy = Envoy(group.ports, tmp_path / "envoy")
        only_r1 = {group.ports[0]: True, group.ports[1]: False, group.ports[2]: False}
        assert envoy.wait_for_health(only_r1) == only_r1
        pane.type(f"{soccer} watch sample --mode ascii --server {envoy.target}; echo exit=$?")
        pane.wait_for(lambda lines: any("frame " in line and "/100" in line for line in lines), what="playback")
        group.restart(1)
        group.restart(2)
        everyone = {port: True for port in group.ports}
        assert envoy.wait_for_health(everyone) == everyone
        group.servers[0].process.kill()
        status = pane.wait_for(
            lambda lines: next((line for line in lines if re.match(r"^exit=\d+$", line)), None), what="the exit status"
        )
        screen = pane.screen(joined=True)
        assert status == "exit=0", screen
        breaks = [line for line in screen if line.startswith("soccer watch: ") and "broke after frame" in line]
        assert len(breaks) == 1, screen
        summary = next(line for line in screen if line.startswith("sample: showed"))
        assert re.search(r"showed \d+ of 100 frames", summary), summary
        assert re.search(r"broke after frame (\d+) .*resuming at frame (\d+), retry 1 of 3", breaks[0]), breaks
    finally:
        pane.close()
        if envoy:
            envoy.stop()
        group.stop()


def test_clients_routing_by_match_agree_on_each_matchs_replica_and_move_only_a_dead_ones(store, soccer, tmp_path):
    group = Replicas(store.url)
    try:

        def cli_replica(id):
            out = tmp_path / f"cli-{id}-{time.monotonic_ns()}"
            result = cli(
                soccer, "dump", id, "--out", str(out), "--frames", "1", "--server", group.targets, "--route-by-match"
            )
            assert result.returncode == 0, result.stderr
            return re.search(r"from (r\d)", result.stdout).group(1)

        def python_replica(client, id):
            return next(iter(client.frames(id, count=1, width=160))).replica

        with soccerstream.connect(group.targets, by_match=True, deadline=30) as client:
            before = {id: python_replica(client, id) for id in MATCHES}
            assert all(python_replica(client, id) == before[id] for id in MATCHES)
            assert all(cli_replica(id) == before[id] for id in MATCHES[:3])
            assert len(set(before.values())) >= 2, before
            victim = before["sample"]
            group.servers[int(victim[1:]) - 1].process.send_signal(signal.SIGKILL)
            group.servers[int(victim[1:]) - 1].process.wait(timeout=10)
            after = {id: python_replica(client, id) for id in MATCHES}
        assert after["sample"] != victim
        assert all(after[id] == before[id] for id in MATCHES if before[id] != victim), (before, after)
        assert cli_replica("sample") == after["sample"]
    finally:
        group.stop()
