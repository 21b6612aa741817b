#!/usr/bin/env python3
"""Throughput, CPU per frame and peak memory of `soccer serve` as shipped and with changed settings.

Side B adds environment variables (--env) or serve options (--serve) to the server, or
environment variables to the `soccer bench` client (--client-env), or runs another build of
the server (--bin-b; both sides' clients are --bin's).

Runs the two servers alternately (which one goes first alternates too), each time for one
`soccer bench` of --streams concurrent streams of the clip, and prints each side's median
frames/s, server CPU milliseconds per frame and peak RSS, and their ratios. Examples: two
malloc arenas against the server's one,
  tools/env-ab --env MALLOC_ARENA_MAX=2 --clip 720p --streams 8
and SwiftProtobuf's serializer against the server's own one-copy serializer,
  tools/env-ab --env SOCCER_VIDEO_SERIALIZER=0 --clip 1080p --streams 1
and a shorter decode queue,
  tools/env-ab --serve=--queue-depth=1 --clip 720p --streams 8
and the server before a change (built from an older commit) against the one after it,
  tools/env-ab --bin-b /tmp/before/.build/release/soccer --clip 720p --streams 8
and NIO's default socket reads (64 KiB at most) against the 256 KiB both ends use,
  tools/env-ab --client-env SOCCER_SOCKET_READ_MAX=65536 --env SOCCER_SOCKET_READ_MAX=65536 --clip 1080p --streams 1
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "interop"))

from harness import Server, alternated, cpu_seconds, make_media, medians, proc_status  # noqa: E402

CLIPS = {"720p": "1280x720", "1080p": "1920x1080"}


def run_side(args, media, clip, env, options, client_env, server_bin=None):
    """One bench against a fresh server (`server_bin`, else --bin) with `env` and `options` added, its
    client with `client_env`: (frames/s, server CPU ms per frame, server peak RSS MB, client CPU ms per frame)."""
    server = Server(["env", *env, server_bin or args.bin, "serve", "--media", media, "--port", "0", "--log-level", "warning",
                     *options])
    try:
        ids = [clip] * args.streams
        before = cpu_seconds(server.process.pid)
        out = subprocess.run(["env", *client_env, args.bin, "bench", *ids, "--streams", str(args.streams),
                              "--server", server.target, "--json"], capture_output=True, text=True, check=True).stdout
        report = json.loads(out)
        cpu_ms = (cpu_seconds(server.process.pid) - before) * 1000 / max(1, report["frames"])
        peak = int(proc_status(server.process.pid, "VmHWM")) / 1024
    finally:
        server.stop()
    return report["fps"], cpu_ms, peak, report["cpu_seconds"] * 1000 / max(1, report["frames"])


def add_server_options(parser, whose):
    """--bin, and --env and --serve for `whose` server: the options of the tools that vary one."""
    parser.add_argument("--bin", default=os.environ.get("SOCCER_BIN"), required="SOCCER_BIN" not in os.environ,
                        help="the soccer binary (default: $SOCCER_BIN)")
    parser.add_argument("--env", action="append", default=[], help=f"NAME=VALUE for {whose}; repeatable")
    parser.add_argument("--serve", action="append", default=[],
                        help=f"an option of `soccer serve` for {whose} (as --serve=--queue-depth=1); repeatable")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_options(parser, "side B")
    parser.add_argument("--clip", choices=CLIPS, default="720p")
    parser.add_argument("--seconds", type=int, default=10, help="length of the generated clip")
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--client-env", action="append", default=[],
                        help="NAME=VALUE for side B's `soccer bench`; repeatable")
    parser.add_argument("--bin-b", help="another soccer binary to serve side B")
    args = parser.parse_args()

    media = os.path.join(ROOT, ".bench", "media")
    if not os.path.exists(os.path.join(media, f"{args.clip}.mp4")):
        make_media(media, args.clip, "--size", CLIPS[args.clip], "--seconds", str(args.seconds), "--rate", "30")
    if not args.env and not args.serve and not args.client_env and not args.bin_b:
        parser.error("give side B at least one --env, --serve, --client-env or --bin-b")
    sides = ["A (as shipped)", "B (" + " ".join(args.env + args.serve + [f"client {kv}" for kv in args.client_env]
                                                + ([f"server {args.bin_b}"] if args.bin_b else [])) + ")"]
    bins = dict(zip(sides, [None, args.bin_b]))
    envs = dict(zip(sides, [[], args.env]))
    options = dict(zip(sides, [[], args.serve]))
    client_envs = dict(zip(sides, [[], args.client_env]))
    runs = alternated(sides, args.reps,
                      lambda side: run_side(args, media, args.clip, envs[side], options[side], client_envs[side],
                                            bins[side]),
                      lambda f: f"{f[0]:.1f} frames/s, {f[1]:.2f} server CPU ms/frame, server peak {f[2]:.0f} MB, "
                                f"{f[3]:.2f} client CPU ms/frame")
    print(f"{args.clip}, {args.streams} streams, {args.reps} alternated runs each (medians):")
    (a_fps, a_cpu, a_mb, a_client), (b_fps, b_cpu, b_mb, b_client) = medians(
        runs, lambda f: f"{f[0]:.1f} frames/s, server CPU {f[1]:.2f} ms/frame, server peak RSS {f[2]:.0f} MB, "
                        f"client CPU {f[3]:.2f} ms/frame").values()
    print(f"  A/B: frames/s {a_fps / b_fps:.3f}, server CPU per frame {a_cpu / b_cpu:.3f}, peak RSS {a_mb / b_mb:.3f}, "
          f"client CPU per frame {a_client / b_client:.3f}")

if __name__ == "__main__":
    main()
