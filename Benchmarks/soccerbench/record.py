"""One scenario's result as JSON: its figures, the report it printed, and when, where and from
which commit it was measured."""

import datetime
import json
import os
import platform
import subprocess

from soccertest import ROOT

RESULTS = os.path.join(ROOT, "Benchmarks", "results")


def _first_line(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def commit():
    """The commit measured, with "+changes" when the work tree differs from it."""
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    )
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def machine():
    """Cores, CPU model, memory and OS of this machine, in one line."""
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return f"{os.cpu_count()} cores ({model}), {mem_kb / 1024 / 1024:.0f} GiB, {platform.platform()}"


def versions():
    """The versions of what the figures depend on."""
    import grpc
    import numpy

    try:
        import cv2

        opencv = cv2.__version__
    except ImportError:
        opencv = "absent"
    return {
        "Swift": _first_line(["swift", "--version"]),
        "FFmpeg": _first_line(["ffmpeg", "-version"]),
        "Python": platform.python_version(),
        "grpcio": grpc.__version__,
        "numpy": numpy.__version__,
        "OpenCV": opencv,
    }


def result(scenario, command, report, figures):
    """The record of one run of `scenario`."""
    return {
        "scenario": scenario,
        "command": command,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "machine": machine(),
        "versions": versions(),
        "figures": figures,
        "report": report,
    }


def save(record):
    """Writes the record to Benchmarks/results/SCENARIO.json, through a temporary file."""
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"{record['scenario']}.json")
    with open(path + ".part", "w") as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(path + ".part", path)
    return path


def load_all():
    """Every saved record, by scenario name."""
    records = {}
    if os.path.isdir(RESULTS):
        for name in sorted(os.listdir(RESULTS)):
            if name.endswith(".json"):
                with open(os.path.join(RESULTS, name)) as f:
                    record = json.load(f)
                records[record["scenario"]] = record
    return records
