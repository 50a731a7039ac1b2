"""Bad input, every reader: whatever bytes arrive, `parse_bytes` gives a Report or a ReadError with a
Chinese message — never another exception, never a hang — and the CLI turns a ReadError into one
Chinese line and exit status 2 (`gongkai parse`) or a failed file beside the stored ones (`gongkai ingest`).

Inputs: random bytes (alone and behind each format's signature, so every reader sees them), real and
rendered reports truncated and corrupted (bytes, and the XML inside a DOCX), HTML mutated with table
markup, table cells rewritten with the template's labels and random spans, HTML without tables, absurdly
wide and deep tables, PDFs ruled like graph paper, JavaScript with literals left open, absurd numbers,
mixed and wrong encodings (of the content and of file names), DOCX zip bombs, a PDF without a text
layer (a scan), and .doc files whose compound file is intact but whose Word streams are damaged.
The fixed inputs that once hung or crashed are kept here as regression tests.

Run with `-s` to see how many inputs each reader got (`FUZZ_COUNTS`); FUZZ_EXAMPLES=1000 hunts longer."""

from __future__ import annotations

import functools
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai import template as T
from gongkai.demo.msdoc import compound_file, render_doc
from gongkai.demo.render import random_report, render_docx, render_html, render_markdown, render_pdf, render_text
from gongkai.document import ReadError
from gongkai.parser import parse_bytes
from gongkai.readers import sniff_format
from gongkai.report import Report

FIXTURES = Path(__file__).parent / "fixtures"
# One parse of a real report takes well under a second; a bad file gets ten times that before it counts as a hang.
TIME_LIMIT_S = 10.0
CJK = re.compile(r"[\u4e00-\u9fff]")
UNEXPECTED = "文件无法解析（"  # parse_bytes' wording for an exception the reader did not turn into a ReadError

