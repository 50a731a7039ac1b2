"""PDF reader: ruled tables with merged cells, prose around them in reading order, bad files."""

import io
import random
import subprocess
import time
from pathlib import Path

import pytest
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph as PlatypusParagraph

from gongkai.demo.render import _html_table, random_report, t3_grid
from gongkai.document import Cell, Paragraph, ReadError, Table
from gongkai.mapper import find_agency_and_year
from gongkai.readers import read_document
from gongkai.readers.pdf import read

FIXTURES = Path(__file__).parent / "fixtures"
FONT = "STSong-Light"  # reportlab's built-in CJK CID font: no font file needed
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def texts(row: list[Cell]) -> list[str]:
    return [c.text for c in row]


def spans(row: list[Cell]) -> list[tuple[str, int, int]]:
    return [(c.text, c.rowspan, c.colspan) for c in row]


# --- the real WPS report -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hongze():
    return read((FIXTURES / "hongze_2024.pdf").read_bytes())


def test_hongze_blocks_in_reading_order(hongze):
    # Title lines first; each section heading right before its table; prose between.
    assert hongze.paragraphs[:2] == ["淮安市洪泽区人民政府", "2024 年政府信息公开工作年度报告"]
    kinds = []
    for i, block in enumerate(hongze.blocks):
        if isinstance(block, Table):
            kinds.append(("table", hongze.blocks[i - 1].text if isinstance(hongze.blocks[i - 1], Paragraph) else None))
    assert kinds == [
        ("table", "二、主动公开政府信息情况"),
        ("table", None),  # 表二 continues on the next page
        ("table", "三、收到和处理政府信息公开申请情况"),
        ("table", None),  # 表三 continues on the next page
        ("table", "四、政府信息公开行政复议、行政诉讼情况"),
    ]
    # Page numbers ("- 1 -") are furniture, not text.
    assert not any(p.strip("- ").isdigit() for p in hongze.paragraphs)
    # Prose framed by WPS's white line rectangles stays prose, with its numbers; a sentence wrapped
    # over several lines is one paragraph again, joined without a space between ideographs.
    assert (
        "(一)主动公开情况。主要通过政府门户网站主动公开政府文件、项目审批、通知公告等各类政府信息。"
        "2024 年,我区在政府网站平台主动发布各类政府信息 2428 条,公开政府常务会议 7期,解读信息发布 7 条。"
    ) in hongze.paragraphs
    assert hongze.paragraphs[2].endswith("(地址:淮安市洪泽区洪泽湖大道 90号,邮编:223100,电话:0517-87290606)。")
    assert hongze.paragraphs[-1] == "2024 年,区政府严格落实《政府信息公开信息处理费管理办法》,全年收取政府信息公开信息处理费 0 元。"
    # A sentence running on over the page break (page 4 → 5) is one paragraph too.
    assert "不定期更新编制适用性广、操作性强的依申请公开政府信息答复书模板,使各行政机关答复的方式" in hongze.paragraphs[15]
    assert len(hongze.paragraphs) == 18


def test_hongze_table_two(hongze):
    first, second = hongze.tables[0], hongze.tables[1]
    assert [spans(r) for r in first.rows] == [
        [("第二十条第(一)项", 1, 4)],
        [("信息内容", 1, 1), ("本年制发件数", 1, 1), ("本年废止件数", 1, 1), ("现行有效件数", 1, 1)],
        [("规章", 1, 1), ("0", 1, 1), ("0", 1, 1), ("0", 1, 1)],
        [("行政规范性文件", 1, 1), ("3", 1, 1), ("0", 1, 1), ("8", 1, 1)],
        [("第二十条第(五)项", 1, 4)],
        [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)],
        [("行政许可", 1, 1), ("9487", 1, 3)],
    ]
    assert [texts(r) for r in second.rows] == [
        ["第二十条第(六)项"],
        ["信息内容", "本年处理决定数量"],
        ["行政处罚", "2776"],
        ["行政强制", "84"],
        ["第二十条第(八)项"],
        ["信息内容", "本年收费金额(单位:万元)"],
        ["行政事业性收费", "7545"],
    ]


