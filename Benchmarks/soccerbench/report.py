"""BENCHMARKS.md, written from the saved results: every section says when, from which commit and
with which command its figures were measured."""

import os

from soccertest import ROOT

from . import targets as targets_module

HEADER = """# Benchmarks

Written by `tools/bench report` from the results in `Benchmarks/results/`; do not edit by hand.
Each section is one scenario: `tools/bench SCENARIO` runs it again (release build, sides alternated,
medians shown) and `tools/bench check` compares the figures with `Benchmarks/targets.toml`. The
machine is shared: compare figures within a section, measured side by side, not across sections.
"""


REPORT = os.path.join(ROOT, "BENCHMARKS.md")


def write(records, targets, order, scenario_module, path=REPORT):
    """Writes the report of `records` (by scenario) to `path`, through a temporary file; returns `path`."""
    lines = [
        HEADER,
        "## Targets",
        "",
        "| scenario | figure | target | measured | met | measured on |",
        "|---|---|---:|---:|---|---|",
    ]
    for target in targets:
        value, met = targets_module.verdict(target, records)
        record = records.get(target["scenario"])
        when = f"{record['date']}, {record['commit']}" if record else "never"
        shown = "–" if value is None else f"{value:.3g}"
        lines.append(
            f"| {target['scenario']} | {target['why']} | {targets_module.bound(target)} | {shown} | "
            f"{'yes' if met else '**no**'} | {when} |"
        )
    lines.append("")
    for name in order:
        record = records.get(name)
        if record is None:
            continue
        doc = (scenario_module(name).__doc__ or "").strip()
        title, _, about = doc.partition("\n")
        lines += [
            f'<a id="{name}"></a>',
            "",
            f"## {name}: {title.rstrip('.')}",
            "",
            f"Measured {record['date']} at commit `{record['commit']}` with `{record['command']}`.",
            "",
            f"Machine: {record['machine']}.",
            "",
        ]
        if about.strip():
            lines += [_markdown(about), ""]
        text = record["report"].rstrip()
        markdown = getattr(scenario_module(name), "MARKDOWN", False)
        lines += [text, ""] if markdown else ["```text", text, "```", ""]
    lines += ["## Versions", "", "As of the newest result:", ""]
    newest = max(records.values(), key=lambda r: r["date"], default=None)
    for key, value in (newest or {}).get("versions", {}).items():
        lines.append(f"- {key}: {value}")
    with open(path + ".part", "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")
    os.replace(path + ".part", path)
    return path


def _markdown(text):
    """A scenario's docstring as Markdown: its indented lines (lists, commands) as list items."""
    out = []
    for line in text.strip().splitlines():
        out.append(f"- {line.strip()}" if line.startswith("  ") and line.strip() else line)
    return "\n".join(out)
