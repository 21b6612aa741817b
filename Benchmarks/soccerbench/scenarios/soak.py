"""Soak test: a mix of normal, slow, stalling, cancelling and resetting clients against one server.

Starts `soccer serve` on the bundled sample (or --media) with a
5 s stall timeout, runs the clients for N minutes (default 10), samples the server's RSS, threads
and open files every second, then stops the clients and samples 10 s more. Prints a line a
minute and a verdict per series: it trends upward when its mean over the last quarter of the run
exceeds the mean over the second quarter by more than a margin (RSS 64 MB, threads 8, files 16),
or when it has not come back within that margin of its starting value 10 s after the clients stopped.
Exits 1 if any series trends upward or the server died, 0 otherwise. --reps is not used.
"""

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

import h2.events
import h2.exceptions

import soccerstream
from soccertest import MEDIA, RawPeer, grpc_message, match_message

REPS = 1

MARGINS = {"rss_mb": 64, "threads": 8, "fds": 16}


def sample(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                values["rss_mb"] = int(line.split()[1]) / 1024
            elif line.startswith("Threads:"):
                values["threads"] = int(line.split()[1])
    values["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return values


class Clients:
    def __init__(self, target, stop):
        self.target = target
        self.stop = stop
        self.counts = {}
        self.lock = threading.Lock()

    def count(self, kind, outcome):
        with self.lock:
            self.counts[(kind, outcome)] = self.counts.get((kind, outcome), 0) + 1

    def loop(self, kind, body):
        rng = random.Random(hash(kind))
        while not self.stop.is_set():
            try:
                body(rng)
                self.count(kind, "ok")
            except soccerstream.SoccerError as error:
                self.count(kind, error.code)
            except OSError as error:
                self.count(kind, type(error).__name__)
            except h2.exceptions.ProtocolError:
                # The server ended the connection (GOAWAY), as it does to peers that reset too fast.
                self.count(kind, "goaway")
            self.stop.wait(rng.uniform(0.05, 0.3))

    # The package's clients never retry here: a failed stream counts as its status.
    def normal(self, rng):
        with soccerstream.connect(self.target, deadline=60) as client:
            frames = list(client.frames("sample", width=rng.choice([160, 320, 640]), retries=0))
            assert len(frames) == 100, len(frames)

    def slow(self, rng):
        with soccerstream.connect(self.target, deadline=60) as client:
            frames = client.frames("sample", retries=0)
            for n, _ in enumerate(frames):
                time.sleep(0.1)
                if n == 20 or self.stop.is_set():
                    frames.close()
                    break

    def cancelling(self, rng):
        with soccerstream.connect(self.target, deadline=60) as client:
            frames = client.frames("sample", real_time=rng.random() < 0.5, retries=0)
            for n, _ in enumerate(frames):
                if n == rng.randint(0, 5):
                    frames.close()
                    break

    def stalling(self, rng):
        peer = RawPeer(self.target)
        for _ in range(rng.randint(1, 3)):
            peer.call("/stream.Soccer/Watch", grpc_message(match_message("sample")))
        self.stop.wait(rng.uniform(2, 8))  # never reads: the server's stall timeout ends the streams
        peer.close()

    def resetting(self, rng):
        """Opens Watch streams and resets each as soon as its response headers arrive."""
        peer = RawPeer(self.target)
        try:
            for _ in range(rng.randint(5, 50)):
                stream = peer.call("/stream.Soccer/Watch", grpc_message(match_message("sample")))
                while peer.read(0.05):
                    if any(isinstance(e, h2.events.ResponseReceived) and e.stream_id == stream for e in peer.events):
                        break
                    if self.stop.is_set():
                        return
                peer.events.clear()
                peer.conn.reset_stream(stream)
                peer.flush()
        finally:
            peer.close()


def mean(values):
    return sum(values) / len(values) if values else 0.0


def add_arguments(parser):
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--media", default=MEDIA, help="the folder served (default: the bundled sample's)")


def run(args, figures):
    server = subprocess.Popen(
        [args.bin, "serve", "--media", args.media, "--port", "0", "--stall-timeout", "5", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    match = re.search(r"listening on (\S+?):(\d+)", server.stdout.readline())
    if not match:
        print("soak: the server did not start", file=sys.stderr)
        return 1
    target = f"{match.group(1)}:{match.group(2)}"
    stop = threading.Event()
    clients = Clients(target, stop)
    mix = [("normal", clients.normal)] * 2 + [
        ("slow", clients.slow),
        ("cancelling", clients.cancelling),
        ("stalling", clients.stalling),
        ("resetting", clients.resetting),
    ]
    start = sample(server.pid)
    threads = [threading.Thread(target=clients.loop, args=kind, daemon=True) for kind in mix]
    for t in threads:
        t.start()
    seconds = int(args.minutes * 60)
    series = []
    for second in range(seconds):
        time.sleep(1)
        if server.poll() is not None:
            print(f"soak: the server exited with {server.returncode} after {second} s")
            return 1
        series.append(sample(server.pid))
        if (second + 1) % 60 == 0 or second + 1 == seconds:
            s = series[-1]
            print(
                f"{second + 1:5d} s  RSS {s['rss_mb']:7.1f} MB  threads {s['threads']:4d}  fds {s['fds']:4d}",
                flush=True,
            )
    stop.set()
    for t in threads:
        t.join(timeout=30)
    time.sleep(10)
    end = sample(server.pid)
    server.send_signal(signal.SIGTERM)
    status = server.wait(timeout=30)

    print("clients: " + ", ".join(f"{kind} {outcome} {n}" for (kind, outcome), n in sorted(clients.counts.items())))
    quarter = max(1, len(series) // 4)
    verdict = 0
    for key, margin in MARGINS.items():
        second = mean([s[key] for s in series[quarter : 2 * quarter]])
        last = mean([s[key] for s in series[-quarter:]])
        upward = last - second > margin or end[key] - start[key] > margin
        verdict |= upward
        figures[f"{key}_last_over_second_quarter"] = last - second
        print(
            f"{key}: start {start[key]:.0f}, 2nd quarter {second:.1f}, last quarter {last:.1f}, "
            f"10 s after {end[key]:.0f}: {'TRENDS UPWARD' if upward else 'flat'}"
        )
    if status != 0:
        print(f"soak: the server exited with {status} on SIGTERM")
        return 1
    unexpected = {k: n for k, n in clients.counts.items() if k[0] == "normal" and k[1] != "ok"}
    if unexpected:
        print(f"soak: normal clients failed: {unexpected}")
        return 1
    return 1 if verdict else 0