def test_hongze_table_three_merges_and_wrapped_labels(hongze):
    head, tail = hongze.tables[2], hongze.tables[3]
    assert spans(head.rows[0]) == [
        ("(本列数据的勾稽关系为:第一项加第二项之和,等 于第三项加第四项之和)", 3, 3),
        ("申请人情况", 1, 7),
    ]
    assert spans(head.rows[1]) == [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)]
    # Labels wrapped inside their cells come back as one label.
    assert texts(head.rows[2]) == ["商业 企业", "科研 机构", "社会 公益 组织", "法律 服务 机构", "其他"]
    assert texts(head.rows[3]) == ["一、本年新收政府信息公开申请数量", "95", "0", "0", "0", "0", "0", "95"]
    # WPS stacks the vertical label from scaled glyphs; it stays in its merged cell.
    assert spans(head.rows[5])[:2] == [("三 、 本 年 度 办 理 结 果", 11, 1), ("(一)予以公开", 1, 2)]
    assert texts(head.rows[5])[2:] == ["50", "0", "0", "0", "0", "0", "50"]
    assert spans(head.rows[7])[:2] == [("(三)不予公开", 8, 1), ("1.属于国家秘密", 1, 1)]
    assert texts(head.rows[15]) == ["(四)无法提供", "1.本机关不掌握相关政府信息", "31", "0", "0", "0", "0", "0", "31"]
    # After the page break the merged label cells restart empty; blank cells stay "" (not dropped).
    assert spans(tail.rows[0])[:3] == [("", 9, 1), ("", 2, 1), ("2.没有现成信息需要另行制作", 1, 1)]
    assert texts(tail.rows[7]) == ["(六)其他处理", "", "0", "0", "0", "0", "0", "0", "0"]
    assert texts(tail.rows[8]) == ["(七)总计", "", "95", "0", "0", "0", "0", "0", "95"]
    assert texts(tail.rows[9]) == ["四、结转下年度继续办理", "0", "0", "0", "0", "0", "0", "0"]


def test_hongze_table_four(hongze):
    table = hongze.tables[4]
    assert spans(table.rows[0]) == [("行政复议", 1, 5), ("", 1, 3), ("行政诉讼", 1, 7)]
    assert texts(table.rows[-1]) == ["1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "2", "0", "1", "0", "3"]


def test_hongze_speed():
    data = (FIXTURES / "hongze_2024.pdf").read_bytes()
    read(data)
    start = time.perf_counter()
    for _ in range(5):
        read(data)
    per_report = (time.perf_counter() - start) / 5
    # Target is 5 reports/s (measured ~10/s); the bound leaves room for a busy CI machine.
    assert per_report < 0.6


# --- synthetic PDFs for single behaviours --------------------------------------------------------


def make_pdf(draw, pages: int = 1, **kwargs) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), **kwargs)
    for page in range(pages):
        c.setFont(FONT, 10)
        draw(c, page)
        c.showPage()
    c.save()
    return buf.getvalue()


def grid(c, x0: float, top: float, widths: list[float], height: float, rows: int, skip_v=()) -> None:
    """Ruled grid with its top-left corner at (x0, top) in reportlab's bottom-up coordinates;
    `skip_v` = (row, column-line) pairs whose vertical line is left out, merging two cells."""
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    for r in range(rows + 1):
        c.line(xs[0], top - r * height, xs[-1], top - r * height)
    for r in range(rows):
        for i, x in enumerate(xs):
            if (r, i) not in skip_v:
                c.line(x, top - r * height, x, top - (r + 1) * height)


def test_ruled_table_with_merged_header_blank_cell_and_wrapped_label():
    def draw(c, page):
        c.drawString(72, 780, "三、收到和处理政府信息公开申请情况")
        # Row 0: "申请人情况" spans columns 1-2 (no line between them); row 2 has a blank cell.
        grid(c, 72, 760, [150, 80, 80], 30, 3, skip_v={(0, 2)})
        c.drawString(250, 742, "申请人情况")
        c.drawString(80, 712, "项目")
        c.drawString(230, 712, "商业")
        c.drawString(230, 702, "企业")  # wrapped inside its cell
        c.drawString(310, 712, "⼀般")  # Kangxi radical ⼀ (U+2F00), as some PDFs encode 一
        c.drawString(80, 682, "⼀、本年新收")
        c.drawString(230, 682, "１ 234")  # full-width digit, thousands separated by a space
        c.drawString(72, 600, "表后说明文字")

    doc = read(make_pdf(draw))
    assert len(doc.tables) == 1
    assert [spans(r) for r in doc.tables[0].rows] == [
        [("", 1, 1), ("申请人情况", 1, 2)],
        [("项目", 1, 1), ("商业 企业", 1, 1), ("一般", 1, 1)],
        [("一、本年新收", 1, 1), ("1 234", 1, 1), ("", 1, 1)],
    ]
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Paragraph"]
    assert doc.paragraphs == ["三、收到和处理政府信息公开申请情况", "表后说明文字"]


