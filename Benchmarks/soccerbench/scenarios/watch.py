"""What playing in the terminal costs: `soccer watch` in tmux panes, blocks and sixel, two sizes.

Plays the bundled sample (or --id) at native speed in a detached tmux pane for blocks and sixel
at 80x24 and 200x60 against one release server, and prints the player's own summary line
(frames shown and skipped, mean render time per frame, its CPU time) with the server's CPU time
over the same play. --reps is not used.
"""

import os
import subprocess
import time

from soccertest import MEDIA, cpu_seconds

from ..servers import serve

REPS = 1
SIZES = ["80x24", "200x60"]


def add_arguments(parser):
    parser.add_argument("--id", default="sample", help="the match played (default: the bundled sample)")


def summary_of(socket, timeout=60):
    """The player's summary line ("showed …") once it is on the pane, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = subprocess.run(
            ["tmux", "-L", socket, "capture-pane", "-p", "-J", "-t", "w"], capture_output=True, text=True
        ).stdout
        for line in screen.splitlines():
            if "showed" in line:
                return line.strip()
        time.sleep(0.1)
    return None


def run(args, figures):
    server = serve(args.bin, MEDIA)
    try:
        print(f"{'mode':7} {'size':8} player's summary; server CPU")
        for mode in ("blocks", "sixel"):
            for size in SIZES:
                columns, rows = size.split("x")
                # A tmux server per pane: the one before may still be going away.
                socket = f"soccer-bench-watch-{os.getpid()}-{mode}-{size}"
                before = cpu_seconds(server.process.pid)
                command = f"{args.bin} watch {args.id} --mode {mode} --size {size} --server {server.target}; sleep 60"
                subprocess.run(
                    [
                        "tmux",
                        "-L",
                        socket,
                        "new-session",
                        "-d",
                        "-s",
                        "w",
                        "-x",
                        columns,
                        "-y",
                        str(int(rows) + 1),
                        command,
                    ],
                    check=True,
                )
                try:
                    summary = summary_of(socket)
                finally:
                    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
                served = cpu_seconds(server.process.pid) - before
                print(f"{mode:7} {size:8} {summary or 'no summary'}; server CPU {served:.2f} s")
    finally:
        server.stop()
