"""Prometheus (Debian's), scraping on loopback."""

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

import yaml

from .paths import ROOT, MissingComponent
from .processes import free_port, terminate


class Prometheus:
    """Prometheus with deploy/prometheus/prometheus.yml's `soccer` job pointed at `targets`,
    scraping every second, with its own data folder and a free loopback port."""

    def __init__(self, targets, workdir):

        binary = shutil.which("prometheus") or "/usr/bin/prometheus"
        if not os.path.exists(binary):
            raise MissingComponent("prometheus is missing: tools/install-deps installs it")
        with open(os.path.join(ROOT, "deploy", "prometheus", "prometheus.yml")) as f:
            config = yaml.safe_load(f)
        config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
        config["scrape_configs"] = [job for job in config["scrape_configs"] if job["job_name"] == "soccer"]
        config["scrape_configs"][0]["static_configs"] = [{"targets": list(targets)}]
        os.makedirs(str(workdir), exist_ok=True)
        path = os.path.join(str(workdir), "prometheus.yml")
        with open(path, "w") as f:
            yaml.safe_dump(config, f)
        self.port = free_port()
        self.log_path = os.path.join(str(workdir), "prometheus.log")
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [
                    binary,
                    f"--config.file={path}",
                    f"--storage.tsdb.path={workdir}/data",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus did not start: {self.log()}")
            try:
                self.get("/-/ready")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"prometheus did not become ready: {self.log()}")

    def get(self, path):

        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
            return response.read().decode()

    def query(self, expression):
        """The instant vector `expression` gives: [(labels, value)]."""

        answer = json.loads(self.get("/api/v1/query?" + urllib.parse.urlencode({"query": expression})))
        assert answer["status"] == "success", answer
        return [(item["metric"], float(item["value"][1])) for item in answer["data"]["result"]]

    def log(self):
        with open(self.log_path) as f:
            return f.read()[-4000:]

    def stop(self):
        terminate(self.process, timeout=15)
