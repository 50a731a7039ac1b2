"""Load report files into the store: folders recursively, every format the parser reads.

Guarantees:
- a file that fails (unreadable, not a report, no year) writes nothing and the batch goes on; files are
  written in chunks, one transaction each, and a chunk that fails is rewritten one file per transaction
  (see `_Writer`), so no file is ever half written;
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

import dataclasses
import fcntl
import hashlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from gongkai import crossyear, regions, revisions, store, timeliness
from gongkai.document import ReadError
from gongkai.fetch.manifest import read_not_published
from gongkai.parser import check_size
from gongkai.report import DEMO_MARKER, Finding, Report
from gongkai.template import FIGURE_BY_KEY

# The suffixes report files carry; other files in a folder (truth JSON, CSV, images) are not offered to the
# parser. The parser sniffs the content itself, so a .htm that holds a PDF still reads.
REPORT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".htm", ".html", ".shtml", ".xhtml", ".docx", ".doc", ".wps", ".rtf", ".pdf",
                   ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
PICTURE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}


def _page_resource(file: Path) -> bool:
    """A picture in the folder a saved web page keeps its pictures in ("报告.files", "报告_files"): part of
    that page (read with it), not a report of its own."""
    return file.suffix.lower() in PICTURE_SUFFIXES and any(
        part.endswith((".files", "_files")) for part in file.parent.parts
    )


# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 40

STORED, REPLACED, SKIPPED, FAILED = "stored", "replaced", "skipped", "failed"
# A column (from a `gongkai fetch` manifest) with no report for a year: a finding without a report.
NOT_PUBLISHED = "not_published"
NOT_PUBLISHED_META = "not_published_manifest"  # digest of the 未发布 rows last written (a re-run skips them)


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
                if file.suffix.lower() in REPORT_SUFFIXES and not _page_resource(file):
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


def _parse(path: Path) -> tuple[Report, regions.Placement | None] | str:
    """Parse one file and read its agency's region from the name (both CPU work, done in the workers);
    the Chinese reason as a string when it is not a readable report (picklable both ways)."""
    from gongkai.parser import parse_file

    try:
        report = parse_file(path)
    except ReadError as exc:
        return str(exc)
    except Exception as exc:  # a parser bug must cost one file, not the batch
        return f"解析时出现内部错误（{type(exc).__name__}: {exc}）"
    return report, (regions.infer(report.agency) if report.agency and report.agency.strip() else None)


def _exit_with_parent(parent_pid: int) -> None:
    """Pool initializer: the worker exits within a second of the ingest process's death.

    A forked worker inherits the ingest lock's file descriptor. When the ingest process is killed (SIGKILL,
    the OOM killer) its workers would otherwise wait for work forever, holding the lock, and every later
    ingest would be refused as "another ingest is writing"."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _parse_all(paths: list[Path], workers: int | None) -> Iterator[tuple[Report, regions.Placement | None] | str]:
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        yield from map(_parse, paths)
        return
    # Parsing is CPU-bound Python: processes, in order (so that replacements within a batch are deterministic).
    with ProcessPoolExecutor(max_workers=workers, initializer=_exit_with_parent, initargs=(os.getpid(),)) as pool:
        yield from pool.map(_parse, paths, chunksize=8)


# ---------------------------------------------------------------- the batch
@dataclass(slots=True)
class _Pending:
    path: Path
    root: Path | None
    sha256: str

    @property
    def file_name(self) -> str:
        return stored_name(self.path)


def stored_name(path: Path) -> str:
    """The file's name as text the database can store.

    A zip made on Chinese Windows and unpacked on Linux keeps its GBK-encoded names, which Python holds as
    lone surrogates that DuckDB refuses (the report failed with a conversion error): such a name is
    decoded as GB18030, else shown with replacement marks."""
    name = path.name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


