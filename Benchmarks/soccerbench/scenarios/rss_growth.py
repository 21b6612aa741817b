"""How one server's memory grows over streams that come one after another.

Starts `soccer serve` (with --env NAME=VALUE and --serve=--OPTION=VALUE added), then runs one
client after another against it, each streaming the whole clip, and prints the server's peak
(VmHWM) and current (VmRSS) memory after each. Clients: b is `soccer bench`, c the Python
reference client. --reps is not used. For example, with one malloc arena:
  tools/bench rss-growth --clients b,b,b,c,c --clip 720p --env MALLOC_ARENA_MAX=1
"""

import subprocess
import sys

from soccertest import proc_status

from ..clips import SIZES, clip
from ..servers import serve
from .env_ab import add_server_options

REPS = 1


def add_arguments(parser):
    add_server_options(parser, "the server")
    parser.add_argument("--clients", default="b,b,b,c,c", help="b (soccer bench) or c (Python), comma-separated")
    parser.add_argument("--clip", choices=SIZES, default="720p")


def run(args, figures):
    clients = args.clients.split(",")
    if not clients or any(c not in ("b", "c") for c in clients):
        raise SystemExit("tools/bench rss-growth: --clients takes b and c, comma-separated")
    media, _ = clip(args.clip)
    server = serve(args.bin, media, *args.serve, env=args.env)
    commands = {
        "b": [args.bin, "bench", args.clip, "--server", server.target, "--json"],
        "c": [sys.executable, "-m", "soccertest.reference_client", server.target, args.clip, "--json"],
    }
    try:

        def memory():
            pid = server.process.pid
            return f"peak {proc_status(pid, 'VmHWM') // 1024} MB, now {proc_status(pid, 'VmRSS') // 1024} MB"

        print(f"started: {memory()}")
        for n, client in enumerate(clients, 1):
            subprocess.run(commands[client], capture_output=True, check=True)
            print(f"after {n} ({client}): {memory()}")
        figures["peak_mb"] = proc_status(server.process.pid, "VmHWM") / 1024
    finally:
        server.stop()
