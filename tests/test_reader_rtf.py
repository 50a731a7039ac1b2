"""RTF reader (what portals often serve under a .doc name): real reports saved as RTF by LibreOffice read to
exactly their figures and to the same Document as their .doc; list numbers from {\\listtext}; Unicode and
code-page characters; merged cells; bad input refused in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gongkai.document import ReadError
from gongkai.parser import parse_bytes, parse_file
from gongkai.readers import read_document, sniff_format

FIXTURES = Path(__file__).parent / "fixtures"
WORD97 = FIXTURES / "word97"


@pytest.mark.parametrize("name", ["hongze_2024", "shanghai_bgt_2019"])
def test_real_reports_saved_as_rtf_read_exactly(name):
    truth = json.loads((FIXTURES / f"{name}.truth.json").read_text(encoding="utf-8"))
    report = parse_file(WORD97 / f"{name}.rtf")
    assert report.format == "rtf"
    assert report.figures == truth["figures"]
    assert (report.agency, report.year, report.template) == (truth["agency"], truth["year"], truth["template"])
    assert sorted({f.rule for f in report.findings if f.severity == "error"}) == (
        [truth["broken_rule"]] if truth["broken_rule"] else [])


@pytest.mark.parametrize("name", ["hongze_2024", "shanghai_bgt_2019", "numbered_lists", "nested_tables"])
def test_rtf_reads_to_the_same_document_as_the_doc_it_was_saved_from(name):
    """Paragraphs, list numbers ({\\listtext}) and tables cell for cell.  (Where a row is narrower than its
    table, LibreOffice's RTF adds an empty cell to fill it out, which its .doc does not: empty cells aside.)"""
    rtf = read_document((WORD97 / f"{name}.rtf").read_bytes())
    doc = read_document((WORD97 / f"{name}.doc").read_bytes())
    assert rtf.paragraphs == doc.paragraphs

    def cells(document):
        return [[[(c.text, c.rowspan) for c in row if c.text] for row in t.rows] for t in document.tables]

    assert cells(rtf) == cells(doc)


@pytest.mark.parametrize("name", ["shanghai_bgt_2019", "nested_tables"])
def test_same_blocks_as_the_doc(name):
    """Spans as in the .doc; a table in a layout table's cell (\\itap2, \\nestcell, {\\*\\nesttableprops
    … \\nestrow}) read as the .doc and HTML readers read it: the frame as text, the inner table a table."""
    rtf = read_document((WORD97 / f"{name}.rtf").read_bytes())
    assert rtf.blocks == read_document((WORD97 / f"{name}.doc").read_bytes()).blocks


def test_characters_in_code_pages_and_unicode():
    """Word on Chinese Windows writes GBK bytes (\\'hh) in a \\fcharset134 font; others write \\uN with a
    fallback to skip (\\ucN); \\~ is a no-break space, \\_ a hyphen; {\\*\\…} and field codes are hidden."""
    rtf = (b"{\\rtf1\\ansi\\ansicpg936{\\fonttbl{\\f0\\fcharset134 \\'cb\\'ce\\'cc\\'e5;}{\\f1\\fcharset0 Arial;}}"
           b"{\\*\\generator Foo;}\\f0 \\'d7\\'dc\\'bc\\'c6\\par"
           b"\\f1\\uc1\\u24180?\\u25253? 2024\\~\\_{\\field{\\*\\fldinst HYPERLINK \"x\"}{\\fldrslt \\u-27394?}}\\par}")
    assert sniff_format(rtf) == "rtf"
    assert read_document(rtf).paragraphs == ["总计", "年报 2024 -链"]


def test_characters_beyond_the_basic_plane_and_bad_numbers():
    """\\uN is a signed 16-bit number: a character past U+FFFF is two of them (a surrogate pair), joined;
    a lone surrogate is replaced, a number out of range dropped (with its fallback character)."""
    rtf = b"{\\rtf1 a\\u-10179?\\u-8704?b\\u-10179?c\\u-99999 d\\par}"
    assert read_document(rtf).paragraphs == ["a\U0001F600b\ufffdc"]


def test_hidden_text_and_tracked_deletions_are_not_read():
    rtf = (b"{\\rtf1 \\u24180?{\\v hidden}\\u25253?\\v gone\\v0  2024{\\deleted 2023}\\par"
           b"{\\v \\u26174?}{\\nonesttables fallback}\\par}")
    assert read_document(rtf).paragraphs == ["年报 2024"]


def test_merged_cells_become_spans():
    rtf = (b"{\\rtf1\\ansi"
           b"\\trowd\\clvmgf\\cellx1000\\clmgf\\cellx2000\\clmrg\\cellx3000\\pard\\intbl A\\cell B\\cell \\cell\\row"
           b"\\trowd\\clvmrg\\cellx1000\\cellx2000\\cellx3000\\pard\\intbl \\cell 1\\cell 2\\cell\\row"
           b"\\pard after\\par}")
    doc = read_document(rtf)
    assert [[(c.text, c.rowspan, c.colspan) for c in row] for row in doc.tables[0].rows] == [
        [("A", 2, 1), ("B", 1, 2)], [("1", 1, 1), ("2", 1, 1)]]
    assert doc.paragraphs == ["after"]


@pytest.mark.parametrize("data,message", [
    (b"{\\rtf1\\ansi hello\\par}", "不是政府信息公开工作年度报告：没有找到表二、表三、表四中的任何一张表"),
    (b"{\\rtf1\\ansi {\\fonttbl" + b"{" * 5000, "不是政府信息公开工作年度报告：没有找到表二、表三、表四中的任何一张表"),
], ids=["no_tables", "unclosed_groups"])
def test_rtf_without_a_report_is_refused_in_chinese(data, message):
    with pytest.raises(ReadError) as caught:
        parse_bytes(data, "x.doc")
    assert str(caught.value) == message


def test_a_truncated_rtf_still_reads_what_it_holds():
    """RTF has no container to break: a file cut short reads up to the cut (and the rules see what is missing)."""
    data = (WORD97 / "hongze_2024.rtf").read_bytes()
    report = parse_bytes(data[: len(data) * 2 // 3], "cut.rtf")
    truth = json.loads((FIXTURES / "hongze_2024.truth.json").read_text(encoding="utf-8"))
    assert report.agency == truth["agency"]
    assert any(f.rule == "missing_table" for f in report.findings)