# FUZZ_EXAMPLES raises the number of inputs per test for a longer hunt than CI's.
FUZZ = settings(deadline=None, max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ_COUNTS: Counter[str] = Counter()  # inputs parsed, by the reader that got them and the outcome

# ---------------------------------------------------------------- the samples mutated below
SPEC = random_report(random.Random(7), "2021", agency="洪泽区教育局", year=2024)
SAMPLES = {
    "pdf_real": (FIXTURES / "hongze_2024.pdf").read_bytes(),
    "html_real": (FIXTURES / "pingtan_2022.html").read_bytes(),
    "text_real": (FIXTURES / "000_604589b9a90ba4e6.txt").read_bytes(),
    "docx": render_docx(SPEC),
    "pdf": render_pdf(SPEC),
    "html_gbk": render_html(SPEC, encoding="gbk"),
    "markdown": render_markdown(SPEC),
    "doc_real": (FIXTURES / "word97" / "pingtan_2022.doc").read_bytes(),  # saved by LibreOffice
    "doc": render_doc(SPEC),
    "rtf_real": (FIXTURES / "word97" / "hongze_2024.rtf").read_bytes(),  # saved by LibreOffice
}


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so that no `except Exception` in the code under test hides it."""


@contextmanager
def time_limit(seconds: float):
    """Interrupt Python code running longer than `seconds` (a loop that never ends fails the test
    instead of hanging the suite)."""

    def on_alarm(signum, frame):
        raise Hang(f"parsing took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_or_refuse(data: bytes) -> Report | ReadError:
    """parse_bytes(data), which must return a Report or raise a ReadError in Chinese, in bounded time."""
    reader = sniff_format(data) if data.strip() else "empty"
    start = time.monotonic()
    try:
        with time_limit(TIME_LIMIT_S):
            result: Report | ReadError = parse_bytes(data, "fuzz")
    except ReadError as exc:
        result = exc
    elapsed = time.monotonic() - start
    assert elapsed < TIME_LIMIT_S, f"{elapsed:.1f} s for {len(data)} bytes"  # C code is not interrupted by the alarm
    if isinstance(result, ReadError):
        message = str(result)
        assert CJK.search(message), message
        assert "\n" not in message, message
        # parse_bytes turns an exception a reader did not expect into a ReadError, so the user still gets one
        # line; the fuzzer holds the readers to more: every refusal says what is wrong with the file.
        assert not message.startswith(UNEXPECTED), f"{message} from {result.__cause__!r}"
    else:
        assert isinstance(result, Report)
    FUZZ_COUNTS[f"{reader} {'report' if isinstance(result, Report) else 'refused'}"] += 1
    return result


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    print("\nFUZZ_COUNTS " + json.dumps(dict(sorted(FUZZ_COUNTS.items())), ensure_ascii=False))


def refused(data: bytes) -> str:
    result = parse_or_refuse(data)
    assert isinstance(result, ReadError), f"read as a report: {result.agency} {result.year}"
    return str(result)


# ---------------------------------------------------------------- random bytes
SIGNATURES = [b"", b"%PDF-1.7\n", b"PK\x03\x04", b"<html><body>", b"<table><tr><td>", b"| a | b |\n|---|---|\n",
              b"\xef\xbb\xbf", b"\xff\xfe", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf1"]


@FUZZ
@given(st.sampled_from(SIGNATURES), st.binary(max_size=4096))
def test_random_bytes_behind_every_signature(signature, noise):
    parse_or_refuse(signature + noise)


@FUZZ
@given(st.text(max_size=2000), st.sampled_from(["utf-8", "gb18030", "utf-16-le", "big5"]))
def test_random_text_in_any_encoding(text, encoding):
    parse_or_refuse(text.encode(encoding, errors="replace"))


# ---------------------------------------------------------------- real files cut short or damaged
@FUZZ
@given(st.sampled_from(sorted(SAMPLES)), st.floats(0, 1, exclude_max=True))
def test_truncated(name, fraction):
    data = SAMPLES[name]
    parse_or_refuse(data[: int(len(data) * fraction)])


@FUZZ
@given(st.sampled_from(sorted(SAMPLES)), st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=8)),
                                                  min_size=1, max_size=20))
def test_corrupted_bytes(name, damage):
    data = bytearray(SAMPLES[name])
    for where, junk in damage:
        at = int(len(data) * where)
        data[at : at + len(junk)] = junk
    parse_or_refuse(bytes(data))


@FUZZ
@given(st.sampled_from(["pdf_real", "pdf"]), st.floats(0.5, 1, exclude_max=True),
       st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=4)), max_size=6))
def test_pdf_cut_and_damaged(name, keep, damage):
    """PDFs get their own share: PDFium repairs much of what it is given, so the reader sees pages with
    broken streams, missing objects and lost cross-references rather than a plain refusal."""
    data = bytearray(SAMPLES[name][: int(len(SAMPLES[name]) * keep)])
    for where, junk in damage:
        at = int(len(data) * where)
        data[at : at + len(junk)] = junk
    parse_or_refuse(bytes(data))


def docx_with(document_xml: bytes, base: bytes = SAMPLES["docx"], extra: dict[str, bytes] | None = None) -> bytes:
    """The rendered DOCX with word/document.xml replaced (a well-formed zip around damaged XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, document_xml if info.filename == "word/document.xml" else src.read(info))
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


with zipfile.ZipFile(io.BytesIO(SAMPLES["docx"])) as _zf:
    DOCUMENT_XML = _zf.read("word/document.xml")

# Pieces of WordprocessingML dropped into the body at random: merges, spans, nesting, numbering.
DOCX_PIECES = [b"<w:tbl>", b"</w:tbl>", b"<w:tr>", b"</w:tr>", b"<w:tc>", b"</w:tc>", b"<w:p>", b"</w:p>",
               b'<w:gridSpan w:val="99999"/>', b'<w:gridSpan w:val="-3"/>', b'<w:vMerge w:val="restart"/>', b"<w:vMerge/>",
               b'<w:hMerge w:val="continue"/>', b'<w:gridBefore w:val="x"/>', b'<w:numPr><w:numId w:val="1"/></w:numPr>',
               b"<w:t>\xe5\xb9\xb4</w:t>", b"<!ENTITY x 'y'>", b"&x;", b"\x00", b"\xff"]


@FUZZ
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(DOCX_PIECES) | st.binary(max_size=16),
                          st.integers(0, 64)), min_size=1, max_size=12))
def test_docx_with_damaged_xml(edits):
    xml = bytearray(DOCUMENT_XML)
    for where, piece, cut in edits:
        at = int(len(xml) * where)
        xml[at : at + cut] = piece
    parse_or_refuse(docx_with(bytes(xml)))


