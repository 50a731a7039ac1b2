"""What a portal page says, by its structure: the links of a column's list page (anchors, JavaScript data,
JSON), its other pages (numbered index_N.html pages, a "下一页" link, JSON files the page loads), which links
are annual reports, and what an article page holds (publication date, attachments, the report itself).

Pure functions of (bytes, address): no network here, so each is tested on real pages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html

from gongkai.document import clean_text
from gongkai.readers.encoding import declared_charset, decode_text
from gongkai.template import TABLE_TITLES
from gongkai.timeliness import parse_date

# Attachments a report is published as. Images are kept (byte for byte) though no reader reads them yet.
DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".ofd", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".gif",
                     ".tif", ".tiff", ".zip", ".rar")
NEXT_PAGE = re.compile(r"^\s*(下一页|下页|后一页|后页|下一頁|next|›|>|>>|»)\s*$", re.IGNORECASE)
# TRS (拓尔思) portals, the commonest CMS of government sites, write their pager in JavaScript:
# createPageHTML(总页数, 当前页, "index", "html") → index.html, index_1.html, … index_{n-1}.html
_TRS_PAGER = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,"
                        r"\s*['\"](\w+)['\"]")
_NUMBERED_PAGE = re.compile(r"(?:^|/)(index|list|default)_(\d+)\.s?html?$", re.IGNORECASE)
# A quoted address of a JSON file in a script: the list a page loads after it opens.
_JSON_URL = re.compile(r"""["']([^"'\s<>]+?\.json(?:\?[^"'\s<>]*)?)["']""")
# A flat JavaScript/JSON object ({ title: '…', url: '…' }) inside a script.
_JS_OBJECT = re.compile(r"\{[^{}]{0,2000}\}")
_JS_PAIR = re.compile(r"""["']?([A-Za-z_][\w]*)["']?\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
_TITLE_KEYS = ("title", "doctitle", "name", "text", "subject", "wzbt", "bt", "articletitle", "fileName", "label")
_URL_KEYS = ("url", "href", "link", "docpuburl", "path", "pageurl", "detailurl", "fileurl", "docurl", "uri")
_DATE_KEYS = ("pubdate", "publishdate", "date", "docreltime", "time", "fbrq", "releasedate", "createtime",
              "publishtime", "pubtime", "docpubtime")

# A title names an annual disclosure report: 政府信息公开 (工作) 年度报告 / 年报, with a year.
_REPORT_TITLE = re.compile(r"(信息公开|政务公开).{0,12}(年度报告|年报)|(年度报告|年报).{0,6}(信息公开)")
_YEAR = re.compile(r"(20[0-9]{2})\s*年")
_TITLE_EXCLUDE = re.compile(r"(通知|通报|评估|考核|报送|编制|工作要点|指引|说明会|解读)$")

# Where a page prints its publication date: <meta name="PubDate">, 发布日期：, 发布时间：, 时间：
_ELLIPSIS = re.compile(r"\s*(\.{2,}|…+|。{2,})\s*$")
_TAG = re.compile(r"<[^>]+>")
_DATE_META = ("pubdate", "publishdate", "firstpublishedtime", "published_time", "article:published_time")
_DATE_LABEL = re.compile(r"(发布日期|发布时间|公开日期|成文日期|发文日期|日期|时间)\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})")
# Short phrases of the template's three table titles: a page holding two of them is the report itself.
REPORT_MARKERS = tuple(re.sub(r"^[一二三四五六七八九十]+、", "", t).replace("情况", "") for t in TABLE_TITLES.values())


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str
    date: date | None = None


@dataclass(slots=True)
class Page:
    """A decoded HTML page."""

    url: str
    text: str  # the decoded markup
    tree: lxml.html.HtmlElement | None

    _plain: str | None = None

    @property
    def plain_text(self) -> str:
        """The markup without its tags, scripts included: portals write the article into a script
        variable as often as into the body (the Shanghai pages do)."""
        if self._plain is None:
            self._plain = clean_text(_TAG.sub(" ", self.text))
        return self._plain


def decode_page(data: bytes, header_charset: str | None = None) -> str:
    """A page's text whatever its charset, declared (header or markup) or not, rightly or not: the shared
    decoder, which trusts a strict decode over a label (a GBK page declared UTF-8 reads as GBK)."""
    return decode_text(data, declared_charset(data) or header_charset)


def parse_page(data: bytes, url: str, header_charset: str | None = None) -> Page:
    text = decode_page(data, header_charset)
    try:
        tree = lxml.html.fromstring(text) if text.strip() else None
    except (ValueError, lxml.etree.ParserError):
        tree = None
    return Page(url, text, tree)


def _absolute(base: str, href: str) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    url = urldefrag(urljoin(base, href))[0]
    return url if urlsplit(url).scheme in ("http", "https") else None


def parse_date_or_none(text: str | None) -> date | None:
    """A date as parse_date reads it, or None for an empty or malformed text (a page's date is a hint)."""
    return _date_of(text)


def _date_of(text: str | None) -> date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


def _unescape_js(value: str) -> str:
    try:
        return json.loads(f'"{value}"')
    except ValueError:
        return value.replace("\\/", "/")


def _from_record(record: dict, base: str) -> Link | None:
    """A link from one JSON/JS record: its title, address and date under any of the usual key names."""
    lowered = {str(k).lower(): v for k, v in record.items() if isinstance(v, (str, int))}
    title = next((str(lowered[k.lower()]) for k in _TITLE_KEYS if lowered.get(k.lower())), None)
    href = next((str(lowered[k]) for k in _URL_KEYS if lowered.get(k)), None)
    if not title or not href:
        return None
    url = _absolute(base, href)
    if url is None:
        return None
    when = next((_date_of(str(lowered[k])) for k in _DATE_KEYS if lowered.get(k)), None)
    return Link(clean_text(title), url, when)


def _walk_json(value, base: str, out: list[Link]) -> None:
    if isinstance(value, dict):
        link = _from_record(value, base)
        if link:
            out.append(link)
        for v in value.values():
            if isinstance(v, (dict, list)):
                _walk_json(v, base, out)
    elif isinstance(value, list):
        for v in value:
            _walk_json(v, base, out)


def links_in_json(data: bytes, url: str) -> list[Link]:
    """The records of a JSON list (any nesting: {"data": {"list": […]}}) that carry a title and an address."""
    try:
        value = json.loads(decode_page(data))
    except ValueError:
        return []
    out: list[Link] = []
    _walk_json(value, url, out)
    return out


def _links_in_scripts(page: Page) -> list[Link]:
    """Records written into the page as JavaScript data: var list = [{title: '…', url: '…'}, …]."""
    out: list[Link] = []
    if page.tree is None:
        return out
    for script in page.tree.xpath("//script[not(@src)]"):
        code = script.text or ""
        for obj in _JS_OBJECT.finditer(code):
            record = {m.group(1): _unescape_js(m.group(2) if m.group(2) is not None else m.group(3))
                      for m in _JS_PAIR.finditer(obj.group(0))}
            link = _from_record(record, page.url)
            if link:
                out.append(link)
    return out


def _anchor_date(anchor) -> date | None:
    """The date printed next to a list link: in its own row (the <li>/<tr> holding this link and no other),
    else right after it (<a>…</a><span>2024-01-05</span>). A container of several links is not looked into:
    its first date belongs to another item."""
    node = anchor.getparent()
    for _ in range(2):
        if node is None or len(node.xpath(".//a[@href]")) != 1:
            break
        found = _date_of_text(node.text_content())
        if found:
            return found
        node = node.getparent()
    nxt = anchor.getnext()
    text = (anchor.tail or "") + (nxt.text_content() if nxt is not None and nxt.tag != "a" else "")
    return _date_of_text(text)


def _date_of_text(text: str) -> date | None:
    m = re.search(r"(20\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", text or "")
    return _date_of(m.group(0)) if m else None


def list_links(page: Page) -> list[Link]:
    """Every titled link of a list page: anchors (the title attribute wins over a truncated text) and
    records in the page's scripts. Duplicates (same address) keep their first, longest-titled form."""
    found: list[Link] = []
    if page.tree is not None:
        for a in page.tree.xpath("//a[@href]"):
            url = _absolute(page.url, a.get("href"))
            if url is None:
                continue
            # lists cut long titles ("…年度报...") and keep the whole one in the title attribute
            text = _ELLIPSIS.sub("", clean_text(a.text_content()))
            title = clean_text(a.get("title") or "")
            found.append(Link(title if len(title) >= max(4, len(text)) or (title and title.startswith(text))
                              else text, url, _anchor_date(a)))
    found.extend(_links_in_scripts(page))
    best: dict[str, Link] = {}
    for link in found:
        if not link.title:
            continue
        old = best.get(link.url)
        if old is None or len(link.title) > len(old.title):
            best[link.url] = Link(link.title, link.url, link.date or (old.date if old else None))
    return list(best.values())


def other_pages(page: Page) -> list[str]:
    """The column's other list pages this page points to: "下一页" links, numbered pages (index_1.html)
    linked or written by a TRS pager script, and JSON files the page's scripts load."""
    urls: list[str] = []
    if page.tree is not None:
        for a in page.tree.xpath("//a[@href]"):
            url = _absolute(page.url, a.get("href"))
            if url is None:
                continue
            label = clean_text(a.text_content()) or clean_text(a.get("title") or "")
            path = urlsplit(url).path
            if NEXT_PAGE.match(label) or (_NUMBERED_PAGE.search(path) and _same_folder(url, page.url)):
                urls.append(url)
    for m in _TRS_PAGER.finditer(page.text):
        total, stem, ext = int(m.group(1)), m.group(3), m.group(4)
        for n in range(min(total, 200)):
            urls.append(urljoin(page.url, f"{stem}.{ext}" if n == 0 else f"{stem}_{n}.{ext}"))
    if page.tree is not None:
        for script in page.tree.xpath("//script[not(@src)]"):
            for m in _JSON_URL.finditer(script.text or ""):
                url = _absolute(page.url, m.group(1))
                if url:
                    urls.append(url)
    return list(dict.fromkeys(u for u in urls if u != page.url))


def _same_folder(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return pa.netloc == pb.netloc and pa.path.rsplit("/", 1)[0] == pb.path.rsplit("/", 1)[0]


def report_year(title: str) -> int | None:
    """The year a report title is about: 2019年度…, …2019年政府信息公开…; the first plausible year."""
    for m in _YEAR.finditer(title):
        year = int(m.group(1))
        if 2008 <= year <= date.today().year:  # the 条例 took effect in 2008
            return year
    return None


def is_report_title(title: str) -> bool:
    """An annual disclosure report's title, not a notice about reports (关于报送…年度报告的通知)."""
    title = clean_text(title)
    return bool(_REPORT_TITLE.search(title)) and report_year(title) is not None and not _TITLE_EXCLUDE.search(title)


def agency_in_title(title: str) -> str | None:
    """The agency a title names before its year (平潭综合实验区2019年度… → 平潭综合实验区), or None."""
    title = clean_text(title)
    m = _YEAR.search(title)
    if not m:
        return None
    before = title[: m.start()].strip(" -_—:：")
    if len(before) >= 2:
        return before
    after = re.match(r"\s*度?\s*(.+?)(政府信息公开|政务公开)", title[m.end():])
    return after.group(1).strip() if after and len(after.group(1).strip()) >= 2 else None


def publication_date(page: Page) -> date | None:
    """The date the article page says it was published: a <meta> the CMS writes, else a printed
    发布日期/发布时间/时间 label (the first one: the article's own, above its text)."""
    if page.tree is not None:
        for meta in page.tree.xpath("//meta[@name or @property]"):
            name = (meta.get("name") or meta.get("property") or "").lower()
            if name in _DATE_META:
                found = _date_of(meta.get("content"))
                if found:
                    return found
    m = _DATE_LABEL.search(page.plain_text)
    return _date_of(m.group(2)) if m else None


def page_title(page: Page) -> str:
    if page.tree is None:
        return ""
    for meta in page.tree.xpath("//meta[@name='ArticleTitle']"):
        if meta.get("content"):
            return clean_text(meta.get("content"))
    titles = page.tree.xpath("//title")
    return clean_text(titles[0].text_content()) if titles else ""


def attachments(page: Page) -> list[Link]:
    """Links to documents (PDF, DOC, DOCX, WPS, OFD, images…) on an article page, in page order."""
    out: list[Link] = []
    if page.tree is None:
        return out
    for a in page.tree.xpath("//a[@href]"):
        url = _absolute(page.url, a.get("href"))
        if url is None:
            continue
        path = urlsplit(url).path.lower()
        label = clean_text(a.text_content()) or clean_text(a.get("title") or "")
        if path.endswith(DOCUMENT_SUFFIXES) or label.lower().endswith(DOCUMENT_SUFFIXES):
            out.append(Link(label, url))
    return list({link.url: link for link in out}.values())


def holds_report(page: Page) -> bool:
    """The page's own text is the report: it prints at least two of the template's table titles."""
    text = page.plain_text
    return sum(1 for marker in REPORT_MARKERS if marker in text) >= 2
