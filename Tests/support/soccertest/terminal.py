"""Terminals for the player: a tmux pane of its own, and a pseudo-terminal that answers queries."""

import os
import select
import shutil
import subprocess
import time

from .paths import MissingComponent


class Pane:
    """A detached tmux session of its own (own socket), running a plain shell in a 100x30 pane."""

    opened = 0

    def __init__(self, name):
        if shutil.which("tmux") is None:
            raise MissingComponent("tmux is missing: tools/install-deps installs it")
        # Numbered too: two tests whose names share their start (one test's parameters) would
        # otherwise meet the server of the pane before, which may still be going away.
        Pane.opened += 1
        self.socket = f"soccer-{name}-{os.getpid()}-{Pane.opened}"
        self.tmux(
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "100",
            "-y",
            "30",
            "env",
            "-i",
            f"PATH={os.environ['PATH']}",
            "TERM=screen",
            "PS1=$ ",
            "bash",
            "--norc",
            "--noprofile",
        )
        self.tmux("set-option", "-t", "t", "status", "off")
        self.tmux("resize-window", "-t", "t", "-x", "100", "-y", "30")

    def tmux(self, *args):
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True, timeout=10
        ).stdout

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
        self.process = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
            env={"PATH": os.environ["PATH"], "TERM": "xterm-256color"},
        )
        os.close(slave)
        self.reply = reply
        self.output = bytearray()

    def read_until(self, needle, timeout=20.0):
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
