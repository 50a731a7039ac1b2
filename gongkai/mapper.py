"""Document → figures and metadata, by the template's structure.

The mapper reads every table row of the document in order, as one stream, with a little state:
which template table it is in (set by section headings and by header rows) and, inside 表三, which
outcome group （一）…（七） the last group label named.  A row is identified by its *labels*, never
by its position, so the same code reads a table split over pages or Word tables, a label merged
over rows (printed once, repeated, or left blank below), and a row printed in one cell or three.
A row's figures are the value cells after its last label cell, in the template's column order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from gongkai import template as T
from gongkai.document import Cell, Document, Paragraph, Table
from gongkai.report import Finding, Value
from gongkai.template import normalize_label

# A printed blank: "not reported", which is not 0.
NULL_TOKENS = {"", "—", "-", "/", "无", "－", "–", "——", "—-", "\\", "／", "-—", "空", "不适用"}
_NUMBER = re.compile(r"^(?P<num>[+-]?\d+(?:,\d{3})*(?:\.\d+)?)(?P<unit>万元|元|件|项|个|条|次)?$")


def parse_value(text: str) -> tuple[bool, Value]:
    """(is a value cell, value).  Spaces inside numbers ("1 0" in PDFs) are dropped; units printed
    beside a number ("75394432.52元") are dropped too — the unit is the template's."""
    # Cell texts repeat across rows and reports ("0", "—", labels): short ones are cached.
    return _parse_value_short(text) if len(text) <= 256 else _parse_value(text)


def _parse_value(text: str) -> tuple[bool, Value]:
    s = normalize_label(text).replace("，", ",")
    if s in NULL_TOKENS:
        return True, None
    m = _NUMBER.match(s)
    if not m:
        return False, None
    num = m.group("num").replace(",", "")
    if "." in num:
        return True, float(num)
    if len(num) > 4000:
        # Past Python's int-from-text limit (4,300 digits); absurd anyway, and the parser refuses
        # any figure this large by name, so infinity is as good as the exact digits.
        return True, float("inf")
    return True, int(num)


_parse_value_short = lru_cache(maxsize=1 << 16)(_parse_value)


@dataclass
class Mapped:
    figures: dict[str, Value] = field(default_factory=dict)
    template: str | None = None
    agency: str | None = None
    year: int | None = None
    tables_found: set[str] = field(default_factory=set)
    other_split: bool | None = None
    findings: list[Finding] = field(default_factory=list)
    # Rows of a table that print numbers under a label no template row matches, as printed ("■■ | 1 | 0"),
    # by table: what was seen, for the message of a row found missing in that table.
    unmatched: dict[str, list[str]] = field(default_factory=dict)
    # Figures not read from a text layer: key → (source, confidence), source "ocr"; a key absent is "text".
    provenance: dict[str, tuple[str, float | None]] = field(default_factory=dict)
    # OCR'd figures the recogniser found another likely reading of: key → those readings (cell text).
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class _Row:
    labels: list[str]  # normalised label cells in order
    values: list[tuple[bool, Value]]  # the cells after the last label cell
    raw: list[str]
    # Grid column (start, end) of each label and value cell, spans of the rows above taken into account.
    label_spans: list[tuple[int, int]] = field(default_factory=list)
    value_spans: list[tuple[int, int]] = field(default_factory=list)
    value_cells: list[Cell] = field(default_factory=list)  # the cells of `values`, for provenance


def _split_row(cells: list[str], spans: list[tuple[int, int]] | None = None, objects: list[Cell] | None = None) -> _Row:
    parsed = [parse_value(c) for c in cells]
    spans = spans or [(i, i + 1) for i in range(len(cells))]
    last_label = max((i for i, (is_val, _) in enumerate(parsed) if not is_val), default=-1)
    label_idx = [i for i in range(last_label + 1) if not parsed[i][0]]
    return _Row(
        labels=[normalize_label(cells[i]) for i in label_idx],
        values=parsed[last_label + 1 :],
        raw=cells,
        label_spans=[spans[i] for i in label_idx],
        value_spans=spans[last_label + 1 :],
        value_cells=(objects or [])[last_label + 1 :],
    )


