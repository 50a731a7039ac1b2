"""The assessment's speed on the demo database, one line per measure as `name: value unit`.

    python benchmarks/assess_bench.py [--db data/gongkai.duckdb]   # the demo database (`gongkai demo build`)

Measures: the query (queries/assess_agency_years.sql) over the whole database; narrative similarity per
(report, previous report) pair; scoring every agency-year (query excluded); each median of 5 runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from gongkai import assess, similarity, store  # noqa: E402


def median_seconds(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(store.DEFAULT_DB))
    db = parser.parse_args().db
    con = duckdb.connect(db, read_only=True)
    facts = store.run_query(con, "assess_agency_years", {})
    pairs = [(r.narrative, r.prev_narrative) for r in facts.itertuples() if isinstance(r.prev_narrative, str)]
    config = assess.load_config()
    query = median_seconds(lambda: store.run_query(con, "assess_agency_years", {}))
    sim = median_seconds(lambda: [similarity.similarity(a, b) for a, b in pairs])
    score = median_seconds(lambda: assess.score_frame(facts, config))
    print(f"assess_agency_years_rows: {len(facts)} rows")
    print(f"assess_query_median: {query * 1000:.0f} ms")
    print(f"similarity_pairs: {len(pairs)} pairs")
    print(f"similarity_per_pair_median: {sim / max(1, len(pairs)) * 1000:.2f} ms")
    print(f"score_all_median: {score * 1000:.0f} ms")


if __name__ == "__main__":
    main()
