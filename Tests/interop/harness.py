"""Shared helpers for the interoperability tests: real servers, raw HTTP/2 peers, /proc readers."""
import os
import re
import select
import signal
import subprocess
import sys
import time

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