@dataclass(slots=True)
class _Slot:
    """The report an agency-year holds (stored before, or queued in the current chunk)."""

    report_id: int
    source_file: str
    template: str | None = None
    figures: dict[str, float | None] | None = None  # loaded lazily for a report stored before
    queued: bool = False  # written with the next chunk
    this_batch: bool = False  # stored by this batch


@dataclass(slots=True)
class _Planned:
    """One file, checked and decided, waiting in the chunk."""

    item: _Pending
    report: Report
    placement: regions.Placement
    agency_id: int
    report_id: int | None  # None: a copy of a stored report, only its hash is recorded
    replaces: _Slot | None  # the report this one replaces, or (for a copy or a conflict) the one kept
    is_demo: bool
    extra: list[tuple[str, Finding]]
    result: FileResult
    published_on: date | None = None  # the manifest's 发布日期, stored with the report


def _figures_as_stored(figures: dict) -> dict[str, float | None]:
    return {k: None if v is None else float(v) for k, v in figures.items()}


class _Writer:
    """Decides what each parsed report becomes and writes the reports in chunks.

    Every file is checked completely and decided in Python first (agency, region, stored / replacing /
    a copy of a stored report), so writing cannot fail on its content. A chunk of up to CHUNK files is then
    written in one transaction with one INSERT per table: per-statement cost, not rows, is what limits
    DuckDB here. If a chunk's transaction fails all the same (a database error), it is rolled back and its
    files are written again one transaction each, so that only the file at fault fails and no file is ever
    half written."""

    CHUNK = 200

    def __init__(self, con: duckdb.DuckDBPyConnection, region: regions.Region | None,
                 manifest: dict[str, regions.ManifestEntry], demo: bool,
                 record: Callable[[FileResult], None]):
        self.con = con
        self.region = region
        self.manifest = manifest
        self.demo = demo
        self.record = record
        self.changed: set[int] = set()  # report ids written or removed
        self.changed_agencies: set[int] = set()  # their agencies
        self.queue: list[_Planned] = []
        self._ids: dict[str, list[int]] = {"agency_ids": [], "report_ids": []}
        self._stored_keys: set[tuple[int, int]] = set()  # agency-years this batch has written
        self._load()

    def _new_id(self, sequence: str) -> int:
        """Ids come from the sequences in blocks: a nextval statement costs as much as writing a chunk."""
        pool = self._ids[sequence]
        if not pool:
            pool.extend(reversed(store.new_ids(self.con, sequence, self.CHUNK)))
        return pool.pop()

    def _load(self) -> None:
        """What the database holds, for decisions without a query per file (reloaded after a rollback)."""
        con = self.con
        self.agencies = {(adcode, key): aid for aid, adcode, key in
                         con.execute("SELECT agency_id, adcode, name_key FROM agencies").fetchall()}
        self.agency_names = set(con.execute("SELECT agency_id, name FROM agency_names").fetchall())
        self.region_codes = {r[0] for r in con.execute("SELECT adcode FROM regions").fetchall()}
        self.slots = {(aid, year): _Slot(rid, source, this_batch=(aid, year) in self._stored_keys)
                      for rid, aid, year, source in
                      con.execute("SELECT report_id, agency_id, year, source_file FROM reports").fetchall()}
        self.new_regions: list[regions.Region] = []
        self.new_agencies: list[tuple] = []
        self.new_names: list[tuple[int, str]] = []

    def _agency_id(self, name: str, placement: regions.Placement) -> int:
        region = placement.region
        if region is not None and region.adcode not in self.region_codes:
            self.region_codes.add(region.adcode)
            self.new_regions.append(region)
        adcode = region.adcode if region else None
        agency_id = self.agencies.get((adcode, placement.name_key))
        if agency_id is None:
            agency_id = self._new_id("agency_ids")
            self.agencies[(adcode, placement.name_key)] = agency_id
            self.new_agencies.append((agency_id, name, placement.name_key, adcode,
                                      regions.agency_kind(placement.name_key), placement.source))
        if (agency_id, name) not in self.agency_names:
            self.agency_names.add((agency_id, name))
            self.new_names.append((agency_id, name))
        return agency_id

    def _stored_figures(self, slot: _Slot) -> tuple[str | None, dict[str, float | None]]:
        if slot.figures is None:
            slot.template = self.con.execute(
                "SELECT template::VARCHAR FROM reports WHERE report_id = ?", [slot.report_id]).fetchone()[0]
            slot.figures = {
                f"{t}/{r}/{c}": v for t, r, c, v in self.con.execute(
                    'SELECT "table"::VARCHAR, "row"::VARCHAR, "column"::VARCHAR, value FROM figures'
                    " WHERE report_id = ?", [slot.report_id]).fetchall()
            }
        return slot.template, slot.figures

    # -------------------------------------------------------- deciding
    def add(self, item: _Pending, report: Report, inferred: regions.Placement | None = None) -> None:
        """Check and decide one parsed file; failures are recorded at once, the rest when their chunk is written."""
        entry = regions.manifest_entry(self.manifest, item.path, item.root) if self.manifest else None
        agency_name = (entry.agency if entry and entry.agency else report.agency or "").strip()
        problem = None
        if not agency_name:
            problem = "未能识别单位名称（可在清单的“单位”列中填写）"
        elif report.year is None:
            problem = "未能识别报告年度"
        elif report.template not in ("2019", "2021"):
            problem = "未能识别报告格式（2019 或 2021 版模板）"
        elif unknown := [k for k in report.figures if k not in FIGURE_BY_KEY]:
            problem = f"报告中有模板之外的数字项：{'、'.join(unknown[:3])}"
        if problem:
            self.record(FileResult(item.path, FAILED, problem))
            return
        if inferred is None or agency_name != (report.agency or "").strip():
            inferred = regions.infer(agency_name)
        report.agency = agency_name
        if entry and entry.region:
            placement = regions.with_override(inferred, entry.region, regions.SOURCE_MANIFEST)
        else:
            placement = regions.with_override(inferred, self.region, regions.SOURCE_OPTION)
        is_demo = entry.is_demo if entry and entry.is_demo is not None else self.demo
        is_demo = is_demo or DEMO_MARKER in report.narrative
        published_on = entry.published_on if entry else None
        extra = self._extra_findings(report, agency_name, placement, published_on)

        agency_id = self._agency_id(agency_name, placement)
        slot = self.slots.get((agency_id, report.year))
        if slot is not None and not slot.this_batch and entry is not None and entry.previous_fetched_on:
            # `gongkai fetch` found new content for a report it had fetched before: say which figures changed
            _, old_figures = self._stored_figures(slot)
            changed = revisions.changed_after_publication(
                old_figures, _figures_as_stored(report.figures), entry.previous_fetched_on, entry.fetched_on,
                report.year)
            if changed is not None:
                extra.append(("ingest", changed))
        planned = self._decide(item, report, placement, agency_id, slot, is_demo, extra)
        planned.published_on = published_on
        self.queue.append(planned)
        if len(self.queue) >= self.CHUNK:
            self.flush()

    def _decide(self, item: _Pending, report: Report, placement: regions.Placement, agency_id: int,
                slot: _Slot | None, is_demo: bool, extra: list[tuple[str, Finding]]) -> _Planned:
        figures = _figures_as_stored(report.figures)
        same = slot is not None and self._stored_figures(slot) == (report.template, figures)
        if slot is not None and slot.this_batch and not same:
            # Two different reports for one agency-year in one batch: which is right is not for file-name
            # order to decide. Keep the first, say so; importing the other alone replaces it.
            result = FileResult(
                item.path, FAILED,
                f"与本批中的 {slot.source_file} 同为{report.agency} {report.year}年的报告，但数字不同，未导入；"
                "如以此文件为准，请单独导入它并加 --replace",
                slot.report_id, report.agency, report.year)
            return _Planned(item, report, placement, agency_id, None, slot, is_demo, extra, result)
        if same:
            # Another file of the same report (an HTML page and its PDF, a re-download): keep the one
            # stored, remember this content so it is skipped next time.
            result = FileResult(item.path, SKIPPED,
                                f"与已导入的 {slot.source_file} 数字完全相同（同一报告的另一份文件），保留原文件",
                                slot.report_id, report.agency, report.year)
            return _Planned(item, report, placement, agency_id, None, slot, is_demo, extra, result)
        report_id = self._new_id("report_ids")
        findings = len(report.findings) + len(extra)
        if slot is not None:
            result = FileResult(item.path, REPLACED,
                                f"替换了{report.agency} {report.year}年的旧报告（{slot.source_file}）",
                                report_id, report.agency, report.year, findings)
        else:
            result = FileResult(item.path, STORED, "已导入", report_id, report.agency, report.year, findings)
        self.slots[(agency_id, report.year)] = _Slot(report_id, item.file_name, report.template, figures,
                                                     queued=True, this_batch=True)
        return _Planned(item, report, placement, agency_id, report_id, slot, is_demo, extra, result)

    @staticmethod
    def _extra_findings(report: Report, agency_name: str, placement: regions.Placement,
                        published_on: date | None = None) -> list[tuple[str, Finding]]:
        extra: list[tuple[str, Finding]] = [
            ("text", f) for f in crossyear.text_vs_table(report.figures, report.narrative)
        ]
        if published_on is not None:  # the kind (a regex over the name) only matters when there is a date
            late = timeliness.late_publication(regions.agency_kind(placement.name_key), report.year, published_on)
            if late is not None:
                extra.append(("ingest", late))
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
        return extra

    # -------------------------------------------------------- columns without a report
    def write_not_published(self, entries: list, digest: str) -> set[int]:
        """Replace the not_published findings of the agencies the manifest's 未发布 rows name (an agency-year
        with a report stored is not one); the agencies, created from the column list when the store has no
        report of theirs yet, are returned. One transaction."""
        batch = store.Batch()
        touched: set[int] = set()
        for e in entries:
            region_text = "/".join(p for p in (e.province, e.city, e.county) if p)
            try:
                region = regions.parse_region(region_text) if region_text else None
            except regions.RegionError:
                region = None
            placement = regions.with_override(regions.infer(e.agency), region, regions.SOURCE_MANIFEST)
            agency_id = self._agency_id(e.agency, placement)
            touched.add(agency_id)
            if (agency_id, e.year) in self.slots:
                continue
            batch.add_finding(
                Finding(NOT_PUBLISHED, "warning",
                        f"{e.agency}的政府信息公开年报栏目中没有{e.year}年度报告（栏目：{e.column or '未记录'}）",
                        printed=e.agency, expected=e.column or None),
                source="ingest", agency_id=agency_id, year=e.year, report_id=None)
        con = self.con
        con.execute("BEGIN")
        self._write_new_places()
        con.execute("DELETE FROM findings WHERE rule = ? AND list_contains(?, agency_id)",
                    [NOT_PUBLISHED, sorted(touched)])
        store.write_batch(con, batch)
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [NOT_PUBLISHED_META, digest])
        con.execute("COMMIT")
        self._places_written()
        self.changed_agencies.update(touched)
        return touched

    # -------------------------------------------------------- writing
    def _write_new_places(self) -> None:
        """The regions, agencies and agency names first met since the last commit, in the caller's transaction."""
        con = self.con
        for r in self.new_regions:
            con.execute("INSERT INTO regions VALUES (?, ?, ?, ?, ?, ?)",
                        [r.adcode, r.province, r.city, r.county, r.province_adcode, r.city_adcode])
        store.insert_rows(con, "agencies", self.new_agencies)
        store.insert_rows(con, "agency_names", self.new_names)

    def _places_written(self) -> None:
        self.new_regions, self.new_agencies, self.new_names = [], [], []

    def flush(self) -> None:
        queue, self.queue = self.queue, []
        if not queue:
            return
        try:
            self._write(queue)
        except duckdb.Error:
            self.con.execute("ROLLBACK")
            self._load()
            for planned in queue:  # one transaction each: only the file at fault fails
                try:
                    agency_id = self._agency_id(planned.report.agency, planned.placement)
                    slot = self.slots.get((agency_id, planned.report.year))
                    replanned = self._decide(planned.item, planned.report, planned.placement, agency_id, slot,
                                             planned.is_demo, planned.extra)
                    replanned.published_on = planned.published_on
                    self._write([replanned])
                    self.record(replanned.result)
                except duckdb.Error as exc:
                    self.con.execute("ROLLBACK")
                    self._load()
                    self.record(FileResult(planned.item.path, FAILED, f"写入数据库失败：{exc}"))
            return
        for planned in queue:
            self.record(planned.result)

    def _write(self, queue: list[_Planned]) -> None:
        con = self.con
        now = datetime.now().replace(microsecond=0)
        batch = store.Batch()
        replaced = []
        for p in queue:
            if p.report_id is None:
                # a copy of a stored report, or a conflict within the batch: remember the hash and why,
                # so that running the batch again changes nothing
                outcome = "conflict" if p.result.status == FAILED else "copy"
                batch.add_ingested_file(p.item.sha256, p.item.file_name, p.replaces.report_id, now, outcome)
                continue
            if p.replaces is not None:
                replaced.append(p.replaces.report_id)
            batch.add_report(p.report_id, p.report, agency_id=p.agency_id, sha256=p.item.sha256,
                             source_file=p.item.file_name, is_demo=p.is_demo, ingested_at=now,
                             extra_findings=p.extra, published_on=p.published_on)
        con.execute("BEGIN")
        self._write_new_places()
        store.delete_reports(con, replaced)
        store.write_batch(con, batch)
        con.execute("COMMIT")
        self._places_written()
        for p in queue:
            if p.report_id is not None:
                self.slots[(p.agency_id, p.report.year)].queued = False
                self._stored_keys.add((p.agency_id, p.report.year))
                self.changed.add(p.report_id)
                self.changed_agencies.add(p.agency_id)
        self.changed.update(replaced)


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
    replace: bool = False,
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
        missing = read_not_published(manifest) if manifest else []
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
        changed = _run_batch(files, db_path, override, manifest_entries, demo, workers, summary, on_file,
                             replace, missing)
    # results arrive as chunks are written; the summary lists them in the order of the files
    order = {path: i for i, (path, _) in enumerate(files)}
    summary.results.sort(key=lambda r: order.get(r.path, len(order)))
    if not changed and db_path.exists():
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            summary.cross_year_findings = con.execute(
                "SELECT count(*) FROM findings WHERE source = 'cross_year'").fetchone()[0]
        finally:
            con.close()
    return summary


