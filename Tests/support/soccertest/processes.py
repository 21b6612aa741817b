"""Processes the tests start and stop: `soccer serve`, the `soccer` command, free ports, metrics."""

import os
import re
import select
import signal
import socket
import subprocess
import threading
import time
import urllib.request

from .paths import MEDIA, soccer_binary


class Server:
    """A server process that printed "listening on HOST:PORT"; stopped with SIGTERM.

    Its standard error is collected in the background, so a chatty server never blocks on a
    full pipe; `log()` returns what it has printed so far.
    """

    def __init__(self, argv, preexec_fn=None):
        self.process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn
        )
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

    def announced(self, prefix, timeout=10):
        """The rest of the first line after "listening on" that starts with `prefix` ("web on "), read
        in a thread so that a line never printed fails the test instead of hanging it."""
        found = []

        def read():
            for line in self.process.stdout:
                if line.startswith(prefix):
                    found.append(line[len(prefix) :].strip())
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        assert found, f"the server printed no line starting {prefix!r}"
        return found[0]

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


def metric(port, name):
    """One series of the /metrics a server serves on `port` (`name` or `name{labels}`), as a float."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"no {name} in /metrics")


def cli(soccer, *args, env=None, timeout=120):
    """Runs the `soccer` command as a user would: its exit status, standard output and error as text."""
    return subprocess.run(
        [soccer, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


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
