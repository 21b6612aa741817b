"""Fixtures that start real servers on loopback for the interoperability tests."""
import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "interop"))


def soccer_binary():
    path = os.environ.get("SOCCER_BIN", os.path.join(ROOT, ".build", "debug", "soccer"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: build it with `swift build` (make test does)")
    return path


class Server:
    """A server process that printed "listening on HOST:PORT"; stopped with SIGTERM."""

    def __init__(self, argv):
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
        self.target = f"{match.group(1)}:{match.group(2)}"

    def stop(self):
        """Sends SIGTERM and returns the exit status (None if it had to be killed)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


@pytest.fixture(scope="module")
def soccer():
    return soccer_binary()


@pytest.fixture(scope="module")
def our_server(soccer):
    server = Server([soccer, "serve", "--media", os.path.join(ROOT, "media"), "--port", "0"])
    yield server
    assert server.stop() == 0, "soccer serve did not exit cleanly on SIGTERM"


@pytest.fixture(scope="module")
def python_server():
    server = Server([sys.executable, os.path.join(ROOT, "tools", "interop", "reference_server.py"),
                     "--frames", "12", "--size", "320x180"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def python_gray_server():
    server = Server([sys.executable, os.path.join(ROOT, "tools", "interop", "reference_server.py"),
                     "--frames", "3", "--size", "64x36", "--gray"])
    yield server
    server.stop()
