"""Ingest throughput, end to end: report files on disk → `gongkai.ingest.ingest` → the swapped database.

    python benchmarks/ingest_bench.py [--files 1000] [--formats text,html] [--workers N] [--keep DIR]

Writes N report files (the demo renderers: consistent random figures, real district names so that the
regions resolve), ingests them into a fresh database and prints one line per measure as `name: value unit`:
files/s of the whole batch (hashing, parsing, writing, the wide table, cross-year rules, the swap), files/s
of a re-run (all skipped), and the median time of every file in queries/ on the result.
Target (issue 3): ≥ 200 files/s for text/HTML on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gongkai import store  # noqa: E402
from gongkai.demo.render import random_report, render_html, render_text  # noqa: E402
from gongkai.ingest import ingest  # noqa: E402

COUNTIES = ("淮安市洪泽区", "淮安市清江浦区", "淮安市淮阴区", "淮安市淮安区", "淮安市涟水县", "淮安市盱眙县",
            "淮安市金湖县", "枣庄市台儿庄区", "枣庄市薛城区", "枣庄市峄城区")
DEPARTMENTS = ("人民政府", "教育局", "公安局", "财政局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局",
               "水利局", "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会", "应急管理局", "市场监督管理局",
               "医疗保障局", "民政局", "司法局", "人力资源和社会保障局", "退役军人事务局")
YEARS = tuple(range(2019, 2026))
RENDERERS = {"text": (render_text, ".txt"), "html": (render_html, ".html")}


def write_corpus(folder: Path, count: int, formats: list[str], seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    slots = [(c, d, y) for c in COUNTIES for d in DEPARTMENTS for y in YEARS]  # 1,400 agency-years
    rng.shuffle(slots)
    for i in range(count):
        county, department, year = slots[i % len(slots)]
        agency = f"{county}{department}" if i < len(slots) else f"{county}{department}{i // len(slots)}分局"
        spec = random_report(rng, "2021" if year >= 2021 else "2019", agency=agency, year=year)
        render, suffix = RENDERERS[formats[i % len(formats)]]
        path = folder / f"{i:05d}{suffix}"
        path.write_bytes(render(spec))
        paths.append(path)
    return paths


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--formats", default="text,html")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="keep the corpus and database in this folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        corpus = root / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        db = root / "bench.duckdb"
        for leftover in (db, Path(str(db) + ".wal")):
            leftover.unlink(missing_ok=True)
        write_corpus(corpus, args.files, args.formats.split(","))

        cpu_before = _cpu_seconds()
        start = time.perf_counter()
        summary = ingest([corpus], db, workers=args.workers)
        elapsed = time.perf_counter() - start
        cpu = _cpu_seconds() - cpu_before
        stored = summary.count("stored", "replaced")
        print(f"ingest_files_per_s ({args.formats}, {args.files} files, {stored} stored, "
              f"{len(summary.failed)} failed): {args.files / elapsed:.0f} files/s")
        # The machine may be shared: CPU time per file (this process and its parse workers) says what the
        # batch costs whatever else runs, and files/s on idle cores follows from it.
        cores = os.cpu_count() or 1
        print(f"ingest_cpu_per_file: {cpu / args.files * 1000:.1f} ms")
        print(f"ingest_files_per_s_if_idle ({cores} cores): {args.files / (cpu / cores):.0f} files/s")
        print(f"load_average_1min: {os.getloadavg()[0]:.1f}")

        start = time.perf_counter()
        ingest([corpus], db)
        print(f"reingest_files_per_s (all skipped): {args.files / (time.perf_counter() - start):.0f} files/s")

        import duckdb

        con = duckdb.connect(str(db), read_only=True)
        report_id = con.execute("SELECT min(report_id) FROM reports").fetchone()[0]
        for name in store.query_names():
            times = []
            for _ in range(7):
                t = time.perf_counter()
                store.run_query(con, name, {"report_id": report_id})
                times.append(time.perf_counter() - t)
            print(f"query_{name}_median: {statistics.median(times) * 1000:.1f} ms")
        con.close()


if __name__ == "__main__":
    main()
