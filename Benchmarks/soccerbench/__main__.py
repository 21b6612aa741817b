"""tools/bench: every benchmark scenario behind one command.

tools/bench list                      the scenarios, one line each
tools/bench SCENARIO [options]        runs one; its figures go to Benchmarks/results/SCENARIO.json
tools/bench all [--reps N]            every standing scenario, then the report
tools/bench report                    writes BENCHMARKS.md from the saved results
tools/bench check                     which targets (Benchmarks/targets.toml) are met; exit 1 if any is not
"""

import argparse
import contextlib
import importlib
import io
import json
import os
import shlex
import sys

from soccertest import ROOT

from . import record, report, targets

# Standing scenarios, in the order the report shows them; `tools/bench all` runs these.
STANDING = [
    "throughput",
    "access",
    "cache",
    "sharing",
    "web",
    "viewer",
    "package",
    "shm",
    "socket",
    "encoding",
    "capacity",
    "origin",
    "play",
    "watch",
    "upload",
    "frame-memory",
    "churn",
    "scrape",
    "soak",
]
# Experiments: run by name with options of their own, never by `all`.
EXPERIMENTS = ["env-ab", "rss-growth"]


def scenario_module(name):
    return importlib.import_module(f".scenarios.{name.replace('-', '_')}", __package__)


def default_binary():
    return os.environ.get("SOCCER_BIN") or os.path.join(ROOT, ".build", "release", "soccer")


class Tee(io.TextIOBase):
    """Standard output that is also kept: what a scenario prints is its report."""

    def __init__(self, out):
        self.out, self.kept = out, io.StringIO()

    def write(self, text):
        self.kept.write(text)
        return self.out.write(text)

    def flush(self):
        self.out.flush()


def run_scenario(name, argv):
    module = scenario_module(name)
    parser = argparse.ArgumentParser(
        prog=f"tools/bench {name}", description=module.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--bin",
        default=default_binary(),
        help="the release soccer binary (default: $SOCCER_BIN, else .build/release/soccer, which tools/bench builds)",
    )
    parser.add_argument("--reps", type=int, default=module.REPS, help=f"runs of each side (default {module.REPS})")
    parser.add_argument("--json", action="store_true", help="print the result as JSON at the end")
    parser.add_argument("--no-save", action="store_true", help="leave Benchmarks/results as it is")
    module.add_arguments(parser)
    args = parser.parse_args(argv)
    if not os.access(args.bin, os.X_OK):
        parser.error(f"{args.bin} is not an executable soccer binary: build it with `swift build -c release`")
    figures = {}
    tee = Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        status = module.run(args, figures) or 0
    command = shlex.join(["tools/bench", name, *argv])
    result = record.result(name, command, tee.kept.getvalue(), figures)
    if not args.no_save:
        print(f"saved {os.path.relpath(record.save(result), ROOT)}", file=sys.stderr)
    if args.json:
        print(json.dumps(result, indent=2))
    return status


def check():
    records = record.load_all()
    failed = 0
    for target in targets.load():
        value, met = targets.verdict(target, records)
        failed += not met
        shown = "no figure" if value is None else f"{value:.3g}"
        print(
            f"{'met    ' if met else 'NOT MET'}  {target['scenario']}.{target['figure']} {targets.bound(target)}: "
            f"{shown}  ({target['why']})"
        )
    return 1 if failed else 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 64
    command, rest = argv[0], argv[1:]
    if command == "list":
        for name in STANDING + EXPERIMENTS:
            doc = (scenario_module(name).__doc__ or "").strip().splitlines()[0]
            print(f"{name:14} {doc}{'  (experiment)' if name in EXPERIMENTS else ''}")
        return 0
    if command == "report":
        path = report.write(record.load_all(), targets.load(), STANDING + EXPERIMENTS, scenario_module)
        print(f"wrote {os.path.relpath(path, ROOT)}")
        return 0
    if command == "check":
        return check()
    if command == "all":
        failed = [name for name in STANDING if print(f"== {name}", file=sys.stderr) or run_scenario(name, rest)]
        if failed:
            print(f"tools/bench: these scenarios failed: {', '.join(failed)}", file=sys.stderr)
        report.write(record.load_all(), targets.load(), STANDING + EXPERIMENTS, scenario_module)
        return check()
    if command in STANDING + EXPERIMENTS:
        return run_scenario(command, rest)
    print(f"tools/bench: there is no scenario {command!r}; `tools/bench list` names them", file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main())