# HTML pieces that break tables: stray and unclosed cells, absurd spans, nested tables, escaped markup.
HTML_PIECES = ["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th colspan=0>", '<td rowspan="0">',
               '<td colspan="99999999999">', "<td rowspan=-1>", "<tbody>", "</tbody>", "<thead>", "<p>", "<br>",
               "<script>var s = '<table><tr><td>1</td></tr></table>';</script>", "&lt;table&gt;", "<!--", "-->",
               "<td>总计</td>", "<td>1,234</td>", "<td>—</td>", "\x00", "\ufffd"]


@FUZZ
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(HTML_PIECES) | st.text(max_size=10),
                          st.integers(0, 200)), min_size=1, max_size=30))
def test_html_with_damaged_tables(edits):
    page = SAMPLES["html_real"].decode("utf-8")
    for where, piece, cut in edits:
        at = int(len(page) * where)
        page = page[:at] + piece + page[at + cut:]
    parse_or_refuse(page.encode("utf-8"))


def doc_streams(data: bytes) -> dict[str, bytes]:
    import olefile

    ole = olefile.OleFileIO(data)
    try:
        return {"/".join(name): ole.openstream(name).read() for name in ole.listdir()}
    finally:
        ole.close()


DOC_STREAMS = {name: doc_streams(SAMPLES[name]) for name in ("doc", "doc_real")}
DOC_STREAMS["doc_lists"] = doc_streams((FIXTURES / "word97" / "numbered_lists.doc").read_bytes())  # list tables
# Values that break the Word structures' counts and offsets: sprm codes, piece and FKP sizes, huge numbers.
DOC_PIECES = [b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x08\xd6", b"\x46\x66", b"\x49\x66\x02\x00\x00\x00",
              b"\x17\x24\x01", b"\x02", b"\x01\x00\x80", b"\x13", b"\x14", b"\x15", b"\x07", b"\xff"]


@FUZZ
@given(st.sampled_from(sorted(DOC_STREAMS)), st.sampled_from(["WordDocument", "1Table", "Data"]),
       st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(DOC_PIECES) | st.binary(min_size=1, max_size=8)),
                min_size=1, max_size=20))
def test_doc_with_damaged_word_streams(name, stream, damage):
    """The compound file rebuilt around damaged Word streams: olefile opens it, and the .doc reader meets a
    FIB, piece table, FKP pages and table properties with wrong counts, offsets and sprms."""
    streams = dict(DOC_STREAMS[name])
    if stream not in streams:
        stream = "WordDocument"
    data = bytearray(streams[stream])
    # Most of WordDocument is text: aim half the damage at the FIB, where the offsets are.
    for where, junk in damage:
        at = int((len(data) if stream != "WordDocument" or where > 0.5 else 1024) * where)
        data[at : at + len(junk)] = junk
    streams[stream] = bytes(data)
    parse_or_refuse(compound_file(streams))


# RTF pieces that break its structure: groups opened and closed, table words out of place, absurd numbers.
RTF_PIECES = [b"{", b"}", b"\\cell ", b"\\row ", b"\\trowd ", b"\\cellx-5 ", b"\\cellx99999999 ", b"\\intbl ",
              b"\\pard ", b"\\clvmrg ", b"\\clvmgf ", b"\\clmrg ", b"\\u-99999 ", b"\\u1114112 ", b"\\uc9999 ",
              b"\\'zz", b"\\'b1", b"\\bin999999 ", b"\\bin-3 ", b"{\\*\\x ", b"\\fonttbl ", b"\\f99999 ",
              b"\\ansicpg99999 ", b"\\listtext ", b"\\", b"\\nestcell "]


@FUZZ
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(RTF_PIECES) | st.binary(max_size=8),
                          st.integers(0, 64)), min_size=1, max_size=20))
def test_rtf_with_damaged_structure(edits):
    data = bytearray(SAMPLES["rtf_real"])
    for where, piece, cut in edits:
        at = int(len(data) * where)
        data[at : at + cut] = piece
    parse_or_refuse(bytes(data))


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["drop", "repeat", "swap", "blank", "number"])),
                min_size=1, max_size=30), st.sampled_from(["text_real", "markdown"]))
