"""HTML: portal article pages, Word's "save as web page" output, and report HTML held in JavaScript.

What the portals serve:
- the report's tables sit among the site's navigation and layout tables.  A table that contains
  another table is layout, never data, so only the innermost tables are read as tables; the text of
  layout tables is read as paragraphs like any other block.  A table whose every row has a single
  cell (a framed title, a one-column layout box) is layout too.
- Word exports put each cell's text in <p>/<span> runs, sometimes one character per <p> for narrow
  vertical labels (结/果/纠/正), pad blank cells with &nbsp;, and merge cells with rowspan/colspan.
  The HTML table already lists each cell once, in the row where it starts, which is exactly the
  `Table` model; only the spans need cleaning up (HTML's parsing rules, empty rows).
- some sites ship the report as a JavaScript file (`let content = "<p>…<table>…"`) or a page that
  writes a string into the DOM.  The string is found by tokenising the JavaScript (comments and
  string literals), unescaped by the JavaScript escape rules, and parsed as HTML.

Pictures: a table pasted into the page as a picture (<img> with a data: URI, or a file beside a saved
page, e.g. Word's "报告.files/image001.png") is recognised by `gongkai.readers.ocr` where it stands.

The parser is lexbor (selectolax): it follows the HTML5 parsing algorithm, so the broken markup
portals serve (unclosed cells, stray tags inside tables) is repaired the way a browser repairs it,
and it parses these pages about twice as fast as lxml.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
from functools import partial
from pathlib import Path
from urllib.parse import unquote

from selectolax.lexbor import LexborHTMLParser, LexborNode, create_tag

from gongkai.document import Cell, Document, Paragraph, ReadError, Table, clean_text
from gongkai.readers.encoding import decode_text, declared_charset

# Elements whose content a reader of the page never sees as text.
_HIDDEN = frozenset(
    {"script", "style", "noscript", "head", "title", "template", "select", "textarea", "iframe",
     "object", "svg", "math", "xmp"}
)  # fmt: skip
# Elements that end the line of text before them and start a new one.
_BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
     "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
     "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li",
     "listing", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
     "td", "tfoot", "th", "thead", "tr", "ul"}
)  # fmt: skip
# Elements that may hold the report's HTML when the page shows none (see `_take_raw_text`).
_RAW_TEXT = frozenset({"script", "textarea", "noscript", "xmp"})

# HTML's limits on spans (HTML Living Standard, "processing model" of tables).
_MAX_COLSPAN = 1000
_MAX_ROWSPAN = 65534


def read(data: bytes, base: Path | None = None) -> Document:
    """`base`: the folder of the page's file, where its pictures saved beside it are looked for."""
    utf8: bytes | None = None
    if not data.startswith(codecs.BOM_UTF8):
        try:
            text = data.decode("utf-8")
            utf8 = data  # lexbor reads UTF-8 bytes as they are: no need to encode the text again
        except UnicodeDecodeError:
            pass
    if utf8 is None:
        text = decode_text(data, declared_charset(data))
    _check_readable(text)
    source = text.lstrip("\ufeff \t\r\n")
    if source and not source.startswith("<"):
        # Not markup at all: a JavaScript or JSON file whose strings may carry the report's HTML.
        embedded = _html_in_javascript(source)
        if embedded is not None:
            return _read_markup(embedded, look_inside_scripts=False)
    return _read_markup(text, look_inside_scripts=True, utf8=utf8, base=base)


def _check_readable(text: str) -> None:
    """Bytes that decode to mostly control characters or replacement marks are not a web page
    (a binary or encrypted file that happened to contain "<table")."""
    if not text.strip():
        raise ReadError("HTML 文件为空，没有可读取的内容")
    # NULs and replacement marks are counted everywhere (str.count is fast); other control
    # characters only at the start, where a binary file's header shows them.
    unreadable = text.count("\x00") + text.count("\ufffd") + len(_CONTROL.findall(text, 0, 8192))
    if unreadable > len(text) // 10:
        raise ReadError(
            f"无法把文件读取为 HTML：{len(text)} 个字符中有 {unreadable} 个是控制字符或无法识别的字节，"
            "文件可能已损坏、已加密或不是网页"
        )


