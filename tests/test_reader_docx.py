"""DOCX reader: document order, merged cells, split and nested tables, list numbers, bad files."""

import io
import struct
import time
import zipfile

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from gongkai.document import ReadError, Table
from gongkai.readers import read_document
from gongkai.readers.docx import read


def to_bytes(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def spans(table: Table) -> list[list[tuple[str, int, int]]]:
    return [[(c.text, c.rowspan, c.colspan) for c in row] for row in table.rows]


def fill(table, values: list[list[str]]) -> None:
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


def test_paragraphs_and_tables_interleave_in_document_order():
    d = docx.Document()
    d.add_heading("淮安市洪泽区人民政府", level=1)
    d.add_paragraph("2024 年政府信息公开工作年度报告")
    d.add_paragraph("")  # empty paragraphs carry nothing
    d.add_paragraph("二、主动公开政府信息情况")
    fill(d.add_table(rows=2, cols=2), [["信息内容", "本年处理决定数量"], ["行政许可", "9487"]])
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    fill(d.add_table(rows=1, cols=3), [["一、本年新收政府信息公开申请数量", "95", ""]])

    doc = read(to_bytes(d))
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph"] * 3 + ["Table", "Paragraph", "Table"]
    assert doc.paragraphs == [
        "淮安市洪泽区人民政府",
        "2024 年政府信息公开工作年度报告",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
    ]
    assert spans(doc.tables[0]) == [[("信息内容", 1, 1), ("本年处理决定数量", 1, 1)], [("行政许可", 1, 1), ("9487", 1, 1)]]
    # A blank cell stays a cell with empty text.
    assert spans(doc.tables[1]) == [[("一、本年新收政府信息公开申请数量", 1, 1), ("95", 1, 1), ("", 1, 1)]]


def test_merged_cells_become_spans():
    d = docx.Document()
    t = d.add_table(rows=4, cols=4)
    fill(t, [["", "申请人情况", "", ""], ["", "自然人", "法人或其他组织", ""], ["", "", "商业企业", "科研机构"],
             ["一、本年新收", "95", "0", "0"]])
    t.cell(0, 0).merge(t.cell(2, 0)).text = "项目"  # vertical: 3 rows
    t.cell(0, 1).merge(t.cell(0, 3))  # horizontal: 3 columns
    t.cell(1, 1).merge(t.cell(2, 1))  # vertical: 2 rows
    t.cell(1, 2).merge(t.cell(1, 3))  # horizontal: 2 columns
    assert spans(read(to_bytes(d)).tables[0]) == [
        [("项目", 3, 1), ("申请人情况", 1, 3)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 2)],
        [("商业企业", 1, 1), ("科研机构", 1, 1)],
        [("一、本年新收", 1, 1), ("95", 1, 1), ("0", 1, 1), ("0", 1, 1)],
    ]


def test_block_merge_and_multi_paragraph_cell_text():
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    fill(t, [["", "", "a"], ["", "", "b"], ["c", "d", "e"]])
    merged = t.cell(0, 0).merge(t.cell(1, 1))
    merged.text = "三、本年度"
    merged.add_paragraph("办理结果")  # cell text is its paragraphs, joined
    assert spans(read(to_bytes(d)).tables[0]) == [
        [("三、本年度 办理结果", 2, 2), ("a", 1, 1)],
        [("b", 1, 1)],
        [("c", 1, 1), ("d", 1, 1), ("e", 1, 1)],
    ]


