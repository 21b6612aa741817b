"""The targets in Benchmarks/targets.toml, checked against the saved results."""

import os
import tomllib

from soccertest import ROOT

TARGETS = os.path.join(ROOT, "Benchmarks", "targets.toml")


def load():
    """Every target: scenario, figure, at_least or at_most, and what it promises."""
    with open(TARGETS, "rb") as f:
        return tomllib.load(f)["target"]


def verdict(target, records):
    """(value, met) of one target; value None when its scenario has no saved figure for it."""
    record = records.get(target["scenario"])
    value = None if record is None else record["figures"].get(target["figure"])
    if value is None:
        return None, False
    if "at_least" in target:
        return value, value >= target["at_least"]
    return value, value <= target["at_most"]


def bound(target):
    """The target's bound as text: "≥ 0.85" or "≤ 500"."""
    return f"≥ {target['at_least']:g}" if "at_least" in target else f"≤ {target['at_most']:g}"
