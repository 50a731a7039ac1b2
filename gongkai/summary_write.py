"""The 汇总表 written out: HTML (a page of its own, and the dashboard's tables), DOCX (python-docx, the national
template's table layout with its merged cells, for an office to paste into its own report) and XLSX (the tables
laid out the same way on one sheet, the sums long on another, and a 说明 sheet).

Every writer draws the grids of gongkai.summary_layout and asks the summary for each figure's text, so the
three files show the same cells; an incomplete sum is written as text ("≥ 123（2 个单位未填报）"), a complete one
as the number."""

from __future__ import annotations

import io
from datetime import datetime
from html import escape
from pathlib import Path

from gongkai.summary import Summary
from gongkai.summary_layout import Grid, grids

STYLE = """
<style>
table.gk-sum { border-collapse: collapse; margin: 0.25rem 0 1rem 0; font-size: 0.9rem; }
table.gk-sum th, table.gk-sum td { border: 1px solid rgba(128,128,128,0.6); padding: 3px 8px; }
table.gk-sum th { font-weight: 600; text-align: center; background: rgba(128,128,128,0.10); }
table.gk-sum th.gk-block { text-align: left; }
table.gk-sum td.gk-label { text-align: left; }
table.gk-sum td.gk-num { text-align: right; font-variant-numeric: tabular-nums; min-width: 3em; }
table.gk-sum td.gk-incomplete { background: rgba(255, 193, 7, 0.30); color: #8a4b00; }
</style>
"""


