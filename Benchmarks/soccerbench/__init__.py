"""SoccerStream's benchmark harness: `tools/bench SCENARIO` runs one scenario side by side with its
baselines and records its figures in Benchmarks/results; `tools/bench report` writes BENCHMARKS.md
from them and `tools/bench check` says which targets (Benchmarks/targets.toml) are met."""
