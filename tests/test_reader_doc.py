"""Word 97–2003 (.doc) and WPS (.wps) reader: real reports saved as .doc by LibreOffice read to exactly
their figures; the same Document as the page they came from (merged cells as spans, field codes
hidden); random reports through the .doc writer of gongkai.demo.msdoc round-trip exactly; encrypted,
foreign and damaged OLE files are refused with a line that says why."""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.demo.msdoc import compound_file, render_doc
from gongkai.demo.render import BREAKABLE_RULES, break_rule, random_report
from gongkai.document import ReadError
from gongkai.parser import parse_bytes, parse_file
from gongkai.readers import read_document, sniff_format

FIXTURES = Path(__file__).parent / "fixtures"
WORD97 = FIXTURES / "word97"
REAL = sorted(p for p in WORD97.glob("*.doc") if (FIXTURES / f"{p.stem}.truth.json").exists())
ENCRYPTED = "文件已加密（需要密码才能打开），无法读取，请提供未加密的文件"


def test_every_real_report_has_a_doc_fixture():
    assert [p.name for p in REAL] == ["000_604589b9a90ba4e6.doc", "hongze_2024.doc", "pingtan_2019.doc",
                                      "pingtan_2022.doc", "shanghai_bgt_2019.doc"]


@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_real_reports_saved_by_libreoffice_read_exactly(path):
    truth = json.loads((FIXTURES / f"{path.stem}.truth.json").read_text(encoding="utf-8"))
    report = parse_file(path)
    assert report.format == "doc"
    assert report.figures == truth["figures"]
    assert {k: type(v) for k, v in report.figures.items()} == {k: type(v) for k, v in truth["figures"].items()}
    assert (report.agency, report.year, report.template) == (truth["agency"], truth["year"], truth["template"])
    errors = sorted({f.rule for f in report.findings if f.severity == "error"})
    assert errors == ([truth["broken_rule"]] if truth["broken_rule"] else [])


@pytest.mark.parametrize("name", ["pingtan_2019", "pingtan_2022"])
def test_a_page_saved_as_doc_reads_to_the_same_document_as_the_page(name):
    """LibreOffice's .doc of the portal page holds the same paragraphs and the same tables, merged cells
    and all, as the HTML reader reads from the page itself."""
    page = read_document((FIXTURES / f"{name}.html").read_bytes())
    doc = read_document((WORD97 / f"{name}.doc").read_bytes())
    assert doc.paragraphs == page.paragraphs
    assert [t.rows for t in doc.tables] == [t.rows for t in page.tables]


def test_merged_cells_become_spans():
    doc = read_document((WORD97 / "pingtan_2022.doc").read_bytes())
    t3 = doc.tables[1]
    spans = [[(c.text, c.rowspan, c.colspan) for c in row] for row in t3.rows[:3]]
    assert spans == [
        [("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", 3, 3), ("申请人情况", 1, 7)],  # vertical (vertMerge) and horizontal (cell edges)
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        [("商业 企业", 1, 1), ("科研 机构", 1, 1), ("社会公益组织", 1, 1), ("法律服务机构", 1, 1), ("其他", 1, 1)],
    ]
    # 三、本年度办理结果 spans the 22 outcome rows; （三）不予公开 its eight.
    assert [(c.text, c.rowspan) for c in t3.rows[5][:1]] == [("三、本年度办理结果", 22)]
    assert [(c.text, c.rowspan) for c in t3.rows[7][:1]] == [("(三)不予公开", 8)]


def fixture_source(name: str):
    """A source the .doc fixture was made from, from word97/make_fixtures.py."""
    import sys

    sys.path.insert(0, str(WORD97))
    try:
        import make_fixtures
    finally:
        sys.path.remove(str(WORD97))
    return getattr(make_fixtures, name)


