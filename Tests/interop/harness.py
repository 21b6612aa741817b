"""Shared helpers for the interoperability tests: real servers, raw HTTP/2 peers, /proc readers."""
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MEDIA = os.path.join(ROOT, "media")
sys.path.insert(0, os.path.join(ROOT, "tools", "interop"))


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
        match = re.search(r"listening on (\S+?):(\d+)", line)
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


def serve(*extra, media=MEDIA, preexec_fn=None):
    """Starts `soccer serve` on a free loopback port with `extra` options."""
    return Server([soccer_binary(), "serve", "--media", str(media), "--port", "0", *extra], preexec_fn=preexec_fn)


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


def grpc_message(payload):
    """A length-prefixed gRPC message."""
    return b"\0" + len(payload).to_bytes(4, "big") + payload


def match_message(match_id):
    """A `stream.Match` with only its id set, encoded by hand (field 1, length-delimited)."""
    data = match_id.encode()
    return b"\x0a" + bytes([len(data)]) + data


class RawPeer:
    """An HTTP/2 client written with `h2` that can misbehave as grpcio never does."""

    def __init__(self, target, window=None, handshake=True):
        import h2.config
        import h2.connection
        import h2.settings

        host, port = target.rsplit(":", 1)
        self.authority = target
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        config = h2.config.H2Configuration(client_side=True, validate_outbound_headers=False,
                                           normalize_outbound_headers=False, header_encoding=None)
        self.conn = h2.connection.H2Connection(config=config)
        self.events = []
        if handshake:
            self.conn.initiate_connection()
            if window is not None:
                self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
            self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def call(self, path, body, headers=(), end=True):
        """Opens a stream: POST `path` with gRPC headers, `headers` added, and `body`; returns its id."""
        stream = self.conn.get_next_available_stream_id()
        request = [(b":method", b"POST"), (b":scheme", b"http"), (b":path", path.encode()),
                   (b":authority", self.authority.encode()), (b"content-type", b"application/grpc"),
                   (b"te", b"trailers")]
        request += [(k if isinstance(k, bytes) else k.encode(), v if isinstance(v, bytes) else v.encode())
                    for k, v in headers]
        self.conn.send_headers(stream, request)
        self.conn.send_data(stream, body, end_stream=end)
        self.flush()
        return stream

    def read(self, timeout):
        """Reads and handles what arrives for up to `timeout` seconds; False once the server closed."""
        import h2.events
        import h2.exceptions

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(1 << 20)
            except socket.timeout:
                return True
            except (ConnectionResetError, BrokenPipeError):
                return False
            if not data:
                return False
            try:
                for event in self.conn.receive_data(data):
                    self.events.append(event)
                    if isinstance(event, h2.events.DataReceived):
                        self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                self.flush()
            except (OSError, h2.exceptions.ProtocolError):
                return False
        return True

    def status(self, stream, timeout=10):
        """The grpc-status the server ended `stream` with (int), or the RST_STREAM code as "reset N"."""
        import h2.events

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if getattr(event, "stream_id", None) != stream:
                    continue
                if isinstance(event, (h2.events.TrailersReceived, h2.events.ResponseReceived)):
                    values = dict(event.headers)
                    if b"grpc-status" in values:
                        return int(values[b"grpc-status"])
                if isinstance(event, h2.events.StreamReset):
                    return f"reset {int(event.error_code)}"
            if not self.read(0.2):
                break
        return None

    def closed_by_server(self, timeout):
        """True when the server closes the TCP connection within `timeout` seconds (reading, never answering)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                if not self.sock.recv(1 << 20):
                    return True
            except socket.timeout:
                return False
            except (ConnectionResetError, BrokenPipeError):
                return True
        return False

    def close(self):
        self.sock.close()
