"""The files a fetch writes next to the reports, and the column list it reads.

- `栏目清单.csv` (given by the user): one row per column — 栏目地址 (URL), 单位, 省, 市, 区县. Region and agency
  come from here rather than from guessing at names.
- `.fetch-state.json`: per address, what was saved (file, sha256, ETag, Last-Modified, when), so a re-run asks
  the portal with conditional requests and saves only what changed. Hidden, like `.versions/` (earlier
  versions of reports that changed) and `.pages/` (article pages that only link their report): ingest skips
  hidden folders, so a folder ingest never sees two versions of one report.
- `manifest.csv`: one row per report file (文件, 省, 市, 区县, 单位, 发布日期 — the columns
  gongkai.regions.load_manifest reads — then 年度, 标题, 网址, 栏目地址, 获取时间, sha256, 内容类型 and, for a
  report whose content changed, 前一版本文件 / 前一版本获取时间), and one row per column and year with no report
  (状态 = 未发布, 文件 empty: load_manifest skips it; `read_not_published` reads it).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from gongkai.regions import RegionError, agency_kind, parse_region
from gongkai.timeliness import publication_deadline

STATE_FILE = ".fetch-state.json"
MANIFEST_FILE = "manifest.csv"
VERSIONS_DIR = ".versions"
PAGES_DIR = ".pages"
STATUS_FETCHED = "已获取"
STATUS_NOT_PUBLISHED = "未发布"
MANIFEST_COLUMNS = ["文件", "省", "市", "区县", "单位", "发布日期", "年度", "标题", "网址", "栏目地址", "获取时间",
                    "sha256", "内容类型", "前一版本文件", "前一版本获取时间", "状态"]

_LIST_HEADERS = {
    "url": ("栏目地址", "栏目网址", "网址", "地址", "栏目", "url", "column", "column_url"),
    "agency": ("单位", "agency", "单位名称"),
    "province": ("省", "province"),
    "city": ("市", "city"),
    "county": ("区县", "县", "county"),
}


class ColumnListError(ValueError):
    """A column list that cannot be used; Chinese message naming the file and line."""


@dataclass(frozen=True, slots=True)
class Column:
    url: str
    agency: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None

    @property
    def region_text(self) -> str:
        return "/".join(p for p in (self.province, self.city, self.county) if p)


@dataclass(frozen=True, slots=True)
class NotPublished:
    agency: str
    year: int
    column: str
    province: str | None = None
    city: str | None = None
    county: str | None = None


def _read_csv(path: Path) -> csv.DictReader:
    raw = path.read_bytes()
    text = raw.decode("utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else None
    if text is None:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")  # saved by Excel on Chinese Windows
    return csv.DictReader(io.StringIO(text))


def load_column_list(path: str | os.PathLike[str]) -> list[Column]:
    """The columns of a 栏目清单 CSV; ColumnListError (Chinese) for a missing file, column or bad region."""
    path = Path(path)
    try:
        reader = _read_csv(path)
    except OSError as exc:
        raise ColumnListError(f"无法读取栏目清单 {path}：{exc.strerror or exc}") from None
    columns: dict[str, str] = {}
    for header in reader.fieldnames or []:
        for key, names in _LIST_HEADERS.items():
            if header.strip().lower() in names and key not in columns:
                columns[key] = header
    if "url" not in columns:
        raise ColumnListError(f"栏目清单 {path.name} 缺少“栏目地址”列（也可写作 URL、网址）")
    out: list[Column] = []
    for line_no, record in enumerate(reader, start=2):
        def get(key: str) -> str | None:
            return (record.get(columns.get(key, ""), "") or "").strip() or None

        url = get("url")
        if not url:
            continue
        if not url.startswith(("http://", "https://")):
            raise ColumnListError(f"栏目清单 {path.name} 第 {line_no} 行：“{url}”不是网址（应以 http:// 或 https:// 开头）")
        column = Column(url, get("agency"), get("province"), get("city"), get("county"))
        if column.region_text:
            try:
                parse_region(column.region_text)
            except RegionError as exc:
                raise ColumnListError(f"栏目清单 {path.name} 第 {line_no} 行：{exc}") from None
        out.append(column)
    return out


# ---------------------------------------------------------------- state
def load_state(out: Path) -> dict:
    path = out / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"documents": {}}
    except (OSError, ValueError):
        # a damaged state file costs one full re-fetch (files are compared by sha256), never the run
        return {"documents": {}}
    state.setdefault("documents", {})
    return state


def save_state(out: Path, state: dict) -> None:
    tmp = out / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, out / STATE_FILE)  # a run killed mid-write leaves the previous state whole


# ---------------------------------------------------------------- not published
def not_published(owners: list[tuple[Hashable, Column, str]], years_seen: dict[Hashable, set[int]],
                  years: set[int] | None, today: date) -> list[NotPublished]:
    """Per agency of a column and year, the years with no report.

    `owners`: (key, the column's list row, the agency) — one per column with a 单位, or per agency the titles
    of a column without one name; `years_seen`: per key, the years of report links found (fetched or not: a
    report that failed to download was published); `years`: the years to check — by default every year some
    column of the run has a report for. A year whose publication deadline (条例 第四十九条) has not passed yet
    is never counted as missing."""
    check = set(years) if years is not None else set().union(*years_seen.values()) if years_seen else set()
    out: list[NotPublished] = []
    for key, column, agency in owners:
        kind = agency_kind(agency)
        for year in sorted(check):
            if year in years_seen.get(key, set()) or today <= publication_deadline(kind, year):
                continue
            out.append(NotPublished(agency, year, column.url, column.province, column.city, column.county))
    return out


# ---------------------------------------------------------------- manifest
def write_manifest(out: Path, state: dict, missing: list[NotPublished]) -> Path:
    """manifest.csv from the state (every current report file, sorted) and the not-published list.
    UTF-8 with BOM so Excel shows the Chinese headers."""
    rows = []
    for url, doc in state["documents"].items():
        if not doc.get("is_report") or not doc.get("file"):
            continue
        previous = (doc.get("previous") or [{}])[-1]
        rows.append({
            "文件": doc["file"], "省": doc.get("province") or "", "市": doc.get("city") or "",
            "区县": doc.get("county") or "", "单位": doc.get("agency") or "",
            "发布日期": doc.get("published_on") or "", "年度": doc.get("year") or "", "标题": doc.get("title") or "",
            "网址": url, "栏目地址": doc.get("column") or "", "获取时间": doc.get("fetched_at") or "",
            "sha256": doc.get("sha256") or "", "内容类型": doc.get("content_type") or "",
            "前一版本文件": previous.get("file", ""), "前一版本获取时间": previous.get("fetched_at", ""),
            "状态": STATUS_FETCHED,
        })
    rows.sort(key=lambda r: r["文件"])
    for m in sorted(missing, key=lambda m: (m.agency, m.year)):
        rows.append({"文件": "", "省": m.province or "", "市": m.city or "", "区县": m.county or "",
                     "单位": m.agency, "年度": m.year, "栏目地址": m.column, "状态": STATUS_NOT_PUBLISHED})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in MANIFEST_COLUMNS})
    path = out / MANIFEST_FILE
    tmp = out / (MANIFEST_FILE + ".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8-sig")
    os.replace(tmp, path)
    return path


def read_not_published(path: str | os.PathLike[str]) -> list[NotPublished]:
    """The 未发布 rows of a manifest (none in a manifest written by hand without a 状态 column)."""
    reader = _read_csv(Path(path))
    if "状态" not in (reader.fieldnames or []):
        return []
    out = []
    for record in reader:
        if (record.get("状态") or "").strip() != STATUS_NOT_PUBLISHED:
            continue
        agency, year = (record.get("单位") or "").strip(), (record.get("年度") or "").strip()
        if not agency or not year.isdigit():
            continue
        out.append(NotPublished(agency, int(year), (record.get("栏目地址") or "").strip(),
                                (record.get("省") or "").strip() or None, (record.get("市") or "").strip() or None,
                                (record.get("区县") or "").strip() or None))
    return out

