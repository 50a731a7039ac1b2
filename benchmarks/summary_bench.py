"""汇总表 speed: `gongkai.summary.load` (the summary_* queries over the long figures table, then combine) and the
DOCX writer, for the largest county, city and province of one year of a synthetic database.

    python benchmarks/summary_bench.py --db benchmarks/out/national.duckdb   # an existing `gongkai synth` file
    python benchmarks/summary_bench.py --reports 100000                    # builds one in a temporary folder

One line per measure, `name: value unit` (minimum and median of --repeat runs)."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from gongkai import summary as S  # noqa: E402
from gongkai.summary_write import to_docx  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def largest(con, year: int, columns: str) -> tuple:
    return con.execute(
        f"SELECT {columns}, count(*) AS n FROM reports r JOIN agencies a USING (agency_id)"
        f" JOIN regions g ON g.adcode = a.adcode WHERE r.year = ? AND g.city IS NOT NULL"
        f" GROUP BY ALL ORDER BY n DESC LIMIT 1", [year]).fetchone()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "synth.duckdb"
            subprocess.run([sys.executable, "-m", "gongkai", "synth", "--reports", str(args.reports), "--db", str(db)],
                           check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        con = duckdb.connect(str(db), read_only=True)
        print(f"figures_rows: {con.execute('SELECT count(*) FROM figures').fetchone()[0]:,}")
        county = largest(con, args.year, "g.province, g.city, g.county")
        city = largest(con, args.year, "g.province, g.city")
        province = largest(con, args.year, "g.province")
        for level, scope in (("county", S.Scope(*county[:3])), ("city", S.Scope(*city[:2])),
                             ("province", S.Scope(province[0]))):
            low, mid, summary = timed(lambda: S.load(con, scope, args.year), args.repeat)
            print(f"summary_load_{level}: min {low * 1000:.0f} ms, median {mid * 1000:.0f} ms "
                  f"({scope.path}, {summary.report_count:,} reports)")
            low, mid, data = timed(lambda: to_docx(summary), args.repeat)
            print(f"summary_docx_{level}: min {low * 1000:.0f} ms, median {mid * 1000:.0f} ms ({len(data):,} bytes)")
        con.close()


if __name__ == "__main__":
    main()
