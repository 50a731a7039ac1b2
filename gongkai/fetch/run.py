"""One fetch run: walk each column's list pages, pick the report links, save each report byte for byte,
write the state and the manifest, and say what happened to every item.

A report item is the article a list links: either the report itself (an HTML page printing the tables, or a
direct link to a PDF/DOCX…) or a page whose attachments are the report. Every failure is one item's failure
with a Chinese reason; the run goes on.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from gongkai.fetch import listing
from gongkai.fetch.client import Fetched, FetchError, PoliteClient, RobotsDisallowed
from gongkai.fetch.manifest import (
    PAGES_DIR, VERSIONS_DIR, Column, NotPublished, load_state, not_published, save_state, write_manifest,
)
from gongkai.readers import sniff_format

FETCHED, CHANGED, UNCHANGED, FAILED, SKIPPED = "fetched", "changed", "unchanged", "failed", "skipped"
STATUS_ZH = {FETCHED: "新获取", CHANGED: "内容有变化", UNCHANGED: "未变化", FAILED: "失败", SKIPPED: "跳过"}
# The suffix a saved file gets comes from its content; for formats sniffing cannot tell apart (an OLE file is
# a .doc or a .wps, a zip may be an .ofd) the address's own suffix is kept.
_SUFFIX_OF_FORMAT = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "markdown": ".md", "text": ".txt"}
_IMAGE_MAGIC = {b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"GIF8": ".gif", b"II*\x00": ".tif", b"MM\x00*": ".tif"}
_UNSAFE = re.compile(r"[^\w\-（）()]+", re.UNICODE)
LOCK_FILE = ".fetch.lock"
STATE_EVERY = 2.0  # seconds between state saves during a run (and once at its end)
_JSON_TYPES = ("application/json", "text/json", "application/javascript", "text/javascript")


class FetchBusy(Exception):
    """Another fetch is writing into the same folder; Chinese message for the user."""


@dataclass(slots=True)
class FetchConfig:
    rate: float = 1.0  # requests per second per host
    concurrency: int = 4  # items fetched at once (all hosts)
    per_host: int = 2  # requests at once to one host
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    max_bytes: int | None = None  # default: the parser's size limit (GONGKAI_MAX_FILE_MB, 50 MB)
    max_pages: int = 50  # list pages per column
    years: set[int] | None = None  # the years not_published checks (default: every year found)
    transport: object = None  # an httpx transport (tests)


@dataclass(slots=True)
class ItemResult:
    url: str
    title: str
    status: str
    message: str
    files: list[str] = field(default_factory=list)  # saved this run, relative to the output folder


@dataclass(slots=True)
class FetchSummary:
    out: Path
    results: list[ItemResult] = field(default_factory=list)
    pages: int = 0  # list pages read
    requests: int = 0
    seconds: float = 0.0
    column_problems: list[str] = field(default_factory=list)  # a column whose list could not be read
    missing: list[NotPublished] = field(default_factory=list)
    manifest: Path | None = None

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> bool:
        return not self.column_problems and not self.count(FAILED)

    def lines(self) -> list[str]:
        """The closing summary, in Chinese."""
        out = [
            f"共找到 {len(self.results)} 个年度报告条目（读取列表页 {self.pages} 个，请求 {self.requests} 次，"
            f"用时 {self.seconds:.1f} 秒）：新获取 {self.count(FETCHED)} 个，内容有变化 {self.count(CHANGED)} 个，"
            f"未变化 {self.count(UNCHANGED)} 个，跳过 {self.count(SKIPPED)} 个，失败 {self.count(FAILED)} 个。",
        ]
        for problem in self.column_problems:
            out.append(f"栏目失败：{problem}")
        for r in self.results:
            if r.status == CHANGED:
                out.append(f"内容有变化：{r.title}（{r.url}）：{r.message}")
        for r in self.results:
            if r.status in (FAILED, SKIPPED):
                out.append(f"{STATUS_ZH[r.status]}：{r.title}（{r.url}）：{r.message}")
        if self.missing:
            listed = "、".join(f"{m.agency} {m.year}年" for m in self.missing[:10])
            more = f" 等 {len(self.missing)} 个" if len(self.missing) > 10 else ""
            out.append(f"未发布：{listed}{more}（栏目中没有该年度的报告）")
        if self.manifest:
            out.append(f"清单：{self.manifest}")
        return out


@dataclass(slots=True)
class _Item:
    link: listing.Link
    column: Column
    agency: str | None  # from the column list, else the title


def _safe(text: str, limit: int = 60) -> str:
    return _UNSAFE.sub("_", text).strip("._-")[:limit] or "report"


def _suffix(data: bytes, url: str) -> str:
    fmt = sniff_format(data)
    if fmt in _SUFFIX_OF_FORMAT and not (fmt == "text" and _url_suffix(url)):
        return _SUFFIX_OF_FORMAT[fmt]
    for magic, suffix in _IMAGE_MAGIC.items():
        if data.startswith(magic):
            return suffix
    return _url_suffix(url) or ".bin"


def _url_suffix(url: str) -> str:
    suffix = PurePosixPath(unquote(urlsplit(url).path)).suffix.lower()
    return suffix if suffix in listing.DOCUMENT_SUFFIXES else ""


def _wrong_content(data: bytes, url: str, media: str, label: str = "") -> str | None:
    """Why a document's bytes are not what its address (or its link's text, for download?id=… links)
    promises: a PDF that is really an HTML error page."""
    if not data.strip():
        return "服务器返回了空文件"
    expected = _url_suffix(url) or _url_suffix("http://x/" + label.strip())
    fmt = sniff_format(data)
    if expected in (".pdf", ".docx", ".doc", ".wps", ".ofd", ".xls", ".xlsx", ".zip") and fmt in ("html", "text", "markdown"):
        return (f"链接指向 {expected[1:].upper()} 文件，但服务器返回的是网页或文本（可能是错误页面，"
                f"内容类型 {media or '未声明'}），未保存")
    if expected == ".pdf" and fmt != "pdf":
        return "链接指向 PDF 文件，但内容不是 PDF，未保存"
    return None


class _Run:
    def __init__(self, out: Path, config: FetchConfig, client: PoliteClient, on_event, now: datetime | None = None):
        self.out, self.config, self.client = out, config, client
        self.state = load_state(out)
        self.docs: dict[str, dict] = self.state["documents"]
        self.lock = threading.Lock()
        self.on_event = on_event or (lambda *a, **k: None)
        self.state_saved = time.monotonic()
        self.now = (now or datetime.now()).replace(microsecond=0).isoformat(sep=" ")

    # ------------------------------------------------------------ list pages
    def walk(self, column: Column) -> tuple[list[listing.Link], int, str | None]:
        """Every link of a column (all its list pages), pages read, and why the column failed (or None)."""
        queue, seen, links, pages = [column.url], {column.url}, {}, 0
        problem = None
        while queue and pages < self.config.max_pages:
            url = queue.pop(0)
            try:
                got = self.client.get(url)
            except FetchError as exc:
                if url == column.url:
                    return [], pages, f"{column.url}：{exc}"
                continue  # a later page that fails loses its links only; the items found still go on
            pages += 1
            if got.content_type in _JSON_TYPES or got.content[:1] in (b"[", b"{"):
                found = listing.links_in_json(got.content, got.url)
                if found or got.content_type in _JSON_TYPES:
                    for link in found:
                        links.setdefault(link.url, link)
                    continue
            page = listing.parse_page(got.content, got.url, got.charset)
            for link in listing.list_links(page):
                links.setdefault(link.url, link)
            for nxt in listing.other_pages(page):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        if not any(link.date or listing.is_report_title(link.title) for link in links.values()):
            # no dated item and no report: an error page served with 200, or a list the page loads from an
            # interface we cannot see — not a column without reports (that would list the agency as not
            # publishing). A column that lists other dated items (notices) but no report is one.
            problem = f"{column.url}：栏目页中没有找到列表条目（可能是错误页面，或列表由脚本从接口加载），未计入“未发布”"
        return list(links.values()), pages, problem

    # ------------------------------------------------------------ saving
    def _save(self, url: str, data: bytes, got: Fetched, item: _Item, *, is_report: bool, year: int | None,
              published_on: date | None, article: str | None = None) -> tuple[str, str]:
        """Store one document; (status, file). The same content as before is UNCHANGED (nothing written); a new
        content moves the earlier file to .versions/ and records it as the previous version."""
        digest = hashlib.sha256(data).hexdigest()
        with self.lock:
            old = self.docs.get(url)
        if old and old.get("sha256") == digest and (self.out / old["file"]).exists():
            with self.lock:  # the column list may have been completed since: its agency and region win
                old.update(etag=got.etag or old.get("etag"), last_modified=got.last_modified or old.get("last_modified"),
                           checked_at=self.now, agency=item.column.agency, province=item.column.province,
                           city=item.column.city, county=item.column.county, column=item.column.url)
                if published_on and not old.get("published_on"):
                    old["published_on"] = published_on.isoformat()
            return UNCHANGED, old["file"]
        agency = item.agency or urlsplit(url).netloc
        stem = _safe(PurePosixPath(unquote(urlsplit(url).path)).stem, 40)
        name = f"{year or '未知年度'}_{stem}_{digest[:8]}{_suffix(data, url)}"
        folder = Path(PAGES_DIR) if not is_report else Path(_safe(agency))
        rel = (folder / name).as_posix()
        target = self.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, target)  # never a half-written report under its final name
        previous = list(old.get("previous", [])) if old else []
        status = FETCHED
        if old and old.get("sha256") != digest:
            status = CHANGED
            kept = old["file"]
            if (self.out / kept).exists() and not kept.startswith(VERSIONS_DIR + "/"):
                moved = (Path(VERSIONS_DIR) / kept).as_posix()
                (self.out / moved).parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.out / kept, self.out / moved)
                kept = moved
            previous.append({"file": kept, "sha256": old["sha256"], "fetched_at": old.get("fetched_at"),
                             "published_on": old.get("published_on")})
        doc = {
            "file": rel, "sha256": digest, "etag": got.etag, "last_modified": got.last_modified,
            "content_type": got.content_type, "fetched_at": self.now, "checked_at": self.now,
            "column": item.column.url, "title": item.link.title, "agency": item.column.agency, "year": year,
            "province": item.column.province, "city": item.column.city, "county": item.column.county,
            "published_on": published_on.isoformat() if published_on else None, "is_report": is_report,
            "article": article, "previous": previous,
        }
        with self.lock:
            self.docs[url] = doc
        return status, rel

    def _get(self, url: str) -> tuple[Fetched, bytes | None]:
        """GET with the stored validators; the bytes of the stored copy when the portal answers 304."""
        with self.lock:
            old = self.docs.get(url)
        if old and (self.out / old["file"]).exists():
            got = self.client.get(url, etag=old.get("etag"), last_modified=old.get("last_modified"))
            if got.status == 304:
                return got, (self.out / old["file"]).read_bytes()
        else:
            got = self.client.get(url)
        return got, None

    # ------------------------------------------------------------ one item
    def item(self, item: _Item) -> ItemResult:
        link = item.link
        year = listing.report_year(link.title)
        try:
            got, stored = self._get(link.url)
        except RobotsDisallowed as exc:
            return ItemResult(link.url, link.title, SKIPPED, str(exc))
        except FetchError as exc:
            return ItemResult(link.url, link.title, FAILED, str(exc))
        data = stored if stored is not None else got.content
        if stored is not None:
            with self.lock:
                self.docs[link.url]["checked_at"] = self.now
        fmt = sniff_format(data) if data.strip() else ""
        if fmt != "html" or _url_suffix(link.url):
            # the list links the document itself
            wrong = _wrong_content(data, link.url, got.content_type)
            if wrong:
                return ItemResult(link.url, link.title, FAILED, wrong)
            status, rel = self._save(link.url, data, got, item, is_report=True, year=year, published_on=link.date)
            return ItemResult(link.url, link.title, status, "已保存" if status != UNCHANGED else "与上次相同", [rel])
        with self.lock:
            known = dict(self.docs[link.url]) if stored is not None else None
        if known is not None and "attachments" in known:
            # 304: the page is the one read before; what it holds is in the state (no need to parse it again)
            own = known["is_report"]
            published = listing.parse_date_or_none(known.get("published_on")) or link.date
            files = [listing.Link(title, url) for title, url in known["attachments"]]
            page = None
        else:
            page = listing.parse_page(data, got.url, got.charset)
            published = listing.publication_date(page) or link.date
            own = listing.holds_report(page)
            files = listing.attachments(page)
        if not own and not files:
            return ItemResult(link.url, link.title, FAILED,
                              "网页中既没有报告正文也没有附件（可能是错误页面或报告已撤下；网页标题："
                              f"{(listing.page_title(page) if page is not None else '') or '无'}）")
        statuses, saved, problems = [], [], []
        status, rel = self._save(link.url, data, got, item, is_report=own, year=year, published_on=published)
        with self.lock:
            self.docs[link.url]["attachments"] = [[att.title, att.url] for att in files]
        statuses.append(status)
        saved.append(rel)
        for att in files:
            try:
                att_got, att_stored = self._get(att.url)
            except FetchError as exc:
                problems.append(f"附件 {att.title or att.url}：{exc}")
                continue
            att_data = att_stored if att_stored is not None else att_got.content
            wrong = _wrong_content(att_data, att.url, att_got.content_type, att.title)
            if wrong:
                problems.append(f"附件 {att.title or att.url}：{wrong}")
                continue
            status, rel = self._save(att.url, att_data, att_got, item, is_report=True, year=year,
                                     published_on=published, article=link.url)
            statuses.append(status)
            saved.append(rel)
        if CHANGED in statuses:
            overall, message = CHANGED, "报告内容与上次获取时不同：新旧两个版本都已保留（旧版本在 .versions/ 中）"
        elif FETCHED in statuses:
            overall, message = FETCHED, "已保存"
        else:
            overall, message = UNCHANGED, "与上次相同"
        if problems:
            overall, message = FAILED, "；".join(problems)
        return ItemResult(link.url, link.title, overall, message, saved)


def fetch(columns: list[Column], out: str | os.PathLike[str], config: FetchConfig | None = None,
          on_event: Callable[..., None] | None = None, now: datetime | None = None) -> FetchSummary:
    """Fetch every report of the columns into `out`; see the module docstring.

    `on_event(kind, **info)` is told, always from the calling thread: ("columns", n), ("column", url, pages)
    as each column's list is read, ("items", n) once all are, ("item", result) after each item.
    `now` (default: the clock) is the fetch time recorded, and the day against which publication deadlines
    have passed. FetchBusy when another run holds the folder."""
    now = now or datetime.now()
    config = config or FetchConfig()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # two runs into one folder would each rewrite the state and the manifest without the other's reports
    with (out / LOCK_FILE).open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FetchBusy(f"另一个获取任务正在写入 {out}，请等它结束后再试") from None
        return _fetch(columns, out, config, on_event, now)


def _fetch(columns, out, config, on_event, now) -> FetchSummary:
    started = time.perf_counter()
    summary = FetchSummary(out)
    with PoliteClient(rate=config.rate, per_host=config.per_host, timeout=config.timeout, retries=config.retries,
                      backoff=config.backoff, max_bytes=config.max_bytes, transport=config.transport) as client:
        run = _Run(out, config, client, on_event, now)
        run.on_event("columns", n=len(columns))
        # Events are sent from this thread only (the dashboard's progress bar cannot be drawn from workers).
        with ThreadPoolExecutor(max_workers=max(1, config.concurrency)) as pool:
            futures = {pool.submit(run.walk, column): i for i, column in enumerate(columns)}
            walked: list = [None] * len(columns)
            for future in as_completed(futures):
                walked[futures[future]] = future.result()
                run.on_event("column", url=columns[futures[future]].url, pages=walked[futures[future]][1])
        items: list[_Item] = []
        seen: set[str] = set()
        # Whose reports a column lists: the column list's 单位 when given; otherwise the agency each title
        # names (a district's combined column lists many agencies' reports), each with its own years.
        years_seen: dict[tuple[str, str], set[int]] = {}
        owners: list[tuple[tuple[str, str], Column, str]] = []
        for column, (links, pages, problem) in zip(columns, walked):
            summary.pages += pages
            if problem:
                summary.column_problems.append(problem)
            if column.agency and not problem and (column.url, column.agency) not in years_seen:
                years_seen[(column.url, column.agency)] = set()  # a column with no report at all
                owners.append(((column.url, column.agency), column, column.agency))
            for link in links:
                if not listing.is_report_title(link.title):
                    continue
                agency = column.agency or listing.agency_in_title(link.title)
                if agency and not problem:
                    key = (column.url, agency)
                    if key not in years_seen:
                        years_seen[key] = set()
                        owners.append((key, column, agency))
                    years_seen[key].add(listing.report_year(link.title))
                if link.url in seen:
                    continue
                seen.add(link.url)
                items.append(_Item(link, column, column.agency))
        run.on_event("items", n=len(items))

        def one(item: _Item) -> ItemResult:
            try:
                result = run.item(item)
            except Exception as exc:  # a bug must cost one item, not the run
                result = ItemResult(item.link.url, item.link.title, FAILED, f"内部错误（{type(exc).__name__}: {exc}）")
            with run.lock:
                # resumable: a killed run keeps what it saved (state written at most every STATE_EVERY seconds:
                # the whole state each time would make a run quadratic in its items)
                if time.monotonic() - run.state_saved >= STATE_EVERY:
                    save_state(out, run.state)
                    run.state_saved = time.monotonic()
            return result

        with ThreadPoolExecutor(max_workers=max(1, config.concurrency)) as pool:
            futures = {pool.submit(one, item): i for i, item in enumerate(items)}
            results: list = [None] * len(items)
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                run.on_event("item", result=results[futures[future]])
            summary.results = results
        summary.requests = client.requests
    summary.missing = not_published(owners, years_seen, config.years, now.date())
    save_state(out, run.state)
    summary.manifest = write_manifest(out, run.state, summary.missing)
    summary.seconds = time.perf_counter() - started
    return summary
