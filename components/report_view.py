"""报告详情: one report's three tables laid out as the national template prints them (merged label cells,
grouped headers), built from gongkai.template so both formats come out right. A cell some rule names is
highlighted and carries the rule's message (hover, and listed under the table).  A figure recognised from a
picture (OCR) is marked (dotted underline, blue tint) and its hover says so, with the recogniser's confidence.

Rendered as HTML because the printed layout needs rowspan/colspan; every text is escaped (agency names and
messages come from report files)."""

from __future__ import annotations

from html import escape

import pandas as pd

from components import fmt
from components.i18n import t
from gongkai import template as T

STYLE = """
<style>
table.gk-report { border-collapse: collapse; margin: 0.25rem 0 1rem 0; font-size: 0.9rem; }
table.gk-report th, table.gk-report td { border: 1px solid rgba(128,128,128,0.45); padding: 3px 8px; }
table.gk-report th { font-weight: 600; text-align: center; background: rgba(128,128,128,0.10); }
table.gk-report td.gk-label { text-align: left; }
table.gk-report td.gk-num { text-align: right; font-variant-numeric: tabular-nums; min-width: 3.5em; }
table.gk-report td.gk-blank { color: rgba(128,128,128,0.9); }
table.gk-report td.gk-unread { color: #d94a57; font-style: italic; }
table.gk-report td.gk-flag { background: rgba(255, 193, 7, 0.45); outline: 2px solid #d94a57; cursor: help; }
table.gk-report td.gk-ocr { background: rgba(66, 133, 244, 0.12); text-decoration: underline dotted rgba(66, 133, 244, 0.9); }
table.gk-report td.gk-ocr.gk-flag { background: rgba(255, 193, 7, 0.45); }
table.gk-report th.gk-block { text-align: left; }
</style>
"""


class Cells:
    """The report's figures by key, and the finding messages naming each cell.

    A cell the report prints but the parser did not read (status 'unread', or a template cell of the
    report's format with no row at all) is shown as 未读取 — never as a blank, which means printed empty."""

    def __init__(self, figures: pd.DataFrame):
        self.values: dict[str, object] = {}
        self.messages: dict[str, list[str]] = {}
        # OCR'd cells: key → the recogniser's confidence (None when not recorded).
        self.ocr: dict[str, float | None] = {}
        for row in figures.itertuples(index=False):
            key = f"{row.table}/{row.row}/{row.column}"
            if getattr(row, "source", "text") == "ocr" and getattr(row, "status", None) != "unread":
                conf = getattr(row, "confidence", None)
                self.ocr[key] = None if conf is None or pd.isna(conf) else float(conf)
            found = list(row.findings) if row.findings is not None else []
            if found:
                self.messages[key] = [str(m) for m in found]
            if getattr(row, "status", None) == "unread":
                continue
            self.values[key] = row.value

    def has(self, key: str) -> bool:
        return key in self.values

    def td(self, key: str) -> str:
        tips = []
        if key not in self.values:  # a template cell of this report that was not read: not a blank
            classes = ["gk-num", "gk-unread"]
            text = t("report.unread")
            tips.append(t("report.unread_tip"))
        else:
            value = self.values[key]
            classes = ["gk-num"]
            text = fmt.num(value)
        if key in self.values and fmt.missing(self.values[key]):  # printed blank: not 0, and shown so
            classes.append("gk-blank")
            text = fmt.BLANK
            tips.append(t("report.blank"))
        if key in self.ocr:
            classes.append("gk-ocr")
            conf = self.ocr[key]
            tips.append(t("report.ocr_cell") + (f"（{t('report.ocr_confidence')} {conf:.2f}）" if conf is not None else ""))
        if key in self.messages:
            classes.append("gk-flag")
            tips += self.messages[key]
        title = f' title="{escape("；".join(tips))}"' if tips else ""
        return f'<td class="{" ".join(classes)}" data-key="{escape(key)}"{title}>{escape(text)}</td>'


def _th(text: str, rowspan: int = 1, colspan: int = 1, cls: str = "") -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    attrs += f' class="{cls}"' if cls else ""
    return f"<th{attrs}>{escape(text)}</th>"