def test_invisible_and_one_column_frames_are_prose():
    def draw(c, page):
        # WPS-style white, unstroked rectangles behind each line of prose.
        for i, line in enumerate(["本报告由区政府办公室编制。", "一、总体情况"]):
            c.setFillColorRGB(1, 1, 1)
            c.rect(72, 760 - 28 * i, 450, 28, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
            c.drawString(76, 770 - 28 * i, line)
        # A visible one-column box around a note: a frame, not a table.
        c.rect(72, 600, 450, 60, stroke=1, fill=0)
        c.drawString(76, 640, "注：本年度无收费。")

    doc = read(make_pdf(draw))
    assert doc.tables == []
    assert doc.paragraphs == ["本报告由区政府办公室编制。", "一、总体情况", "注:本年度无收费。"]


def test_table_continued_over_page_break_and_grid_in_form_xobject():
    def draw(c, page):
        if page == 0:
            c.drawString(72, 780, "四、政府信息公开行政复议、行政诉讼情况")
            grid(c, 72, 760, [100, 100], 30, 1)
            c.drawString(80, 742, "维持")
            c.drawString(180, 742, "1")
        else:
            # Drawn once as a Form XObject and placed with a translation: the grid must land
            # where the text is.
            c.beginForm("grid2")
            grid(c, 0, 60, [100, 100], 30, 2)
            c.endForm()
            c.saveState()
            c.translate(72, 700)
            c.doForm("grid2")
            c.restoreState()
            c.drawString(80, 742, "纠正")
            c.drawString(180, 742, "0")
            c.drawString(80, 712, "总计")
            c.drawString(180, 712, "1")
            c.drawString(72, 650, "五、存在的主要问题及改进情况")

    doc = read(make_pdf(draw, pages=2))
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Table", "Paragraph"]
    assert [texts(r) for r in doc.tables[0].rows] == [["维持", "1"]]
    assert [texts(r) for r in doc.tables[1].rows] == [["纠正", "0"], ["总计", "1"]]


def test_scan_without_text_layer():
    def draw(c, page):
        # What a scanner produces, as far as text goes: pictures and lines, no characters.
        c.setFillColorRGB(0.2, 0.2, 0.2)
        c.rect(72, 72, 450, 700, stroke=0, fill=1)
        c.line(72, 400, 522, 400)

    with pytest.raises(ReadError) as err:
        read(make_pdf(draw, pages=3))
    assert str(err.value) == "PDF 没有文字层（可能是扫描件），经文字识别（OCR）也未识别出任何文字，无法读取"


def test_encrypted_pdf():
    def draw(c, page):
        c.drawString(72, 780, "淮安市洪泽区人民政府 2024 年政府信息公开工作年度报告")

    data = make_pdf(draw, encrypt=StandardEncryption("secret", ownerPassword="owner"))
    with pytest.raises(ReadError) as err:
        read(data)
    assert "加密" in str(err.value)
    # Restrictions without an open password do not stop reading.
    data = make_pdf(draw, encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    assert read(data).paragraphs == ["淮安市洪泽区人民政府 2024 年政府信息公开工作年度报告"]


@pytest.mark.parametrize("cut", ["half", "junk"])
def test_corrupt_pdf(cut):
    data = (FIXTURES / "hongze_2024.pdf").read_bytes()
    data = data[: len(data) // 2] if cut == "half" else b"%PDF-1.7\n" + bytes(range(256)) * 40
    with pytest.raises(ReadError) as err:
        read(data)
    assert str(err.value) == "PDF 文件已损坏或不完整，无法打开"


def test_dispatch_sniffs_pdf():
    doc = read_document((FIXTURES / "hongze_2024.pdf").read_bytes())
    assert doc.format == "pdf"
    assert len(doc.tables) == 5


def test_table_on_rotated_page():
    # A page stored sideways (MediaBox 842x595) and shown turned by /Rotate 90, its content drawn
    # turned the other way so that it displays upright (as when a tool rotates a page or a
    # scanner-era template is reused): text and rulings must be read in display orientation.
    def draw(c, page):
        c.setPageRotation(90)
        c.translate(595, 0)
        c.rotate(90)  # from here on: display coordinates, origin at the bottom-left as shown
        c.setFont(FONT, 10)
        c.drawString(72, 540, "四、政府信息公开行政复议、行政诉讼情况")
        grid(c, 72, 520, [120, 120, 120], 30, 2)
        for i, label in enumerate(["结果维持", "结果纠正", "总计"]):
            c.drawString(80 + 120 * i, 502, label)
        for i, value in enumerate(["1", "1", "2"]):
            c.drawString(80 + 120 * i, 472, value)

    doc = read(make_pdf(draw))
    assert doc.paragraphs == ["四、政府信息公开行政复议、行政诉讼情况"]
    assert [texts(r) for r in doc.tables[0].rows] == [["结果维持", "结果纠正", "总计"], ["1", "1", "2"]]
    assert isinstance(doc.blocks[0], Paragraph)


# --- lines: mixed fonts, wrapped sentences, fonts the machine lacks ------------------------------

pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))  # shipped with reportlab, embedded in the PDF


def draw_runs(c, x: float, y: float, size: float, runs: list[tuple[str, str]], last_font: str = "",
              last_run: int = -1) -> None:
    """One printed line made of runs in several fonts, drawn the way Chromium and Word draw a
    line whose glyphs come from fallback fonts: `last_font`'s runs (or run number `last_run`) after
    the others, every run at its place on the common baseline."""
    placed = []
    for i, (text, font) in enumerate(runs):
        placed.append((x, text, font, i))
        x += stringWidth(text, font, size)
    for x, text, font, _ in sorted(placed, key=lambda p: p[2] == last_font or p[3] == last_run):
        c.setFont(font, size)
        c.drawString(x, y, text)


def test_title_in_two_fonts_is_one_line_in_reading_order():
    # The year in an embedded Latin font whose glyph boxes reach 4 pt higher than the CJK font's
    # at 22 pt, drawn after the CJK runs (the old reader, grouping glyphs by their boxes' tops,
    # read "青岚市教育局年政府信息公开" and "2023" apart); a glyph ("工") drawn
    # last in a second line, as a fallback glyph is.  Each line sits on one baseline.
    def draw(c, page):
        draw_runs(c, 80, 760, 22, [("青岚市教育局", FONT), ("2023", "Vera"), ("年政府信息公开", FONT)], "Vera")
        draw_runs(c, 80, 720, 22, [("政府信息公开", FONT), ("工", FONT), ("作年度报告", FONT)], last_run=1)
        c.setFont(FONT, 10)
        c.drawString(72, 660, "一、总体情况")

    doc = read(make_pdf(draw))
    assert doc.paragraphs == ["青岚市教育局2023年政府信息公开", "政府信息公开工作年度报告", "一、总体情况"]


def test_wrapped_sentence_is_one_paragraph_and_names_the_agency():
    # A title without the agency; the agency is in the first sentence, which reportlab wraps (CJK
    # line breaking, justified) inside the agency's name, and whose producer wrote CJK Radicals
    # Supplement code points (⻓ U+2ED3, ⺠ U+2EA0) for 长 and 民 (a font sharing one glyph between
    # radical and ideograph).  The title is wider than the text: it is no full line.
    def draw(c, page):
        c.setFont(FONT, 16)
        c.drawCentredString(297, 780, "2023年政府信息公开工作年度报告")
        style = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=16, firstLineIndent=20,
                               wordWrap="CJK", alignment=TA_JUSTIFY)
        for top, text in [
            (750, "根据《中华人民共和国政府信息公开条例》要求，现将⻓岭县⺠政局2023年政府信息公开工作年度报告"
                  "公布如下。本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。"),
            (680, "一、总体情况"),
            (650, "2023年，我局认真贯彻落实《条例》。"),
        ]:
            para = PlatypusParagraph(text, style)
            _, height = para.wrapOn(c, 300, 200)
            para.drawOn(c, 72, top - height)

    doc = read(make_pdf(draw))
    assert doc.paragraphs == [
        "2023年政府信息公开工作年度报告",
        "根据《中华人民共和国政府信息公开条例》要求,现将长岭县民政局2023年政府信息公开工作年度报告公布如下。"
        "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
        "一、总体情况",
        "2023年,我局认真贯彻落实《条例》。",
    ]
    assert find_agency_and_year(doc) == ("长岭县民政局", 2023)


