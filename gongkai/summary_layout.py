"""The national template's three tables as grids of merged cells, built from gongkai.template.

One layout, three writers (gongkai.summary_write: HTML, DOCX, XLSX): each box is a cell of the printed
table with its row/column span, as 国办公开办函〔2021〕30号 (or the 2019 format) prints it — 表三's
申请人情况 header over the applicant columns and 法人或其他组织 over five of them, the outcome groups' labels
merged over their numbered items, 表四's 行政复议 / 行政诉讼 headers over their five and ten columns. A box
holding a figure names its key; the writer asks the summary for its text.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongkai import template as T
from gongkai.summary import OTHER_COMBINED


@dataclass(frozen=True)
class Box:
    row: int
    col: int
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    kind: str = "label"  # head (column header), block (a 表二 block title), label (row label), num (a figure)
    key: str | None = None


@dataclass(frozen=True)
class Grid:
    title: str
    rows: int
    cols: int
    boxes: tuple[Box, ...]


def _t2_header(fmt: str, row_keys: tuple[str, ...], col: str) -> str:
    index = 0 if fmt == "2021" else 1
    for r in row_keys:
        text = T.T2_CELLS.get((r, col), ("", ""))[index]
        if text:
            return text
    return col


def t2_grid(fmt: str) -> Grid:
    """表二: a title row per 第二十条 item, then its header row and its rows; a block with fewer columns than
    the widest lets its last column span the rest, as the printed blocks fill the page width."""
    index = 0 if fmt == "2021" else 1
    rows_by_key = {r.key: r for r in T.T2_ROWS}
    blocks = T.T2_BLOCKS[fmt]
    width = 1 + max(len(cols) for _, _, cols in blocks)
    boxes: list[Box] = []
    r = 0
    for title, row_keys, col_keys in blocks:
        boxes.append(Box(r, 0, title, colspan=width, kind="block"))
        r += 1
        boxes.append(Box(r, 0, "信息内容", kind="head"))
        for i, col in enumerate(col_keys):
            span = width - 1 - i if i == len(col_keys) - 1 else 1
            boxes.append(Box(r, 1 + i, _t2_header(fmt, row_keys, col), colspan=span, kind="head"))
        r += 1
        for row_key in row_keys:
            row = rows_by_key[row_key]
            boxes.append(Box(r, 0, row.label_2021 if fmt == "2021" else row.label_2019))
            for i, col in enumerate(col_keys):
                span = width - 1 - i if i == len(col_keys) - 1 else 1
                printed = bool(T.T2_CELLS.get((row_key, col), ("", ""))[index])
                boxes.append(Box(r, 1 + i, colspan=span, kind="num" if printed else "label",
                                 key=f"t2/{row_key}/{col}" if printed else None))
            r += 1
    return Grid(T.TABLE_TITLES["t2"], r, width, tuple(boxes))


def t3_rows(fmt: str, other_split: bool) -> list[tuple[str, T.T3Row]]:
    """(row key of the figures, template row) of 表三 as laid out: （六）其他处理 as one row or three."""
    out = []
    for row in T.T3_ROWS:
        if row.key == "other":
            if not other_split:
                out.append((OTHER_COMBINED, row))
            continue
        if row.key in T.T3_OTHER_SPLIT and not other_split:
            continue
        if fmt not in row.formats and row.key not in T.T3_OTHER_SPLIT:
            continue
        out.append((row.key, row))
    return out


def t3_grid(fmt: str, other_split: bool) -> Grid:
    """表三: three label columns (section, group, numbered item) merged as printed; three header rows over
    seven figure columns (申请人情况 › 自然人 | 法人或其他组织 › five kinds | 总计)."""
    applicant = [label for key, label in T.T3_COLUMNS if key not in ("natural_person", "total")]
    boxes = [
        Box(0, 0, "", rowspan=3, colspan=3, kind="head"),
        Box(0, 3, "申请人情况", colspan=7, kind="head"),
        Box(1, 3, "自然人", rowspan=2, kind="head"),
        Box(1, 4, "法人或其他组织", colspan=5, kind="head"),
        Box(1, 9, "总计", rowspan=2, kind="head"),
        *[Box(2, 4 + i, label, kind="head") for i, label in enumerate(applicant)],
    ]
    laid = t3_rows(fmt, other_split)
    section3 = [row for _, row in laid if row.section == "三"]
    group_size: dict[str, int] = {}
    for row in section3:
        if row.item:
            group_size[row.group] = group_size.get(row.group, 0) + 1
    r = 3
    section_drawn = False
    groups_drawn: set[str] = set()
    for figure_row, row in laid:
        if row.section != "三":
            boxes.append(Box(r, 0, row.label, colspan=3))
        else:
            if not section_drawn:
                boxes.append(Box(r, 0, T.T3_SECTIONS["三"], rowspan=len(section3)))
                section_drawn = True
            if row.item:
                if row.group not in groups_drawn:
                    boxes.append(Box(r, 1, T.T3_GROUPS[row.group], rowspan=group_size[row.group]))
                    groups_drawn.add(row.group)
                boxes.append(Box(r, 2, row.label))
            else:
                boxes.append(Box(r, 1, row.label, colspan=2))
        for i, col in enumerate(T.T3_COLUMN_KEYS):
            boxes.append(Box(r, 3 + i, kind="num", key=f"t3/{figure_row}/{col}"))
        r += 1
    return Grid(T.TABLE_TITLES["t3"], r, 10, tuple(boxes))


def t4_grid() -> Grid:
    """表四: 行政复议 (five columns) and 行政诉讼 (未经复议直接起诉, 复议后起诉: five each), one row of figures."""
    cols = T.T4_COLUMNS
    boxes = [Box(0, 0, "行政复议", colspan=5, kind="head"), Box(0, 5, "行政诉讼", colspan=10, kind="head")]
    boxes += [Box(1, i, label, rowspan=2, kind="head") for i, (_, label) in enumerate(cols)]
    boxes += [Box(1, 5, "未经复议直接起诉", colspan=5, kind="head"), Box(1, 10, "复议后起诉", colspan=5, kind="head")]
    boxes += [Box(2, 5 + i, label, kind="head") for i, (_, label) in enumerate(list(cols) * 2)]
    boxes += [Box(3, i, kind="num", key=f"t4/{row}/{col}")
              for i, (row, col) in enumerate((row, col) for row, _ in T.T4_ROWS for col, _ in cols)]
    return Grid(T.TABLE_TITLES["t4"], 4, 15, tuple(boxes))


def grids(fmt: str, other_split: bool) -> list[Grid]:
    return [t2_grid(fmt), t3_grid(fmt, other_split), t4_grid()]