def _column_spans(table: Table) -> list[list[tuple[int, int]]]:
    """Each cell's grid columns [start, end): a cell starts at the first column not covered by a
    cell merged down from a row above (the HTML table model, which every reader's output follows)."""
    covered: dict[int, set[int]] = {}
    out = []
    for r, row in enumerate(table.rows):
        taken = covered.get(r, set())
        col = 0
        spans = []
        for cell in row:
            while col in taken:
                col += 1
            width = max(1, cell.colspan)
            spans.append((col, col + width))
            for dr in range(1, max(1, cell.rowspan)):
                covered.setdefault(r + dr, set()).update(range(col, col + width))
            col += width
        out.append(spans)
    return out


def _fit(values: list[tuple[bool, Value]], n: int) -> list[Value] | None:
    """Exactly n values, dropping surplus *blank* cells (placeholders of merged label columns
    before the values, or empty trailing cells) — never a printed number."""
    vals = [v for _, v in values]
    while len(vals) > n and vals and vals[0] is None:
        vals.pop(0)
    while len(vals) > n and vals and vals[-1] is None:
        vals.pop()
    return vals if len(vals) == n else None


def _fit_cells(row: _Row, n: int) -> list[Cell] | None:
    """The cells `_fit` keeps: it drops leading blanks first, then trailing ones, so the kept values are
    one window starting after min(leading blanks, surplus)."""
    if len(row.value_cells) != len(row.values) or len(row.values) < n:
        return None
    leading = next((i for i, (_, v) in enumerate(row.values) if v is not None), len(row.values))
    start = min(leading, len(row.values) - n)
    return row.value_cells[start : start + n]


def _has(text: str, phrases: tuple[str, ...] | list[str]) -> bool:
    return any(p in text for p in phrases)


# ---------------------------------------------------------------- section detection
_T2_HEADING = ("主动公开政府信息情况", "主动公开政府信息")
_T3_HEADING = ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请", "依申请公开")
_T4_HEADING = ("行政复议、行政诉讼情况", "行政复议、行政诉讼", "行政复议行政诉讼", "复议、行政诉讼")
_HEADING_MAX = 40  # headings are short; long paragraphs that mention a section are narrative


def _heading_table(text: str) -> str | None:
    s = normalize_label(text)
    if len(s) > _HEADING_MAX:
        return None
    if _has(s, _T4_HEADING) or ("复议" in s and "诉讼" in s):
        return "t4"
    if _has(s, _T3_HEADING):
        return "t3"
    if _has(s, _T2_HEADING):
        return "t2"
    return None


def _row_table(joined: str) -> str | None:
    """Which table a header-ish row belongs to, from words only that table prints."""
    if "行政复议" in joined and "行政诉讼" in joined:
        return "t4"
    if _has(joined, ("本年新收", "申请人情况", "自然人", "本年度办理结果", "勾稽关系")):
        return "t3"
    if _has(joined, ("第二十条", "信息内容")):
        return "t2"
    return None


_T3_HEADER_WORDS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "申请人情况")
_T2_BLOCK_MARK = re.compile(r"第二十条第\(([一二三四五六七八九十]+)\)项")
_GROUP_MARK = re.compile(r"\(([一二三四五六七])\)")
_ITEM_MARK = re.compile(r"^(\d{1,2})[.．、,，]?")


_T3_SECTION_THREE = normalize_label(T.T3_SECTIONS["三"])


