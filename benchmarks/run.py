"""Every benchmark of issue 6 in one command, one line per measure as `name: value unit`.

    python benchmarks/run.py            # the full run: 600,000-report database (built once, kept in benchmarks/out/)
    python benchmarks/run.py --quick    # within a minute: a 20,000-report database, short timings

Measures, in order:
- parse speed per format (benchmarks/parse_bench.py), reports/s;
- ingest end to end (benchmarks/ingest_bench.py's corpus → gongkai.ingest), files/s;
- the synthetic national database (`gongkai synth`), seconds to build, when it is (re)built;
- every file in queries/: median and p95 time at three typical scopes — the whole country, one province, one
  district — with the parameters each file declares bound as the dashboard binds them (filters it does not
  use dropped, the rest NULL); targets: median ≤ 50 ms;
- every dashboard page's server time under AppTest on that database, first visit (query cache empty) and
  cached rerun; target ≤ 300 ms;
- cold start to first chart: a fresh Python process running the app under AppTest on the demo database until
  the first plotly chart exists; target ≤ 3 s;
- peak memory (VmHWM, the kernel's peak RSS) of the process that ran all the pages on the big database;
  target ≤ 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

OUT = ROOT / "benchmarks" / "out"
APP = ROOT / "app.py"
SCOPES = ("country", "province", "district")
# Parameters the pages bind besides the filters (app_pages/*.py, components/filters.py), per query file.
PAGE_EXTRAS = {
    "agency_ranking": {"limit": 50},
    "findings_list": {"limit": 1000},
    "missing_reports": {"limit": 200},
    "not_published": {"limit": 1000},
    "app_filter_agencies": {"limit": 2001},
    "app_proactive_disclosure_by_agency": {"top": 30},
    "app_review_litigation_by_agency": {"top": 30},
    "app_findings_by_agency": {"top": 30},
}
# Scopes at which the dashboard does not run a query: the report chooser lists a scope's reports only up to
# app_pages/report.py MAX_REPORT_CHOICES; the drill-down lists the agencies of one chosen region.
MAX_REPORT_CHOICES = 5000


def not_run_by_dashboard(name: str, scope: str, reports: int) -> str | None:
    if name == "agency_reports" and reports > MAX_REPORT_CHOICES:
        return f"not run by the dashboard at this scope: {reports:,} reports > {MAX_REPORT_CHOICES:,}"
    if name == "app_agency_summary" and scope == "country":
        return "not run by the dashboard at this scope: the drill-down lists one chosen region's agencies"
    return None


def line(name: str, value: float | str, unit: str = "") -> None:
    text = value if isinstance(value, str) else (f"{value:.1f}" if value < 1000 else f"{value:,.0f}")
    print(f"{name}: {text}{' ' + unit if unit else ''}", flush=True)


# ---------------------------------------------------------------- parse and ingest
def bench_parse(seconds: float) -> None:
    import parse_bench

    for name, files in parse_bench.samples().items():
        slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        line(f"parse_{slug}", parse_bench.measure(files, seconds), "reports/s")


def bench_ingest(files: int) -> None:
    import ingest_bench
    from gongkai.ingest import ingest

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        ingest_bench.write_corpus(corpus, files, ["text", "html"])
        start = time.perf_counter()
        summary = ingest([corpus], Path(tmp) / "bench.duckdb")
        elapsed = time.perf_counter() - start
        stored = summary.count("stored", "replaced")
        line(f"ingest_text_html_{files}_files ({stored} stored, {len(summary.failed)} failed)",
             files / elapsed, "files/s")


# ---------------------------------------------------------------- the national database
def national_db(reports: int, rebuild: bool, path: Path | None) -> Path:
    from gongkai import synth

    path = path or OUT / f"national-{reports}.duckdb"
    if path.exists() and not rebuild:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    summary = synth.synthesize(path, reports, replace=True)
    line(f"synth_{reports}_reports", summary.seconds, "s")
    for step, seconds in summary.timings.items():
        line(f"synth_{reports}_step_{step.replace(' ', '_')}", seconds, "s")
    return path


def scopes(con) -> dict[str, dict]:
    """The whole country; the province with most reports; its district with most reports — all years, as the
    dashboard's filter bar binds them (year_from/year_to = the database's range)."""
    first, last = con.execute("SELECT min(year), max(year) FROM report_wide").fetchone()
    province = con.execute("SELECT province FROM report_wide GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    city, county = con.execute(
        "SELECT city, county FROM report_wide WHERE province = ? AND county IS NOT NULL"
        " GROUP BY 1, 2 ORDER BY count(*) DESC, 2 LIMIT 1", [province]).fetchone()
    years = {"year_from": first, "year_to": last}
    return {
        "country": years,
        "province": {**years, "province": province},
        "district": {**years, "province": province, "city": city, "county": county},
    }


def bench_queries(db: Path, repeat: int) -> dict[str, float]:
    import duckdb

    from gongkai import store

    con = duckdb.connect(str(db), read_only=True)
    medians: dict[str, float] = {}
    try:
        filters = scopes(con)
        agencies, reports = {}, {}
        for scope, params in filters.items():
            # report_figures and the other one-report queries: a report of the scope (the middle one)
            params["report_id"], agencies[scope], reports[scope] = con.execute(
                "SELECT quantile_disc(report_id, 0.5), count(DISTINCT agency_id), count(*) FROM report_wide"
                " WHERE ($county IS NULL OR county = $county) AND ($province IS NULL OR province = $province)",
                {"county": params.get("county"), "province": params.get("province")}).fetchone()
            line(f"scope_{scope}", json.dumps(params, ensure_ascii=False) + f", {agencies[scope]:,} agencies")
        for name in store.query_names():
            for scope, params in filters.items():
                bound = {**params, **PAGE_EXTRAS.get(name, {})}
                frame = store.run_query(con, name, bound)  # warm: the first run reads the columns from disk
                times, cpu = [], []
                for _ in range(repeat):
                    t, c = time.perf_counter(), time.process_time()
                    store.run_query(con, name, bound)
                    times.append((time.perf_counter() - t) * 1000)
                    cpu.append((time.process_time() - c) * 1000)
                times.sort()
                median = statistics.median(times)
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                medians[f"{name}/{scope}"] = median
                # CPU time (both DuckDB threads) next to wall time: on a machine shared with other work, wall
                # time grows with the load while CPU time does not.
                note = f"({len(frame):,} rows, CPU {statistics.median(cpu):.0f} ms"
                if reason := not_run_by_dashboard(name, scope, reports[scope]):
                    note += "; " + reason
                line(f"query_{name}_{scope}_median", median, f"ms {note})")
                line(f"query_{name}_{scope}_p95", p95, "ms")
    finally:
        con.close()
    return medians


# ---------------------------------------------------------------- the dashboard
def page_paths() -> list[str]:
    return re.findall(r'"(app_pages/\w+\.py)"', APP.read_text(encoding="utf-8"))


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM rather than getrusage's ru_maxrss: ru_maxrss survives
    fork + exec, so a worker started by a parent that had just built the 600,000-report database in memory
    reported the parent's 3.5 GB peak as its own."""
    for ln in Path("/proc/self/status").read_text().splitlines():
        if ln.startswith("VmHWM:"):
            return int(ln.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pages_worker(db: Path, repeat: int) -> None:
    """Runs in its own process (GONGKAI_DB = db) and prints one JSON object (times in ms, memory in MB).

    One AppTest plays the running server: its first run pays for the imports, the database connection and
    Streamlit's one-off scan of installed packages for components (~0.2 s, done once at server start), and is
    not counted. Then each page is run `repeat` times with st.cache_data cleared (nothing cached: the filter
    bar's queries run too); `repeat` times as a first visit from another page (the filter bar's results
    cached, every query of the page runs); `repeat` times again as it is (all query results cached)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from gongkai import store

    os.environ["GONGKAI_DB"] = str(db)
    result: dict[str, object] = {"pages": {}}
    # Which queries a page's time goes to: store.run_query timed (the dashboard calls it through the module).
    query_ms: dict[str, float] = {}
    run_query = store.run_query

    def timed_run_query(con, name, params=None):
        t = time.perf_counter()
        try:
            return run_query(con, name, params)
        finally:
            query_ms[name] = query_ms.get(name, 0.0) + (time.perf_counter() - t) * 1000

    store.run_query = timed_run_query
    at = AppTest.from_file(str(APP), default_timeout=120)
    t = time.perf_counter()
    at.run()
    result["warmup_ms"] = (time.perf_counter() - t) * 1000
    result["warmup_maxrss_mb"] = peak_rss_mb()
    for page in page_paths():
        try:
            at.switch_page(page)
            cold, times, cached = [], [], []
            query_ms.clear()
            for _ in range(repeat):
                st.cache_data.clear()  # nothing cached: the filter bar's queries run too
                t = time.perf_counter()
                at.run()
                cold.append((time.perf_counter() - t) * 1000)
            for _ in range(repeat):
                # a first visit to this page on a server whose filter bar is already cached (what navigating
                # from another page does): clear, re-run the filter bar on the report page, come back
                st.cache_data.clear()
                at.switch_page("app_pages/report.py")
                at.run()
                at.switch_page(page)
                query_ms.clear()
                t = time.perf_counter()
                at.run()
                times.append((time.perf_counter() - t) * 1000)
            first_visit_queries = {k: v * repeat for k, v in query_ms.items()}  # the last visit's, scaled below
            for _ in range(repeat):  # the same page again: its query results come from st.cache_data
                t = time.perf_counter()
                at.run()
                cached.append((time.perf_counter() - t) * 1000)
            problems = [str(e.value)[:200] for e in at.exception] + [str(e.value)[:200] for e in at.error]
            result["pages"][page] = {"median_ms": statistics.median(times), "max_ms": max(times),
                                     "cold_ms": statistics.median(cold),
                                     "cached_ms": statistics.median(cached),
                                     "charts": len(at.get("plotly_chart")), "problems": problems,
                                     "queries_ms": {k: v / repeat for k, v in sorted(first_visit_queries.items(),
                                                                                     key=lambda kv: -kv[1])},
                                     "maxrss_mb": peak_rss_mb()}
        except Exception as exc:  # noqa: BLE001 — reported as not measured, with the reason
            result["pages"][page] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    result["maxrss_mb"] = peak_rss_mb()
    print("PAGES-RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


def bench_pages(db: Path, repeat: int) -> None:
    if not APP.exists():
        line("pages", "not measured (app.py missing)")
        return
    proc = subprocess.run([sys.executable, __file__, "--pages-worker", "--db", str(db), "--repeat", str(repeat)],
                          capture_output=True, text=True, cwd=ROOT, timeout=1800)
    found = [ln for ln in proc.stdout.splitlines() if ln.startswith("PAGES-RESULT ")]
    if not found:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        line("pages", f"not measured ({tail[0][:200]})")
        return
    result = json.loads(found[0].removeprefix("PAGES-RESULT "))
    line("app_first_run (imports, connection, component scan)", result["warmup_ms"], "ms")
    for page, r in result["pages"].items():
        name = Path(page).stem
        if "error" in r:
            reason = r["error"]
            if "Could not find a navigation page" in reason:
                reason = "the app does not register this page in this configuration (uploads off)"
            line(f"page_{name}", f"not measured ({reason})")
            continue
        note = f"; the page shows an error: {r['problems'][0]}" if r["problems"] else ""
        line(f"page_{name}_nothing_cached_median", r["cold_ms"], "ms")
        line(f"page_{name}_first_visit_median", r["median_ms"], f"ms ({r['charts']} charts{note})")
        line(f"page_{name}_first_visit_max", r["max_ms"], "ms")
        line(f"page_{name}_cached_median", r["cached_ms"], "ms")
        top = ", ".join(f"{q} {ms:.0f} ms" for q, ms in list(r["queries_ms"].items())[:4])
        line(f"page_{name}_query_time", sum(r["queries_ms"].values()), f"ms ({top})")
        line(f"page_{name}_peak_memory_so_far", r["maxrss_mb"], "MB")
    line("app_first_run_peak_memory", result["warmup_maxrss_mb"], "MB")
    line("app_peak_memory", result["maxrss_mb"], "MB")


def cold_start_worker(db: Path) -> None:
    os.environ["GONGKAI_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    charts = at.get("plotly_chart")
    print(f"COLD-START charts={len(charts)} exceptions={len(at.exception)}", flush=True)


def demo_db(rebuild: bool) -> Path | None:
    """The demo database (gongkai demo build), built once into benchmarks/out/ so that its schema is the
    current one (a data/gongkai.duckdb left from an older version may not be)."""
    path = OUT / "demo.duckdb"
    if path.exists() and not rebuild:
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "gongkai", "demo", "build", "--db", str(path),
                           "--out", str(OUT / "demo-files")], capture_output=True, text=True, cwd=ROOT)
    return path if proc.returncode == 0 and path.exists() else None


def bench_cold_start(db: Path | None) -> None:
    if db is None:
        line("cold_start_to_first_chart", "not measured (gongkai demo build failed)")
        return
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--cold-start-worker", "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    elapsed, charts = None, 0
    for ln in proc.stdout:
        if ln.startswith("COLD-START"):
            elapsed = time.perf_counter() - start
            charts = int(re.search(r"charts=(\d+)", ln).group(1))
    proc.wait()
    if elapsed is None or not charts:
        line("cold_start_to_first_chart", f"not measured (no chart drawn: {proc.stderr.read()[-200:]!r})")
        return
    line("cold_start_to_first_chart", elapsed, "s")


# ---------------------------------------------------------------- main
def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "unknown CPU")
    mem = next((int(ln.split()[1]) // 1024 // 1024 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, {mem} GB RAM, {cpu}, load average {load:.1f} at start"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a small database and short timings (about a minute)")
    ap.add_argument("--reports", type=int, default=None, help="reports in the synthetic database (600,000)")
    ap.add_argument("--db", type=Path, default=None, help="use this database instead of benchmarks/out/")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the synthetic database (and time it)")
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per query")
    ap.add_argument("--only", default="parse,ingest,queries,pages,cold", help="comma-separated parts to run")
    ap.add_argument("--pages-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--cold-start-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pages_worker:
        pages_worker(args.db, args.repeat or 1)
        return
    if args.cold_start_worker:
        cold_start_worker(args.db)
        return

    reports = args.reports or (20_000 if args.quick else 600_000)
    repeat = args.repeat or (5 if args.quick else 20)
    parts = set(args.only.split(","))
    line("machine", machine())
    if "parse" in parts:
        bench_parse(0.25 if args.quick else 2.0)
    if "ingest" in parts:
        bench_ingest(60 if args.quick else 1000)
    db = None
    if parts & {"queries", "pages"}:
        db = national_db(reports, args.rebuild, args.db)
        line("database", f"{db} ({reports:,} reports)" if not args.db else str(db))
    if "queries" in parts:
        bench_queries(db, repeat)
    if "pages" in parts:
        bench_pages(db, 2 if args.quick else 5)
    if "cold" in parts:
        demo = OUT / "demo.duckdb"
        if args.quick and not demo.exists() and db is not None:
            # building the demo corpus takes ~20 s: --quick starts the app on its small synthetic database instead
            line("cold_start_database", f"{db} (no demo database built yet; the full run builds it)")
            bench_cold_start(db)
        else:
            bench_cold_start(demo_db(args.rebuild))


if __name__ == "__main__":
    main()