def test_text_reports_with_lines_moved(edits, name):
    """Line-level damage to a text/Markdown report: the mapper meets tables missing rows, rows twice,
    labels out of order and numbers where labels should be."""
    lines = SAMPLES[name].decode("utf-8").split("\n")
    for at, what in edits:
        i = at % len(lines)
        if what == "drop":
            del lines[i]
        elif what == "repeat":
            lines.insert(i, lines[i])
        elif what == "swap":
            j = (i * 7 + 3) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif what == "blank":
            lines[i] = re.sub(r"\d+", "", lines[i])
        else:
            lines[i] = re.sub(r"[^\t|]+", "99999999999999999999", lines[i])
        if not lines:
            lines = [""]
    parse_or_refuse("\n".join(lines).encode("utf-8"))


# Every label the template prints, cut at " / " where a figure's label names its row and column.
TEMPLATE_WORDS = sorted({part for f in T.FIGURES for label in (f.label_2019, f.label_2021) if label
                         for part in label.split(" / ")} | set(T.TABLE_TITLES.values())
                        | {row.label for row in T.T3_ROWS} | {label for _, label in T.T3_COLUMNS + T.T4_COLUMNS + T.T4_ROWS})
CELL_TEXTS = st.sampled_from(TEMPLATE_WORDS) | st.sampled_from(["", "0", "12", "3.5", "-", "—", "无", "1,234", "９", "1e9"])
CELL_EDITS = st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["text", "spans", "drop", "repeat"]), CELL_TEXTS,
                                st.integers(0, 30), st.integers(0, 12)), min_size=1, max_size=25)
HTML_CELL = re.compile(r"<td[^>]*>.*?</td>", re.S)
DOCX_CELL = re.compile(rb"<w:tc>.*?</w:tc>", re.S)


def rewrite(source, pattern: re.Pattern, edits, make):
    """`source` with cells that `pattern` finds rewritten by (where, what, text, rowspan, colspan) edits;
    `make(text, rowspan, colspan)` writes one cell.  Markup between cells (row ends) stays."""
    pieces = pattern.split(source)  # the markup between cells
    cells = pattern.findall(source)
    for at, what, text, rowspan, colspan in edits:
        i = at % len(cells)
        if what == "text":
            cells[i] = make(text, 1, 1)
        elif what == "spans":
            cells[i] = make(text, rowspan, colspan)
        elif what == "drop":
            cells[i] = source[:0]
        else:
            cells[i] = cells[i] * 2
    out = [pieces[0]]
    for cell, after in zip(cells, pieces[1:]):
        out += [cell, after]
    return source[:0].join(out)


@FUZZ
@given(CELL_EDITS, st.sampled_from(["html", "docx"]))
def test_report_tables_with_cells_changed(edits, kind):
    """The rendered report with cells of its tables rewritten: the template's labels and numbers in the
    wrong places, random row and column spans (0 included: in HTML it means "to the end of the group"),
    cells dropped and doubled.  Tables the mapper half recognises are where it has the most to decide."""
    if kind == "html":
        def td(text, rowspan, colspan):
            return f'<td rowspan="{rowspan}" colspan="{colspan}">{text}</td>'

        parse_or_refuse(rewrite(render_html(SPEC).decode(), HTML_CELL, edits, td).encode())
    else:
        def tc(text, rowspan, colspan):
            merge = '<w:vMerge w:val="restart"/>' if rowspan > 1 else "<w:vMerge/>" if rowspan == 0 else ""
            return (f'<w:tc><w:tcPr><w:gridSpan w:val="{colspan}"/>{merge}</w:tcPr>'
                    f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>").encode()

        parse_or_refuse(docx_with(rewrite(DOCUMENT_XML, DOCX_CELL, edits, tc)))


# ---------------------------------------------------------------- no tables, huge tables
@FUZZ
@given(st.lists(st.text(min_size=1, max_size=80), max_size=20))
def test_html_without_tables_is_not_a_report(paragraphs):
    page = "<html><head><meta charset='utf-8'><title>通知</title></head><body>" + "".join(
        f"<p>{p}</p>" for p in ["关于2024年政府信息公开工作的通知", *paragraphs]) + "</body></html>"
    message = refused(page.encode("utf-8"))
    assert message == "不是政府信息公开工作年度报告：没有找到表二、表三、表四中的任何一张表" or "HTML" in message


def wide_rows(columns: int, rows: int = 3) -> list[list[str]]:
    return [["总计" if c == 0 else str(r * columns + c) for c in range(columns)] for r in range(rows)]


def docx_table(rows: list[list[str]]) -> bytes:
    body = "".join("<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{cell}</w:t></w:r></w:p></w:tc>" for cell in row)
                   + "</w:tr>" for row in rows)
    return f'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl>{body}</w:tbl></w:body></w:document>'.encode()