def test_table_split_in_two_is_emitted_as_two_tables():
    d = docx.Document()
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    first = d.add_table(rows=2, cols=3)
    fill(first, [["", "1.属于国家秘密", "0"], ["", "2.其他法律行政法规禁止公开", "0"]])
    first.cell(0, 0).merge(first.cell(1, 0)).text = "（三）不予公开"
    d.add_paragraph("")
    second = d.add_table(rows=2, cols=3)
    fill(second, [["", "3.危及“三安全一稳定”", "1"], ["（七）总计", "", "95"]])
    # The split left the second part starting inside the vertical merge: Word marks its first
    # cell "continue" with nothing above it in this table.
    second.cell(0, 0)._tc.get_or_add_tcPr().append(parse_xml(f"<w:vMerge {nsdecls('w')}/>"))

    doc = read(to_bytes(d))
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Table"]
    assert spans(doc.tables[0]) == [
        [("(三)不予公开", 2, 1), ("1.属于国家秘密", 1, 1), ("0", 1, 1)],
        [("2.其他法律行政法规禁止公开", 1, 1), ("0", 1, 1)],
    ]
    # The orphan continuation is kept as an (empty) cell so "3.危及…" stays in column 1.
    assert spans(doc.tables[1]) == [
        [("", 1, 1), ("3.危及“三安全一稳定”", 1, 1), ("1", 1, 1)],
        [("(七)总计", 1, 1), ("", 1, 1), ("95", 1, 1)],
    ]


def test_nested_tables_emit_leaf_tables_and_frame_text():
    d = docx.Document()
    frame = d.add_table(rows=1, cols=1)  # a layout frame around the whole report
    cell = frame.cell(0, 0)
    cell.text = "四、政府信息公开行政复议、行政诉讼情况"
    fill(cell.add_table(rows=2, cols=2), [["结果维持", "结果纠正"], ["1", "1"]])
    cell.add_paragraph("五、存在的主要问题及改进情况")
    d.add_paragraph("六、其他需要报告的事项")

    doc = read(to_bytes(d))
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Paragraph", "Paragraph"]
    assert doc.paragraphs == ["四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    assert spans(doc.tables[0]) == [[("结果维持", 1, 1), ("结果纠正", 1, 1)], [("1", 1, 1), ("1", 1, 1)]]


def test_grid_before_keeps_cell_positions():
    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    fill(t, [["项目", "自然人", "总计"], ["x", "95", "95"]])
    row = t.rows[1]._tr
    row.remove(row.tc_lst[0])  # the row now starts one grid column in
    row.get_or_add_trPr().append(parse_xml(f'<w:gridBefore {nsdecls("w")} w:val="1"/>'))
    assert spans(read(to_bytes(d)).tables[0])[1] == [("", 1, 1), ("95", 1, 1), ("95", 1, 1)]


def add_numbering(d, fmt: str, text: str) -> str:
    """Register a one-level list (numFmt, lvlText) in the document's numbering part; its numId."""
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        f'<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def number(paragraph, num_id: str, level: int = 0) -> None:
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ))


def test_automatic_list_numbers_are_printed():
    # Word keeps "三、" and "（一）" of numbered headings in numbering.xml, not in the text.
    d = docx.Document()
    num_id = add_numbering(d, "chineseCounting", "%1、")
    for text, level in [("总体情况", 0), ("主动公开情况", 1), ("依申请公开情况", 1), ("主动公开政府信息情况", 0),
                        ("收到和处理政府信息公开申请情况", 0)]:
        number(d.add_paragraph(text), num_id, level)
    t = d.add_table(rows=1, cols=2)
    fill(t, [["予以公开", "50"]])
    number(t.cell(0, 0).paragraphs[0], num_id, 1)  # a numbered label inside a table cell

    doc = read(to_bytes(d))
    assert doc.paragraphs == ["一、总体情况", "(一)主动公开情况", "(二)依申请公开情况", "二、主动公开政府信息情况",
                              "三、收到和处理政府信息公开申请情况"]
    assert spans(doc.tables[0]) == [[("(一)予以公开", 1, 1), ("50", 1, 1)]]


