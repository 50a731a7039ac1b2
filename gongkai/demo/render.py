"""Report files written from figures: text, Markdown, HTML, DOCX and PDF.

Two uses: round-trip tests (render figures → parse the bytes back → the same figures) and the demo
corpus (report files for a fictional city).  Every renderer prints the same document — the title, the
six sections of the national template, the narrative, and the three tables laid out as the template
lays them out (merged cells included) with the template's own labels from `gongkai.template` — so
that a difference after parsing is a reader or mapper bug, never a renderer quirk.

The tables are first built as a grid of merged cells (`Grid`), once; each renderer only decides how a
grid is written in its format.
"""

from __future__ import annotations

import html
import io
import math
import random
import zipfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from xml.sax.saxutils import escape as xml_escape

from gongkai import template as T
from gongkai.report import Value

TEMPLATES = T.FORMATS

SECTION_HEADINGS = (
    "一、总体情况",
    T.TABLE_TITLES["t2"],
    T.TABLE_TITLES["t3"],
    T.TABLE_TITLES["t4"],
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)

# The note the template prints in the top-left corner of 表三 (a cell merged over 3×3 positions).
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# Labels Word users commonly break by hand inside the cell; the break is kept in every format
# (a line break in text, <br> in HTML and Markdown, a w:br in DOCX, a new line in the PDF cell),
# because readers must cope with labels split over lines (tests/fixtures/000_604589b9a90ba4e6.txt).
_WRAPPED_LABELS = {
    T3_NOTE: "（本列数据的勾稽关系为：第一项加第二项之和，\n等于第三项加第四项之和）",
    "5.要求行政机关确认或重新出具已获取信息": "5.要求行政机关确认或重新\n出具已获取信息",
    "尚未审结": "尚未\n审结",
}

DEFAULT_PROBLEMS = (
    "（一）存在问题。一是主动公开的深度和广度还需拓展；二是政策解读形式较为单一；三是工作人员业务能力有待提升。",
    "（二）改进情况。一是加强统筹，细化公开目录，及时更新公开内容；二是丰富图文、音视频等解读形式；三是加强业务培训，提升依法公开水平。",
)
DEFAULT_OTHER_MATTERS = (
    "本年度未收取信息处理费。",
    "本年度无其他需要报告的事项。",
)


@dataclass
class ReportSpec:
    """One report to write.  `figures` is keyed as `gongkai.template` ("t3/total/natural_person");
    a key the format prints but `figures` lacks, or maps to None, is printed as a blank cell.

    `other_split` (2021 format only) prints （六）其他处理 as the template's three rows (True) or as
    one row (False); None means the template's own layout (three rows in 2021, one in 2019).

    `flat_labels` (None = the template's three merged label columns) prints 表三 as converters and
    crawlers flatten it: one label cell per row carrying its parents, joined by this string
    ("三、本年度办理结果 （三）不予公开 1.属于国家秘密" with " ", run together with "")."""

    agency: str
    year: int
    template: str  # "2019" | "2021"
    figures: dict[str, Value]
    paragraphs: list[str] = field(default_factory=list)  # the narrative of 一、总体情况
    other_split: bool | None = None
    problems: list[str] = field(default_factory=lambda: list(DEFAULT_PROBLEMS))
    other_matters: list[str] = field(default_factory=lambda: list(DEFAULT_OTHER_MATTERS))
    flat_labels: str | None = None
    # Narrative sections left out, heading and text (positions in SECTION_HEADINGS: 0, 4 or 5 — the table
    # sections stay), as an incomplete report does; their paragraphs then follow the previous section's.
    omit_sections: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.template not in TEMPLATES:
            raise ValueError(f"未知的年报格式：{self.template!r}（应为 2019 或 2021）")
        if self.other_split is None:
            self.other_split = self.template == "2021"
        if self.template == "2019" and self.other_split:
            raise ValueError("2019 年格式的（六）其他处理只有一行，不能分为三行")
        unknown = set(self.figures) - set(self.keys)
        if unknown:
            raise ValueError(f"{self.template} 年格式不打印这些数字：{sorted(unknown)}")

    @property
    def keys(self) -> list[str]:
        """Exactly the figure keys this report prints."""
        return T.figure_keys(self.template, self.other_split)

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"


# ---------------------------------------------------------------- the grid of one table
@dataclass(frozen=True, slots=True)
class GridCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    is_value: bool = False  # a printed figure (right-aligned numbers) rather than a label


