"""Frames per second of every pair of server and client, beside FFmpeg alone and the Python demo.

Pairs, run alternately --reps times on each file:
  (a) ffmpeg decoding and converting to BGR into /dev/null: the ceiling for any server
  (b) our server -> soccer bench
  (c) our server -> the Python reference client (grpcio + numpy)
  (d) the Python/OpenCV demo server -> the Python reference client
  (e) the Python/OpenCV demo server -> soccer bench
  (l) soccer bench --local: our decoder in-process with no network, to show what the network costs
  (u) our server over a Unix domain socket -> soccer bench
Each run also records the CPU time the server and the client spent per frame. Then, on the 720p
clip, eight concurrent streams against our server and against the demo server, for aggregate
frames/s and peak memory.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from soccertest import ROOT, Server, cpu_seconds

from ..clips import SIZES, clip
from ..stats import med

MARKDOWN = True
REPS = 3

PAIRS = {
    "a": "ffmpeg → /dev/null (ceiling)",
    "b": "our server → soccer bench",
    "c": "our server → Python client",
    "d": "Python/OpenCV server → Python client",
    "e": "Python/OpenCV server → soccer bench",
    "l": "soccer bench --local (no network)",
    "u": "our server → soccer bench over a Unix socket",
}
# Which server each pair runs against.
SERVER_OF = {"a": None, "b": "ours", "c": "ours", "d": "demo", "e": "demo", "l": None, "u": "ours"}


def run_measured(argv):
    """Runs argv; returns (stdout, wall seconds)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {err.strip()}")
    return out, wall


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def probe(path):
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-count_packets",
            "-show_entries",
            "stream=width,height,nb_read_packets",
            "-of",
            "json",
            path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stream = json.loads(out)["streams"][0]
    return int(stream["width"]), int(stream["height"]), int(stream["nb_read_packets"])


def children_cpu_seconds():
    """CPU time of every child process that has ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_target(pair, servers):
    """The address `soccer bench` reaches in pair b, e or u."""
    return {"b": servers["ours"].target, "e": servers["demo"].target, "u": servers["unix"]}[pair]


def measure_pair(pair, args, file, shape, servers):
    """One run of one pair on `file` of `shape` (width, height, frames): {fps, mb_s, first_ms,
    server_ms, client_ms}, the last two CPU milliseconds per frame (None where the pair has no
    server)."""
    frames = shape[2]
    server = servers.get(SERVER_OF[pair])
    server_before = cpu_seconds(server.process.pid) if server else 0.0
    client_before = children_cpu_seconds()
    result = run_pair(pair, args, file, shape, servers)
    result["client_ms"] = (children_cpu_seconds() - client_before) * 1000 / frames
    result["server_ms"] = (cpu_seconds(server.process.pid) - server_before) * 1000 / frames if server else None
    return result


def pair_argv(pair, args, file, servers):
    """The command line of the pair's client (for (a) and (l), its one process)."""
    match_id = os.path.splitext(os.path.basename(file))[0]
    if pair == "a":
        return ["ffmpeg", "-v", "error", "-i", file, "-f", "rawvideo", "-pix_fmt", "bgr24", "-y", "/dev/null"]
    if pair == "l":
        return [args.bin, "bench", "--local", file, "--json"]
    if pair in "beu":
        return [args.bin, "bench", match_id, "--server", bench_target(pair, servers), "--json"]
    return [sys.executable, "-m", "soccertest.reference_client", servers[SERVER_OF[pair]].target, match_id, "--json"]


def run_pair(pair, args, file, shape, servers):
    """Runs the pair once on `file` of `shape` (width, height, frames): {fps, mb_s, first_ms}."""
    out, wall = run_measured(pair_argv(pair, args, file, servers))
    width, height, frames = shape
    if pair == "a":
        return {"fps": frames / wall, "mb_s": frames * width * height * 3 / wall / 1e6, "first_ms": None}
    report = json.loads(out)
    if pair in "lbeu":
        return {"fps": report["fps"], "mb_s": report["mb_per_s"], "first_ms": report["first_frame_ms"]}
    return {
        "fps": report["fps"],
        "mb_s": report["bytes"] / report["seconds"] / 1e6,
        "first_ms": report["first_frame_seconds"] * 1000,
    }