@lru_cache(maxsize=1 << 14)  # the same few dozen labels recur in every report
def _own_label(label: str) -> str:
    """The words that name a 表三 row itself, without the parents a flattened cell carries in front.

    Converters and crawlers join merged label cells into one: "三、本年度办理结果(三)不予公开1.属于国家秘密"
    is the item 1 of group （三）.  The template's numbering is the structure: what follows the last group
    mark, less that group's own words, is the row's own label ("" when the cell is the group itself)."""
    found = list(_GROUP_MARK.finditer(label))
    if not found:
        # The section carried without the group ("三、本年度办理结果 3.其他"): the item follows the section.
        return label[len(_T3_SECTION_THREE):] if label.startswith(_T3_SECTION_THREE) else label
    own = label[found[-1].end():]
    for phrase in T.T3_GROUP_PHRASES[found[-1].group(1)]:
        if own.startswith(phrase):
            own = own[len(phrase):]
            break
    if own.startswith("(") and ")" in own:
        own = own[own.index(")") + 1:]  # （二）部分公开（区分处理的，只计这一情形…）: the group's own note
    return own


class _Mapper:
    def __init__(self) -> None:
        self.out = Mapped()
        self.table: str | None = None
        self.group: str | None = None
        self.t2_columns: list[str] = []
        self.t2_column_spans: list[tuple[int, int]] = []
        self.t2_block: str | None = None  # the 第二十条 item of the block being read: "五"
        self.t4_pending: list[Value] = []
        self.t4_pending_cells: list[Cell] = []
        self.seen_rows: dict[tuple[str, str], int] = {}
        self.format_votes = {"2019": 0, "2021": 0}

    # ------------------------------------------------------------ helpers
    def put(
        self, table: str, row: str, columns: list[str], values: list[Value], cells: list[Cell] | None = None
    ) -> None:
        if (table, row) in self.seen_rows:
            self.seen_rows[(table, row)] += 1
            return  # a repeated row (a header repeated after a page break is skipped earlier)
        self.seen_rows[(table, row)] = 1
        self.out.tables_found.add(table)
        figures = self.out.figures
        for i, (col, val) in enumerate(zip(columns, values)):
            key = f"{table}/{row}/{col}"
            figures[key] = val
            # only what did not come from a text layer is recorded (a figure without an entry is `text`):
            # every report has 200 figures, and nearly all of them are text
            if cells is not None and i < len(cells) and cells[i].source != "text":
                cell = cells[i]
                self.out.provenance[key] = (cell.source, cell.confidence)
                if cell.alternatives:
                    self.out.alternatives[key] = cell.alternatives

    def put_fitted(self, table: str, key: str, columns: tuple[str, ...], row: _Row) -> None:
        """Store a row's values under `columns`, or say the row could not be read."""
        vals = _fit(row.values, len(columns))
        if vals is None:
            self.unreadable(table, row.labels[-1], row, len(columns), [f"{table}/{key}/{c}" for c in columns])
            return
        self.put(table, key, list(columns), vals, _fit_cells(row, len(columns)))

    def seen_unmatched(self, table: str, row: _Row) -> None:
        seen = self.out.unmatched.setdefault(table, [])
        if len(seen) < 3:  # enough to show what the labels look like
            seen.append(" | ".join(c for c in row.raw if c))

    def unreadable(self, table: str, what: str, row: _Row, expected: int, cells: list[str]) -> None:
        """The row was found but its cells could not be placed: its figures stay absent (not blank),
        and `cells` names them so that no other finding calls them missing or blank."""
        self.out.findings.append(
            Finding(
                rule="unreadable_row",
                severity="error",
                table=table,
                row=cells[0].split("/")[1] if len({c.split("/")[1] for c in cells}) == 1 else None,
                cells=cells,
                message=(
                    f"{T.TABLE_NAMES_ZH[table]}“{what}”一行应有 {expected} 个数值单元格，"
                    f"实际读到 {len(row.values)} 个（{' | '.join(row.raw)}），该行未能读取"
                ),
            )
        )

    # ------------------------------------------------------------ 表二
    def t2_row(self, row: _Row) -> None:
        joined = "".join(row.labels)
        numeric = [v for is_val, v in row.values if is_val]
        block = _T2_BLOCK_MARK.search(joined)
        if block:
            # A block's title (第二十条第（五）项): the columns of the block above end here, so a block
            # whose header cannot be read is never read with another block's (or table's) columns.
            self.t2_block = block.group(1)
            self.t2_columns, self.t2_column_spans = [], []
        if not row.values or not any(v is not None for v in numeric) and not any(
            _has(joined, r.phrases) for r in T.T2_ROWS
        ):
            # A header row: which columns the block below prints, in order.
            cols, spans = self._t2_header(row)
            if cols:
                self.t2_columns = cols
                self.t2_column_spans = spans
                for c in cols:
                    if c in ("issued", "repealed", "in_force"):
                        self.format_votes["2021"] += 1
                    elif c in ("made", "published", "total_published", "prev_items", "change", "items"):
                        self.format_votes["2019"] += 1
                    elif c == "amount" and "收费金额" in joined:
                        self.format_votes["2021"] += 1
            return
        label = row.labels[-1] if row.labels else ""
        spec = next((r for r in T.T2_ROWS if _has(label, r.phrases)), None)
        if spec is None:
            spec = next((r for r in T.T2_ROWS if _has(joined, r.phrases)), None)
        if spec is None or not self.t2_columns:
            if numeric and any(v is not None for v in numeric):
                self.seen_unmatched("t2", row)
            return
        picked = self._t2_by_position(row)
        vals = read_from = None
        if picked is not None:
            vals = [v for v, _ in picked]
            read_from = [row.value_cells[k] for _, k in picked] if row.value_cells else None
        else:
            vals = _fit(row.values, len(self.t2_columns))
            read_from = _fit_cells(row, len(self.t2_columns))
        if vals is None:
            cells = [f"t2/{spec.key}/{c}" for c in self.t2_columns if (spec.key, c) in T.T2_CELLS]
            cells = cells or [f"t2/{r}/{c}" for r, c in T.T2_CELLS if r == spec.key]
            self.unreadable("t2", label, row, len(self.t2_columns), cells)
            return
        cols = [c for c in self.t2_columns]
        keep = [(c, v, i) for i, (c, v) in enumerate(zip(cols, vals)) if (spec.key, c) in T.T2_CELLS]
        if keep:
            kept_cells = [read_from[i] for _, _, i in keep] if read_from else None
            self.put("t2", spec.key, [c for c, _, _ in keep], [v for _, v, _ in keep], kept_cells)

    def _t2_header(self, row: _Row) -> tuple[list[str], list[tuple[int, int]]]:
        """The columns a 表二 header row names, in order.  A header cell whose words match no column
        (a glyph the PDF maps to nothing, a variant wording) is placed by the template: the block's
        columns, in either format, that agree with every cell that was recognised."""
        cols: list[str | None] = []
        spans: list[tuple[int, int]] = []
        for i, (label, span) in enumerate(zip(row.labels, row.label_spans)):
            col = next((c.key for c in T.T2_COLUMNS if _has(label, c.phrases)), None)
            if col is None and (i == 0 or _has(label, ("信息内容", "第二十条"))):
                continue  # the row-label column's header, or the block's title
            cols.append(col)
            spans.append(span)
        if None not in cols or not any(cols):
            known = [(c, s) for c, s in zip(cols, spans) if c is not None]
            return [c for c, _ in known], [s for _, s in known]
        fits = {
            block_cols
            for fmt_blocks in T.T2_BLOCKS.values()
            for title, _, block_cols in fmt_blocks
            if (self.t2_block is None or normalize_label(title).endswith(f"({self.t2_block})项"))
            and len(block_cols) == len(cols)
            and all(c is None or c == b for c, b in zip(cols, block_cols))
        }
        if len(fits) == 1:
            return list(next(iter(fits))), spans
        known = [(c, s) for c, s in zip(cols, spans) if c is not None]
        return [c for c, _ in known], [s for _, s in known]

    def _t2_by_position(self, row: _Row) -> list[tuple[Value, int]] | None:
        """Values placed under the header cell whose columns hold them.  表二 blocks have fewer
        columns than the table is wide, so a merged or padded cell beside the values is common;
        position tells a blank 上一年项目数量 from padding where order cannot.  None when the
        positions do not line up (e.g. a block continued in another table).  Each value comes with
        the index of its cell in `row.values`."""
        found: dict[int, tuple[Value, int]] = {}
        for k, ((is_val, value), (start, _)) in enumerate(zip(row.values, row.value_spans)):
            hit = [i for i, (a, b) in enumerate(self.t2_column_spans) if a <= start < b]
            if not hit:
                if value is not None:
                    return None  # a printed number under no header: let order decide
                continue
            if hit[0] in found:
                if value is None:
                    continue
                if found[hit[0]][0] is not None:
                    return None
            found[hit[0]] = (value, k)
        if len(found) != len(self.t2_columns):
            return None
        return [found[i] for i in range(len(self.t2_columns))]

    # ------------------------------------------------------------ 表三
    def t3_row_key(self, row: _Row) -> str | None:
        joined = "".join(row.labels)
        last = row.labels[-1] if row.labels else ""
        if "本年新收" in joined:
            return "new_received"
        if "上年结转" in joined:
            return "carried_over"
        if "结转下年度" in joined or ("继续办理" in joined and "结转" in joined):
            return "carried_forward"
        marks = _GROUP_MARK.findall(joined)
        group = marks[-1] if marks else None
        own = _own_label(last)
        item_match = _ITEM_MARK.match(own)
        item = int(item_match.group(1)) if item_match else 0
        if group is None and not item:
            # A group label printed without its （N） numbering.
            for g, phrases in T.T3_GROUP_PHRASES.items():
                if _has(last, phrases) and not (g == "一" and "不予公开" in last):
                    group = g
                    break
        if group:
            self.group = group
        if item:
            # Identify by number inside the current group; prefer a phrase match of the same group
            # when the number and the wording disagree (the wording is what a human reads).
            candidates = [r for r in T.T3_ROWS if r.group == self.group and r.item]
            by_phrase = [r for r in candidates if _has(own, r.phrases)]
            by_number = [r for r in candidates if r.item == item]
            if len(by_phrase) == 1:
                return by_phrase[0].key
            if by_number:
                return by_number[0].key
            return None
        if group:
            if own:
                # The group mark and then an item's words without its number ("(三)不予公开属于国家秘密").
                hits = [r for r in T.T3_ROWS if r.group == group and r.item and _has(own, r.phrases)]
                if len(hits) == 1:
                    return hits[0].key
            if group == "六":
                return "other"
            # （三）（四）（五） have no row of their own: their items follow.
            return next((r.key for r in T.T3_ROWS if r.group == group and not r.item), None)
        # An item printed without its number: a phrase unique across 表三's items.
        hits = [r for r in T.T3_ROWS if r.item and _has(last, r.phrases) and r.key != "other_other"]
        if len(hits) == 1:
            self.group = hits[0].group
            return hits[0].key
        return None

    def t3_row(self, row: _Row) -> None:
        joined = "".join(row.labels)
        if not row.values or _has(joined, _T3_HEADER_WORDS) or "勾稽关系" in joined:
            if row.labels and not row.values:
                self.t3_row_key(row)  # a group label on its own row still sets the group
            return
        key = self.t3_row_key(row)
        if key is None:
            if any(v is not None for is_val, v in row.values if is_val):
                self.seen_unmatched("t3", row)
            return
        if key in T.T3_OTHER_SPLIT:
            self.out.other_split = True
            self.format_votes["2021"] += 1
        elif key == "other" and self.out.other_split is None:
            self.out.other_split = False
        self.put_fitted("t3", key, T.T3_COLUMN_KEYS, row)

    # ------------------------------------------------------------ 表四
    def t4_row(self, row: _Row) -> None:
        joined = "".join(row.labels)
        if not row.values:
            return
        if row.labels:
            if all(v is None for _, v in row.values):
                return  # a header row whose merged positions were left as blank cells
            # A labelled row of five results: one group per row (a transposed layout).
            key = None
            if "复议后起诉" in joined:
                key = "suit_after_review"
            elif "直接起诉" in joined or "未经复议" in joined:
                key = "suit_direct"
            elif "行政复议" in joined and "诉讼" not in joined:
                key = "review"
            if key is not None:
                self.put_fitted("t4", key, T.T4_COLUMN_KEYS, row)
            return
        # The template's layout: one row of 15 values under the two-level header, possibly
        # broken over several rows (a page break) — collect until 15.
        self.t4_pending.extend(v for _, v in row.values)
        self.t4_pending_cells.extend(row.value_cells)
        n = len(T.T4_COLUMNS)
        if len(self.t4_pending) >= n * len(T.T4_ROWS):
            vals = _fit([(True, v) for v in self.t4_pending], n * len(T.T4_ROWS))
            if vals is None:
                self.unreadable(
                    "t4", "数值行", _Row([], [(True, v) for v in self.t4_pending], []), n * len(T.T4_ROWS),
                    [f"t4/{r}/{c}" for r, _ in T.T4_ROWS for c in T.T4_COLUMN_KEYS],
                )
            else:
                pending = _Row([], [(True, v) for v in self.t4_pending], [], value_cells=self.t4_pending_cells)
                cells = _fit_cells(pending, n * len(T.T4_ROWS))
                for i, (rkey, _) in enumerate(T.T4_ROWS):
                    row_cells = cells[i * n : (i + 1) * n] if cells else None
                    self.put("t4", rkey, list(T.T4_COLUMN_KEYS), vals[i * n : (i + 1) * n], row_cells)
            self.t4_pending = []
            self.t4_pending_cells = []

    # ------------------------------------------------------------ driver
    def run(self, doc: Document) -> Mapped:
        for block in doc.blocks:
            if isinstance(block, Paragraph):
                table = _heading_table(block.text)
                if table:
                    self.enter(table)
                continue
            assert isinstance(block, Table)
            for cells, spans in zip(block.rows, _column_spans(block)):
                row = _split_row([c.text for c in cells], spans, cells)
                if not row.labels and not any(v is not None for _, v in row.values):
                    continue  # an empty row
                joined = "".join(row.labels)
                table = _row_table(joined)
                if table and table != self.table and not (self.table == "t3" and table == "t2"):
                    self.enter(table)
                if self.table == "t2":
                    self.t2_row(row)
                elif self.table == "t3":
                    self.t3_row(row)
                elif self.table == "t4":
                    self.t4_row(row)
        return self.out

    def enter(self, table: str) -> None:
        self.table = table
        self.group = None
        self.t4_pending = []
        self.t4_pending_cells = []