def _label(text: str, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    return f'<td class="gk-label"{attrs}>{escape(text)}</td>'


def table2_html(cells: Cells, fmt_name: str) -> str:
    """表二: one block per 第二十条 item, each with its own column headers, as the template prints it."""
    rows_by_key = {r.key: r for r in T.T2_ROWS}
    index = 0 if fmt_name == "2021" else 1
    parts = ['<table class="gk-report">']
    for title, row_keys, col_keys in T.T2_BLOCKS[fmt_name]:
        parts.append(f"<tr>{_th(title, colspan=len(col_keys) + 1, cls='gk-block')}</tr>")
        headers = [T.T2_CELLS[(row_keys[0], c)][index] or next(
            (T.T2_CELLS[(r, c)][index] for r in row_keys if T.T2_CELLS.get((r, c), ("", ""))[index]), c)
            for c in col_keys]
        parts.append("<tr>" + _th("信息内容") + "".join(_th(h) for h in headers) + "</tr>")
        for r in row_keys:
            row = rows_by_key[r]
            label = row.label_2021 if fmt_name == "2021" else row.label_2019
            tds = "".join(
                cells.td(f"t2/{r}/{c}") if T.T2_CELLS.get((r, c), ("", ""))[index] else "<td></td>"
                for c in col_keys
            )
            parts.append(f"<tr>{_label(label)}{tds}</tr>")
    parts.append("</table>")
    return "".join(parts)


def _t3_rows(cells: Cells, fmt_name: str) -> list[T.T3Row]:
    """The 表三 rows this report prints: （六）其他处理 as one row or as its three numbered rows."""
    split = any(cells.has(f"t3/{r}/total") for r in T.T3_OTHER_SPLIT)
    one = cells.has("t3/other/total")
    if not split and not one:
        split = fmt_name == "2021"
    out = []
    for row in T.T3_ROWS:
        if row.key == "other" and split and not one:
            # the 2021 heading （六） has no figures of its own when the rows are split
            out.append(row)
            continue
        if row.key in T.T3_OTHER_SPLIT and not split:
            continue
        if fmt_name not in row.formats and not any(cells.has(f"t3/{row.key}/{c}") for c, _ in T.T3_COLUMNS):
            continue
        out.append(row)
    return out


def table3_html(cells: Cells, fmt_name: str) -> str:
    """表三: three label columns (section, group, numbered item) merged as printed; seven applicant columns."""
    applicant = [label for key, label in T.T3_COLUMNS if key not in ("natural_person", "total")]
    parts = ['<table class="gk-report">',
             "<tr>" + _th("", rowspan=3, colspan=3) + _th("申请人情况", colspan=7) + "</tr>",
             "<tr>" + _th("自然人", rowspan=2) + _th("法人或其他组织", colspan=5) + _th("总计", rowspan=2) + "</tr>",
             "<tr>" + "".join(_th(label) for label in applicant) + "</tr>"]
    rows = _t3_rows(cells, fmt_name)
    section3 = [r for r in rows if r.section == "三"]
    split_other = any(r.key in T.T3_OTHER_SPLIT for r in rows)
    group_size: dict[str, int] = {}
    for r in section3:
        if r.item or (r.group == "六" and split_other):
            group_size[r.group] = group_size.get(r.group, 0) + (1 if r.item else 0)
    seen_section3: set[str] = set()
    seen_group: set[str] = set()
    for r in rows:
        labels = ""
        if r.section != "三":
            labels = _label(r.label, colspan=3)
        else:
            if not seen_section3:
                labels += _label(T.T3_SECTIONS["三"], rowspan=len(section3) - (1 if "六" in group_size else 0))
                seen_section3.add("三")
            if r.group in group_size:
                if r.key == "other":  # the heading row of a split （六）: its label spans its numbered rows
                    continue
                if r.group not in seen_group:
                    labels += _label(T.T3_GROUPS[r.group], rowspan=group_size[r.group])
                    seen_group.add(r.group)
                labels += _label(r.label)
            else:
                labels += _label(r.label, colspan=2)
        tds = "".join(cells.td(f"t3/{r.key}/{c}") for c, _ in T.T3_COLUMNS)
        parts.append(f"<tr>{labels}{tds}</tr>")
    parts.append("</table>")
    return "".join(parts)


def table4_html(cells: Cells) -> str:
    """表四: one row of fifteen cells under 行政复议 / 行政诉讼（未经复议直接起诉、复议后起诉）."""
    cols = T.T4_COLUMNS
    parts = ['<table class="gk-report">',
             "<tr>" + _th("行政复议", colspan=5) + _th("行政诉讼", colspan=10) + "</tr>",
             "<tr>" + "".join(_th(label, rowspan=2) for _, label in cols)
             + _th("未经复议直接起诉", colspan=5) + _th("复议后起诉", colspan=5) + "</tr>",
             "<tr>" + "".join(_th(label) for _, label in cols) * 2 + "</tr>",
             "<tr>" + "".join(cells.td(f"t4/{row}/{c}") for row, _ in T.T4_ROWS for c, _ in cols) + "</tr>",
             "</table>"]
    return "".join(parts)
