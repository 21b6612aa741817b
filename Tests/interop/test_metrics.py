"""`soccer serve --metrics`: Prometheus series scraped by a real Prometheus, the endpoint's HTTP,
and `--log-format json`."""

import json
import os
import re
import subprocess
import time

import pytest

from soccertest import ROOT, Prometheus, cli, serve


def metrics_url(server):
    """The URL and port of the "metrics on URL" line the server prints after its "listening on" line."""
    url = server.announced("metrics on ")
    match = re.match(r"(http://127\.0\.0\.1:(\d+)/metrics)$", url)
    assert match, url
    return match.group(1), int(match.group(2))


def test_a_real_prometheus_sees_what_a_dump_received(soccer, tmp_path):
    server = serve("--metrics", "0", "--replica", "east-1")
    prometheus = None
    try:
        _, port = metrics_url(server)
        prometheus = Prometheus([f"127.0.0.1:{port}"], tmp_path / "prometheus")
        # One scrape before the dump, so the counters' rise from 0 is in the data.
        deadline = time.monotonic() + 15
        while not prometheus.query('up{job="soccer"}') and time.monotonic() < deadline:
            time.sleep(0.2)
        dump = cli(soccer, "dump", "sample", "--out", str(tmp_path / "out"), "--server", server.target)
        assert dump.returncode == 0, dump.stderr
        frames = int(re.search(r"wrote (\d+) frames", dump.stdout).group(1))
        assert frames == 100
        deadline = time.monotonic() + 30
        seen = {}
        while time.monotonic() < deadline:
            sent = prometheus.query("soccer_frames_sent_total")
            ok = prometheus.query('sum(soccer_streams_total{code="OK"})')
            seen = {"frames": sent, "ok": ok}
            if sent and sent[0][1] == frames and ok and ok[0][1] == 1:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"Prometheus never saw the dump: {seen}\n{prometheus.log()}")
        watched = prometheus.query('soccer_streams_total{code="OK",method="Watch"}')
        assert [value for _, value in watched] == [1]
        replica = prometheus.query("soccer_replica_info")
        assert [labels["replica"] for labels, _ in replica] == ["east-1"]
        # The process series are there, and the scrape itself is healthy.
        assert prometheus.query("process_resident_memory_bytes")[0][1] > 1e6
        assert prometheus.query('up{job="soccer"}')[0][1] == 1
        # The README's three starting queries run, and the first names the replica.
        queries = readme_queries()
        assert len(queries) == 3
        deadline = time.monotonic() + 15
        # Rates need two samples in their window: wait for the next scrapes.
        while True:
            per_replica, p99, errors = (prometheus.query(q) for q in queries)
            if (per_replica and p99 and errors) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert [labels.get("replica") for labels, _ in per_replica] == ["east-1"]
        assert len(p99) == 1 and len(errors) == 1 and errors[0][1] == 0
    finally:
        if prometheus:
            prometheus.stop()
        assert server.stop() == 0


def readme_queries():
    """The PromQL queries in the README's promql block, comments left out."""
    with open(os.path.join(ROOT, "README.md")) as f:
        block = re.search(r"```promql\n(.*?)```", f.read(), re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def curl(*args):
    return subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{content_type}", *args],
        capture_output=True,
        text=True,
        timeout=20,
    ).stdout


def test_the_endpoint_answers_get_metrics_and_nothing_else(soccer):
    server = serve("--metrics", "127.0.0.1:0")
    try:
        url, _ = metrics_url(server)
        assert curl(url) == "200 text/plain; version=0.0.4; charset=utf-8"
        assert curl("-I", url).startswith("200 ")
        assert curl(url.replace("/metrics", "/")).startswith("404 ")
        assert curl("-X", "POST", url).startswith("405 ")
        body = subprocess.run(["curl", "-s", url], capture_output=True, text=True, timeout=20).stdout
        for name in (
            "soccer_streams_active",
            "soccer_decoders_open",
            "soccer_connections_active",
            "process_cpu_seconds_total",
            "process_max_fds",
            "process_start_time_seconds",
            "process_threads",
        ):
            assert re.search(rf"^{name} \S+$", body, re.M), name
        assert "# TYPE process_cpu_seconds_total counter" in body
        # A port already taken is a clear failure at start, not a server without metrics.
        busy = cli(soccer, "serve", "--port", "0", "--metrics", url.split(":")[2].split("/")[0])
        assert busy.returncode == 1 and "metrics" in busy.stderr, busy.stderr
    finally:
        assert server.stop() == 0


def test_json_log_lines_carry_the_stream_line_fields(soccer, tmp_path):
    server = serve("--log-format", "json", "--replica", "r9")
    try:
        dump = cli(soccer, "dump", "sample", "--frames", "3", "--out", str(tmp_path), "--server", server.target)
        assert dump.returncode == 0, dump.stderr
        line = server.wait_for_line('"message":"stream"', timeout=10)
        assert line, server.log()
    finally:
        assert server.stop() == 0
    record = json.loads(line)
    assert record["frames"] == 3 and record["status"] == "OK" and record["id"] == "sample"
    assert record["replica"] == "r9" and record["level"] == "info" and record["peer"].startswith("ipv4:127.0.0.1:")
    assert {"time", "bytes", "ms", "options"} <= record.keys()
