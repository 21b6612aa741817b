"""Throughput, CPU per frame and peak memory of `soccer serve` as shipped and with changed settings.

Side B adds environment variables (--env) or serve options (--serve) to the server, or
environment variables to the `soccer bench` client (--client-env), or runs another build of
the server (--bin-b; both sides' clients are --bin's).

Runs the two servers alternately (which one goes first alternates too), each time for one
`soccer bench` of --streams concurrent streams of the clip, and prints each side's median
frames/s, server CPU milliseconds per frame and peak RSS, and their ratios. Examples: two
malloc arenas against the server's one,
  tools/bench env-ab --env MALLOC_ARENA_MAX=2 --clip 720p --streams 8
and SwiftProtobuf's serializer against the server's own one-copy serializer,
  tools/bench env-ab --env SOCCER_VIDEO_SERIALIZER=0 --clip 1080p --streams 1
and a shorter decode queue,
  tools/bench env-ab --serve=--queue-depth=1 --clip 720p --streams 8
and the server before a change (built from an older commit) against the one after it,
  tools/bench env-ab --bin-b /tmp/before/.build/release/soccer --clip 720p --streams 8
and NIO's default socket reads (64 KiB at most) against the 256 KiB both ends use,
  tools/bench env-ab --client-env SOCCER_SOCKET_READ_MAX=65536 --env SOCCER_SOCKET_READ_MAX=65536 \
      --clip 1080p --streams 1
"""

import json
import subprocess

from soccertest import cpu_seconds, proc_status

from ..clips import SIZES, clip
from ..servers import serve
from ..stats import alternated, medians

REPS = 5


def run_side(args, media, match_id, env, options, client_env, server_bin=None):
    """One bench against a fresh server (`server_bin`, else --bin) with `env` and `options` added, its
    client with `client_env`: (frames/s, server CPU ms per frame, server peak RSS MB, client CPU ms per frame)."""
    server = serve(server_bin or args.bin, media, *options, env=env)
    try:
        ids = [match_id] * args.streams
        before = cpu_seconds(server.process.pid)
        out = subprocess.run(
            [
                "env",
                *client_env,
                args.bin,
                "bench",
                *ids,
                "--streams",
                str(args.streams),
                "--server",
                server.target,
                "--json",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        report = json.loads(out)
        cpu_ms = (cpu_seconds(server.process.pid) - before) * 1000 / max(1, report["frames"])
        peak = int(proc_status(server.process.pid, "VmHWM")) / 1024
    finally:
        server.stop()
    return report["fps"], cpu_ms, peak, report["cpu_seconds"] * 1000 / max(1, report["frames"])


def add_server_options(parser, whose):
    """--env and --serve for `whose` server: the options of the scenarios that vary one."""
    parser.add_argument("--env", action="append", default=[], help=f"NAME=VALUE for {whose}; repeatable")
    parser.add_argument(
        "--serve",
        action="append",
        default=[],
        help=f"an option of `soccer serve` for {whose} (as --serve=--queue-depth=1); repeatable",
    )


def add_arguments(parser):
    add_server_options(parser, "side B")
    parser.add_argument("--clip", choices=SIZES, default="720p")
    parser.add_argument("--seconds", type=int, default=10, help="length of the generated clip")
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument(
        "--client-env", action="append", default=[], help="NAME=VALUE for side B's `soccer bench`; repeatable"
    )
    parser.add_argument("--bin-b", help="another soccer binary to serve side B")


def run(args, figures):
    if not args.env and not args.serve and not args.client_env and not args.bin_b:
        raise SystemExit("tools/bench env-ab: give side B at least one --env, --serve, --client-env or --bin-b")
    media, _ = clip(args.clip, seconds=args.seconds)
    sides = [
        "A (as shipped)",
        "B ("
        + " ".join(
            args.env
            + args.serve
            + [f"client {kv}" for kv in args.client_env]
            + ([f"server {args.bin_b}"] if args.bin_b else [])
        )
        + ")",
    ]
    bins = dict(zip(sides, [None, args.bin_b], strict=False))
    envs = dict(zip(sides, [[], args.env], strict=False))
    options = dict(zip(sides, [[], args.serve], strict=False))
    client_envs = dict(zip(sides, [[], args.client_env], strict=False))
    runs = alternated(
        sides,
        args.reps,
        lambda side: run_side(args, media, args.clip, envs[side], options[side], client_envs[side], bins[side]),
        lambda f: (
            f"{f[0]:.1f} frames/s, {f[1]:.2f} server CPU ms/frame, server peak {f[2]:.0f} MB, "
            f"{f[3]:.2f} client CPU ms/frame"
        ),
    )
    print(f"{args.clip}, {args.streams} streams, {args.reps} alternated runs each (medians):")
    (a_fps, a_cpu, a_mb, a_client), (b_fps, b_cpu, b_mb, b_client) = medians(
        runs,
        lambda f: (
            f"{f[0]:.1f} frames/s, server CPU {f[1]:.2f} ms/frame, server peak RSS {f[2]:.0f} MB, "
            f"client CPU {f[3]:.2f} ms/frame"
        ),
    ).values()
    figures["a_over_b_fps"] = a_fps / b_fps
    print(
        f"  A/B: frames/s {a_fps / b_fps:.3f}, server CPU per frame {a_cpu / b_cpu:.3f}, peak RSS {a_mb / b_mb:.3f}, "
        f"client CPU per frame {a_client / b_client:.3f}"
    )