def test_unruled_rows_are_not_joined_as_a_wrapped_sentence():
    # A table printed without rulings: each row runs to the right edge, but its cells are apart.
    def draw(c, page):
        for i, (label, value) in enumerate([("一、本年新收政府信息公开申请数量", "95"), ("二、上年结转", "3")]):
            c.drawString(72, 760 - 16 * i, label)
            c.drawRightString(520, 760 - 16 * i, value)

    doc = read(make_pdf(draw))
    assert doc.paragraphs == ["一、本年新收政府信息公开申请数量 95", "二、上年结转 3"]


def test_repeated_lines_of_a_font_the_machine_lacks_are_all_kept():
    # PDFium drops text objects of a font the PDF does not embed once their substitute glyphs
    # are empty (no CJK fonts installed): here the second and third of three identical lines.
    # They are one paragraph wrapped over three lines, so all of it must come back.
    def draw(c, page):
        c.setFont(FONT, 22)
        c.drawString(80, 760, "青岚市教育局")
        c.setFont(FONT, 10)
        for i in range(3):
            c.drawString(72, 700 - 14 * i, "正文" * 10)

    doc = read(make_pdf(draw))
    assert doc.paragraphs == ["青岚市教育局", "正文" * 30]


# --- tables cut by page breaks ------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