def _known_hashes(db_path: Path) -> dict[str, str]:
    """sha256 → outcome ("stored", "copy", "conflict") of every file handled before."""
    if not db_path.exists():
        return {}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return dict(con.execute("SELECT sha256, outcome FROM ingested_files").fetchall())
    except duckdb.Error:  # a database from before ingested_files had outcomes
        try:
            return {row[0]: "stored" for row in con.execute("SELECT sha256 FROM ingested_files").fetchall()}
        except duckdb.Error:
            return {}
    finally:
        con.close()


def _stored_meta(db_path: Path, key: str) -> str | None:
    if not db_path.exists():
        return None
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def _digest_of(missing: list) -> str:
    return hashlib.sha256(repr(sorted(map(tuple, (dataclasses.astuple(m) for m in missing)))).encode()).hexdigest()


def _run_batch(files, db_path, override, manifest_entries, demo, workers, summary, on_file, replace,
               missing=()) -> bool:
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
        outcome = known.get(digest)
        if outcome == "conflict" and not replace:
            record(FileResult(path, FAILED, "此前因与同一单位同一年度的另一份报告数字不同而未导入；"
                                            "如以此文件为准，请单独导入它并加 --replace"))
            continue
        if outcome is not None and outcome != "conflict":
            record(FileResult(path, SKIPPED, "此前已导入（内容相同），跳过"))
            continue
        known[digest] = "pending"  # the same content twice in one batch: the second is a duplicate
        pending.append(_Pending(path, root, digest))
    missing_digest = _digest_of(list(missing)) if missing else None
    missing_changed = missing_digest is not None and missing_digest != _stored_meta(db_path, NOT_PUBLISHED_META)
    if not pending and not missing_changed:
        return False

    work = Path(str(db_path) + ".ingest-tmp")
    live_wal = Path(str(db_path) + ".wal")
    _remove_db_files(work)  # left over by a killed run
    if db_path.exists():
        shutil.copyfile(db_path, work)
        if live_wal.exists():  # a writer that did not checkpoint (one killed, or one not using ingest)
            shutil.copyfile(live_wal, Path(str(work) + ".wal"))
    con = store.connect(work)
    try:
        writer = _Writer(con, override, manifest_entries, demo, record)
        for item, parsed in zip(pending, _parse_all([p.path for p in pending], workers)):
            if isinstance(parsed, str):
                record(FileResult(item.path, FAILED, parsed))
            else:
                writer.add(item, *parsed)
        writer.flush()
        if missing_changed:
            writer.write_not_published(list(missing), missing_digest)
        if not writer.changed and not missing_changed:
            con.close()
            _remove_db_files(work)
            return False
        # a report now stored for an agency-year that was listed as not published
        con.execute("DELETE FROM findings f WHERE f.rule = ? AND f.report_id IS NULL AND EXISTS "
                    "(SELECT 1 FROM reports r WHERE r.agency_id = f.agency_id AND r.year = f.year)", [NOT_PUBLISHED])
        finish(con, writer.changed, writer.changed_agencies)
        summary.cross_year_findings = con.execute(
            "SELECT count(*) FROM findings WHERE source = 'cross_year'").fetchone()[0]
        con.execute("CHECKPOINT")
        con.close()
        os.replace(work, db_path)  # the swap readers see: all of the batch or none of it
        # a log left next to the old file belongs to it (its content is in the copy): it must not be
        # replayed into the new one
        live_wal.unlink(missing_ok=True)
        return True
    except BaseException:
        try:
            con.close()
        finally:
            _remove_db_files(work)
        raise