def html_table(rows: list[list[str]]) -> bytes:
    return ("<html><body><table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
            + "</table></body></html>").encode()


WIDE = 5000
WIDE_INPUTS = {
    "html": html_table(wide_rows(WIDE)),
    "docx": docx_with(docx_table(wide_rows(WIDE))),
    "markdown": ("\n".join("| " + " | ".join(row) + " |" for row in [wide_rows(WIDE)[0], ["---"] * WIDE, *wide_rows(WIDE)[1:]])).encode(),
    "text": "\n".join("\t".join(row) for row in wide_rows(WIDE)).encode(),
    "html_spans": b"<table><tr>" + b'<td colspan="1000" rowspan="65534">x</td>' * WIDE + b"</tr><tr><td>1</td></tr></table>",
}


@pytest.mark.parametrize("kind", sorted(WIDE_INPUTS))
def test_five_thousand_columns(kind):
    assert sniff_format(WIDE_INPUTS[kind]) == kind.split("_")[0]
    parse_or_refuse(WIDE_INPUTS[kind])


def test_thousands_of_empty_rows():
    """Rows without cells (spacers) shrink the spans across them.  When every empty row revisited the cells
    above it, 4,000 cell rows and 4,000 empty ones took 2 s, and the time grew with the square."""
    page = b"<table>" + b"<tr><td>a</td><td>b</td></tr>" * 4000 + b"<tr></tr>" * 40_000 + b"</table>"
    parse_or_refuse(page)
    from gongkai.readers.html import read

    spans = read(b"<table><tr><td rowspan=3>A</td><td>B</td></tr><tr></tr><tr></tr>"
                 b"<tr><td>C</td><td>D</td></tr></table>").tables[0].rows
    # A spans its own row and two empty ones: once they are gone, only its own (C and D stay in place)
    assert [[(c.text, c.rowspan) for c in row] for row in spans] == [[("A", 1), ("B", 1)], [("C", 1), ("D", 1)]]


def nested_docx(depth: int) -> bytes:
    return docx_with(
        ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
         + "<w:tbl><w:tr><w:tc>" * depth + "<w:p><w:r><w:t>总计</w:t></w:r></w:p>" + "</w:tc></w:tr></w:tbl>" * depth
         + "</w:body></w:document>").encode())


DEEP = 2000
DEEP_INPUTS = {
    "html": ("<table><tr><td>" * DEEP + "总计 1" + "</td></tr></table>" * DEEP).encode(),
    "html_unclosed": b"<table><tr><td>" * DEEP,
    "docx": nested_docx(DEEP),  # deeper than libxml2 parses (2,048 elements): refused as unreadable XML
    "docx_680": nested_docx(680),  # as deep as libxml2 parses: the walker's nesting
}


@pytest.mark.parametrize("kind", sorted(DEEP_INPUTS))
def test_two_thousand_nested_tables(kind):
    parse_or_refuse(DEEP_INPUTS[kind])


def ruled_pdf(columns: int, rows: int, pages: int = 1, cell: float = 6.0) -> bytes:
    """Pages ruled like graph paper, `columns` × `rows` cells of `cell` points, with a report's title."""
    from reportlab.pdfgen import canvas

    from gongkai.demo.render import PDF_FONT, _pdf_setup

    _pdf_setup()
    width, height = columns * cell + 40, rows * cell + 60
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height))
    for _ in range(pages):
        page.setFont(PDF_FONT, 8)
        page.drawString(20, height - 20, "洪泽区教育局2024年政府信息公开工作年度报告 三、收到和处理政府信息公开申请情况")
        page.setLineWidth(0.1)
        page.grid([20 + cell * i for i in range(columns + 1)], [20 + cell * j for j in range(rows + 1)])
        page.showPage()
    page.save()
    return out.getvalue()


@pytest.mark.parametrize("columns,rows,pages", [(200, 200, 1), (53, 53, 60), (3000, 3, 1)])
def test_pdf_ruled_like_graph_paper(columns, rows, pages):
    """Table finding is quadratic in a page's grid: a dense grid is read as text, and the file's total is bounded."""
    assert refused(ruled_pdf(columns, rows, pages)).startswith("不是政府信息公开工作年度报告")