def map_document(doc: Document) -> Mapped:
    mapper = _Mapper()
    out = mapper.run(doc)
    out.agency, out.year = find_agency_and_year(doc)
    votes = mapper.format_votes
    if not out.tables_found:
        # No table cells at all: perhaps text whose cells ran together (a crawler's copy).
        from gongkai.runtogether import recover

        rec = recover(doc.paragraphs)
        out.figures.update(rec.figures)
        out.tables_found |= rec.tables_found
        out.other_split = rec.other_split
        out.findings.extend(rec.findings)
        votes = rec.template_votes
        if any(isinstance(b, Paragraph) and b.source == "ocr" for b in doc.blocks):
            # Figures recovered from recognised text are OCR readings (which line each came from is not
            # tracked: any OCR'd paragraph marks them all, so none is passed off as the file's own text).
            out.provenance.update({key: ("ocr", None) for key in rec.figures})
    if votes["2021"] != votes["2019"]:
        out.template = "2021" if votes["2021"] > votes["2019"] else "2019"
    elif out.year is not None:
        out.template = "2021" if out.year >= 2021 else "2019"
    elif out.tables_found:
        out.template = "2021"
    if out.template:
        _keep_template_figures(out)
    return out


def _keep_template_figures(out: Mapped) -> None:
    """Order the figures as the template lists them and drop cells the format does not have."""
    # other_split None (（六） not found at all): the format's own layout, which figure_keys defaults to.
    allowed = T.figure_keys(out.template, other_split=out.other_split)
    out.figures = {k: out.figures[k] for k in allowed if k in out.figures}


