"""HTML reader: real portal pages and a JS-embedded report, merged cells, layout tables, blank
cells, split labels, encodings, HTML inside JavaScript strings, pages without tables, bad bytes."""

import codecs

import pytest

from gongkai.document import Paragraph, ReadError, Table
from gongkai.readers import read_document
from gongkai.readers.encoding import decode_text, declared_charset
from gongkai.readers.html import read, unescape_javascript


def spans(table: Table) -> list[list[tuple[str, int, int]]]:
    return [[(c.text, c.rowspan, c.colspan) for c in row] for row in table.rows]


def block_before(doc, table: Table) -> str:
    i = next(i for i, b in enumerate(doc.blocks) if b is table)
    return doc.blocks[i - 1].text


def page(body: str, head: str = "<meta charset='utf-8'><title>报告</title>") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


# ------------------------------------------------------------------------ the corpus fixtures
def test_pingtan_2019_portal_page(fixtures):
    doc = read_document((fixtures / "pingtan_2019.html").read_bytes())
    assert doc.format == "html"
    assert doc.title == "平潭综合实验区2019年度政府信息公开工作年度报告_政府信息公开年报_平潭综合实验区党工委管委会"
    assert [len(t.rows) for t in doc.tables] == [18, 26, 4]
    t2, t3, t4 = doc.tables
    assert block_before(doc, t2) == "二、主动公开政府信息情况"
    assert block_before(doc, t3) == "三、收到和处理政府信息公开申请情况"
    assert block_before(doc, t4) == "四、政府信息公开行政复议、行政诉讼情况"
    assert spans(t2)[:4] == [
        [("第二十条第(一)项", 1, 4)],
        [("信息内容", 1, 1), ("本年新 制作数量", 1, 1), ("本年新 公开数量", 1, 1), ("对外公开总数量", 1, 1)],
        [("规章", 1, 1), ("0", 1, 1), ("0", 1, 1), ("0", 1, 1)],
        [("规范性文件", 1, 1), ("89", 1, 1), ("89", 1, 1), ("89", 1, 1)],
    ]
    assert spans(t2)[-1] == [("政府集中采购", 1, 1), ("135", 1, 1), ("75394432.52元", 1, 2)]
    table3 = spans(t3)
    assert table3[0] == [
        ("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", 3, 3),
        ("申请人情况", 1, 7),
    ]
    assert table3[1] == [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)]
    assert table3[3] == [("一、本年新收政府信息公开申请数量", 1, 3), ("23", 1, 1)] + [("0", 1, 1)] * 5 + [("23", 1, 1)]
    assert table3[5][:3] == [("三、本年度办理结果", 10, 1), ("(一)予以公开", 1, 2), ("7", 1, 1)]
    assert table3[7][:3] == [("(三)不予公开", 8, 1), ("1.属于国家秘密", 1, 1), ("0", 1, 1)]
    assert table3[8][0] == ("2.其他法律行政法规禁止公开", 1, 1)  # covered positions are omitted
    assert spans(t4)[0] == [("行政复议", 1, 5), ("行政诉讼", 1, 10)]
    assert spans(t4)[3] == [("0", 1, 1)] * 15
    assert "根据《中华人民共和国政府信息公开条例》" in " ".join(doc.paragraphs)


def test_pingtan_2022_one_character_per_paragraph_labels(fixtures):
    doc = read((fixtures / "pingtan_2022.html").read_bytes())
    t2, t3, t4 = doc.tables
    assert spans(t2)[3] == [("行政规范性文件", 1, 1), ("88", 1, 1), ("55", 1, 1), ("698", 1, 1)]
    assert spans(t2)[6] == [("行政许可", 1, 1), ("10690", 1, 3)]
    assert spans(t3)[2][:2] == [("商业 企业", 1, 1), ("科研 机构", 1, 1)]  # one <p> per line in the cell
    assert spans(t3)[3] == [("一、本年新收政府信息公开申请数量", 1, 3), ("71", 1, 1), ("3", 1, 1)] + [
        ("0", 1, 1)
    ] * 4 + [("74", 1, 1)]
    assert spans(t3)[23][:3] == [
        ("(六)其他处理", 3, 1),
        ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 1, 1),
        ("2", 1, 1),
    ]
    # Word split the narrow header labels one character (or a few) per <p>.
    assert spans(t4)[1] == [
        ("结果维 持", 2, 1),
        ("结 果 纠 正", 2, 1),
        ("其 他 结 果", 2, 1),
        ("尚 未 审 结", 2, 1),
        ("总 计", 2, 1),
        ("未经复议直接起诉", 1, 5),
        ("复议后起诉", 1, 5),
    ]
    assert [c.text for c in t4.rows[3]] == ["0", "1", "1", "0", "2", "1", "0", "0", "0", "1", "0", "0", "0", "0", "0"]


