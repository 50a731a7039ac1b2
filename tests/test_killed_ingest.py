"""Killed runs: `gongkai ingest` killed with SIGKILL in the middle of a batch leaves a database that holds
only whole reports, and running the batch again completes it without duplicates.

The design under test (gongkai/ingest.py): a batch is written into a copy of the database
(`<db>.ingest-tmp`), in chunks of one transaction each, and the copy is swapped over the database with
`os.replace` at the very end.  So a killed run leaves the database exactly as it was, and even the copy it
leaves behind holds only committed, whole chunks; the next run discards that copy and starts afresh.

Two ways of killing: from outside, as an operator or the OOM killer would, while the batch is being parsed
(shortly after the run has made its copy, which it renames away only at the end); and from inside, at exact
points of the write (after the third chunk's rows are inserted but before its COMMIT; just before the
swap), which timing alone cannot hit reliably."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from gongkai.demo.render import _DEPARTMENTS, random_report, render_html, render_text
from gongkai.ingest import ingest

REGION = "江苏省/淮安市/洪泽区"
GOOD_FILES = 150
YEARS = range(2019, 2026)
# Files that are not reports, spread through the batch: the re-run must list them as failed and store the rest.
BAD_AT = (30, 75, 120)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """150 rendered reports (text and HTML, 22 agencies × 7 years) and 3 files that are not reports, in one
    folder; and how many figures each report file prints."""
    folder = tmp_path_factory.mktemp("batch") / "in"
    folder.mkdir()
    figures: dict[str, int] = {}
    pairs = [(agency, year) for agency in _DEPARTMENTS for year in YEARS][:GOOD_FILES]
    for n, (department, year) in enumerate(pairs):
        spec = random_report(random.Random(n), "2019" if year < 2021 else "2021", agency=f"洪泽区{department}",
                             year=year)
        render, suffix = (render_text, "txt") if n % 2 else (render_html, "html")
        name = f"{n:03d}_{year}.{suffix}"
        (folder / name).write_bytes(render(spec))
        figures[name] = len(spec.keys)
    for n in BAD_AT:
        (folder / f"{n:03d}_bad.txt").write_text(f"关于召开第{n}次工作会议的通知\n请各单位准时参加。\n", encoding="utf-8")
    return folder, figures


def dump(db: Path) -> dict[str, list]:
    """Every row of every table (what 'the database is unchanged' compares)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {table: con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()
                for (table,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()}
    finally:
        con.close()


def assert_whole_reports(db: Path, figures: dict[str, int], finished: bool = True) -> int:
    """Every report in `db` has all the figures its file prints and its text; nothing refers to a report
    that is not there; no file is stored twice; if the batch `finished`, every report has its row in the
    derived wide table.  Returns the number of reports."""
    con = duckdb.connect(str(db))
    try:
        per_report = con.execute(
            "SELECT r.source_file, count(f.report_id) FROM reports r LEFT JOIN figures f USING (report_id)"
            " GROUP BY r.report_id, r.source_file").fetchall()
        assert {name: count for name, count in per_report} == {name: figures[name] for name, _ in per_report}
        assert len({name for name, _ in per_report}) == len(per_report)  # no file twice
        for table in ("figures", "report_texts", "findings", "report_wide"):
            assert con.execute(
                f"SELECT count(*) FROM {table} WHERE report_id IS NOT NULL"
                " AND report_id NOT IN (SELECT report_id FROM reports)").fetchone() == (0,), f"orphans in {table}"
        assert con.execute("SELECT count(*) FROM report_texts").fetchone() == (len(per_report),)
        if finished:  # report_wide is derived at the end of a batch
            assert con.execute(
                "SELECT count(*) FROM reports WHERE report_id NOT IN (SELECT report_id FROM report_wide)"
            ).fetchone() == (0,)
        # every stored report's file is remembered, and nothing else
        assert con.execute(
            "SELECT count(*) FROM reports WHERE sha256 NOT IN (SELECT sha256 FROM ingested_files)").fetchone() == (0,)
        assert con.execute(
            "SELECT count(*) FROM ingested_files WHERE sha256 NOT IN (SELECT sha256 FROM reports)").fetchone() == (0,)
        return len(per_report)
    finally:
        con.close()


def assert_copy_left_behind_is_whole(db: Path, figures: dict[str, int]) -> int | None:
    """The half-done copy a killed run leaves (if any) opens, and holds only whole reports (committed
    chunks): examined on a copy of it, so that the next run still finds it to discard."""
    work = Path(str(db) + ".ingest-tmp")
    if not work.exists():
        return None
    probe = db.with_name("probe.duckdb")
    shutil.copyfile(work, probe)
    if Path(str(work) + ".wal").exists():
        shutil.copyfile(str(work) + ".wal", str(probe) + ".wal")
    try:
        return assert_whole_reports(probe, figures, finished=False)
    finally:
        probe.unlink()
        Path(str(probe) + ".wal").unlink(missing_ok=True)


def start_ingest(folder: Path, db: Path, kill_at: str | None = None, chunk: int | None = None) -> subprocess.Popen:
    """`gongkai ingest` in its own process group; `kill_at` makes the process SIGKILL itself at that point."""
    code = f"""
import os, signal, sys
from gongkai import ingest, store

def die():
    os.kill(os.getpid(), signal.SIGKILL)

chunk, kill_at = {chunk!r}, {kill_at!r}
if chunk is not None:
    ingest._Writer.CHUNK = chunk
if kill_at == "third_chunk_before_commit":
    write_batch, chunks = store.write_batch, []
    def write_then_die(con, batch):
        write_batch(con, batch)
        chunks.append(batch)
        if len(chunks) == 3:
            die()  # the chunk's rows are inserted, its COMMIT never runs
    store.write_batch = write_then_die
elif kill_at == "before_swap":
    ingest.os.replace = lambda src, dst: die()

from gongkai.cli import app
app(sys.argv[1:], prog_name="gongkai")
"""
    return subprocess.Popen(
        [sys.executable, "-c", code, "ingest", str(folder), "--db", str(db), "--region", REGION, "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def workers_left(proc: subprocess.Popen, within_s: float = 10.0) -> bool:
    """Whether processes of the killed run's group (its parse workers) are still alive after `within_s`:
    orphaned workers would keep the inherited ingest lock, and the next run could not start."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


def end_process_group(proc: subprocess.Popen) -> None:
    """Whatever is left of a run this test started (only when the test has already failed)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_to_completion(folder: Path, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gongkai", "ingest", str(folder), "--db", str(db), "--region", REGION],
        capture_output=True, text=True, timeout=300)


def baseline(folder: Path, db: Path, figures: dict[str, int]) -> dict[str, list]:
    """The database before the batch: the first ten reports, ingested normally."""
    first = sorted(p for p in folder.iterdir() if "bad" not in p.name)[:10]
    summary = ingest(first, db, region=REGION)
    assert summary.count("stored") == 10
    assert assert_whole_reports(db, figures) == 10
    return dump(db)


def assert_completed_without_duplicates(folder: Path, db: Path, figures: dict[str, int]) -> None:
    out = run_to_completion(folder, db)
    assert out.returncode == 1, out.stdout + out.stderr  # the three bad files fail, as they should
    assert f"导入 {GOOD_FILES - 10} 个" in out.stdout, out.stdout
    assert "跳过 10 个已导入的文件，失败 3 个" in out.stdout, out.stdout
    assert not Path(str(db) + ".ingest-tmp").exists()
    assert assert_whole_reports(db, figures) == GOOD_FILES == len(figures)
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = {row[0] for row in con.execute("SELECT sha256 FROM reports").fetchall()}
    finally:
        con.close()
    assert stored == {hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in figures}
    before = dump(db)
    again = run_to_completion(folder, db)  # and once more: nothing changes
    assert "导入 0 个" in again.stdout and dump(db) == before


def test_killed_while_parsing_leaves_the_database_as_it_was(batch, tmp_path):
    folder, figures = batch
    db = tmp_path / "g.duckdb"
    before = baseline(folder, db, figures)

    proc = start_ingest(folder, db)
    work = Path(str(db) + ".ingest-tmp")
    try:
        # The run has started working once it has made its copy of the database; parsing 150 files then
        # takes a second or two, and the copy is renamed away only at the very end.
        deadline = time.monotonic() + 60
        while not work.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)  # the ingest process only, as the OOM killer would
        assert proc.wait(timeout=30) == -signal.SIGKILL
        assert not workers_left(proc)
    finally:
        end_process_group(proc)
        proc.stdout.close()
    assert work.exists(), "killed after the swap, not in the middle of the batch"

    assert dump(db) == before  # not one row of the killed batch
    assert_copy_left_behind_is_whole(db, figures)
    assert_completed_without_duplicates(folder, db, figures)


@pytest.mark.parametrize("kill_at,copy_holds", [
    ("third_chunk_before_commit", 10 + 2 * 20),  # the baseline and two committed chunks of 20
    ("before_swap", GOOD_FILES),  # the whole batch, finished, never swapped in
])
def test_killed_while_writing_leaves_the_database_as_it_was(batch, tmp_path, kill_at, copy_holds):
    folder, figures = batch
    db = tmp_path / "g.duckdb"
    before = baseline(folder, db, figures)

    proc = start_ingest(folder, db, kill_at=kill_at, chunk=20)
    try:
        proc.wait(timeout=300)
        assert not workers_left(proc)
    finally:
        end_process_group(proc)
    output = proc.stdout.read()
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, output

    assert dump(db) == before
    assert assert_copy_left_behind_is_whole(db, figures) == copy_holds
    assert_completed_without_duplicates(folder, db, figures)