@dataclass(slots=True)
class Grid:
    """A table as positions: `cells[r]` holds the cells that start in row r; `owner[r][c]` is the
    cell covering position (r, c), so renderers can tell a merged continuation from a real cell."""

    ncols: int
    widths_mm: tuple[float, ...]  # column widths for the paged formats (DOCX, PDF)
    cells: list[list[GridCell]] = field(default_factory=list)
    owner: list[list[GridCell | None]] = field(default_factory=list)

    def add_row(self, specs: list[tuple[str, int, int, bool]]) -> None:
        """Append a row: (text, rowspan, colspan, is_value) placed left to right in the free positions."""
        r = len(self.cells)
        while len(self.owner) <= r:
            self.owner.append([None] * self.ncols)
        row: list[GridCell] = []
        c = 0
        for text, rowspan, colspan, is_value in specs:
            while c < self.ncols and self.owner[r][c] is not None:
                c += 1
            if c + colspan > self.ncols:
                raise ValueError(f"row {r} overflows {self.ncols} columns")
            cell = GridCell(r, c, _WRAPPED_LABELS.get(text, text), rowspan, colspan, is_value)
            while len(self.owner) < r + rowspan:
                self.owner.append([None] * self.ncols)
            for rr in range(r, r + rowspan):
                for cc in range(c, c + colspan):
                    self.owner[rr][cc] = cell
            row.append(cell)
            c += colspan
        self.cells.append(row)

    @property
    def nrows(self) -> int:
        return len(self.cells)


def format_value(key: str, value: Value) -> str:
    """A figure as the report prints it: blank for None, two decimals for money."""
    if value is None:
        return ""
    table, row, col = key.split("/")
    if (table, row, col) in T.DECIMAL_FIGURES and not (isinstance(value, int) and value == 0):
        return f"{value:.2f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label(text: str, rowspan: int = 1, colspan: int = 1) -> tuple[str, int, int, bool]:
    return (text, rowspan, colspan, False)


def _value(spec: ReportSpec, key: str, colspan: int = 1) -> tuple[str, int, int, bool]:
    return (format_value(key, spec.figures.get(key)), 1, colspan, True)


def t2_grid(spec: ReportSpec) -> Grid:
    """表二: one table of four columns, a block per 第二十条 item, as the template prints it.  A block
    with fewer than three figure columns merges the last one over the rest (2021: 本年处理决定数量 ×3)."""
    fmt = spec.template
    grid = Grid(4, (44.0, 45.0, 45.0, 46.0))
    row_labels = {r.key: (r.label_2021 if fmt == "2021" else r.label_2019) for r in T.T2_ROWS}
    for block, row_keys, col_keys in T.T2_BLOCKS[fmt]:
        spans = [1] * (len(col_keys) - 1) + [4 - len(col_keys)]
        grid.add_row([_label(block, colspan=4)])
        header = [_label("信息内容")]
        for col, span in zip(col_keys, spans):
            l21, l19 = T.T2_CELLS[(row_keys[0], col)]
            header.append(_label(l21 if fmt == "2021" else l19, colspan=span))
        grid.add_row(header)
        for row in row_keys:
            grid.add_row(
                [_label(row_labels[row])]
                + [_value(spec, f"t2/{row}/{col}", span) for col, span in zip(col_keys, spans)]
            )
    return grid


def t3_grid(spec: ReportSpec) -> Grid:
    """表三: three label columns (section, group, item) and the seven applicant columns."""
    printed = {k.split("/")[1] for k in spec.keys if k.startswith("t3/")}
    rows = [r for r in T.T3_ROWS if r.key in printed]
    org_columns = [label for key, label in T.T3_COLUMNS if key not in ("natural_person", "total")]
    if spec.flat_labels is not None:
        return _t3_flat_grid(spec, rows, org_columns, spec.flat_labels)
    grid = Grid(10, (12.0, 24.0, 52.0) + (13.0,) * 7)
    grid.add_row([_label(T3_NOTE, 3, 3), _label("申请人情况", colspan=7)])
    grid.add_row([_label("自然人", 2), _label("法人或其他组织", colspan=5), _label("总计", 2)])
    grid.add_row([_label(label) for label in org_columns])
    section_three = [r for r in rows if r.section == "三"]
    for row in rows:
        labels: list[tuple[str, int, int, bool]] = []
        if row.section != "三":
            labels.append(_label(row.label, colspan=3))
        else:
            if row is section_three[0]:
                labels.append(_label(T.T3_SECTIONS["三"], len(section_three)))
            if not row.item:
                labels.append(_label(row.label, colspan=2))
            else:
                if row.item == 1:
                    group_size = sum(1 for r in section_three if r.group == row.group and r.item)
                    labels.append(_label(T.T3_GROUPS[row.group], group_size))
                labels.append(_label(row.label))
        grid.add_row(labels + [_value(spec, f"t3/{row.key}/{col}") for col, _ in T.T3_COLUMNS])
    return grid