_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f]")
# A table written as markup anywhere in the source, also escaped for JavaScript or HTML: when the
# page shows no table, only then is it worth looking inside its scripts.
_TABLE_MARKUP = re.compile(r"<table|\\u003ctable|\\x3ctable|&lt;table", re.IGNORECASE)


def _read_markup(html: str, *, look_inside_scripts: bool, utf8: bytes | None = None, base: Path | None = None) -> Document:
    """Read the page `html`; `utf8`, when given, is the same page as UTF-8 bytes."""
    tree = LexborHTMLParser(utf8 if utf8 is not None else html)
    title_node = tree.css_first("title")
    title = clean_text(title_node.text()) if title_node is not None else ""
    root = tree.root
    if root is None:
        return Document(format="html", title=title)
    take_table = partial(_take_table, layout=_tables_holding_tables(root))
    parts: list = []
    _walk(root, parts, _LINE_END, on_table=take_table, on_image=partial(_take_image, base=base))
    blocks = _paragraphs_and_tables(parts)
    if look_inside_scripts and not any(isinstance(b, Table) for b in blocks) and _TABLE_MARKUP.search(html):
        # No table in the page itself: the report may be a string that a script writes into it.
        parts = []
        _walk(root, parts, _LINE_END, on_table=take_table, on_raw_text=_take_raw_text)
        blocks = _paragraphs_and_tables(parts)
        if not any(isinstance(b, Table) for b in blocks):
            # Markup escaped once too often by the site's CMS (&lt;table… in the source) shows as
            # text: read that text as the page.
            shown = "\n".join(b.text for b in blocks if isinstance(b, Paragraph))
            if _TABLE_TAG.search(shown):
                inner = _read_markup(shown, look_inside_scripts=False)
                if inner.tables:
                    blocks = inner.blocks
    return Document(blocks=blocks, format="html", title=title)


# ------------------------------------------------------------------------------------ the walk
# The walk compares lexbor's numeric tag ids, not tag names: it visits every node of pages of a
# quarter megabyte, and building a name string per node is a third of its time.
def _ids(names: frozenset[str]) -> frozenset[int]:
    return frozenset(create_tag(name).tag_id for name in names)


# Nodes that are not elements: lexbor gives text, comments and the doctype tag ids of their own.
_TEXT_NODE_ID = LexborHTMLParser("x").body.child.tag_id
_NON_ELEMENT_IDS = frozenset(
    node.tag_id for node in LexborHTMLParser("<!DOCTYPE html><!--x-->").root.parent.iter(include_text=True)
) - {create_tag("html").tag_id}
_HIDDEN_IDS = _ids(_HIDDEN)
_BLOCK_IDS = _ids(_BLOCKS)
_RAW_TEXT_IDS = _ids(_RAW_TEXT)
_BR_ID = create_tag("br").tag_id
_CELL_IDS = _ids(frozenset({"td", "th"}))
_TABLE_ID = create_tag("table").tag_id
_IMG_ID = create_tag("img").tag_id
_HEAD_ID = create_tag("head").tag_id
_SCRIPT_ID = create_tag("script").tag_id
_NOSCRIPT_ID = create_tag("noscript").tag_id
_LINE_END = None  # the mark `_walk` leaves in the flow where a line of text ends