def test_table_part_without_top_ruling_keeps_its_first_row():
    # The part of a table continued on the next page as Chromium prints it: the first row's top
    # border belongs to the row above (on the previous page), so the vertical rulings start at
    # the top margin and end in nothing.
    def draw(c, page):
        if page == 0:
            c.drawString(72, 780, "三、收到和处理政府信息公开申请情况")
            grid(c, 72, 760, [150, 60, 60], 30, 1)
            c.drawString(80, 742, "1.属于国家秘密")
            c.drawString(230, 742, "5")
            c.drawString(290, 742, "5")
        else:
            grid(c, 72, 760, [150, 60, 60], 30, 1)
            for x in (72, 222, 282, 342):  # the first row: its sides, no top
                c.line(x, 790, x, 760)
            for i, (label, value) in enumerate([("2.其他法律行政法规禁止公开", "7"), ("3.危及“三安全一稳定”", "0")]):
                c.drawString(80, 772 - 30 * i, label)
                c.drawString(230, 772 - 30 * i, value)
                c.drawString(290, 772 - 30 * i, value)

    doc = read(make_pdf(draw, pages=2))
    assert [texts(r) for t in doc.tables for r in t.rows] == [
        ["1.属于国家秘密", "5", "5"],
        ["2.其他法律行政法规禁止公开", "7", "7"],
        ["3.危及“三安全一稳定”", "0", "0"],
    ]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="没有找到 /usr/bin/chromium")
def test_chromium_pdf_of_table_three_cut_at_every_height(tmp_path):
    # 表三 as the project's HTML prints it (rowspans for 三、本年度办理结果 and each outcome
    # group), seven times in one document, each copy pushed down a little further so that the
    # page break cuts the copies at different rows, printed by Chromium.  Every row of every copy
    # must come back with its seven figures.  The figures are distinct (copy, row, column), so a
    # lost, merged or misplaced row shows.  Labels are not asserted: without CJK fonts Chromium
    # prints them as .notdef glyphs and some characters lose their text.
    spec = random_report(random.Random(3), "2021", True)
    keys = [k for k in spec.figures if k.startswith("t3/")]
    copies = 7
    # Fixed line heights and no wrapping: the rows are as tall with CJK fonts installed as without,
    # so the page breaks fall where they do here.
    parts, expected = ["<html><head><meta charset='utf-8'><style>",
                       "table{border-collapse:collapse}td{border:1px solid #000;padding:2px;white-space:nowrap;",
                       "font-size:8px;line-height:12px}p{font-size:12px;line-height:16px;margin:4px 0}",
                       "</style></head><body>"], []
    for copy in range(copies):
        for i, key in enumerate(keys):
            spec.figures[key] = 1000 * (copy + 1) + 10 * (i // 7) + i % 7
        expected += [[str(spec.figures[k]) for k in keys[r:r + 7]] for r in range(0, len(keys), 7)]
        parts.append(f"<div style='height:{100 + 89 * copy}px'></div><p>三、收到和处理政府信息公开申请情况</p>")
        parts.append(_html_table(t3_grid(spec)))
    html_file, pdf_file = tmp_path / "t3.html", tmp_path / "t3.pdf"
    html_file.write_text("".join(parts) + "</body></html>", encoding="utf-8")
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf_file}", html_file.as_uri()], check=True, capture_output=True, timeout=120)
    doc = read(pdf_file.read_bytes())
    rows = [[c.text for c in r if c.text.isdigit()] for t in doc.tables for r in t.rows]
    assert [r for r in rows if r] == expected
    # Every row fills the table's ten columns with its own cells and those merged down from the
    # rows above: a label cell cut by the page break (（六）其他处理 over three rows) is still a cell.
    assert {positions for t in doc.tables for positions in grid_positions(t)} == {10}
    # The copies were cut: the test covers page breaks inside 表三, not whole tables on a page.
    assert len(doc.tables) >= copies + 4