# The report as JavaScript (a page's `let content = "<table>…"`) with literals and comments left open: each
# was 100 KB of escaped quotes or open comments, which the tokeniser re-scanned from every later quote.
JS_LEFT_OPEN = {
    "double_quoted": b'// <table>\nlet content = "' + b'\\"' * 50_000,
    "single_quoted": b"// <table>\nlet content = '" + b"\\'" * 50_000,
    "template": b"// <table>\nlet content = `" + b"\\`" * 50_000 + b"\\",
    "comments": b"// <table>\n" + b"/* x " * 20_000,
}


@pytest.mark.parametrize("kind", sorted(JS_LEFT_OPEN))
def test_javascript_with_literals_left_open(kind):
    assert sniff_format(JS_LEFT_OPEN[kind]) == "html"
    parse_or_refuse(JS_LEFT_OPEN[kind])


@FUZZ
@given(st.text(alphabet=list("\"'`/*\\\n\r <>/tabledr=;+xu0{}总计1"), max_size=3000))
def test_javascript_tokens(source):
    parse_or_refuse(("// <table>\nlet content = " + source).encode())


def with_first_zero_as(printed: str) -> bytes:
    """The text report with its first 0 cell (表二 规章 / 本年制发件数) printed as `printed`."""
    return SAMPLES["text_real"].decode("utf-8").replace("\t0\n", f"\t{printed}\n", 1).encode("utf-8")


@pytest.mark.parametrize("printed,message", [
    ("9" * 400, "表二“规章 / 本年制发件数”的数值999999999999…（共 400 位）超出合理范围，请核对原文件"),
    ("9" * 400 + ".5", "表二“规章 / 本年制发件数”的数值超出合理范围，请核对原文件"),  # inf as a float
    ("1" * 16, "表二“规章 / 本年制发件数”的数值1111111111111111超出合理范围，请核对原文件"),
    ("1" * 5000, "表二“规章 / 本年制发件数”的数值超出合理范围，请核对原文件"),  # past int()'s digit limit
], ids=["400_digits", "infinite", "16_digits", "5000_digits"])
def test_absurd_numbers_are_refused_saying_where(printed, message):
    """A 400-digit "figure" parsed, then made ingest fail converting it to DOUBLE — and the whole batch with it."""
    assert refused(with_first_zero_as(printed)) == message


def test_the_largest_plausible_number_is_read():
    report = parse_or_refuse(with_first_zero_as("1" * 15))
    assert report.figures["t2/regulation/issued"] == 111_111_111_111_111


# ---------------------------------------------------------------- encodings
ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030", "big5", "utf-16", "shift_jis", "latin-1"]
LABELS = [None, "utf-8", "gb2312", "gbk", "big5", "utf-16", "iso-8859-1", "x-unknown", "windows-1252"]


@FUZZ
@given(st.sampled_from(ENCODINGS), st.sampled_from(LABELS), st.sampled_from(ENCODINGS), st.floats(0, 1))
def test_mixed_and_wrong_encodings(encoding, label, second_encoding, split):
    """The rendered report in one encoding, declared as another, its tail in a third."""
    page = render_html(SPEC).decode("utf-8")
    page = re.sub(r"<meta[^>]*charset[^>]*>", "", page, flags=re.I)
    if label:
        page = page.replace("<head>", f'<head><meta charset="{label}">', 1)
    at = int(len(page) * split)
    data = page[:at].encode(encoding, errors="replace") + page[at:].encode(second_encoding, errors="replace")
    result = parse_or_refuse(data)
    if encoding == second_encoding and encoding in ("utf-8", "utf-8-sig", "gbk", "gb18030"):
        assert isinstance(result, Report) and result.agency == "洪泽区教育局"  # readable encodings still read