def _t3_flat_grid(spec: ReportSpec, rows: list[T.T3Row], org_columns: list[str], joiner: str) -> Grid:
    """表三 with one label column: each row's label cell carries its section and group labels too, as
    a merged-cell table comes out of a converter that repeats a merged label into every row it spans
    and joins a row's label cells into one."""
    grid = Grid(8, (88.0,) + (13.0,) * 7)
    grid.add_row([_label(T3_NOTE, 3), _label("申请人情况", colspan=7)])
    grid.add_row([_label("自然人", 2), _label("法人或其他组织", colspan=5), _label("总计", 2)])
    grid.add_row([_label(label) for label in org_columns])
    for row in rows:
        parts = [row.label]
        if row.section == "三":
            parts = [T.T3_SECTIONS["三"]] + ([T.T3_GROUPS[row.group]] if row.item else []) + parts
        grid.add_row([_label(joiner.join(parts))] + [_value(spec, f"t3/{row.key}/{col}") for col, _ in T.T3_COLUMNS])
    return grid


def t4_grid(spec: ReportSpec) -> Grid:
    """表四: 行政复议 | 行政诉讼 (未经复议直接起诉 | 复议后起诉), five result columns each, one row of figures."""
    grid = Grid(15, (12.0,) * 15)
    columns = [label for _, label in T.T4_COLUMNS]
    suit_groups = [label.split(" / ")[-1] for key, label in T.T4_ROWS if key != "review"]
    grid.add_row([_label(dict(T.T4_ROWS)["review"], colspan=5), _label("行政诉讼", colspan=10)])
    grid.add_row([_label(c, 2) for c in columns] + [_label(g, colspan=5) for g in suit_groups])
    grid.add_row([_label(c) for c in columns] * 2)
    grid.add_row([_value(spec, f"t4/{row}/{col}") for row, _ in T.T4_ROWS for col, _ in T.T4_COLUMNS])
    return grid


# ---------------------------------------------------------------- the document, format-free
def _blocks(spec: ReportSpec) -> list[tuple[str, object]]:
    """("title"|"heading"|"para", str) and ("table", Grid) in reading order."""
    y = spec.year
    intro = (
        f"根据《中华人民共和国政府信息公开条例》等相关规定，现向社会公布{spec.title}。"
        "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、"
        "行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项共六个部分组成。"
        f"本报告中所列数据的统计时限为{y}年1月1日至{y}年12月31日。"
    )
    blocks: list[tuple[str, object]] = [("title", spec.title), ("para", intro)]
    if 0 not in spec.omit_sections:
        blocks.append(("heading", SECTION_HEADINGS[0]))
        blocks += [("para", p) for p in spec.paragraphs]
    blocks += [("heading", SECTION_HEADINGS[1]), ("table", t2_grid(spec))]
    blocks += [("heading", SECTION_HEADINGS[2]), ("table", t3_grid(spec))]
    blocks += [("heading", SECTION_HEADINGS[3]), ("table", t4_grid(spec))]
    if 4 not in spec.omit_sections:
        blocks.append(("heading", SECTION_HEADINGS[4]))
        blocks += [("para", p) for p in spec.problems]
    if 5 not in spec.omit_sections:
        blocks.append(("heading", SECTION_HEADINGS[5]))
    blocks += [("para", p) for p in spec.other_matters]  # kept even without its heading: the 模拟数据 notice
    return blocks


# ---------------------------------------------------------------- text
def render_text(spec: ReportSpec) -> bytes:
    """Text as Word copies it out: paragraphs as lines; each table cell on its own line indented by a
    tab, a blank line after each row and one more after the table; a position covered by a cell merged
    from a row above is an empty tab line (once per merged cell); a wrapped label continues unindented."""
    lines: list[str] = []
    for kind, content in _blocks(spec):
        if kind == "table":
            lines += _text_table(content)  # type: ignore[arg-type]
            lines.append("")
        else:
            lines.append(content)  # type: ignore[arg-type]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _text_table(grid: Grid) -> list[str]:
    lines: list[str] = []
    for r in range(grid.nrows):
        c = 0
        while c < grid.ncols:
            cell = grid.owner[r][c]
            assert cell is not None
            if cell.col == c:
                text = cell.text if cell.row == r else ""  # "" = continuation of a vertical merge
                first, *rest = text.split("\n")
                lines.append("\t" + first)
                lines += rest
            c = cell.col + cell.colspan
        lines.append("")
    return lines


# ---------------------------------------------------------------- Markdown
def render_markdown(spec: ReportSpec, repeat_merged: bool = False) -> bytes:
    """Pipe tables.  Markdown has no merged cells: a merged cell's other positions are left empty,
    or repeat its text with `repeat_merged` (both occur in converted reports)."""
    out: list[str] = []
    for kind, content in _blocks(spec):
        if kind == "title":
            out += [f"# {content}", ""]
        elif kind == "heading":
            out += [f"## {content}", ""]
        elif kind == "para":
            out += [str(content), ""]
        else:
            grid: Grid = content  # type: ignore[assignment]
            for r in range(grid.nrows):
                texts = []
                for c in range(grid.ncols):
                    cell = grid.owner[r][c]
                    assert cell is not None
                    starts = cell.row == r and cell.col == c
                    text = cell.text if starts or repeat_merged else ""
                    texts.append(text.replace("|", "\\|").replace("\n", "<br>"))
                out.append("| " + " | ".join(texts) + " |")
                if r == 0:
                    out.append("|" + "---|" * grid.ncols)
            out.append("")
    return "\n".join(out).encode("utf-8")