def test_shanghai_report_inside_a_javascript_string(fixtures):
    doc = read_document((fixtures / "shanghai_bgt_2019.html").read_bytes())
    assert doc.format == "html"
    assert doc.title == ""
    assert doc.paragraphs[:2] == ["2019年上海市人民政府办公厅政府信息公开工作年度报告", "发布日期:2020-01-31"]
    assert [len(t.rows) for t in doc.tables] == [18, 26, 4]
    t2, t3, t4 = doc.tables
    assert block_before(doc, t3) == "三、收到和处理政府信息公开申请情况"
    assert spans(t2)[2] == [("规章", 1, 1), ("13", 1, 1), ("13", 1, 2), ("524", 1, 1)]
    # &nbsp; cells are blank cells, kept in place (135 of them), never dropped or zero.
    assert sum(1 for t in doc.tables for row in t.rows for c in row if c.text == "") == 135
    assert [c.text for c in t3.rows[3]] == ["一、本年新收政府信息公开申请数量", "821", "35", "", "", "2", "1", "859"]
    assert [c.text for c in t3.rows[5]] == ["三、本年度办理结果", "(一)予以公开", "258", "12", "", "", "1", "1", ""]
    assert [c.text for c in t3.rows[-1]] == ["四、结转下年度继续办理", "72", "", "", "", "", "", "72"]
    assert [c.text for c in t4.rows[3]] == ["5", "", "", "2", "7", "8", "", "", "1", "9", "", "", "", "", ""]
    assert doc.paragraphs[-1] == "无。"
    # The JavaScript around the string (menu arrays) is not text of the report.
    assert not any("政策文件" == p or "沪府令" in p for p in doc.paragraphs)


# ------------------------------------------------------------------------------ tables
def test_rowspan_and_colspan_cells_appear_once_where_they_start():
    html = page(
        "<table>"
        "<tr><td rowspan='2'>项目</td><td colspan='2'>申请人</td><td rowspan=2>总计</td></tr>"
        "<tr><td>自然人</td><td>法人</td></tr>"
        "<tr><th>新收</th><td>3</td><td>4</td><td>7</td></tr>"
        "</table>"
    )
    (table,) = read(html).tables
    assert spans(table) == [
        [("项目", 2, 1), ("申请人", 1, 2), ("总计", 2, 1)],
        [("自然人", 1, 1), ("法人", 1, 1)],
        [("新收", 1, 1), ("3", 1, 1), ("4", 1, 1), ("7", 1, 1)],
    ]


def test_spans_follow_html_parsing_rules():
    html = page(
        "<table><tbody>"
        "<tr><td rowspan='0'>到组末</td><td colspan='0'>零列</td><td colspan=' 2px'>二</td><td rowspan='9'>超出</td></tr>"
        "<tr></tr>"  # a row without cells: spans across it shrink
        "<tr><td>a</td><td>b</td><td>c</td></tr>"
        "</tbody><tfoot><tr><td>脚</td><td rowspan='x'>注</td></tr></tfoot></table>"
    )
    (table,) = read(html).tables
    assert spans(table) == [
        [("到组末", 2, 1), ("零列", 1, 1), ("二", 1, 2), ("超出", 2, 1)],
        [("a", 1, 1), ("b", 1, 1), ("c", 1, 1)],
        [("脚", 1, 1), ("注", 1, 1)],
    ]


def test_layout_tables_give_paragraphs_and_their_innermost_tables():
    html = page(
        "<table><tr><td><a href='/'>首页</a> | <a>政务公开</a></td></tr>"
        "<tr><td><table><tr><td><h2>二、主动公开政府信息情况</h2></td></tr>"
        "<tr><td><table border=1><tr><td>信息内容</td><td>本年制发件数</td></tr>"
        "<tr><td>规章</td><td>5</td></tr></table>"
        "<table><tr><td>&nbsp;</td><td> </td></tr></table>"  # an empty spacer table
        "</td></tr></table></td><td>侧栏</td></tr></table>"
        "<table><tr><td>版权所有</td></tr><tr><td>网站标识码</td></tr></table>"  # one column: layout
    )
    doc = read(html)
    assert len(doc.tables) == 1
    assert spans(doc.tables[0]) == [[("信息内容", 1, 1), ("本年制发件数", 1, 1)], [("规章", 1, 1), ("5", 1, 1)]]
    kinds = [b.text if isinstance(b, Paragraph) else "TABLE" for b in doc.blocks]
    assert kinds == ["首页 | 政务公开", "二、主动公开政府信息情况", "TABLE", "侧栏", "版权所有", "网站标识码"]


