"""The deployment files are valid for the real tools: Kubernetes' schemas (kubernetes-validate,
offline) and Envoy's own config check."""

import copy
import os
import re
import subprocess
import sys

import yaml

from soccertest import ROOT

KUBERNETES = os.path.join(ROOT, "deploy", "kubernetes")
VALIDATE = os.path.join(os.path.dirname(sys.executable), "kubernetes-validate")
ENVOY = os.path.join(os.path.dirname(sys.executable), "envoy")


def manifests():
    return sorted(os.path.join(KUBERNETES, name) for name in os.listdir(KUBERNETES) if name.endswith(".yaml"))


def documents(path):
    with open(path) as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


def validate(*paths):
    return subprocess.run([VALIDATE, "--strict", "--quiet", *paths], capture_output=True, text=True)


def test_the_kubernetes_manifests_pass_the_schemas_strictly(tmp_path):
    result = validate(*manifests())
    assert result.returncode == 0, result.stdout + result.stderr
    kinds = sorted(doc["kind"] for path in manifests() for doc in documents(path))
    assert kinds == [
        "ConfigMap",
        "Deployment",
        "Deployment",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Service",
        "Service",
    ]
    # The check bites: a misspelt field fails it.
    broken = copy.deepcopy(documents(os.path.join(KUBERNETES, "soccer.yaml"))[0])
    broken["spec"]["replica"] = broken["spec"].pop("replicas")
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(broken))
    assert validate(str(tmp_path / "broken.yaml")).returncode != 0


def test_replicas_get_their_grace_period_and_are_probed_on_the_health_service():
    deployment = documents(os.path.join(KUBERNETES, "soccer.yaml"))[0]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    grace = next(float(arg.split("=", 1)[1]) for arg in container["args"] if arg.startswith("--grace="))
    assert pod["terminationGracePeriodSeconds"] > grace
    assert container["readinessProbe"]["grpc"] == {"port": 50051, "service": "stream.Soccer"}
    assert container["livenessProbe"]["grpc"]["port"] == 50051
    headless = documents(os.path.join(KUBERNETES, "soccer.yaml"))[1]
    assert headless["spec"]["clusterIP"] == "None"


def envoy_check(path):
    return subprocess.run([ENVOY, "--mode", "validate", "-c", path], capture_output=True, text=True)


def test_envoy_accepts_both_of_its_configs_and_they_differ_only_in_finding_replicas(tmp_path):
    shipped = os.path.join(ROOT, "deploy", "envoy", "envoy.yaml")
    result = envoy_check(shipped)
    assert result.returncode == 0, result.stdout + result.stderr
    text = documents(os.path.join(KUBERNETES, "envoy.yaml"))[0]["data"]["envoy.yaml"]
    (tmp_path / "kubernetes.yaml").write_text(text)
    result = envoy_check(str(tmp_path / "kubernetes.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    # Drift between the two would leave Kubernetes with an untested balancer.
    with open(shipped) as f:
        local, cluster = yaml.safe_load(f), yaml.safe_load(text)
    for config in (local, cluster):
        config["admin"]["address"]["socket_address"].pop("address")
        for replicas in config["static_resources"]["clusters"]:
            for key in ("type", "dns_refresh_rate", "dns_lookup_family"):
                replicas.pop(key, None)
            replicas["load_assignment"]["endpoints"] = []
    assert local == cluster
    # The check bites: an unknown field is refused.
    (tmp_path / "bad.yaml").write_text(re.sub("stream_idle_timeout", "stream_idle_timout", text))
    assert envoy_check(str(tmp_path / "bad.yaml")).returncode != 0
