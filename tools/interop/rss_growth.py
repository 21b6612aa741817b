#!/usr/bin/env python3
"""How one server's memory grows over streams that come one after another.

Starts `soccer serve` (with --env NAME=VALUE and --serve=--OPTION=VALUE added), then runs one
client after another against it, each streaming the whole clip, and prints the server's peak
(VmHWM) and current (VmRSS) memory after each. Clients: b is `soccer bench`, c the Python
reference client. Example, as in BENCHMARKS.md "Queue depth and memory":
  tools/rss-growth --clients b,b,b,c,c --clip 720p
  tools/rss-growth --clients b,b,b,c,c --clip 720p --env MALLOC_ARENA_MAX=1
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "interop"))

from env_ab import add_server_options  # noqa: E402
from harness import Server, make_media, proc_status  # noqa: E402

CLIPS = {"720p": "1280x720", "1080p": "1920x1080"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_options(parser, "the server")
    parser.add_argument("--clients", default="b,b,b,c,c", help="b (soccer bench) or c (Python), comma-separated")
    parser.add_argument("--clip", choices=CLIPS, default="720p")
    args = parser.parse_args()
    clients = args.clients.split(",")
    if not clients or any(c not in ("b", "c") for c in clients):
        parser.error("--clients takes b and c, comma-separated")

    media = os.path.join(ROOT, ".bench", "media")
    if not os.path.exists(os.path.join(media, f"{args.clip}.mp4")):
        make_media(media, args.clip, "--size", CLIPS[args.clip], "--seconds", "10", "--rate", "30")
    server = Server(["env", *args.env, args.bin, "serve", "--media", media, "--port", "0", "--log-level", "warning",
                     *args.serve])
    commands = {
        "b": [args.bin, "bench", args.clip, "--server", server.target, "--json"],
        "c": [sys.executable, os.path.join(ROOT, "tools", "interop", "reference_client.py"), server.target,
              args.clip, "--json"],
    }
    try:
        def memory():
            pid = server.process.pid
            return f"peak {proc_status(pid, 'VmHWM') // 1024} MB, now {proc_status(pid, 'VmRSS') // 1024} MB"
        print(f"started: {memory()}")
        for n, client in enumerate(clients, 1):
            subprocess.run(commands[client], capture_output=True, check=True)
            print(f"after {n} ({client}): {memory()}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
