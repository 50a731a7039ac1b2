"""Default paths and seeds, in a module that imports nothing heavy.

The CLI shows these as option defaults; keeping them here means `gongkai parse` starts without
importing DuckDB, pandas and the demo renderers that the store, the generator and synth need."""

from pathlib import Path

DEFAULT_DB = Path("data/gongkai.duckdb")
DEMO_OUT = Path("data/demo")
DEMO_SEED = 2026
SYNTH_REPORTS = 600_000
SYNTH_SEED = 2026
