"""Side-by-side measurement: sides run alternately, each figure's median kept."""

import statistics
import sys


def alternated(sides, reps, measure, describe):
    """Runs `measure(side)` `reps` times for each side, alternating which goes first, and prints
    each run with `describe(figures)` to standard error; returns {side: [figures, ...]}."""
    runs = {side: [] for side in sides}
    for rep in range(reps):
        for side in sides if rep % 2 == 0 else list(reversed(sides)):
            runs[side].append(measure(side))
            print(f"rep {rep + 1} {side}: {describe(runs[side][-1])}", file=sys.stderr)
    return runs


def medians(runs, describe):
    """Each side's median of each figure (runs as `alternated` returns them), printed with `describe`."""
    result = {}
    for side, figures in runs.items():
        result[side] = tuple(statistics.median(f[i] for f in figures) for i in range(len(figures[0])))
        print(f"  {side}: {describe(result[side])}")
    return result


def med(values):
    """The median of the values that are not None, or None."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None