# ---------------------------------------------------------------- a zip bomb and a scan
@functools.cache
def zip_bomb(inflated_mb: int, unit: bytes = b" ") -> bytes:
    """A valid DOCX whose document.xml inflates to `inflated_mb` MB of `unit` repeated (about 1,000 : 1)."""
    head = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head + b"</w:t></w:r></w:p>")
            block = unit * ((1 << 20) // len(unit))
            for _ in range(inflated_mb):
                member.write(block)
            member.write(b"</w:body></w:document>")
    return out.getvalue()


PARAGRAPH = b"<w:p><w:r><w:t>\xe6\x80\xbb\xe8\xae\xa1 1</w:t></w:r></w:p>"  # 总计 1


@pytest.mark.parametrize("inflated_mb,unit", [(300, b" "), (60, PARAGRAPH)], ids=["spaces", "paragraphs"])
def test_docx_zip_bomb_is_refused_without_inflating_it(inflated_mb, unit):
    """Refused from the declared sizes, before inflating or parsing.  60 MB of paragraphs (under the former
    200 MB limit) took 40 s and 1.2 GB to parse."""
    bomb = zip_bomb(inflated_mb, unit)
    assert len(bomb) < inflated_mb * 1024 * 1024 / 300
    start = time.monotonic()
    assert refused(bomb) == "文件解压后过大，疑似异常文件，已拒绝读取"
    assert time.monotonic() - start < 1.0


def scanned_pdf() -> bytes:
    """A page with an image and shapes but no text: what a scanner produces."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    from PIL import Image

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    scan = Image.new("L", (200, 280), 230)
    for x in range(20, 180):
        for y in range(40, 44):
            scan.putpixel((x, y), 20)
    page.drawImage(ImageReader(scan), 30, 30, width=535, height=780)
    page.grid([50, 200, 350, 500], [100, 300, 500, 700])  # ruled like a table, but nothing to read in it
    page.showPage()
    page.save()
    return out.getvalue()


def test_password_protected_files_are_refused_saying_so():
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, encrypt="口令")
    page.drawString(72, 720, "2024 annual report, protected by a password")
    page.save()
    assert refused(out.getvalue()) == "PDF 文件已加密（需要密码才能打开），无法读取，请提供未加密的文件"
    # An encrypted .docx is an OLE compound file whose directory names the EncryptedPackage stream.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(1000)
    assert refused(ole) == "文件已加密（需要密码才能打开），无法读取，请提供未加密的文件"
    # A .doc whose FIB says encrypted (tests/test_reader_doc.py tests the flags on real files).
    assert refused(render_doc(SPEC, encrypted=True)) == "文件已加密（需要密码才能打开），无法读取，请提供未加密的文件"
    # The signature and a stream name but no compound file behind them: damaged, said so.
    legacy_doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "WordDocument".encode("utf-16-le") + bytes(1000)
    assert refused(legacy_doc) == "Word 文档（.doc/.wps）已损坏，无法读取（复合文档结构无法解析）"


def test_pdf_without_text_layer_or_text_in_its_pictures():
    # Recognising a page takes seconds (more on a loaded machine): outside the harness's 10 s bound.
    with pytest.raises(ReadError) as err:
        parse_bytes(scanned_pdf(), "scan.pdf")
    assert str(err.value) == "PDF 没有文字层（可能是扫描件），经文字识别（OCR）也未识别出任何文字，无法读取"


def test_an_unexpected_error_in_reading_or_mapping_is_still_one_chinese_line(monkeypatch):
    """The safety net under the fuzzed code: a bug in a reader or the mapper costs the file, with a
    message, never a traceback (and the fuzz tests above fail on that message, so bugs still show)."""
    import gongkai.parser

    def broken(*args):
        raise KeyError("t3/total")

    monkeypatch.setattr(gongkai.parser, "map_document", broken)
    with pytest.raises(ReadError) as caught:
        parse_bytes(SAMPLES["markdown"])
    assert str(caught.value) == "文件无法解析（KeyError，读取表格时出错），请把此文件反馈给维护者"
    assert isinstance(caught.value.__cause__, KeyError)
    monkeypatch.setattr(gongkai.parser, "read_document", broken)
    with pytest.raises(ReadError, match=r"^文件无法解析（KeyError），可能已损坏或格式不受支持$"):
        parse_bytes(SAMPLES["markdown"])


# ---------------------------------------------------------------- the CLI
def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gongkai", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


BAD_FILES = {
    "bomb.docx": lambda: zip_bomb(300),
    "scan.pdf": scanned_pdf,
    "cut.pdf": lambda: SAMPLES["pdf_real"][: len(SAMPLES["pdf_real"]) // 2],
    "cut.docx": lambda: SAMPLES["docx"][:-100],
    "cut.doc": lambda: SAMPLES["doc_real"][: len(SAMPLES["doc_real"]) // 2],
    "excel.wps": lambda: compound_file({"Workbook": b"\x09\x08" * 100}),
    "noise.bin": lambda: random.Random(1).randbytes(5000),
    "wide.html": lambda: WIDE_INPUTS["html"],
    "notice.html": lambda: "<html><body><p>关于开展检查的通知</p></body></html>".encode("gbk"),
    "huge_number.txt": lambda: with_first_zero_as("9" * 400),
}


def test_gongkai_parse_gives_one_chinese_line_and_status_2(tmp_path):
    for name in ["bomb.docx", "scan.pdf", "cut.pdf", "cut.doc", "noise.bin", "notice.html"]:
        make = BAD_FILES[name]
        path = tmp_path / name
        path.write_bytes(make())
        out = run_cli("parse", str(path))
        assert out.returncode == 2, (name, out.stdout, out.stderr)
        lines = out.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"错误：{path}："), (name, out.stderr)
        assert CJK.search(lines[0][len(f"错误：{path}："):]), (name, out.stderr)
        assert "Traceback" not in out.stdout + out.stderr and out.stdout == ""


def test_gongkai_ingest_lists_bad_files_as_failed_and_stores_the_good_ones(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = {}
    for i, (render, suffix) in enumerate([(render_text, "txt"), (render_docx, "docx"), (render_pdf, "pdf"),
                                          (render_html, "html"), (render_doc, "doc"), (render_doc, "wps")]):
        # .doc and .wps (the same Word 97 format) beside the others: a mixed folder
        spec = random_report(random.Random(i), "2021", agency="洪泽区教育局" if i < 4 else "洪泽区民政局",
                             year=2021 + i % 4)
        good[f"good_{i}.{suffix}"] = spec
        (folder / f"good_{i}.{suffix}").write_bytes(render(spec))
    bad_names = []
    for name, make in BAD_FILES.items():
        if name.endswith(".bin"):
            name = "noise.txt"  # a report suffix, so ingest offers it to the parser
        (folder / name).write_bytes(make())
        bad_names.append(name)
    db = tmp_path / "g.duckdb"
    out = run_cli("ingest", str(folder), "--db", str(db), "--region", "江苏省/淮安市/洪泽区")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    failed = {line.split("：")[1].split("/")[-1] for line in out.stdout.splitlines() if line.startswith("失败：")}
    assert failed == set(bad_names), out.stdout
    assert f"共 {len(good) + len(bad_names)} 个报告文件：导入 {len(good)} 个" in out.stdout
    assert f"失败：{folder / 'excel.wps'}：这是 Excel 表格（.xls）文件，不是 Word 文档，无法读取，请另存为 .docx 或 PDF 后再导入" in out.stdout
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert sorted(con.execute("SELECT source_file, year FROM reports").fetchall()) == sorted(
            (name, spec.year) for name, spec in good.items())
        assert con.execute("SELECT source_file, format FROM reports WHERE source_file LIKE 'good_4%' OR"
                           " source_file LIKE 'good_5%' ORDER BY 1").fetchall() == [("good_4.doc", "doc"), ("good_5.wps", "doc")]
        # every good report whole: all the figures its file prints
        for name, spec in good.items():
            assert con.execute("SELECT count(*) FROM figures JOIN reports USING (report_id) WHERE source_file = ?",
                               [name]).fetchone() == (len(spec.keys),)
    finally:
        con.close()


def test_ingest_stores_a_report_whose_file_name_is_not_utf8(tmp_path):
    """A zip made on Chinese Windows and unpacked on Linux keeps GBK file names: the report is stored, under
    its name read as GB18030 (DuckDB refused the raw name and the report failed)."""
    from gongkai.ingest import ingest

    folder = tmp_path / "in"
    folder.mkdir()
    gbk_name = os.path.join(os.fsencode(folder), "洪泽区教育局2024年报告.txt".encode("gbk"))
    with open(gbk_name, "wb") as fh:
        fh.write(render_text(SPEC))
    latin_name = os.path.join(os.fsencode(folder), b"r\xe9sum\xe9\xff.txt")  # not GB18030 either
    with open(latin_name, "wb") as fh:
        fh.write(render_text(random_report(random.Random(8), "2021", agency="洪泽区民政局", year=2024)))
    db = tmp_path / "g.duckdb"
    summary = ingest([folder], db, region="江苏省/淮安市/洪泽区")
    assert [r.status for r in summary.results] == ["stored", "stored"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert sorted(con.execute("SELECT source_file FROM reports").fetchall()) == [
            ("r\ufffdsum\ufffd\ufffd.txt",), ("洪泽区教育局2024年报告.txt",)]
    finally:
        con.close()