# ---------------------------------------------------------------- HTML
def _site_name(agency: str) -> str:
    """The portal an agency publishes on: its city's (or county's) government site."""
    for i, ch in enumerate(agency):
        if ch in "市县区旗" and i >= 1:
            return agency[: i + 1] + "人民政府门户网站"
    return agency + "门户网站"


def render_html(spec: ReportSpec, encoding: str = "utf-8") -> bytes:
    """A portal page: site header and navigation, a breadcrumb, the article with the report, a footer.
    The declared charset is the one the bytes are encoded in."""
    if encoding.lower() not in ("utf-8", "gbk"):
        raise ValueError(f"不支持的编码：{encoding}（应为 utf-8 或 gbk）")
    site = _site_name(spec.agency)
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        f'<meta charset="{encoding}">',
        f"<title>{e(spec.title)}_{e(site)}</title>",
        '<style>table{border-collapse:collapse;width:100%}td{border:1px solid #000;padding:4px;text-align:center}</style>',
        "</head>",
        "<body>",
        f'<div class="header"><div class="logo">{e(site)}</div>',
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
        '<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li>'
        '<li><a href="/zjxx/">走进本地</a></li></ul></div>',
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; '
        '<a href="/zwgk/ndbg/">政府信息公开工作年度报告</a></div>',
        '<div class="article">',
    ]
    for kind, content in _blocks(spec):
        if kind == "title":
            parts.append(f"<h1>{e(str(content))}</h1>")
            parts.append(
                f'<div class="info">发布时间：{spec.year + 1}-01-20　来源：{e(spec.agency)}　'
                '<a href="javascript:window.print()">打印</a></div>'
            )
            parts.append('<div class="content">')
        elif kind == "heading":
            parts.append(f"<p><strong>{e(str(content))}</strong></p>")
        elif kind == "para":
            parts.append(f'<p style="text-indent:2em">{e(str(content))}</p>')
        else:
            parts.append(_html_table(content))  # type: ignore[arg-type]
    parts += [
        "</div></div>",
        '<div class="footer"><p>主办：' + e(site.replace("门户网站", "办公室")) + "　网站标识码：0000000000</p>"
        "<p>版权所有 · 建议使用1920×1080分辨率浏览</p></div>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts).encode(encoding, errors="xmlcharrefreplace")


def _html_table(grid: Grid) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0">', "<tbody>"]
    for row in grid.cells:
        tds = []
        for cell in row:
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            tds.append(f"<td{attrs}>{html.escape(cell.text).replace(chr(10), '<br>')}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


# ---------------------------------------------------------------- DOCX
def render_docx(spec: ReportSpec) -> bytes:
    """A Word document: title and paragraphs as Word paragraphs, tables with merged cells."""
    from docx import Document as new_docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = new_docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    props = doc.core_properties
    props.title = spec.title
    props.author = spec.agency
    props.created = props.modified = datetime(spec.year + 1, 1, 20, 9, 0, 0)
    props.last_modified_by = spec.agency
    props.revision = 1

    for kind, content in _blocks(spec):
        if kind == "title":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(str(content))
            run.bold = True
            run.font.size = Pt(16)
        elif kind == "heading":
            doc.add_paragraph().add_run(str(content)).bold = True
        elif kind == "para":
            p = doc.add_paragraph(str(content))
            p.paragraph_format.first_line_indent = Pt(21)
        else:
            grid: Grid = content  # type: ignore[assignment]
            table = doc.add_table(rows=0, cols=grid.ncols)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for col, width in zip(table.columns, grid.widths_mm):
                col.width = Mm(width)
            for r in range(grid.nrows):
                table._tbl.append(parse_xml(_docx_row_xml(grid, r)))
            doc.add_paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip_times(buf.getvalue(), (spec.year + 1, 1, 20, 9, 0, 0))


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx_row_xml(grid: Grid, r: int) -> str:
    """One <w:tr> as Word writes merged cells: a horizontal merge is one <w:tc> with gridSpan; a
    vertical merge is a <w:tc> with vMerge="restart" in its first row and an empty <w:vMerge/> <w:tc>
    in each row below.  Written as XML because python-docx's cell.merge() recomputes the whole grid
    for every merge (a quarter of a second per report)."""
    tcs = []
    c = 0
    while c < grid.ncols:
        cell = grid.owner[r][c]
        assert cell is not None
        width = round(sum(grid.widths_mm[cell.col : cell.col + cell.colspan]) * 56.6929)  # mm → twips
        props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if cell.colspan > 1:
            props += f'<w:gridSpan w:val="{cell.colspan}"/>'
        if cell.rowspan > 1:
            props += '<w:vMerge w:val="restart"/>' if cell.row == r else "<w:vMerge/>"
        props += '<w:vAlign w:val="center"/>'
        runs = ""
        if cell.row == r and cell.text:
            runs = "<w:r><w:t xml:space=\"preserve\">" + "</w:t><w:br/><w:t xml:space=\"preserve\">".join(
                xml_escape(line) for line in cell.text.split("\n")
            ) + "</w:t></w:r>"
        tcs.append(f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:jc w:val="center"/></w:pPr>{runs}</w:p></w:tc>')
        c = cell.col + cell.colspan
    return f'<w:tr xmlns:w="{_W_NS}">' + "".join(tcs) + "</w:tr>"


def _fixed_zip_times(data: bytes, when: tuple[int, int, int, int, int, int]) -> bytes:
    """Rewrite a zip with fixed member timestamps, so the same spec always gives the same bytes
    (zipfile stamps members with the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------- PDF
PDF_FONT = "STSong-Light"
_pdf_styles: dict[str, dict[str, object]] = {}


def _pdf_setup(font_file: str | None = None) -> dict[str, object]:
    """Register the CJK font once.  STSong-Light is one of the Adobe CID fonts every PDF viewer
    carries, so reportlab needs no font file and pdfminer maps its codes back to Unicode.

    With `font_file` (a TrueType .ttf/.ttc) that font is embedded instead: a rasteriser on a machine
    without CJK fonts (pypdfium2, pdftoppm) draws only embedded glyphs, and the OCR tests need pixels."""
    key = font_file or PDF_FONT
    if key not in _pdf_styles:
        from reportlab.lib.enums import TA_CENTER
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfbase.ttfonts import TTFont

        if font_file:
            name = "Embedded-" + font_file.replace("\\", "/").rsplit("/", 1)[-1].split(".")[0]
            pdfmetrics.registerFont(TTFont(name, font_file, subfontIndex=0))
        else:
            name = PDF_FONT
            pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
        base = dict(fontName=name, wordWrap="CJK")
        _pdf_styles[key] = dict(
            font=name,
            title=ParagraphStyle("title", fontSize=16, leading=24, alignment=TA_CENTER, spaceAfter=8, **base),
            heading=ParagraphStyle("heading", fontSize=12, leading=18, spaceBefore=6, spaceAfter=4, **base),
            para=ParagraphStyle("para", fontSize=10.5, leading=17, firstLineIndent=21, **base),
            cell=ParagraphStyle("cell", fontSize=8, leading=10, alignment=TA_CENTER, **base),
        )
    return _pdf_styles[key]


# How a PDF's tables are ruled: real reports print a full grid, only the rules between rows (and
# above and below the table), only the outer frame, only the rules between columns, or none at all.
PDF_RULINGS = {
    "grid": lambda black: [("GRID", (0, 0), (-1, -1), 0.5, black)],
    "horizontal": lambda black: [("LINEABOVE", (0, 0), (-1, -1), 0.5, black),
                                 ("LINEBELOW", (0, -1), (-1, -1), 0.5, black)],
    "vertical": lambda black: [("LINEBEFORE", (0, 0), (-1, -1), 0.5, black),
                               ("LINEAFTER", (-1, 0), (-1, -1), 0.5, black)],
    # 三线表: a rule above the table, one below its first row and one below the table.
    "three_line": lambda black: [("LINEABOVE", (0, 0), (-1, 0), 1, black), ("LINEBELOW", (0, 0), (-1, 0), 0.5, black),
                                 ("LINEBELOW", (0, -1), (-1, -1), 1, black)],
    "outer": lambda black: [("BOX", (0, 0), (-1, -1), 0.5, black)],
    "none": lambda black: [],
}


def render_pdf(spec: ReportSpec, rulings: str = "grid", font_file: str | None = None) -> bytes:
    """A PDF drawn with reportlab: paragraphs, and tables (merged cells as SPAN) ruled as `rulings`
    says (a key of PDF_RULINGS): the full grid by default, so that table finders such as pdfplumber
    see the same cells as in the Word original. `font_file`: a TrueType CJK font to embed (see `_pdf_setup`)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = _pdf_setup(font_file)
    story: list[object] = []
    for kind, content in _blocks(spec):
        if kind == "table":
            grid: Grid = content  # type: ignore[assignment]
            data: list[list[object]] = [[""] * grid.ncols for _ in range(grid.nrows)]
            commands: list[tuple] = [
                ("FONT", (0, 0), (-1, -1), styles["font"], 8),
                *PDF_RULINGS[rulings](colors.black),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
            for row in grid.cells:
                for cell in row:
                    # Numbers as plain strings (fast); labels as paragraphs so long ones wrap in the cell.
                    data[cell.row][cell.col] = (
                        cell.text
                        if cell.is_value
                        else Paragraph(xml_escape(cell.text).replace("\n", "<br/>"), styles["cell"])
                    )
                    if cell.rowspan > 1 or cell.colspan > 1:
                        commands.append(
                            ("SPAN", (cell.col, cell.row), (cell.col + cell.colspan - 1, cell.row + cell.rowspan - 1))
                        )
            story.append(Table(data, colWidths=[w * mm for w in grid.widths_mm], style=TableStyle(commands)))
            story.append(Spacer(1, 4 * mm))
        else:
            story.append(Paragraph(xml_escape(str(content)), styles[kind]))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=spec.title,
        author=spec.agency,
        invariant=1,  # no timestamp or random document id: the same spec gives the same bytes
    )
    doc.build(story)
    return buf.getvalue()


# ---------------------------------------------------------------- random consistent reports
DEMO_CITY = "青岚市"  # fictional
_DEPARTMENTS = (
    "人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
    "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会", "应急管理局", "市场监督管理局",
    "医疗保障局", "城市管理局",
)


def _heavy(rng: random.Random, median: float, cap: int, sigma: float = 1.4) -> int:
    """A heavy-tailed count: most agencies print small numbers, a few print very large ones."""
    return min(cap, int(rng.lognormvariate(math.log(median), sigma)))


def _apportion(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split `total` into whole parts proportional to `weights` (largest remainder, random ties)."""
    s = sum(weights)
    if total == 0 or s <= 0:
        return [0] * len(weights)
    exact = [total * w / s for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (exact[i] - parts[i], rng.random()), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


# How often a report prints anything in an outcome row (the rest are 0), from what real reports show.
_OUTCOME_ODDS = {
    "granted": 0.95, "partial": 0.4, "denied_secret": 0.03, "denied_law": 0.05, "denied_safety": 0.03,
    "denied_third_party": 0.1, "denied_internal": 0.1, "denied_process": 0.15, "denied_case_file": 0.05,
    "denied_query": 0.1, "unable_not_held": 0.6, "unable_need_create": 0.2,
    "unable_unclear": 0.2, "refused_petition": 0.15, "refused_repeat": 0.2, "refused_publication": 0.05,
    "refused_mass": 0.05, "refused_confirm": 0.05, "other": 0.3, "other_no_correction": 0.25,
    "other_fee_unpaid": 0.03, "other_other": 0.25,
}
# Per applicant column: the chance it has any applications, and its typical share.
_APPLICANT_ODDS = {
    "natural_person": (1.0, 1.0), "commercial": (0.5, 0.15), "research": (0.05, 0.02),
    "social_org": (0.08, 0.03), "legal_service": (0.2, 0.05), "other_org": (0.25, 0.05),
}


def random_report(
    rng: random.Random,
    template: str,
    other_split: bool | None = None,
    *,
    blanks: float = 0.0,
    agency: str | None = None,
    year: int | None = None,
) -> ReportSpec:
    """A random report whose figures satisfy every rule of the template: per 表三 column
    新收 + 上年结转 = （七）总计 + 结转下年度 and the outcome rows sum to （七）总计; per 表三 row the six
    applicant columns sum to 总计; per 表四 group 维持 + 纠正 + 其他 + 尚未审结 = 总计.

    Counts are heavy-tailed (many zeros, a few large agencies); 表二's fee and procurement amounts
    have two decimals.  `other_split` None: 2019 prints （六） as one row; 2021 mostly as the
    template's three rows, sometimes as one, as real reports do.  `blanks` is the chance that a
    figure whose value is 0 is printed blank instead — only zeros, so every rule still holds
    whether a checker skips blanks or reads them as 0."""
    if template not in TEMPLATES:
        raise ValueError(f"未知的年报格式：{template!r}")
    if other_split is None:
        other_split = template == "2021" and rng.random() < 0.8
    if year is None:
        year = rng.choice((2019, 2020)) if template == "2019" else rng.randint(2021, 2025)
    if agency is None:
        agency = DEMO_CITY + rng.choice(_DEPARTMENTS)
    figures: dict[str, Value] = {}
    figures.update(_random_t2(rng, template))
    figures.update(_random_t3(rng, template, other_split))
    figures.update(_random_t4(rng))
    keys = T.figure_keys(template, other_split)
    assert set(figures) == set(keys), set(figures) ^ set(keys)
    figures = {k: figures[k] for k in keys}  # the template's order
    if blanks:
        for k, v in figures.items():
            if v == 0 and rng.random() < blanks:
                figures[k] = None
    spec = ReportSpec(agency, year, template, figures, other_split=other_split)
    spec.paragraphs = _narrative(rng, spec)
    return spec


def _random_t2(rng: random.Random, template: str) -> dict[str, Value]:
    f: dict[str, Value] = {}

    def maybe(p: float, median: float, cap: int) -> int:
        return _heavy(rng, median, cap) if rng.random() < p else 0

    def money(p: float, median: float) -> Value:
        return round(rng.lognormvariate(math.log(median), 1.5), 2) if rng.random() < p else 0

    if template == "2021":
        for row, p in (("regulation", 0.1), ("normative_doc", 0.6)):
            issued = maybe(p, 4, 500)
            f[f"t2/{row}/issued"] = issued
            f[f"t2/{row}/repealed"] = maybe(p / 2, 2, 200)
            f[f"t2/{row}/in_force"] = issued + maybe(p + 0.2, 30, 5000)
        f["t2/license/decisions"] = maybe(0.6, 300, 2_000_000)
        f["t2/penalty/decisions"] = maybe(0.5, 80, 500_000)
        f["t2/coercion/decisions"] = maybe(0.3, 10, 50_000)
        f["t2/fee/amount"] = money(0.25, 40)
    else:
        for row, p in (("regulation", 0.1), ("normative_doc", 0.6)):
            made = maybe(p, 4, 500)
            f[f"t2/{row}/made"] = made
            f[f"t2/{row}/published"] = made
            f[f"t2/{row}/total_published"] = made + maybe(p + 0.2, 30, 5000)
        for row in ("license", "other_service", "penalty", "coercion", "fee"):
            prev = maybe(0.6, 20, 3000)
            f[f"t2/{row}/prev_items"] = prev
            # 本年增/减 may be negative, never below minus what there was.
            f[f"t2/{row}/change"] = max(-prev, rng.randint(-3, 5)) if rng.random() < 0.4 else 0
            if row != "fee":
                f[f"t2/{row}/decisions"] = maybe(0.5, 80, 500_000)
        items = maybe(0.5, 10, 2000)
        f["t2/procurement/items"] = items
        f["t2/procurement/amount"] = money(1.0, 500_000) if items else 0
    return f


def _random_t3(rng: random.Random, template: str, other_split: bool) -> dict[str, Value]:
    # （六）其他处理 is either the one row "other" or the three split rows, never both.
    dropped = ("other",) if other_split else T.T3_OTHER_SPLIT
    outcome_rows = [r for r in T.T3_OUTCOME_ROWS if r not in dropped]
    # About one report in six prints nothing but zeros (small agencies with no applications).
    volume = 0 if rng.random() < 0.15 else _heavy(rng, 15, 20_000, sigma=1.6)
    applicants = list(_APPLICANT_ODDS)
    weights = [share * rng.uniform(0.3, 1.7) if rng.random() < p else 0.0 for p, share in _APPLICANT_ODDS.values()]
    handled = dict(zip(applicants, _apportion(rng, volume, weights)))
    f: dict[str, Value] = {}
    for col in applicants:
        w = [rng.paretovariate(1.0) if rng.random() < _OUTCOME_ODDS[r] else 0.0 for r in outcome_rows]
        if not any(w):
            w[0] = 1.0  # 予以公开
        for row, n in zip(outcome_rows, _apportion(rng, handled[col], w)):
            f[f"t3/{row}/{col}"] = n
        total = handled[col]
        forward = int(total * rng.uniform(0.02, 0.2)) if rng.random() < 0.4 else 0
        ceiling = total + forward
        over = rng.randint(0, max(0, ceiling // 5)) if rng.random() < 0.4 else 0
        f[f"t3/total/{col}"] = total
        f[f"t3/carried_forward/{col}"] = forward
        f[f"t3/carried_over/{col}"] = over
        f[f"t3/new_received/{col}"] = ceiling - over  # so 新收 + 结转 = 总计 + 结转下年度
    for row in ("new_received", "carried_over", *outcome_rows, "total", "carried_forward"):
        f[f"t3/{row}/total"] = sum(f[f"t3/{row}/{c}"] for c in applicants)  # type: ignore[misc]
    return f


def _random_t4(rng: random.Random) -> dict[str, Value]:
    f: dict[str, Value] = {}
    for row, p in (("review", 0.35), ("suit_direct", 0.2), ("suit_after_review", 0.1)):
        parts = {c: (_heavy(rng, 2, 500) if rng.random() < p else 0) for c in ("upheld", "corrected", "other", "pending")}
        for col, n in parts.items():
            f[f"t4/{row}/{col}"] = n
        f[f"t4/{row}/total"] = sum(parts.values())
    return f


def _narrative(rng: random.Random, spec: ReportSpec) -> list[str]:
    """The 总体情况 paragraphs; the numbers they quote agree with the tables, as in a careful report."""
    f = spec.figures

    def n(key: str) -> int:
        v = f.get(key)
        return int(v) if isinstance(v, (int, float)) else 0

    suits = n("t4/suit_direct/total") + n("t4/suit_after_review/total")
    return [
        f"{spec.year}年，{spec.agency}认真贯彻落实《中华人民共和国政府信息公开条例》和上级关于政务公开工作的部署，"
        "坚持以公开为常态、不公开为例外，持续提升政务公开质量。",
        f"（一）主动公开。依托政府门户网站、政务新媒体等平台，全年主动公开政府信息{_heavy(rng, 300, 50_000)}条，"
        "及时公开机构职能、政策文件、财政预决算、重点领域信息等内容。",
        f"（二）依申请公开。全年新收政府信息公开申请{n('t3/new_received/total')}件，上年结转{n('t3/carried_over/total')}件；"
        f"办结{n('t3/total/total')}件，结转下年度继续办理{n('t3/carried_forward/total')}件。",
        "（三）政府信息管理。严格落实公开前保密审查和“三审三校”制度，动态更新政府信息公开目录。",
        "（四）平台建设。优化政府网站政府信息公开专栏，规范栏目设置，提升检索和浏览体验。",
        f"（五）监督保障。全年因政府信息公开被申请行政复议{n('t4/review/total')}件、提起行政诉讼{suits}件。",
    ]


# ---------------------------------------------------------------- breaking one rule on purpose
BREAKABLE_RULES = ("t3_balance", "t3_outcomes", "t3_columns", "t4_rows")


def break_rule(spec: ReportSpec, rule: str, rng: random.Random) -> ReportSpec:
    """A copy of `spec` with printed figures changed so that exactly `rule` breaks and every other
    rule still holds.

    In 表三 every applicant cell is in one row equation (t3_columns) and one column equation
    (t3_balance or t3_outcomes), so no single cell can break just one rule; two cells move together:
    - t3_balance:  本年新收 +d in one applicant column and in 总计 → that column and 总计 are off by d,
      the 本年新收 row still sums;
    - t3_outcomes: one outcome row +d in one applicant column and in 总计 → likewise for the outcomes;
    - t3_columns:  本年新收 +d and 结转下年度 +d in one applicant column → the column still balances
      (both sides +d), the two rows no longer sum to their 总计;
    - t4_rows:     结果维持 +d in one 表四 group (one cell suffices).
    Cells are chosen among equations without blanks, so the change is visible to any checker."""
    figs = dict(spec.figures)
    d = rng.randint(1, 9)

    def known(*keys: str) -> bool:
        return all(figs.get(k) is not None for k in keys)

    def column_known(col: str) -> bool:
        return known(*(k for k in spec.keys if k.startswith("t3/") and k.endswith(f"/{col}")))

    def row_known(row: str) -> bool:
        return known(*(f"t3/{row}/{c}" for c, _ in T.T3_COLUMNS))

    def bump(key: str) -> None:
        figs[key] = figs[key] + d  # type: ignore[operator]

    applicants = [c for c in T.T3_APPLICANT_COLUMNS if column_known(c)]
    if rule == "t3_balance" and column_known("total") and applicants and row_known("new_received"):
        col = rng.choice(applicants)
        bump(f"t3/new_received/{col}")
        bump("t3/new_received/total")
    elif rule == "t3_outcomes" and column_known("total") and applicants:
        printed = {k.split("/")[1] for k in spec.keys if k.startswith("t3/")}
        rows = [r for r in T.T3_OUTCOME_ROWS if r in printed and row_known(r)]
        if not rows:
            raise ValueError("表三没有不含空白的办理结果行，无法制造 t3_outcomes 错误")
        row, col = rng.choice(rows), rng.choice(applicants)
        bump(f"t3/{row}/{col}")
        bump(f"t3/{row}/total")
    elif rule == "t3_columns" and row_known("new_received") and row_known("carried_forward") and applicants:
        col = rng.choice(applicants)
        bump(f"t3/new_received/{col}")
        bump(f"t3/carried_forward/{col}")
    elif rule == "t4_rows":
        groups = [r for r, _ in T.T4_ROWS if known(*(f"t4/{r}/{c}" for c, _ in T.T4_COLUMNS))]
        if not groups:
            raise ValueError("表四每组都有空白单元格，无法制造 t4_rows 错误")
        bump(f"t4/{rng.choice(groups)}/upheld")
    elif rule in BREAKABLE_RULES:
        raise ValueError(f"表三空白单元格太多，无法制造 {rule} 错误")
    else:
        raise ValueError(f"未知的规则：{rule}（可选：{'、'.join(BREAKABLE_RULES)}）")
    return replace(spec, figures=figs, paragraphs=list(spec.paragraphs))