def test_a_table_in_a_layout_tables_cell_is_read_as_the_html_reader_reads_it():
    """Nested tables (sprmPItap 2, inner cell and row marks): the outer table is a layout frame, read as
    text; the inner one is the table, with its merges."""
    NESTED_TABLES_HTML = fixture_source("NESTED_TABLES_HTML")
    doc = read_document((WORD97 / "nested_tables.doc").read_bytes())
    assert doc.blocks == read_document(NESTED_TABLES_HTML.encode("utf-8")).blocks
    assert doc.paragraphs == ["标题段落", "外层左", "外层单元格里的段落", "内表之后", "结尾"]
    assert [[(c.text, c.rowspan, c.colspan) for c in row] for row in doc.tables[0].rows] == [
        [("甲", 2, 1), ("乙", 1, 1), ("丙", 1, 1)], [("丁", 1, 2)]]


def test_automatic_list_numbers_are_printed_as_the_docx_reader_prints_them():
    """Word keeps "三、" and "（一）" of numbered headings in its list tables (PlfLst, PlfLfo), not in the
    text; the paragraph says which list and level (sprmPIlfo, sprmPIlvl).  The .doc LibreOffice made from a
    DOCX reads to the same Document as the DOCX: numbers in body text, in a table cell (restarting under a
    new 一、-level item), and from a paragraph style."""
    source = fixture_source("numbered_docx")()
    doc = read_document((WORD97 / "numbered_lists.doc").read_bytes())
    assert doc.paragraphs == ["一、总体情况", "(一)主动公开情况", "(二)依申请公开情况", "二、主动公开政府信息情况",
                              "三、收到和处理政府信息公开申请情况", "四、存在的主要问题及改进情况"]
    assert [[c.text for c in row] for row in doc.tables[0].rows] == [["(一)予以公开", "50"]]
    assert doc.blocks == read_document(source).blocks


def test_heading_numbers_from_a_paragraph_style():
    """A heading numbered only by its style (the stylesheet's 标题 1 carries sprmPIlfo; the paragraph only
    names the style, as Word writes it) gets its "二、": the document reads the same as one whose headings
    carry the numbers as text.  (LibreOffice shows these files' headings numbered the same way.)"""
    spec = random_report(random.Random(4), "2019")
    numbered = read_document(render_doc(spec, numbered_headings=True))
    assert numbered.blocks == read_document(render_doc(spec)).blocks
    assert [p for p in numbered.paragraphs if p[1:2] == "、"] == [
        "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def test_field_codes_are_hidden_and_their_results_kept():
    """The page's links and pictures are HYPERLINK and INCLUDEPICTURE fields (nested, some without a
    result): no code text reaches the paragraphs, the link text does."""
    doc = read_document((WORD97 / "pingtan_2022.doc").read_bytes())
    text = "\n".join(doc.paragraphs)
    assert "HYPERLINK" not in text and "INCLUDEPICTURE" not in text and "\x13" not in text
    assert doc.paragraphs[:3] == ["国务院 省政府 省人大 省政协", "移动版", "闽政通APP"]


def test_a_docx_saved_as_doc_by_libreoffice_reads_exactly():
    """render_docx of pingtan_2022's figures (Word's vMerge/gridSpan, line breaks in cells) → LibreOffice →
    .doc → the same figures."""
    truth = json.loads((FIXTURES / "pingtan_2022.truth.json").read_text(encoding="utf-8"))
    report = parse_file(WORD97 / "pingtan_2022_docx.doc")
    assert (report.agency, report.year, report.template) == (truth["agency"], truth["year"], truth["template"])
    assert report.figures == truth["figures"]
    assert report.findings == []


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([("2019", False), ("2021", True), ("2021", False)]),
       st.sampled_from([0.0, 0.5]), st.sampled_from(["doc", "wps"]), st.booleans(),
       st.sampled_from(["one", "mixed", "reversed"]), st.sampled_from(["edges", "flags"]))
def test_round_trip_through_the_doc_writer(seed, layout, blanks, suffix, numbered_headings, pieces, merges):
    """Random consistent reports written to the published format (gongkai.demo.msdoc) read back exactly:
    .wps is the same bytes under WPS's name, and the content, not the name, picks the reader.  The text
    is one UTF-16 piece, or many pieces, the ASCII ones compressed, in order or stored last first."""
    template, split = layout
    spec = random_report(random.Random(seed), template, split, blanks=blanks)
    data = render_doc(spec, numbered_headings=numbered_headings, pieces=pieces, merges=merges)
    report = parse_bytes(data, f"report.{suffix}")
    assert report.format == "doc"
    assert (report.agency, report.year, report.template) == (spec.agency, spec.year, spec.template)
    assert report.figures == spec.figures
    assert [f.rule for f in report.findings if f.severity == "error"] == []


