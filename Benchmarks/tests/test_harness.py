"""The harness itself: a scenario's record, the report written from records, and the targets' verdicts."""

import json
import subprocess
import sys

from soccerbench import report, targets
from soccerbench.__main__ import EXPERIMENTS, STANDING, scenario_module
from soccertest import soccer_binary


def record(scenario, figures, text="| a | b |\n|---|---|\n| 1 | 2 |"):
    return {
        "scenario": scenario,
        "command": f"tools/bench {scenario}",
        "date": "2026-12-07 18:00 UTC",
        "commit": "abc1234",
        "machine": "2 cores",
        "versions": {"Python": "3.11"},
        "figures": figures,
        "report": text,
    }


def test_every_scenario_has_a_title_a_default_and_its_options():
    import argparse

    for name in STANDING + EXPERIMENTS:
        module = scenario_module(name)
        assert module.__doc__ and module.__doc__.strip().splitlines()[0], name
        assert isinstance(module.REPS, int) and module.REPS >= 1, name
        module.add_arguments(argparse.ArgumentParser())


def test_every_target_names_a_standing_scenario_and_one_bound():
    for target in targets.load():
        assert target["scenario"] in STANDING, target
        assert ("at_least" in target) != ("at_most" in target), target
        assert target["why"], target


def test_verdicts_compare_with_the_bound_and_a_missing_figure_is_not_met():
    least = {"scenario": "socket", "figure": "x", "at_least": 1.0, "why": "w"}
    most = {"scenario": "socket", "figure": "x", "at_most": 1.0, "why": "w"}
    records = {"socket": record("socket", {"x": 1.2})}
    assert targets.verdict(least, records) == (1.2, True)
    assert targets.verdict(most, records) == (1.2, False)
    assert targets.verdict(least, {}) == (None, False)


def test_the_report_says_when_and_from_which_commit_and_renders_text_in_a_block(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    records = {"throughput": record("throughput", {"720p.b_over_a": 0.9}), "socket": record("socket", {}, "  a: 1")}
    goal = {"scenario": "throughput", "figure": "720p.b_over_a", "at_least": 0.85, "why": "near FFmpeg"}
    report.write(records, [goal], STANDING, scenario_module, path=str(path))
    text = path.read_text()
    assert "Measured 2026-12-07 18:00 UTC at commit `abc1234` with `tools/bench throughput`" in text
    assert "| throughput | near FFmpeg | ≥ 0.85 | 0.9 | yes |" in text
    assert "```text\n  a: 1\n```" in text  # plain text stays as printed
    assert "| a | b |" in text.split("## socket")[0]  # Markdown scenarios' tables stay tables


def test_a_scenario_run_records_its_figures_commit_and_machine():
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "soccerbench",
            "play",
            "--bin",
            soccer_binary(),
            "--seconds",
            "4",
            "--seeks",
            "2",
            "--pause",
            "0.3",
            "--no-save",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout[run.stdout.index("{\n") :])
    assert result["scenario"] == "play" and result["commit"] and result["machine"] and result["date"]
    assert result["figures"]["720p.play_over_watch_p50"] > 0
    assert "Play p50 / Watch p50" in result["report"]


def test_an_unknown_scenario_is_named_and_exits_64():
    run = subprocess.run([sys.executable, "-m", "soccerbench", "nosuch"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 64 and "no scenario 'nosuch'" in run.stderr


def test_indented_lines_of_a_docstring_become_list_items():
    text = report._markdown("Pairs:\n  (a) one\n  (b) two\nThen more.")
    assert text == "Pairs:\n- (a) one\n- (b) two\nThen more."