def _walk(top: LexborNode, parts: list, line_end, on_table=None, on_raw_text=None, on_image=None) -> None:
    """Walk the subtree under `top` in document order, appending its text to `parts` and
    `line_end` wherever a block element or <br> ends a line.

    `on_table(node, parts)` may take over a <table> (returning True); `on_raw_text(node, parts)`
    is offered the <script>s and other raw-text elements otherwise skipped.  Iterative (a parent
    stack, not recursion): broken pages nest unclosed <font>/<span> thousands deep, beyond
    Python's recursion limit."""
    stack: list[LexborNode] = []
    push, pop, append = stack.append, stack.pop, parts.append
    node = top.child
    while True:
        if node is None:
            if not stack:
                return
            node = pop()
            if node.tag_id in _BLOCK_IDS:
                append(line_end)
            node = node.next
            continue
        tag_id = node.tag_id
        if tag_id == _TEXT_NODE_ID:
            append(node.text_content)
            node = node.next
            continue
        if tag_id in _HIDDEN_IDS:
            if on_raw_text is not None:
                if tag_id in _RAW_TEXT_IDS:
                    on_raw_text(node, parts)
                elif tag_id == _HEAD_ID:  # a page's scripts may sit in <head>
                    for script in node.css("script"):
                        on_raw_text(script, parts)
            node = node.next
            continue
        if tag_id == _BR_ID:
            append(line_end)
            node = node.next
            continue
        if tag_id == _IMG_ID and on_image is not None:
            # a picture ends the line only where it is read as something (a table pasted as a picture):
            # an icon between two words of a footer must not split their line
            on_image(node, parts)
            node = node.next
            continue
        if tag_id == _TABLE_ID and on_table is not None and on_table(node, parts):
            node = node.next
            continue
        child = node.child
        if tag_id in _BLOCK_IDS:
            append(line_end)
        elif tag_id in _NON_ELEMENT_IDS:  # comments, doctype
            node = node.next
            continue
        if child is None:
            if tag_id in _BLOCK_IDS:
                append(line_end)
            node = node.next
        else:
            push(node)
            node = child


# A picture larger than this is no screenshot of a table (and would cost minutes to recognise).
MAX_PICTURE_BYTES = 20 * 1024 * 1024
_DATA_URI = re.compile(r"^data:image/[\w.+-]+(?:;[\w=-]+)*;base64,", re.IGNORECASE)