# ---------------------------------------------------------------- agency and year
_TITLE_PHRASE = re.compile(r"政府信息公开(?:工作)?(?:(?:19|20)\d\d年?)?(?:年度)?报告")
_TITLE = re.compile(
    r"(?P<pre>[^。；;:：]*?)(?P<year>(?:19|20)\d\d)年度?(?P<mid>[^。；;:：]*?)政府信息公开(?:工作)?(?:年度)?报告"
)
# The year printed after the phrase: "某某局政府信息公开工作2023年度报告".
_TITLE_YEAR_AFTER = re.compile(
    r"(?P<pre>[^。；;:：]*?)政府信息公开(?:工作)?(?P<mid>)(?P<year>(?:19|20)\d\d)年?度?报告"
)
# The statistics period, when no title gives the year: "统计期限自2024年1月1日起至2024年12月31日止".
_PERIOD = re.compile(r"(?:统计|时限|期限|期间).{0,12}?(?P<year>(?:19|20)\d\d)年1月1日")
# Words after which, inside a sentence, the agency's name starts ("现向社会公布台儿庄区…局2024年…").
_LEAD = re.compile(r".*(?:公布|发布|编制|印发|现将|根据|关于|特此|本报告为|本报告是|本报告由|《|》|“|”|\"|,|，|、)")
_AGENCY_SUFFIX = re.compile(
    r"(人民政府|政府|办公厅|办公室|委员会|局|厅|委|办|院|中心|署|所|站|队|处|馆|社|部|会|区|县|市|旗|镇|乡|街道|实验区|管委会)$"
)