def client_rss(pair, args, file, servers):
    """Peak RSS in MB of one more client run of the pair, read from wait4's rusage."""
    process = subprocess.Popen(
        pair_argv(pair, args, file, servers), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_maxrss / 1024


def add_arguments(parser):
    parser.add_argument("--seconds", type=int, default=10, help="length of the generated clips")
    parser.add_argument(
        "--files", default="sample,720p,1080p", help="clips, comma-separated: sample, " + ", ".join(SIZES)
    )


def run(args, figures):
    # One folder of links to the clips: one server serves them all, and the 720p clip's copies too.
    os.makedirs(os.path.join(ROOT, ".bench"), exist_ok=True)
    media = tempfile.mkdtemp(prefix="throughput-", dir=os.path.join(ROOT, ".bench"))
    files = []
    for name in args.files.split(","):
        _, source = clip(name, seconds=args.seconds)
        path = os.path.join(media, f"{name}.mp4")
        os.link(source, path)
        files.append((name, path))

    results = {}
    sockets = tempfile.mkdtemp(prefix="soccer-bench-")
    for name, path in files:
        unix = os.path.join(sockets, "soccer.sock")
        ours = Server([args.bin, "serve", "--media", media, "--port", "0", "--unix", unix])
        demo = Server([sys.executable, "-m", "soccertest.reference_server", "--media", media])
        servers = {"ours": ours, "demo": demo, "unix": f"unix:{unix}"}
        shape = probe(path)
        try:
            runs = {p: [] for p in PAIRS}
            for rep in range(args.reps):
                for pair in PAIRS:
                    runs[pair].append(measure_pair(pair, args, path, shape, servers))
                    print(f"{name} rep {rep + 1} ({pair}) {runs[pair][-1]['fps']:.1f} frames/s", file=sys.stderr)
            rss = {p: client_rss(p, args, path, servers) for p in PAIRS}
            server_rss = {"ours": peak_rss_mb(ours.process.pid), "demo": peak_rss_mb(demo.process.pid)}
        finally:
            ours.stop()
            demo.stop()
        results[name] = (shape, runs, rss, server_rss)
    shutil.rmtree(sockets, ignore_errors=True)

    concurrent = measure_concurrent(args, media) if "720p" in dict(files) else None
    report(args, results, concurrent, figures)
    shutil.rmtree(media, ignore_errors=True)


def concurrent_ids(media):
    """Eight match ids, hard links to the 720p clip, so that no two streams share a match."""
    ids = [f"720p-copy{n}" for n in range(1, 9)]
    for match_id in ids:
        path = os.path.join(media, f"{match_id}.mp4")
        if not os.path.exists(path):
            os.link(os.path.join(media, "720p.mp4"), path)
    return ids


def measure_concurrent(args, media):
    """8 streams of 8 different matches (copies of the 720p clip) at once, against our server,
    then once against the demo server for its peak memory beside ours."""
    ids = concurrent_ids(media)
    demo = Server([sys.executable, "-m", "soccertest.reference_server", "--media", media])
    try:
        out, _ = run_measured([args.bin, "bench", *ids, "--streams", "8", "--server", demo.target, "--json"])
        demo_fps, demo_mb = json.loads(out)["fps"], peak_rss_mb(demo.process.pid)
    finally:
        demo.stop()
    ours = Server([args.bin, "serve", "--media", media, "--port", "0"])
    try:
        single, many = [], []
        for _ in range(args.reps):
            out, _ = run_measured([args.bin, "bench", ids[0], "--server", ours.target, "--json"])
            single.append(json.loads(out))
            out, _ = run_measured([args.bin, "bench", *ids, "--streams", "8", "--server", ours.target, "--json"])
            many.append(json.loads(out))
            print(f"concurrent: single {single[-1]['fps']:.0f}, 8 streams {many[-1]['fps']:.0f}", file=sys.stderr)
        server_mb = peak_rss_mb(ours.process.pid)
    finally:
        ours.stop()
    return {
        "single": med([r["fps"] for r in single]),
        "aggregate": med([r["fps"] for r in many]),
        "fairness": med([min(r["stream_fps"]) / max(r["stream_fps"]) for r in many]),
        "slowest": med([min(r["stream_fps"]) for r in many]),
        "fastest": med([max(r["stream_fps"]) for r in many]),
        "server_mb": server_mb,
        "demo_fps": demo_fps,
        "demo_mb": demo_mb,
    }


def report(args, results, concurrent, figures):
    """Prints the tables in Markdown and records the ratios the targets name (as "720p.b_over_a")."""
    lines = [
        f"{args.reps} runs of each pair, alternating, medians shown. Frames are BGR24, full size, sent as fast "
        "as possible.",
        "",
    ]
    for name, ((width, height, frames), runs, rss, server_rss) in results.items():
        lines += [
            f"### {name}: {width}x{height}, {frames} frames H.264",
            "",
            "| pair | frames/s | MB/s | first frame ms | server CPU ms/frame | client CPU ms/frame "
            "| client peak RSS MB | server peak RSS MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for pair, label in PAIRS.items():
            fps = med([r["fps"] for r in runs[pair]])
            mbs = med([r["mb_s"] for r in runs[pair]])
            first = med([r["first_ms"] for r in runs[pair]])
            server = SERVER_OF[pair]
            server_mb = f"{server_rss[server]:.0f}" if server else "–"
            first_text = f"{first:.1f}" if first is not None else "–"
            server_ms = med([r["server_ms"] for r in runs[pair]])
            server_text = f"{server_ms:.2f}" if server_ms is not None else "–"
            client_ms = med([r["client_ms"] for r in runs[pair]])
            lines.append(
                f"| ({pair}) {label} | {fps:.1f} | {mbs:.1f} | {first_text} | {server_text} | "
                f"{client_ms:.2f} | {rss[pair]:.0f} | {server_mb} |"
            )
        fps = {p: med([r["fps"] for r in runs[p]]) for p in PAIRS}
        ratios = {
            f"{p}_over_{q}": fps[p] / fps[q]
            for p, q in (("b", "a"), ("b", "d"), ("c", "d"), ("e", "d"), ("b", "l"), ("u", "b"))
        }
        figures.update({f"{name}.{key}": value for key, value in ratios.items()})
        figures[f"{name}.first_frame_ms"] = med([r["first_ms"] for r in runs["b"]])
        figures[f"{name}.server_rss_over_demo"] = server_rss["ours"] / server_rss["demo"]
        lines += [
            "",
            "Ratios: " + ", ".join(f"{key.replace('_over_', '/')} = {value:.2f}" for key, value in ratios.items()),
            "",
        ]
        lines.append(
            "Every run (frames/s): "
            + "; ".join(f"{p}: " + ", ".join(f"{r['fps']:.0f}" for r in runs[p]) for p in PAIRS)
        )
        lines.append("")
    if concurrent:
        c = concurrent
        figures["concurrent.server_mb"] = c["server_mb"]
        figures["concurrent.aggregate_over_single"] = c["aggregate"] / c["single"]
        figures["concurrent.slowest_over_fastest"] = c["fairness"]
        lines += [
            "### 8 concurrent streams (720p, 8 different matches, our server → soccer bench)",
            "",
            f"One stream: {c['single']:.1f} frames/s. Eight at once: {c['aggregate']:.1f} frames/s in all, "
            f"each between {c['slowest']:.1f} and {c['fastest']:.1f}. Server peak RSS {c['server_mb']:.0f} MB "
            f"(the demo server, one run of the same eight: {c['demo_fps']:.1f} frames/s, "
            f"{c['demo_mb']:.0f} MB).",
            "",
        ]
    lines += [
        "Server peak RSS is the server process's high-water mark over all runs on that file; client peak "
        "RSS is one more run of the pair measured alone. CPU per frame is user and system time over the "
        "frames of one run: the server's from /proc, the client's (for (a) and (l), the one process) "
        "from the rusage of its ended process.",
        "",
    ]
    print("\n".join(lines))