def finish(con: duckdb.DuckDBPyConnection, changed_report_ids: Iterable[int] | None = None,
           changed_agency_ids: Iterable[int] | None = None) -> None:
    """After reports changed: agency display names, the wide table, cross-year findings, finding counts,
    storage order. With the changed reports and their agencies given, only those are recomputed (a few
    files added to a national database cost seconds, not minutes); None recomputes everything."""
    full = changed_report_ids is None or changed_agency_ids is None
    reports = None if full else set(changed_report_ids)
    agencies = None if full else sorted(set(changed_agency_ids))
    con.execute(
        """UPDATE agencies a SET name = latest.name
           FROM (SELECT agency_id, arg_max(agency_printed, year) AS name FROM reports
                 WHERE $agencies IS NULL OR list_contains($agencies, agency_id)
                 GROUP BY agency_id) latest
           WHERE a.agency_id = latest.agency_id AND a.name IS DISTINCT FROM latest.name""",
        {"agencies": agencies},
    )
    store.refresh_wide(con, reports, agencies)
    if full:  # names may have changed anywhere
        con.execute(
            """UPDATE report_wide w SET agency = a.name FROM agencies a
               WHERE w.agency_id = a.agency_id AND w.agency IS DISTINCT FROM a.name""")
    crossyear.recompute(con, agencies)
    store.refresh_finding_counts(con, agencies)
    # Re-sorting rewrites the whole wide table: worth it when the batch is a good part of the data (a first
    # load, a demo build), not for a few reports appended to a national database (zone maps barely suffer).
    total = con.execute("SELECT count(*) FROM report_wide").fetchone()[0]
    if reports is None or len(reports) * 20 >= total:
        store.sort_wide(con)
