"""Streams opened and reset as soon as their headers arrive, on several connections at once: the
hostile pattern the tests run for a few seconds and `tools/bench churn` for longer."""

import threading
import time

from .rawpeer import RawPeer, grpc_message, match_message


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
                        answered = any(
                            isinstance(e, h2.events.ResponseReceived) and e.stream_id == stream for e in peer.events
                        )
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