def grid_positions(table: Table) -> list[int]:
    """For each row, the grid positions it fills: its cells' column spans plus the positions
    covered by cells merged down from the rows above."""
    covered: dict[int, int] = {}
    out = []
    for r, row in enumerate(table.rows):
        out.append(covered.get(r, 0) + sum(c.colspan for c in row))
        for cell in row:
            for below in range(r + 1, r + cell.rowspan):
                covered[below] = covered.get(below, 0) + cell.colspan
    return out


def test_one_character_lines_lost_by_pdfium_inside_a_form_are_read():
    # A one-character line of a font the PDF does not embed has an empty box on a machine without
    # CJK fonts and PDFium leaves it out of its text page.  Drawn inside a Form XObject (a header
    # or a stamp reused on every page), it is read from the page's content by pdfminer.
    def draw(c, page):
        c.beginForm("label")
        c.setFont(FONT, 10)
        c.drawString(0, 14, "信息公开申请结果维")
        c.drawString(0, 0, "持")
        c.endForm()
        c.saveState()
        c.translate(72, 700)
        c.doForm("label")
        c.restoreState()
        c.drawString(72, 600, "本年度政府信息公开工作年度报告")

    doc = read(make_pdf(draw))
    assert doc.paragraphs == ["信息公开申请结果维", "持", "本年度政府信息公开工作年度报告"]


def test_heading_after_a_full_line_stays_a_paragraph():
    # The paragraph's last line happens to fill the line; the heading after it is printed flush
    # left in the same size.  A sentence ends there, and the heading is numbered: no join.
    def draw(c, page):
        c.drawString(72, 760, "本年度我局认真贯彻落实条例要求，扎实推进政务公开工作，公开质量稳步提升。")
        c.drawString(72, 746, "二、主动公开政府信息情况")
        c.drawString(72, 732, "本年度我局认真贯彻落实条例要求，扎实推进政务公开工作，公开质量稳步提升")
        c.drawString(72, 718, "（一）规章制定情况")

    doc = read(make_pdf(draw))
    assert doc.paragraphs == [
        "本年度我局认真贯彻落实条例要求,扎实推进政务公开工作,公开质量稳步提升。",
        "二、主动公开政府信息情况",
        "本年度我局认真贯彻落实条例要求,扎实推进政务公开工作,公开质量稳步提升",
        "(一)规章制定情况",
    ]


def test_sentence_over_a_page_break_is_joined_but_a_new_paragraph_is_not():
    def draw(c, page):
        if page == 0:
            c.drawString(72, 100, "我局全年共收到政府信息公开申请，均在法定期限内按时答复，其中予以公")
            c.drawString(72, 86, "开的十二件，部分公开的三件，不予公开的两件，本机关不掌握相关政府信")
        else:
            c.drawString(72, 780, "息的五件。")
            c.drawString(92, 766, "本年度未发生因政府信息公开工作被申请行政复议或提起行政诉讼的情况。")
            c.drawString(72, 752, "以上情况特此报告。")

    doc = read(make_pdf(draw, pages=2))
    assert doc.paragraphs == [
        "我局全年共收到政府信息公开申请,均在法定期限内按时答复,其中予以公开的十二件,部分公开的三件,"
        "不予公开的两件,本机关不掌握相关政府信息的五件。",
        "本年度未发生因政府信息公开工作被申请行政复议或提起行政诉讼的情况。",
        "以上情况特此报告。",
    ]
