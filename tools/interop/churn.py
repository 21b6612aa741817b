#!/usr/bin/env python3
"""Streams opened and reset as soon as their headers arrive, on several connections at once.

`Churn` is the hostile pattern the suite runs for a few seconds; as a tool it runs the same
churn against one server several times and prints, for each run, how far its memory grew, how
many decoders were open at most, and how long memory took to come back. Example, as in
BENCHMARKS.md "Churn":
  tools/churn --runs 5 --seconds 20
  tools/churn --runs 5 --seconds 20 --busy 2     # beside two busy loops
"""
import argparse
import multiprocessing
import os
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "interop"))
sys.path.insert(0, os.path.dirname(__file__))

from rawpeer import RawPeer, grpc_message, match_message  # noqa: E402


class Churn:
    """`connections` threads, each opening Watch streams of `match` one after another on one
    connection and resetting each as soon as its response headers arrive."""

    def __init__(self, target, match, connections=4):
        self.target = target
        self.match = match
        self.opened = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(connections)]

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join()

    def _run(self):
        import h2.events
        import h2.exceptions

        while not self._stop.is_set():
            try:
                peer = RawPeer(self.target)
                while not self._stop.is_set():
                    stream = peer.call("/stream.Soccer/Watch", grpc_message(match_message(self.match)))
                    answered = False
                    while not answered and peer.read(0.05):
                        answered = any(isinstance(e, h2.events.ResponseReceived) and e.stream_id == stream
                                       for e in peer.events)
                        if self._stop.is_set():
                            break
                    if not answered:
                        break
                    peer.events.clear()
                    peer.conn.reset_stream(stream)
                    peer.flush()
                    with self._lock:
                        self.opened += 1
                peer.close()
            except (OSError, h2.exceptions.ProtocolError):
                # The server may end a resetting peer's connection: a defence, so open another.
                time.sleep(0.05)


def _busy(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def main():
    from harness import Server, make_media, rss_mb

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.environ.get("SOCCER_BIN", os.path.join(ROOT, ".build", "release",
                                                                                  "soccer")))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--busy", type=int, default=0, help="busy loops beside the churn, to load the machine")
    parser.add_argument("--serve", action="append", default=[], help="an option for soccer serve, as --serve=--X=Y")
    args = parser.parse_args()
    media = os.path.join(ROOT, ".bench", "media")
    if not os.path.exists(os.path.join(media, "hd.mp4")):
        make_media(media, "hd", "--size", "1280x720", "--seconds", "8", "--rate", "25", "--preset", "ultrafast")
    for run in range(1, args.runs + 1):
        server = Server([args.bin, "serve", "--media", media, "--port", "0", "--log-level", "warning", *args.serve])
        try:
            pid = server.process.pid
            time.sleep(0.5)
            before = rss_mb(pid)
            peak = before
            loops = [multiprocessing.Process(target=_busy, args=(args.seconds,)) for _ in range(args.busy)]
            for p in loops:
                p.start()
            with Churn(server.target, "hd") as churn:
                end = time.monotonic() + args.seconds
                while time.monotonic() < end:
                    time.sleep(0.1)
                    peak = max(peak, rss_mb(pid))
            for p in loops:
                p.join()
            ended = time.monotonic()
            back = None
            while time.monotonic() - ended < 15:
                if rss_mb(pid) < before + 32:
                    back = time.monotonic() - ended
                    break
                time.sleep(0.1)
            settled = "not within 15 s" if back is None else f"{back:.1f} s"
            print(f"run {run}: {churn.opened} streams reset in {args.seconds:.0f} s; RSS {before:.0f} -> peak "
                  f"{peak:.0f} MB (+{peak - before:.0f}); back within 32 MB of the start after {settled}",
                  flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