def _spans(rowspan: int, colspan: int) -> str:
    return (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")


def grid_html(summary: Summary, grid: Grid) -> str:
    """One table as HTML; every text escaped. An incomplete sum is marked (class gk-incomplete) and says why."""
    by_row: dict[int, list] = {}
    for box in grid.boxes:
        by_row.setdefault(box.row, []).append(box)
    parts = ['<table class="gk-sum">']
    for r in range(grid.rows):
        cells = []
        for box in sorted(by_row.get(r, []), key=lambda b: b.col):
            spans = _spans(box.rowspan, box.colspan)
            if box.kind in ("head", "block"):
                cls = ' class="gk-block"' if box.kind == "block" else ""
                cells.append(f"<th{spans}{cls}>{escape(box.text)}</th>")
            elif box.kind == "num" and box.key:
                c = summary.cell(box.key)
                cls = "gk-num" + ("" if c.complete or c.reports == 0 else " gk-incomplete")
                cells.append(f'<td{spans} class="{cls}" data-key="{escape(box.key)}">{escape(c.text())}</td>')
            else:
                cells.append(f'<td{spans} class="gk-label">{escape(box.text)}</td>')
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


def tables_html(summary: Summary) -> list[tuple[str, str]]:
    """(title, table HTML) of 表二, 表三, 表四 in the summary's layout."""
    return [(g.title, grid_html(summary, g)) for g in grids(summary.layout, summary.other_split)]


def to_html(summary: Summary) -> str:
    """A page of its own: title, lead sentence, the three tables, notes, the rules on the sums, the agencies."""
    body = [f"<h1>{escape(summary.title)}</h1>", f"<p>{escape(summary.lead())}</p>"]
    for title, table in tables_html(summary):
        body += [f"<h2>{escape(title)}</h2>", table]
    body.append("<h2>说明</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in summary.notes()) + "</ul>")
    body.append("<h2>汇总数核对</h2>" + _checks_html(summary))
    body.append("<h2>参与汇总的单位</h2><ol>"
                + "".join(f"<li>{escape(str(a))}</li>" for a in summary.reports.agency) + "</ol>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(summary.title)}</title>{STYLE}</head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def _checks_html(summary: Summary) -> str:
    frame = summary.check_frame()
    if frame.empty:
        return "<p>汇总数符合模板的全部勾稽关系。</p>"
    return "<ul>" + "".join(
        f"<li>【{escape(r['级别'])}】{escape(r['说明'])}"
        + (f"（自身违反该等式的单位：{escape(r['自身违反该等式的单位'])}）" if r["自身违反该等式的单位"] else "")
        + "</li>" for _, r in frame.iterrows()) + "</ul>"


# ---------------------------------------------------------------- DOCX
def to_docx(summary: Summary) -> bytes:
    """The 汇总表 as a Word document: title, lead sentence, the three tables with the template's merged cells
    (python-docx merges a rectangle of cells into one), notes and the check of the sums."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, as offices print
    section.left_margin = section.right_margin = Cm(1.8)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.name = "宋体"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")

    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(summary.title)
    run.bold = True
    run.font.size = Pt(16)
    doc.add_paragraph(summary.lead())

    for grid in grids(summary.layout, summary.other_split):
        title = doc.add_paragraph()
        title.add_run(grid.title).bold = True
        table = doc.add_table(rows=grid.rows, cols=grid.cols)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = _column_widths_cm(grid)
        for column, width in zip(table.columns, widths):  # the table grid (LibreOffice reads this)
            column.width = Cm(width)
        for row in table.rows:  # Word takes a column's width from its cells: set before merging
            for cell, width in zip(row.cells, widths):
                cell.width = Cm(width)
        # table.cell() lays the whole table out again on every call (quadratic: seconds for 表三); the cells are
        # taken once, before merging. Boxes do not overlap, so merging one box leaves the others' cells intact.
        cells = table._cells
        for box in grid.boxes:
            cell = cells[box.row * grid.cols + box.col]
            if box.rowspan > 1 or box.colspan > 1:
                corner = cells[(box.row + box.rowspan - 1) * grid.cols + box.col + box.colspan - 1]
                cell = cell.merge(corner)
            text = summary.cell(box.key).text() if box.kind == "num" and box.key else box.text
            paragraph = cell.paragraphs[0]
            paragraph.text = text
            if box.kind == "num":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif box.kind == "head":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for r in paragraph.runs:
                r.font.size = Pt(8 if grid.cols > 10 else 9)
                if box.kind in ("head", "block"):
                    r.bold = True

    doc.add_paragraph().add_run("说明").bold = True
    for note in summary.notes():
        doc.add_paragraph(note)
    doc.add_paragraph().add_run("汇总数核对").bold = True
    frame = summary.check_frame()
    if frame.empty:
        doc.add_paragraph("汇总数符合模板的全部勾稽关系。")
    for _, r in frame.iterrows():
        who = f"（自身违反该等式的单位：{r['自身违反该等式的单位']}）" if r["自身违反该等式的单位"] else ""
        doc.add_paragraph(f"【{r['级别']}】{r['说明']}{who}")
    doc.add_paragraph().add_run("参与汇总的单位").bold = True
    doc.add_paragraph("、".join(str(a) for a in summary.reports.agency))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _column_widths_cm(grid: Grid) -> list[float]:
    """Column widths on an A4 page less margins (17.4 cm): 表三's label columns wide enough for its longest
    numbered items, the figure columns equal."""
    usable = 17.4
    if grid.cols == 10:  # 表三: section, group, item, seven figures
        labels = [1.6, 2.2, 4.6]
    elif grid.cols == 15:  # 表四: fifteen figures
        labels = []
    else:  # 表二: 信息内容 then the block's columns
        labels = [5.1]
    rest = (usable - sum(labels)) / (grid.cols - len(labels))
    return labels + [rest] * (grid.cols - len(labels))


# ---------------------------------------------------------------- XLSX
def to_xlsx(summary: Summary, now: datetime | None = None) -> bytes:
    """Sheet 汇总表: the three tables laid out as printed (merged cells; complete sums as numbers, incomplete ones
    as text); sheet 数据: the sums long (summary.frame()); sheet 说明: region, year, reports, notes, checks."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    now = now or datetime.now()
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总表"
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.cell(1, 1, summary.title).font = Font(bold=True, size=14)
    ws.cell(2, 1, summary.lead())
    top = 4
    for grid in grids(summary.layout, summary.other_split):
        ws.cell(top, 1, grid.title).font = Font(bold=True)
        top += 1
        for box in grid.boxes:
            r, c = top + box.row, 1 + box.col
            value: object = box.text
            if box.kind == "num" and box.key:
                sum_cell = summary.cell(box.key)
                value = sum_cell.exact if sum_cell.complete else sum_cell.text()
            target = ws.cell(r, c, _text_cell(value))
            target.alignment = Alignment(wrap_text=True, vertical="center",
                                         horizontal="right" if box.kind == "num" else "center" if box.kind == "head" else "left")
            if box.kind in ("head", "block"):
                target.font = Font(bold=True)
            for rr in range(r, r + box.rowspan):
                for cc in range(c, c + box.colspan):
                    ws.cell(rr, cc).border = border
            if box.rowspan > 1 or box.colspan > 1:
                ws.merge_cells(start_row=r, start_column=c, end_row=r + box.rowspan - 1,
                               end_column=c + box.colspan - 1)
        top += grid.rows + 1
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 22

    data = wb.create_sheet("数据")
    frame = summary.frame()
    data.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        data.append([_text_cell(_plain(v)) for v in row])

    about = wb.create_sheet("说明")
    about.append(["项目", "内容"])
    for item, value in [("地区", summary.scope.path), ("年度", summary.year), ("参与汇总的单位数", summary.report_count),
                        *[("说明", n) for n in summary.notes()],
                        *[("汇总数核对", f"【{r['级别']}】{r['说明']}") for _, r in summary.check_frame().iterrows()],
                        ("参与汇总的单位", "、".join(str(a) for a in summary.reports.agency)),
                        ("导出时间", now.strftime("%Y-%m-%d %H:%M:%S"))]:
        about.append([item, _text_cell(value)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _plain(value: object) -> object:
    """NaN → empty cell; numpy scalars → Python."""
    try:
        import pandas as pd

        if pd.isna(value):  # type: ignore[arg-type]
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _text_cell(value: object) -> object:
    """openpyxl stores a string starting with "=" as a formula: an agency name is text."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value


def write(summary: Summary, fmt: str, out: Path) -> None:
    """Write the summary as docx, xlsx or html to `out`."""
    if fmt == "docx":
        data = to_docx(summary)
    elif fmt == "xlsx":
        data = to_xlsx(summary)
    elif fmt == "html":
        data = to_html(summary).encode("utf-8")
    else:
        raise ValueError(f"不支持的格式“{fmt}”：请用 docx、xlsx 或 html")
    out.write_bytes(data)