def _picture_bytes(src: str, base: Path | None) -> bytes | None:
    """The bytes of an <img src>: a base64 data: URI, or a file in the page's folder (or below it).
    Never a web address, and never a file outside the page's folder."""
    src = src.strip()
    m = _DATA_URI.match(src)
    if m:
        payload = src[m.end() :]
        if len(payload) > MAX_PICTURE_BYTES * 4 // 3 + 4:
            return None
        try:
            return base64.b64decode(re.sub(r"\s+", "", payload), validate=False)
        except (binascii.Error, ValueError):
            return None
    if base is None or not src or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or src.startswith("//"):
        return None
    relative = unquote(src.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
    try:
        folder = base.resolve()
        path = (folder / relative).resolve()
        if folder not in path.parents or not path.is_file() or path.stat().st_size > MAX_PICTURE_BYTES:
            return None
        return path.read_bytes()
    except (OSError, ValueError):
        return None


def _take_image(node: LexborNode, parts: list, base: Path | None) -> None:
    data = _picture_bytes(node.attributes.get("src") or "", base)
    if not data:
        return
    from gongkai.readers import ocr

    blocks = ocr.read_embedded(data)
    if blocks:
        parts.append(_LINE_END)
        parts.extend(blocks)
        parts.append(_LINE_END)


def _paragraphs_and_tables(parts: list) -> list[Paragraph | Table]:
    """The flow `_walk` left (text pieces, line ends, tables) as blocks: each non-blank line of
    text becomes one paragraph."""
    blocks: list[Paragraph | Table] = []
    line: list[str] = []
    for part in parts:
        if part.__class__ is str:
            line.append(part)
            continue
        if line:
            text = "".join(line)
            line = []
            if text and not text.isspace():
                text = clean_text(text)
                if text:
                    blocks.append(Paragraph(text))
        if part is not _LINE_END:
            blocks.append(part)
    return blocks


def _tables_holding_tables(root: LexborNode) -> set[int]:
    """The `mem_id`s of the tables that hold another table (layout, never data).

    Found in one pass up from every table, stopping at a node already passed, so each node is visited
    once.  Asking each table for the tables under it re-scanned a nested layout once per level: 5,000
    nested tables took 23 s."""
    layout: set[int] = set()
    passed: set[int] = set()
    for table in root.css("table"):
        node = table.parent
        while node is not None and node.mem_id not in passed:
            passed.add(node.mem_id)
            if node.tag_id == _TABLE_ID:
                layout.add(node.mem_id)
            node = node.parent
    return layout


def _take_table(node: LexborNode, parts: list, layout: set[int]) -> bool:
    """Read `node` as a data table if it is one; False leaves it to be walked as layout."""
    if node.mem_id in layout:
        return False
    table = _read_table(node)
    if table is None:
        return False
    parts.append(_LINE_END)
    if any(cell.text for row in table.rows for cell in row):
        parts.append(table)
    return True


def _take_raw_text(node: LexborNode, parts: list) -> None:
    """A <script> (or <textarea>, …) whose text holds the report's HTML: read it in place."""
    if node.tag_id == _NOSCRIPT_ID:
        html = node.inner_html or ""  # parsed as elements: lexbor runs with scripting off
    else:
        raw = node.text()
        if "<" not in raw and "\\" not in raw:
            return
        html = _html_in_javascript(raw) if node.tag_id == _SCRIPT_ID else raw
    if html is None or not _TABLE_TAG.search(html):
        return
    inner = _read_markup(html, look_inside_scripts=False)
    parts.append(_LINE_END)
    parts.extend(inner.blocks)


_TABLE_TAG = re.compile(r"<table[\s>]", re.IGNORECASE)


# ----------------------------------------------------------------------------------- tables
def _read_table(table: LexborNode) -> Table | None:
    """The cells of an innermost table, row by row; None when it is a one-column layout box."""
    row_nodes = table.css("tr")
    if not row_nodes:
        return None
    rows_cells: list[list[LexborNode]] = []
    for tr in row_nodes:
        rows_cells.append([child for child in tr.iter() if child.tag_id in _CELL_IDS])
    if max(len(cells) for cells in rows_cells) <= 1:
        return None

    # Rows left in each row's group (thead/tbody/tfoot): a rowspan never reaches past its group,
    # and rowspan="0" means "to the end of the group".
    groups = [tr.parent.mem_id if tr.parent is not None else 0 for tr in row_nodes]
    left_in_group = [0] * len(groups)
    remaining = 0
    for i in range(len(groups) - 1, -1, -1):
        remaining = 1 if i == len(groups) - 1 or groups[i + 1] != groups[i] else remaining + 1
        left_in_group[i] = remaining

    rows: list[list[Cell]] = []
    for i, cells in enumerate(rows_cells):
        row = []
        for td in cells:
            attrs = td.attributes
            colspan = min(max(_span(attrs.get("colspan")), 1), _MAX_COLSPAN)
            rowspan = _span(attrs.get("rowspan"))
            rowspan = left_in_group[i] if rowspan == 0 else min(rowspan, _MAX_ROWSPAN, left_in_group[i])
            row.append(Cell(_cell_text(td), rowspan, colspan))
        rows.append(row)
    _drop_empty_rows(rows)
    return Table([row for row in rows if row])


def _span(value: str | None) -> int:
    """HTML's rules for parsing a non-negative integer: leading spaces, then digits; anything else
    (missing, "", "abc") is the default 1.  "2px" is 2, as browsers read it."""
    if value is None:
        return 1
    if value.isdigit():
        return int(value)
    match = _LEADING_INT.match(value)
    return int(match.group(1)) if match else 1


_LEADING_INT = re.compile(r"\s*\+?(\d+)")


def _drop_empty_rows(rows: list[list[Cell]]) -> None:
    """A <tr> without cells adds no cell of its own; cells spanning down across it span one row
    less once it is gone, so the grid the mapper rebuilds stays the one the browser draws.

    Counted with a running total of empty rows, once per cell: visiting every cell above each empty
    row was quadratic (150 KB of rows took 2 s)."""
    empty_before = [0]  # empty_before[r]: empty rows among rows[:r]
    for row in rows:
        empty_before.append(empty_before[-1] + (not row))
    if not empty_before[-1]:
        return
    for r, row in enumerate(rows):
        for cell in row:
            end = min(r + cell.rowspan, len(rows))
            cell.rowspan -= empty_before[end] - empty_before[r + 1]


def _cell_text(td: LexborNode) -> str:
    parts: list[str] = []
    _walk(td, parts, "\n")
    return clean_text("".join(parts))


# ------------------------------------------------------------------------- HTML inside JavaScript
# One JavaScript token of the kinds that matter here: comments (skipped, so quotes inside them
# cannot open a string) and string literals of the three quote styles.  A backslash escapes any
# character, including a line end (line continuation); '…' and "…" cannot span raw line ends.
# A literal or comment left open runs to the end of its line ('…', "…") or of the source (`…`, /*…*/):
# then no token can fail once started.  When an open literal failed, the scan resumed one character
# later and tried again from each later quote, which was quadratic (40 KB of \" took 10 s).
_JS_TOKEN = re.compile(
    # Runs of other characters and a lone "/" (division, regex) are matched only to be skipped
    # quickly; the literals are written unrolled ("[^"\\]*(?:\\.?[^"\\]*)*") so that a long
    # string is scanned in one pass (".?": a backslash may be the last character of the source).
    r"""[^/"'`]+|//[^\n]*|/\*.*?(?:\*/|\Z)|/"""
    r"""|"([^"\\\n]*(?:\\.?[^"\\\n]*)*)(?:"|(?=\n)|\Z)"""
    r"""|'([^'\\\n]*(?:\\.?[^'\\\n]*)*)(?:'|(?=\n)|\Z)"""
    r"""|`([^`\\]*(?:\\.?[^`\\]*)*)(?:`|\Z)""",
    re.DOTALL,
)
_DOUBLE_QUOTED = 1  # the group of _JS_TOKEN holding a "…" literal's body
# An escape JSON does not share with JavaScript (\x41, \', \0, \v, \u{…}, line continuation), or a
# backslash that ends the source.
_NOT_JSON_ESCAPE = re.compile(r"""\\(?:[^"\\/bfnrtu]|u(?![0-9a-fA-F]{4})|\Z)""")
_HTML_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*[\s>/]|/[a-zA-Z]|!--)")
_CONCATENATION = re.compile(r"\s*\+\s*")