def test_nbsp_cells_are_blank_and_cell_blocks_are_joined():
    html = page(
        "<table><tr><td>&nbsp;</td><td><p>&nbsp;</p></td><td>\u3000</td><td><span>1</span><span>2</span></td></tr>"
        "<tr><td><p>结</p><p>果</p><p>纠</p><p>正</p></td><td>本年<br>新收</td>"
        "<td><div>其他</div>处理</td><td><p><span>商业</span></p><p><span>企业</span></p></td></tr></table>"
    )
    (table,) = read(html).tables
    assert [c.text for c in table.rows[0]] == ["", "", "", "12"]
    assert [c.text for c in table.rows[1]] == ["结 果 纠 正", "本年 新收", "其他 处理", "商业 企业"]


def test_paragraphs_follow_blocks_and_skip_what_is_not_shown():
    html = page(
        "<script>var x = '<p>脚本</p>';</script><style>p {color: red}</style>"
        "<noscript>请启用脚本</noscript><h1>某县人民政府\n2023年度政府信息公开工作年度报告</h1>"
        "<div>一、总体情况<p>正文第一段</p>正文　第二段<br>第三段</div>"
        "<ul><li>（一）主动公开</li><li>（二）依申请公开</li></ul><select><option>2023</option></select>"
        "<!-- 注释 --><p>&nbsp;</p><p>全角１２３</p>",
        head="<title>\n 年度报告 \n</title><meta charset='utf-8'>",
    )
    doc = read(html)
    assert doc.title == "年度报告"
    assert doc.paragraphs == [
        "某县人民政府 2023年度政府信息公开工作年度报告",
        "一、总体情况",
        "正文第一段",
        "正文 第二段",
        "第三段",
        "(一)主动公开",
        "(二)依申请公开",
        "全角123",
    ]
    assert doc.tables == []


def test_page_without_tables_is_still_a_document():
    doc = read_document(b"<html><body><p>404 Not Found</p><td>nothing</td></body></html>")
    assert doc.format == "html"
    assert doc.tables == []
    assert doc.paragraphs == ["404 Not Found", "nothing"]


def test_bytes_that_are_not_a_page_raise_a_chinese_error():
    garbage = b"<table>" + bytes(range(256)) * 40
    with pytest.raises(ReadError, match="无法把文件读取为 HTML"):
        read(garbage)
    with pytest.raises(ReadError, match="为空"):
        read(b"  \n ")


# --------------------------------------------------------------------------------- encodings
TABLE_GBK = "<table><tr><td>行政许可</td><td>镕</td></tr></table><p>政府信息公开工作年度报告</p>"


def test_gbk_without_declaration():
    doc = read(("<html><body>" + TABLE_GBK + "</body></html>").encode("gbk"))
    assert spans(doc.tables[0]) == [[("行政许可", 1, 1), ("镕", 1, 1)]]
    assert doc.paragraphs == ["政府信息公开工作年度报告"]


def test_gbk_declared_wrongly_as_utf8():
    html = "<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'></head><body>"
    doc = read((html + TABLE_GBK + "</body></html>").encode("gbk"))
    assert [c.text for c in doc.tables[0].rows[0]] == ["行政许可", "镕"]


def test_gb2312_declaration_reads_gbk_only_characters():
    html = "<html><head><meta charset=gb2312></head><body>" + TABLE_GBK + "</body></html>"
    doc = read(html.encode("gb18030"))
    assert [c.text for c in doc.tables[0].rows[0]] == ["行政许可", "镕"]


def test_utf8_with_bom():
    doc = read_document(codecs.BOM_UTF8 + ("<html><body>" + TABLE_GBK + "</body></html>").encode())
    assert [c.text for c in doc.tables[0].rows[0]] == ["行政许可", "镕"]
    assert doc.paragraphs == ["政府信息公开工作年度报告"]