@pytest.mark.parametrize("rule", sorted(BREAKABLE_RULES))
def test_a_broken_doc_report_breaks_exactly_its_rule(rule):
    spec = break_rule(random_report(random.Random(5), "2021", True), rule, random.Random(6))
    report = parse_bytes(render_doc(spec), "broken.doc")
    assert report.figures == spec.figures
    assert {f.rule for f in report.findings if f.severity == "error"} == {rule}


def test_pieces_compressed_and_out_of_order_read_the_same():
    """Word's fast save leaves the text in many pieces, some a byte a character (cp1252), stored in any
    order: the piece table puts them back.  (LibreOffice reads these files to the same figures too.)"""
    from gongkai.readers.doc import _Fib, _Reader

    spec = random_report(random.Random(8), "2021")
    one = read_document(render_doc(spec))
    for pieces in ("mixed", "reversed"):
        data = render_doc(spec, pieces=pieces)
        ole = olefile.OleFileIO(data)
        word = ole.openstream("WordDocument").read()
        reader = _Reader(word, ole.openstream("1Table").read(), b"", _Fib(word))
        assert len(reader.pieces) > 50 and sum(p.compressed for p in reader.pieces) > 20
        starts = [p.fc for p in reader.pieces]
        assert starts == (sorted(starts) if pieces == "mixed" else sorted(starts, reverse=True))
        assert read_document(data).blocks == one.blocks


def test_merges_by_flags_read_as_merges_by_cell_edges():
    """Word 97 joined cells with horzMerge flags (each column still a cell, the joined ones empty) and can
    give vertical merges as sprmTVertMerge after the table definition; Word 2000 on writes a wide cell and
    TC80 vertMerge flags.  Both are the same table.  (LibreOffice reads both to the same figures.)"""
    spec = random_report(random.Random(9), "2021")
    edges, flags = render_doc(spec), render_doc(spec, merges="flags")
    assert read_document(flags).blocks == read_document(edges).blocks
    t3 = read_document(flags).tables[1]
    assert [(c.rowspan, c.colspan) for c in t3.rows[0]] == [(3, 3), (1, 7)]
    assert [(c.text, c.rowspan, c.colspan) for c in t3.rows[1]] == [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)]


def test_a_row_that_starts_right_of_the_tables_edge_keeps_its_cells_in_their_columns():
    """Word's gridBefore: a row's first cell edge right of the others'.  The skipped columns are an empty
    cell, as the DOCX reader reads w:gridBefore; edges a converter rounded differently (within 1.5 pt)
    are the same grid line."""
    from gongkai.demo.msdoc import _ROW_END, _def_table
    from gongkai.readers.doc import _Row, _table

    rows = [_Row([["项目"], ["自然人"], ["总计"]], _ROW_END + _def_table([0, 1000, 2000, 3000], [0, 0, 0], [0, 0, 0])),
            _Row([["95"], ["95"]], _ROW_END + _def_table([1012, 2000, 2990], [0, 0], [0, 0]))]
    assert [[(c.text, c.rowspan, c.colspan) for c in row] for row in _table(rows).rows] == [
        [("项目", 1, 1), ("自然人", 1, 1), ("总计", 1, 1)], [("", 1, 1), ("95", 1, 1), ("95", 1, 1)]]


def test_the_writer_keeps_to_the_formats_fixed_points():
    """The writer is to the published format, not to this reader: olefile (not our code) opens its
    compound file, and the FIB says Word 97.  (LibreOffice opens these files and its HTML export of
    them parses to the same figures; that check needs LibreOffice, so it is not run here.)"""
    data = render_doc(random_report(random.Random(1), "2019"))
    ole = olefile.OleFileIO(data)
    assert sorted("/".join(e) for e in ole.listdir()) == ["1Table", "WordDocument"]
    word = ole.openstream("WordDocument").read()
    ident, nfib = struct.unpack_from("<HH", word, 0)
    assert (ident, nfib) == (0xA5EC, 0x00C1)