def _html_in_javascript(source: str) -> str | None:
    """The HTML held in the JavaScript `source`'s string literals, or None when no string holds
    markup.  Literals joined by `+` are concatenated; separate ones are joined by a line end."""
    pieces: list[str] = []
    last_end = -1
    for match in _JS_TOKEN.finditer(source):
        if match.lastindex is None:  # a comment
            continue
        raw = match.group(match.lastindex)
        if "<" not in raw and "\\" not in raw:
            continue
        if match.lastindex == _DOUBLE_QUOTED and not _NOT_JSON_ESCAPE.search(raw):
            # The common case (\" \n \/ \uXXXX only) is also a JSON string: decode it in C.
            value = _join_surrogates(json.loads(f'"{raw}"', strict=False))
        else:
            value = unescape_javascript(raw)
        if not _HTML_TAG.search(value):
            continue
        if pieces and not _CONCATENATION.fullmatch(source, last_end, match.start()):
            pieces.append("\n")
        pieces.append(value)
        last_end = match.end()
    return "".join(pieces) if pieces else None


_JS_ESCAPE = re.compile(
    r"\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([0-3][0-7]{0,2}|[4-7][0-7]?)|(\r\n|.))",
    re.DOTALL,
)
_SINGLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v",
                   "\n": "", "\r": "", "\r\n": "", "\u2028": "", "\u2029": ""}  # fmt: skip
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def unescape_javascript(literal: str) -> str:
    """The value of a JavaScript string literal's body (ECMAScript escape sequences: \\n \\t \\" \\\\
    \\xHH \\uHHHH \\u{H…} legacy octal, line continuations; any other escaped character is itself).
    Surrogate pairs written as two \\u escapes are joined into one character."""

    def replace(match: re.Match[str]) -> str:
        braced, u4, x2, octal, single = match.groups()
        if braced is not None:
            code = int(braced, 16)
            return chr(code) if code <= 0x10FFFF else match.group(0)
        if u4 is not None:
            return chr(int(u4, 16))
        if x2 is not None:
            return chr(int(x2, 16))
        if octal is not None:
            return chr(int(octal, 8))
        return _SINGLE_ESCAPES.get(single, single)

    if "\\" not in literal:
        return literal
    return _join_surrogates(_JS_ESCAPE.sub(replace, literal))


def _join_surrogates(value: str) -> str:
    """Surrogate pairs (two \\u escapes) become the one character they encode; a lone surrogate,
    which no encoder accepts (lexbor could not take the text), becomes U+FFFD."""
    if _SURROGATE.search(value):
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", errors="replace")
    return value
