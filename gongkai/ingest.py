"""Load report files into the store: folders recursively, every format the parser reads.

Guarantees:
- one transaction per file: a file that fails (unreadable, not a report, no year) writes nothing and the
  batch goes on;
- idempotent by content: a file whose sha256 was stored before is skipped, so ingesting the same files
  twice changes nothing (not even the database file);
- a new file for an agency-year already stored replaces that report, and the summary says so;
- readers never see a half-written batch nor a lock: the batch is written into a copy of the database
  (`<db>.ingest-tmp`) which is `os.replace`d over the database at the end — atomic on POSIX. A reader that
  opened the old file keeps reading it until it reopens (`store.database_version` tells it when). A run that
  is killed leaves the database as it was; the next run starts a fresh copy. An advisory lock
  (`<db>.ingest.lock`) keeps two ingests from racing, since the second swap would drop the first's reports.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from gongkai import crossyear, regions, store
from gongkai.document import ReadError
from gongkai.parser import check_size
from gongkai.report import Finding, Report

# The suffixes report files carry; other files in a folder (truth JSON, CSV, images) are not offered to the
# parser. The parser sniffs the content itself, so a .htm that holds a PDF still reads.
REPORT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".htm", ".html", ".shtml", ".xhtml", ".docx", ".pdf"}
# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 40

STORED, REPLACED, SKIPPED, FAILED = "stored", "replaced", "skipped", "failed"


class IngestError(Exception):
    """The batch as a whole cannot run (database busy, bad manifest); Chinese message for the user."""


@dataclass(slots=True)
class FileResult:
    path: Path
    status: str  # stored / replaced / skipped / failed
    message: str  # Chinese: what happened to this file
    report_id: int | None = None
    agency: str | None = None
    year: int | None = None
    findings: int = 0  # findings of this report (parser and text rules)


@dataclass(slots=True)
class IngestSummary:
    results: list[FileResult] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)  # files whose suffix is not a report format
    cross_year_findings: int = 0  # in the database after the batch
    db_path: Path | None = None

    def count(self, *statuses: str) -> int:
        return sum(1 for r in self.results if r.status in statuses)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == FAILED]

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        """The closing summary, in Chinese."""
        stored = self.count(STORED, REPLACED)
        with_findings = sum(1 for r in self.results if r.status in (STORED, REPLACED) and r.findings)
        out = [
            f"共 {len(self.results)} 个报告文件：导入 {stored} 个（其中 {with_findings} 个有问题提示，"
            f"{self.count(REPLACED)} 个替换了同一单位同一年度的旧报告），跳过 {self.count(SKIPPED)} 个已导入的文件，"
            f"失败 {len(self.failed)} 个。",
        ]
        if self.ignored:
            out.append(f"另有 {len(self.ignored)} 个非报告格式的文件未处理（如 {self.ignored[0].name}）。")
        out.append(f"跨年度检查：共 {self.cross_year_findings} 条提示。")
        for r in self.results:
            if r.status == REPLACED:
                out.append(f"替换：{r.path}：{r.message}")
        for r in self.failed:
            out.append(f"失败：{r.path}：{r.message}")
        return out


# ---------------------------------------------------------------- files
def collect_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[tuple[Path, Path | None]], list[Path]]:
    """(file, the folder it was found in) for every report file under `paths`, sorted, and the files skipped
    for their suffix. A path that does not exist is returned as a file, to fail with a clear reason."""
    found: list[tuple[Path, Path | None]] = []
    ignored: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in file.relative_to(path).parts):
                    continue  # hidden files and folders (.git, .DS_Store)
                if file.suffix.lower() in REPORT_SUFFIXES:
                    found.append((file, path))
                else:
                    ignored.append(file)
        else:
            found.append((path, None))  # named explicitly: offered to the parser whatever its suffix
    return found, ignored


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _parse(path: Path) -> Report | str:
    """Parse one file; the Chinese reason as a string when it is not a readable report (picklable both ways)."""
    from gongkai.parser import parse_file

    try:
        return parse_file(path)
    except ReadError as exc:
        return str(exc)
    except Exception as exc:  # a parser bug must cost one file, not the batch
        return f"解析时出现内部错误（{type(exc).__name__}: {exc}）"


def _parse_all(paths: list[Path], workers: int | None) -> Iterator[Report | str]:
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        yield from map(_parse, paths)
        return
    # Parsing is CPU-bound Python: processes, in order (so that replacements within a batch are deterministic).
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_parse, paths, chunksize=8)


# ---------------------------------------------------------------- the batch
@dataclass(slots=True)
class _Pending:
    path: Path
    root: Path | None
    sha256: str


class _Writer:
    """Writes parsed reports into the working copy, one transaction each."""

    def __init__(self, con: duckdb.DuckDBPyConnection, region: regions.Region | None,
                 manifest: dict[str, regions.ManifestEntry], demo: bool):
        self.con = con
        self.region = region
        self.manifest = manifest
        self.demo = demo
        self.changed: set[int] = set()
        self._placements: dict[tuple[str, str | None], regions.Placement] = {}

    def _placement(self, name: str, override: regions.Region | None, source: str) -> regions.Placement:
        key = (name, override.adcode if override else None)
        if key not in self._placements:
            self._placements[key] = regions.place(name, override, source)
        return self._placements[key]

    def _agency_id(self, name: str, placement: regions.Placement) -> int:
        con = self.con
        region = placement.region
        if region is not None:
            con.execute(
                "INSERT INTO regions VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [region.adcode, region.province, region.city, region.county, region.province_adcode,
                 region.city_adcode],
            )
        adcode = region.adcode if region else None
        row = con.execute(
            "SELECT agency_id FROM agencies WHERE name_key = ? AND adcode IS NOT DISTINCT FROM ?",
            [placement.name_key, adcode],
        ).fetchone()
        if row:
            agency_id = row[0]
        else:
            agency_id = con.execute(
                "INSERT INTO agencies (name, name_key, adcode, kind, region_source) VALUES (?, ?, ?, ?, ?)"
                " RETURNING agency_id",
                [name, placement.name_key, adcode, regions.agency_kind(placement.name_key), placement.source],
            ).fetchone()[0]
        con.execute("INSERT INTO agency_names VALUES (?, ?) ON CONFLICT DO NOTHING", [agency_id, name])
        return agency_id

    def _same_report(self, report_id: int, report: Report) -> bool:
        row = self.con.execute(
            "SELECT template::VARCHAR FROM reports WHERE report_id = ?", [report_id]).fetchone()
        stored = {
            f"{t}/{r}/{c}": v
            for t, r, c, v in self.con.execute(
                'SELECT "table"::VARCHAR, "row"::VARCHAR, "column"::VARCHAR, value FROM figures WHERE report_id = ?',
                [report_id],
            ).fetchall()
        }
        figures = {k: None if v is None else float(v) for k, v in report.figures.items()}
        return row is not None and row[0] == report.template and stored == figures

    def write(self, item: _Pending, report: Report) -> FileResult:
        entry = regions.manifest_entry(self.manifest, item.path, item.root) if self.manifest else None
        agency_name = (entry.agency if entry and entry.agency else report.agency or "").strip()
        if not agency_name:
            return FileResult(item.path, FAILED, "未能识别单位名称（可在清单的“单位”列中填写）")
        if report.year is None:
            return FileResult(item.path, FAILED, "未能识别报告年度")
        if report.template not in ("2019", "2021"):
            return FileResult(item.path, FAILED, "未能识别报告格式（2019 或 2021 版模板）")
        report.agency = agency_name
        if entry and entry.region:
            placement = self._placement(agency_name, entry.region, regions.SOURCE_MANIFEST)
        else:
            placement = self._placement(agency_name, self.region, regions.SOURCE_OPTION)
        is_demo = entry.is_demo if entry and entry.is_demo is not None else self.demo

        extra: list[tuple[str, Finding]] = [
            ("text", f) for f in crossyear.text_vs_table(report.figures, report.narrative)
        ]
        if placement.region is None:
            extra.append(("ingest", Finding(
                "region_unknown", "warning",
                f"未能从单位名称“{agency_name}”识别所属省/市/区县，请用 --region 或清单指定")))
        elif placement.ambiguous:
            r = placement.region
            extra.append(("ingest", Finding(
                "region_ambiguous", "warning",
                f"“{agency_name}”中的区县名在多个城市都有，已按{r.province}{r.city or ''}{r.county or ''}归属，"
                "如有误请用 --region 或清单指定")))

        con = self.con
        con.execute("BEGIN")
        try:
            agency_id = self._agency_id(agency_name, placement)
            old = con.execute(
                "SELECT report_id, source_file FROM reports WHERE agency_id = ? AND year = ?",
                [agency_id, report.year],
            ).fetchone()
            if old and self._same_report(old[0], report):
                # Another file of the same report (an HTML page and its PDF, a re-download): keep the one
                # stored, remember this content so it is skipped next time.
                con.execute(
                    "INSERT INTO ingested_files VALUES (?, ?, ?, ?)",
                    [item.sha256, item.path.name, old[0], datetime.now().replace(microsecond=0)],
                )
                con.execute("COMMIT")
                return FileResult(item.path, SKIPPED,
                                  f"与已导入的 {old[1]} 数字完全相同（同一报告的另一份文件），保留原文件",
                                  old[0], agency_name, report.year)
            if old:
                store.delete_report(con, old[0])
                self.changed.add(old[0])
            report_id = store.insert_report(
                con, report, agency_id=agency_id, sha256=item.sha256, source_file=item.path.name,
                is_demo=is_demo, extra_findings=extra,
            )
            con.execute(
                "INSERT INTO ingested_files VALUES (?, ?, ?, ?)",
                [item.sha256, item.path.name, report_id, datetime.now().replace(microsecond=0)],
            )
            con.execute("COMMIT")
        except Exception as exc:
            con.execute("ROLLBACK")
            return FileResult(item.path, FAILED, f"写入数据库失败：{exc}")
        self.changed.add(report_id)
        findings = len(report.findings) + len(extra)
        if old:
            return FileResult(item.path, REPLACED,
                              f"替换了{agency_name} {report.year}年的旧报告（{old[1]}）",
                              report_id, agency_name, report.year, findings)
        return FileResult(item.path, STORED, "已导入", report_id, agency_name, report.year, findings)


def _remove_db_files(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    db_path: str | os.PathLike[str] = store.DEFAULT_DB,
    *,
    region: str | regions.Region | None = None,
    manifest: str | os.PathLike[str] | None = None,
    demo: bool = False,
    workers: int | None = None,
    on_start: Callable[[int], None] | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> IngestSummary:
    """Ingest report files and folders into the database at `db_path` (created when missing).

    `region` ("省/市/区" or a Region) places every agency of the batch; `manifest` (CSV) places them per file
    and wins over `region`; `demo` marks the reports as 模拟数据. `on_start(n)` is told how many files will
    be looked at, `on_file(result)` is called after each."""
    db_path = Path(db_path)
    override = regions.parse_region(region) if isinstance(region, str) else region
    try:
        manifest_entries = regions.load_manifest(manifest) if manifest else {}
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(f"无法读取清单 {manifest}：{exc}") from None
    files, ignored = collect_files(paths)
    summary = IngestSummary(ignored=ignored, db_path=db_path)
    if on_start:
        on_start(len(files))

    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = Path(str(db_path) + ".ingest.lock")
    with lock_path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestError(f"另一个导入任务正在写入 {db_path}，请等它结束后再试") from None
        changed = _run_batch(files, db_path, override, manifest_entries, demo, workers, summary, on_file)
    if not changed and db_path.exists():
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            summary.cross_year_findings = con.execute(
                "SELECT count(*) FROM findings WHERE source = 'cross_year'").fetchone()[0]
        finally:
            con.close()
    return summary


def _known_hashes(db_path: Path) -> set[str]:
    if not db_path.exists():
        return set()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {row[0] for row in con.execute("SELECT sha256 FROM ingested_files").fetchall()}
    except duckdb.CatalogException:
        return set()
    finally:
        con.close()


def _run_batch(files, db_path, override, manifest_entries, demo, workers, summary, on_file) -> bool:
    """Parse and store the batch; True when the database file was replaced."""
    def record(result: FileResult) -> None:
        summary.results.append(result)
        if on_file:
            on_file(result)

    # Which files are new is decided from the hashes alone, so a re-run neither parses nor copies anything.
    known = _known_hashes(db_path)
    pending: list[_Pending] = []
    for path, root in files:
        try:
            check_size(path)  # from the metadata alone: a file over the size limit is refused unread, not hashed
        except ReadError as exc:
            record(FileResult(path, FAILED, str(exc)))
            continue
        try:
            digest = sha256_of(path)
        except FileNotFoundError:
            record(FileResult(path, FAILED, "找不到文件"))
            continue
        except OSError as exc:
            record(FileResult(path, FAILED, f"无法读取文件：{exc.strerror or exc}"))
            continue
        if digest in known:
            record(FileResult(path, SKIPPED, "此前已导入（内容相同），跳过"))
            continue
        known.add(digest)  # the same content twice in one batch: the second is a duplicate
        pending.append(_Pending(path, root, digest))
    if not pending:
        return False

    work = Path(str(db_path) + ".ingest-tmp")
    _remove_db_files(work)  # left over by a killed run
    if db_path.exists():
        shutil.copyfile(db_path, work)
    con = store.connect(work)
    try:
        writer = _Writer(con, override, manifest_entries, demo)
        for item, parsed in zip(pending, _parse_all([p.path for p in pending], workers)):
            if isinstance(parsed, str):
                record(FileResult(item.path, FAILED, parsed))
                continue
            record(writer.write(item, parsed))
        if not writer.changed:
            con.close()
            _remove_db_files(work)
            return False
        finish(con, writer.changed)
        summary.cross_year_findings = con.execute(
            "SELECT count(*) FROM findings WHERE source = 'cross_year'").fetchone()[0]
        con.execute("CHECKPOINT")
        con.close()
        os.replace(work, db_path)  # the swap readers see: all of the batch or none of it
        return True
    except BaseException:
        try:
            con.close()
        finally:
            _remove_db_files(work)
        raise


def finish(con: duckdb.DuckDBPyConnection, changed_report_ids: Iterable[int] | None = None) -> None:
    """After reports changed: agency display names, the wide table, cross-year findings, storage order."""
    con.execute(
        """UPDATE agencies a SET name = latest.name
           FROM (SELECT agency_id, arg_max(agency_printed, year) AS name FROM reports GROUP BY agency_id) latest
           WHERE a.agency_id = latest.agency_id AND a.name IS DISTINCT FROM latest.name"""
    )
    store.refresh_wide(con, changed_report_ids)
    crossyear.recompute(con)
    store.sort_wide(con)