def test_declared_charset_and_decoding_rules():
    assert declared_charset(b"<meta charset='GB2312'>") == "gb18030"
    assert declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gbk" />') == "gb18030"
    assert declared_charset(b'<?xml version="1.0" encoding="UTF-8"?>') == "utf-8"
    assert declared_charset(b"<meta charset='no-such-charset'>") is None
    assert declared_charset(b"<p>charset=gbk</p>") is None
    assert declared_charset(b"<meta charset=utf-16>") == "utf-8"  # HTML reads a readable UTF-16 label as UTF-8
    assert decode_text(TABLE_GBK.encode("gbk"), declared_charset(b"<meta charset=utf-16>")) == TABLE_GBK
    # A Big5 page says so, and the strict decode in the declared charset wins over GB18030.
    traditional = "政府資訊公開工作年度報告" * 3
    assert decode_text(traditional.encode("big5"), "big5hkscs") == traditional
    text = "政府信息公开工作年度报告" * 3
    # A crawler cut the last character in half: still UTF-8, not GB18030 mojibake.
    assert decode_text(text.encode()[:-1]) == text[:-1] + "\ufffd"
    # One corrupted byte in a long UTF-8 page (here inside 息, which is lost; the rest is kept).
    long_text = text * 40
    broken = long_text.encode()[:10] + b"\xff" + long_text.encode()[10:]
    assert decode_text(broken) == "政府信" + "\ufffd" * 4 + long_text[4:]


# ------------------------------------------------------------------ HTML inside JavaScript
def test_report_html_in_a_javascript_file():
    js = (
        "// 菜单 it's a comment with a quote\n"
        'let menu = [{"id": "1", "name": "政策文件"}, {"name": \'规划信息\', "path": "planInfo"}];\n'
        "/* don't */ let n = 10 / 2;\n"
        'let content = "<p style=\\"text-align: center\\">2023年\\u67d0\\u5e02政府信息公开工作年度报告<\\/p>'
        '<table><tr><td style=\\"width:40px;\\">&nbsp;</td><td>\\u884c\\u653f\\u8bb8\\u53ef</td></tr>\\n'
        '<tr><td>a\\tb</td><td>5</td></tr></table>";\n'
        "document.getElementById('c').innerHTML = content;\n"
    )
    doc = read_document(js.encode())
    assert doc.paragraphs == ["2023年某市政府信息公开工作年度报告"]
    assert spans(doc.tables[0]) == [[("", 1, 1), ("行政许可", 1, 1)], [("a b", 1, 1), ("5", 1, 1)]]


def test_report_html_written_by_a_script_in_a_page():
    html = page(
        "<div id='nav'>首页</div><div id='c'></div>"
        "<script>var c = '<p>\\x32\\x30\\x32\\x33年度报告</p>' +\n"
        "  '<table><tr><td colspan=\\'2\\'>\\u4fe1\\u606f</td></tr><tr><td>规章</td><td>1</td></tr></table>';"
        "document.getElementById('c').innerHTML = c;</script>"
    )
    doc = read(html)
    assert doc.title == "报告"
    assert [b.text if isinstance(b, Paragraph) else spans(b) for b in doc.blocks] == [
        "首页",
        "2023年度报告",
        [[("信息", 1, 2)], [("规章", 1, 1), ("1", 1, 1)]],
    ]


def test_report_html_shown_as_escaped_text():
    # The site's CMS escaped the report once too often: the page shows the markup as text.
    html = page(
        "<div>&lt;p&gt;年度报告&lt;/p&gt;"
        "&lt;table&gt;&lt;tr&gt;&lt;td&gt;规章&lt;/td&gt;&lt;td&gt;5&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</div>"
    )
    doc = read(html)
    assert doc.paragraphs == ["年度报告"]
    assert spans(doc.tables[0]) == [[("规章", 1, 1), ("5", 1, 1)]]


def test_javascript_unescape():
    assert unescape_javascript(r"a\"b\'c\\d\/e") == "a\"b'c\\d/e"
    assert unescape_javascript(r"\n\t\r\b\f\v\0") == "\n\t\r\b\f\v\0"
    assert unescape_javascript(r"\x41\u4e2d\u{1F600}\ud83d\ude00") == "A中😀😀"
    assert unescape_javascript("line\\\ncontinued") == "linecontinued"
    assert unescape_javascript(r"\101\q") == "Aq"  # legacy octal; any other escaped char is itself
    assert unescape_javascript(r"\ud800x") == "\ufffdx"  # a lone surrogate cannot be encoded


def test_speed_of_a_large_portal_page(fixtures):
    import time

    data = (fixtures / "pingtan_2022.html").read_bytes()
    read(data)
    start = time.perf_counter()
    for _ in range(20):
        read(data)
    # About 3.5 ms on the project's 2-core machine; a generous bound that still catches a walk
    # that went quadratic.
    assert (time.perf_counter() - start) / 20 < 0.05
