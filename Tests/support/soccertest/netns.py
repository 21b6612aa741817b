"""Two hosts on one machine: network namespaces joined by a shaped veth pair."""

import os
import subprocess

from .processes import Server


class ThinLink:
    """Two network namespaces joined by a veth pair, the server's side shaped to `rate` with tc's
    token bucket filter: a thin link between two hosts on this machine. Removed by `close()`."""

    opened = 0

    def __init__(self, rate="100mbit"):
        ThinLink.opened += 1
        tag = f"{os.getpid() % 10000}{ThinLink.opened}"
        self.server_ns, self.client_ns = f"soccer-s{tag}", f"soccer-c{tag}"
        subnet = 16 + (os.getpid() + ThinLink.opened) % 200
        self.server_address, self.client_address = f"10.{subnet}.77.1", f"10.{subnet}.77.2"
        veth_s, veth_c = f"vs{tag}", f"vc{tag}"
        self._made = []
        try:
            for ns in (self.server_ns, self.client_ns):
                self._ip("netns", "add", ns)
                self._made.append(ns)
            self._ip("link", "add", veth_s, "type", "veth", "peer", "name", veth_c)
            for veth, ns, address in (
                (veth_s, self.server_ns, self.server_address),
                (veth_c, self.client_ns, self.client_address),
            ):
                self._ip("link", "set", veth, "netns", ns)
                self._ip("-n", ns, "addr", "add", f"{address}/24", "dev", veth)
                self._ip("-n", ns, "link", "set", veth, "up")
                self._ip("-n", ns, "link", "set", "lo", "up")
            # The frames go from the server: its side of the pair is the bottleneck.
            subprocess.run(
                [
                    "ip",
                    "netns",
                    "exec",
                    self.server_ns,
                    "tc",
                    "qdisc",
                    "add",
                    "dev",
                    veth_s,
                    "root",
                    "tbf",
                    "rate",
                    rate,
                    "burst",
                    "256kb",
                    "latency",
                    "50ms",
                ],
                check=True,
                capture_output=True,
                timeout=10,
            )
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _ip(*args):
        subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)

    def in_server(self, *argv):
        return ["ip", "netns", "exec", self.server_ns, *argv]

    def serve(self, binary, media, *options):
        """`soccer serve` of `media` in the server's namespace, on its address, logging warnings only."""
        return Server(
            self.in_server(
                binary,
                "serve",
                "--media",
                str(media),
                "--host",
                self.server_address,
                "--port",
                "0",
                "--log-level",
                "warning",
                *options,
            )
        )

    def in_client(self, *argv):
        return ["ip", "netns", "exec", self.client_ns, *argv]

    def close(self):
        # Deleting a namespace deletes the veth end in it, and with it the pair.
        for ns in self._made:
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True, timeout=10)
        self._made = []