def test_numbering_from_paragraph_style():
    d = docx.Document()
    num_id = add_numbering(d, "chineseCounting", "%1、")
    style = d.styles["Heading 2"]
    style.element.get_or_add_pPr().append(parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="{num_id}"/></w:numPr>'))
    d.add_paragraph("总体情况", style="Heading 2")
    d.add_paragraph("主动公开政府信息情况", style="Heading 2")
    assert read(to_bytes(d)).paragraphs == ["一、总体情况", "二、主动公开政府信息情况"]


def test_compatibility_characters_are_folded():
    d = docx.Document()
    d.add_paragraph("⼆、主动公开政府信息情况")  # Kangxi radical ⼆ (U+2F06)
    fill(d.add_table(rows=1, cols=2), [["⾏政许可", "９４８７"]])
    doc = read(to_bytes(d))
    assert doc.paragraphs == ["二、主动公开政府信息情况"]
    assert spans(doc.tables[0]) == [[("行政许可", 1, 1), ("9487", 1, 1)]]


def test_dispatch_sniffs_docx():
    d = docx.Document()
    d.add_paragraph("淮安市洪泽区人民政府")
    doc = read_document(to_bytes(d))
    assert doc.format == "docx"
    assert doc.paragraphs == ["淮安市洪泽区人民政府"]


# --- bad files ------------------------------------------------------------------------------------


def sample_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("淮安市洪泽区人民政府2024年政府信息公开工作年度报告")
    return to_bytes(d)


def test_truncated_docx():
    data = sample_docx()
    with pytest.raises(ReadError) as err:
        read(data[: len(data) // 2])
    assert str(err.value) == "DOCX 文件已损坏，无法打开（不是完整的压缩包）"


def test_damaged_document_part():
    data = bytearray(sample_docx())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    # Overwrite the compressed body of word/document.xml (after its 30-byte local header).
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26: info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    data[start: start + 64] = b"\xff" * 64
    with pytest.raises(ReadError) as err:
        read(bytes(data))
    assert str(err.value) == "DOCX 文件已损坏，无法打开（内容解压失败，文件可能不完整）"


def test_zip_without_word_document():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ReadError) as err:
        read(buf.getvalue())
    assert str(err.value) == "这不是 Word 文档（.docx）：文件中没有正文部分 word/document.xml"


def test_malformed_xml():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>")
    with pytest.raises(ReadError) as err:
        read(buf.getvalue())
    assert str(err.value) == "DOCX 文件内容已损坏（word/document.xml 无法解析），无法读取"


def test_zip_bomb_is_refused_by_declared_size():
    data = bytearray(sample_docx())
    # Declare 300 MB for word/document.xml in the central directory, as a bomb would; the reader
    # must refuse before inflating anything.
    directory = data.index(b"PK\x01\x02")  # first central-directory entry
    while True:
        name_len = struct.unpack("<H", data[directory + 28: directory + 30])[0]
        name = bytes(data[directory + 46: directory + 46 + name_len])
        if name == b"word/document.xml":
            break
        extra_len, comment_len = struct.unpack("<HH", data[directory + 30: directory + 34])
        directory += 46 + name_len + extra_len + comment_len
    data[directory + 24: directory + 28] = struct.pack("<I", 300 * 1024 * 1024)
    with pytest.raises(ReadError) as err:
        read(bytes(data))
    assert str(err.value) == "文件解压后过大，疑似异常文件，已拒绝读取"


def test_speed():
    d = docx.Document()
    for section in range(6):
        d.add_paragraph(f"第{section}节 " + "政府信息公开工作情况说明。" * 20)
    t = d.add_table(rows=30, cols=9)  # the size of 表三
    for r in range(30):
        for c in range(9):
            t.cell(r, c).text = str(r * c)
    data = to_bytes(d)
    read(data)
    start = time.perf_counter()
    for _ in range(20):
        read(data)
    # Target is 50 reports/s (measured ~100/s); the bound leaves room for a busy CI machine.
    assert (time.perf_counter() - start) / 20 < 0.06


def test_strict_open_xml_namespace():
    data = sample_docx()
    source = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                content = content.replace(b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                                          b"http://purl.oclc.org/ooxml/wordprocessingml/main")
            zf.writestr(info.filename, content)
    assert read(buf.getvalue()).paragraphs == ["淮安市洪泽区人民政府2024年政府信息公开工作年度报告"]