def _clean_agency(text: str) -> str | None:
    s = normalize_label(text)
    s = s.strip("《》“”\"'()（）[]【】、，,。.·- ")
    s = re.sub(r"(关于|的)+$", "", s)  # "某某局关于2023年度…报告"
    m = _LEAD.match(s)
    if m:
        s = s[m.end() :]
    s = s.strip("《》“”\"'()（）[]【】、，,。.·- ")
    if len(s) < 2 or len(s) > 40 or not _AGENCY_SUFFIX.search(s):
        return None
    return s


def find_agency_and_year(doc: Document) -> tuple[str | None, int | None]:
    """The agency and report year from the title; where the title omits the agency, from the
    line above it (a two-line title) or the first sentence that names the report."""
    paras = [p for p in doc.paragraphs if p]
    # Titles near the top come first; the <title> of a web page is a fallback, since portals
    # sometimes append the site name to it.
    candidates: list[tuple[int, str]] = [(i, p) for i, p in enumerate(paras[:200])]
    if doc.title:
        candidates.append((-1, doc.title))
    agency = year = None
    for i, text in candidates:
        s = normalize_label(text)
        if not _TITLE_PHRASE.search(s):
            continue
        m = _TITLE.search(s) or _TITLE_YEAR_AFTER.search(s)
        if not m:
            continue
        y = int(m.group("year"))
        if year is None and len(s) <= 80:
            year = y
        if agency is None:
            name = _clean_agency(m.group("mid")) or _clean_agency(m.group("pre"))
            if name is None and i > 0 and len(s) <= 40:
                # "淮安市洪泽区人民政府 / 2024年政府信息公开工作年度报告" printed on two lines.
                name = _clean_agency(paras[i - 1]) if len(normalize_label(paras[i - 1])) <= 40 else None
            if name:
                agency = name
                if year is None:
                    year = y
        if agency and year:
            break
    if year is None:
        for text in paras[:400]:
            m = _PERIOD.search(normalize_label(text))
            if m:
                year = int(m.group("year"))
                break
    return agency, year