# ---------------------------------------------------------------- refusals
def set_fib_flags(data: bytes, flags: int) -> bytes:
    """A copy of a .doc with FIB flag bits set (olefile rewrites a stream in place, same size)."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".doc") as tmp:
        tmp.write(data)
        tmp.flush()
        ole = olefile.OleFileIO(tmp.name, write_mode=True)
        word = bytearray(ole.openstream("WordDocument").read())
        word[0x0A:0x0C] = struct.pack("<H", struct.unpack_from("<H", word, 0x0A)[0] | flags)
        ole.write_stream("WordDocument", bytes(word))
        ole.close()
        return Path(tmp.name).read_bytes()


@pytest.mark.parametrize("flag", [0x0100, 0x8000], ids=["fEncrypted", "fObfuscated"])
def test_encrypted_doc_is_refused_by_name(flag):
    real = set_fib_flags((WORD97 / "hongze_2024.doc").read_bytes(), flag)
    with pytest.raises(ReadError) as caught:
        parse_bytes(real, "hongze.doc")
    assert str(caught.value) == ENCRYPTED
    with pytest.raises(ReadError) as caught:
        parse_bytes(render_doc(random_report(random.Random(2), "2021"), encrypted=True), "x.wps")
    assert str(caught.value) == ENCRYPTED


def test_encrypted_docx_in_ole_is_refused_by_name():
    with pytest.raises(ReadError) as caught:
        read_document(compound_file({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x01" * 64}))
    assert str(caught.value) == ENCRYPTED


@pytest.mark.parametrize("streams,message", [
    ({"Workbook": b"\x09\x08"}, "这是 Excel 表格（.xls）文件，不是 Word 文档，无法读取，请另存为 .docx 或 PDF 后再导入"),
    ({"PowerPoint Document": b"\x00"}, "这是 PowerPoint 演示文稿（.ppt）文件，不是 Word 文档，无法读取"),
    ({"CONTENTS": b"CHNKWKS"}, "这是旧版 WPS/Works 文字处理格式（非 Word 97–2003 格式），暂不支持，请用 WPS 或 Word 另存为 .docx 或 .doc 后再导入"),
    ({"Something": b"x"}, "这是 OLE 复合文档，但其中没有 Word 正文（WordDocument 流），不是可读取的 Word 文档"),
], ids=["xls", "ppt", "works_wps", "other"])
def test_other_compound_files_are_refused_naming_the_format(streams, message):
    data = compound_file(streams)
    assert sniff_format(data) == "doc"
    with pytest.raises(ReadError) as caught:
        read_document(data)
    assert str(caught.value) == message


@pytest.mark.parametrize("ident,nfib", [(0xA5DC, 0x0065), (0xA5EC, 0x0065), (0xA5EC, 0x0068)],
                         ids=["word6_a5dc", "word6", "word95"])
def test_word_95_is_refused_naming_the_format(ident, nfib):
    word = bytearray(1024)
    struct.pack_into("<HH", word, 0, ident, nfib)  # Word 6.0/95's FIB base
    with pytest.raises(ReadError) as caught:
        read_document(compound_file({"WordDocument": bytes(word)}))
    assert str(caught.value) == "这是 Word 6.0/95 格式的 .doc 文件，暂不支持，请用 Word 或 WPS 另存为 .docx 后再导入"


@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
def test_a_truncated_doc_is_a_clear_chinese_error(fraction):
    data = (WORD97 / "hongze_2024.doc").read_bytes()
    with pytest.raises(ReadError) as caught:
        parse_bytes(data[: int(len(data) * fraction)], "cut.doc")
    assert str(caught.value).startswith("Word 文档（.doc/.wps）已损坏，无法读取（"), str(caught.value)


def test_a_doc_without_its_table_stream_says_which():
    data = render_doc(random_report(random.Random(3), "2021"))
    word = olefile.OleFileIO(data).openstream("WordDocument").read()
    with pytest.raises(ReadError) as caught:
        read_document(compound_file({"WordDocument": word}))
    assert str(caught.value) == "Word 文档（.doc/.wps）已损坏，无法读取（缺少 1Table 流）"
