"""The 导入 page's fetch section: column addresses pasted by the admin → `gongkai.fetch` into the server's
fetch folder → `gongkai.ingest` with the manifest it wrote, into the app's database.

Each pasted line is one column: its address, optionally followed (comma- or tab-separated) by 单位, 省, 市,
区县 as in a 栏目清单. Only http(s) addresses are accepted; the folder is fixed by the server
(GONGKAI_FETCH_DIR, default data/raw/), and so is the politeness (GONGKAI_FETCH_RATE requests per second per
site, default 1)."""

from __future__ import annotations

import csv
import io
import ipaddress
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from components import db
from gongkai import ingest as gk_ingest
from gongkai.fetch.manifest import Column
from gongkai.regions import RegionError, parse_region

FETCH_DIR_ENV = "GONGKAI_FETCH_DIR"
# The server fetches what the admin pastes: an address inside the server's own network (127.0.0.1, 10.x,
# 169.254.169.254 …) is refused unless this is set (the tests' portal runs on 127.0.0.1).
ALLOW_PRIVATE_ENV = "GONGKAI_FETCH_ALLOW_PRIVATE"
FETCH_RATE_ENV = "GONGKAI_FETCH_RATE"
MAX_COLUMNS = 200


def fetch_dir() -> Path:
    configured = os.environ.get(FETCH_DIR_ENV)
    return Path(configured).expanduser().resolve() if configured else db.APP_ROOT / "data" / "raw"


def fetch_rate() -> float:
    try:
        rate = float(os.environ.get(FETCH_RATE_ENV, "1"))
    except ValueError:
        return 1.0
    return rate if rate > 0 else 1.0


def _private_address(url: str) -> str | None:
    """The private, loopback, link-local or reserved address `url`'s host resolves to, or None.

    Checked when the line is read; a portal that redirects into the server's network later is not caught
    here (the portal's own robots.txt and the size limit still apply)."""
    if os.environ.get(ALLOW_PRIVATE_ENV) == "1":
        return None
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return None  # not resolvable here: the fetch will fail with a network error of its own
    for address in sorted(addresses):
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            return address
    return None


def parse_columns(text: str) -> tuple[list[Column], list[str]]:
    """The columns of the pasted text and a Chinese line per line that is not one (with its line number)."""
    columns: list[Column] = []
    problems: list[str] = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in next(csv.reader(io.StringIO(line.replace("\t", ","))))]
        url, rest = cells[0], cells[1:] + [""] * 4
        if not url.startswith(("http://", "https://")):
            problems.append(f"第 {n} 行：“{url[:80]}”不是网址（应以 http:// 或 https:// 开头）")
            continue
        inside = _private_address(url)
        if inside:
            problems.append(f"第 {n} 行：地址指向服务器所在的内部网络（{inside}），为安全起见不抓取")
            continue
        column = Column(url, rest[0] or None, rest[1] or None, rest[2] or None, rest[3] or None)
        if column.region_text:
            try:
                parse_region(column.region_text)
            except RegionError as exc:
                problems.append(f"第 {n} 行：{exc}")
                continue
        columns.append(column)
    if len(columns) > MAX_COLUMNS:
        problems.append(f"一次最多 {MAX_COLUMNS} 个栏目，收到 {len(columns)} 个")
        columns = []
    return columns, problems


@dataclass
class FetchOutcome:
    lines: list[str] = field(default_factory=list)  # the fetch's closing summary, then the ingest's
    items: list[tuple[str, str, str, str]] = field(default_factory=list)  # (title, status, message, url)
    ingested: list[gk_ingest.FileResult] = field(default_factory=list)
    ok: bool = True


def fetch_and_ingest(columns: list[Column], progress=None) -> FetchOutcome:
    """Fetch the columns, then ingest what the manifest lists. `progress(fraction, text)` is told both stages."""
    from gongkai.fetch.run import STATUS_ZH, FetchBusy, FetchConfig, fetch

    outcome = FetchOutcome()
    state = {"total": 0, "done": 0}

    def on_event(kind: str, **info) -> None:
        if not progress:
            return
        if kind == "column":
            progress(0.0, f"已读取栏目列表：{info['url'][-60:]}（{info['pages']} 页）")
        elif kind == "items":
            state["total"] = info["n"]
        elif kind == "item":
            state["done"] += 1
            total = max(state["total"], 1)
            progress(0.8 * state["done"] / total, f"已获取 {state['done']}/{state['total']} 个报告条目")

    try:
        summary = fetch(columns, fetch_dir(), FetchConfig(rate=fetch_rate()), on_event=on_event)
    except (FetchBusy, OSError) as exc:  # another admin's fetch is running, or the folder is not writable
        outcome.lines.append(str(exc) if isinstance(exc, FetchBusy) else f"无法写入 {fetch_dir()}：{exc.strerror or exc}")
        outcome.ok = False
        return outcome
    outcome.lines.extend(summary.lines())
    outcome.items = [(r.title, STATUS_ZH[r.status], r.message, r.url) for r in summary.results]
    outcome.ok = summary.ok
    if progress:
        progress(0.85, "正在导入数据库……")
    try:
        # workers=1: parse inside the server process rather than forking the (threaded) Streamlit server
        result = gk_ingest.ingest([summary.out], db.db_path(), manifest=summary.manifest, workers=1)
    except gk_ingest.IngestError as exc:
        outcome.lines.append(str(exc))
        outcome.ok = False
        return outcome
    outcome.lines.extend(result.lines())
    outcome.ingested = result.results
    outcome.ok = outcome.ok and result.ok
    if progress:
        progress(1.0, "完成")
    return outcome
