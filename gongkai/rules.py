"""The template's own arithmetic, checked on one report.

Each rule is a set of *instances*, each an equation  Σ left = Σ right  over printed cells:
- t3_balance  (per column)  一 本年新收 + 二 上年结转 = （七）总计 + 四 结转下年度继续办理 (the template prints it);
- t3_outcomes (per column)  （一）…（六） = （七）总计;
- t3_columns  (per row)     the six applicant columns = 总计;
- t4_rows     (per group)   维持 + 纠正 + 其他 + 尚未审结 = 总计.

A blank cell is *unknown*, not 0.  An instance with blanks is an error only when no non-negative
values in the blanks could make it hold (printed parts already exceed the printed total); otherwise
the blanks are listed in one `blank_cells` warning per rule, so the supervisor knows what was not checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from gongkai import template as T
from gongkai.report import Finding, Value

RULES = ("t3_balance", "t3_outcomes", "t3_columns", "t4_rows")
RULE_NAMES_ZH = {
    "t3_balance": "表三 收支平衡（第一项加第二项之和等于第三项加第四项之和）",
    "t3_outcomes": "表三 办理结果合计（（一）至（六）之和等于（七）总计）",
    "t3_columns": "表三 申请人合计（各类申请人之和等于总计）",
    "t4_rows": "表四 复议诉讼合计（维持+纠正+其他+尚未审结=总计）",
    "blank_cells": "空白单元格无法核对",
    "missing_table": "缺少表格",
    "missing_row": "模板行未读取",
}

_T3_COL_ZH = dict(T.T3_COLUMNS)
_T3_ROW_ZH = {r.key: r.label for r in T.T3_ROWS}
_T4_ROW_ZH = dict(T.T4_ROWS)
_T4_COL_ZH = dict(T.T4_COLUMNS)


def cell_name(key: str) -> str:
    """A cell as a supervisor names it: 表三“（七）总计”行“自然人”列."""
    table, row, col = key.split("/")
    if table == "t3":
        return f"表三“{_T3_ROW_ZH[row]}”行“{_T3_COL_ZH[col]}”列"
    if table == "t4":
        return f"表四“{_T4_ROW_ZH[row]}”“{_T4_COL_ZH[col]}”"
    fig = T.FIGURE_BY_KEY[key]
    return f"表二“{fig.label_2021 or fig.label_2019}”"


@dataclass
class Equation:
    rule: str
    table: str
    left: list[str]
    right: list[str]
    row: str | None = None
    column: str | None = None
    where: str = ""  # Chinese: which column / row / group


def equations(figures: dict[str, Value]) -> list[Equation]:
    """Every rule instance (Σ left = Σ right over figure keys) for the rows these figures print."""
    present_rows = {k.split("/")[1] for k in figures if k.startswith("t3/")}
    split = any(r in present_rows for r in T.T3_OTHER_SPLIT)
    outcome_rows = [
        r for r in T.T3_OUTCOME_ROWS if (r not in T.T3_OTHER_SPLIT if not split else r != "other")
    ]
    out: list[Equation] = []
    if present_rows:
        for col, col_zh in T.T3_COLUMNS:
            out.append(
                Equation(
                    "t3_balance", "t3",
                    [f"t3/new_received/{col}", f"t3/carried_over/{col}"],
                    [f"t3/total/{col}", f"t3/carried_forward/{col}"],
                    column=col, where=f"“{col_zh}”列",
                )
            )
        for col, col_zh in T.T3_COLUMNS:
            out.append(
                Equation(
                    "t3_outcomes", "t3",
                    [f"t3/{r}/{col}" for r in outcome_rows],
                    [f"t3/total/{col}"],
                    column=col, where=f"“{col_zh}”列",
                )
            )
        for row in T.T3_ROWS:
            if row.key not in present_rows:
                continue
            out.append(
                Equation(
                    "t3_columns", "t3",
                    [f"t3/{row.key}/{c}" for c in T.T3_APPLICANT_COLUMNS],
                    [f"t3/{row.key}/total"],
                    row=row.key, where=f"“{row.label}”行",
                )
            )
    for row, row_zh in T.T4_ROWS:
        if not any(k.startswith(f"t4/{row}/") for k in figures):
            continue
        out.append(
            Equation(
                "t4_rows", "t4",
                [f"t4/{row}/{c}" for c in ("upheld", "corrected", "other", "pending")],
                [f"t4/{row}/total"],
                row=row, where=f"“{row_zh}”",
            )
        )
    return out


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def check(figures: dict[str, Value], tables_present: set[str] | None = None) -> list[Finding]:
    """Every finding of the in-report rules for these figures (key → value, None = printed blank).

    A key an equation names but `figures` lacks is a cell that was not read (its row is reported by
    `missing_rows` or `unreadable_row`): unknown like a blank, but never called blank (未填报)."""
    findings: list[Finding] = []
    blanks: dict[str, list[str]] = {}
    for inst in equations(figures):
        left_known = [figures[k] for k in inst.left if figures.get(k) is not None]
        right_known = [figures[k] for k in inst.right if figures.get(k) is not None]
        left_blank = [k for k in inst.left if figures.get(k) is None]
        right_blank = [k for k in inst.right if figures.get(k) is None]
        lsum, rsum = sum(left_known), sum(right_known)
        if not left_blank and not right_blank:
            holds = abs(lsum - rsum) < 1e-9
        elif left_blank and right_blank:
            holds = True  # blanks on both sides can balance anything
        elif left_blank:
            holds = lsum <= rsum  # the blanks on the left can only add
        else:
            holds = rsum <= lsum
        if holds:
            printed_blank = [k for k in left_blank + right_blank if k in figures]
            if printed_blank:
                blanks.setdefault(inst.rule, []).extend(printed_blank)
            continue
        findings.append(_finding(inst, figures, lsum, rsum, left_blank + right_blank))
    for rule, cells in blanks.items():
        unique = list(dict.fromkeys(cells))
        names = "、".join(cell_name(k) for k in unique[:5])
        more = f"等 {len(unique)} 处" if len(unique) > 5 else ""
        findings.append(
            Finding(
                rule="blank_cells",
                severity="warning",
                table=unique[0].split("/")[0],
                cells=unique,
                message=f"{RULE_NAMES_ZH[rule]}：{names}{more}为空白（未填报），相关等式无法完整核对",
            )
        )
    if tables_present is not None:
        for table in ("t2", "t3", "t4"):
            if table not in tables_present:
                findings.append(
                    Finding(
                        rule="missing_table",
                        severity="error",
                        table=table,
                        message=f"报告中没有找到{T.TABLE_NAMES_ZH[table]}：“{T.TABLE_TITLES[table]}”",
                    )
                )
    return findings


def _finding(inst: Equation, figures: dict[str, Value], lsum: float, rsum: float, blank: list[str]) -> Finding:
    def side(keys: list[str]) -> str:
        parts = []
        for k in keys:
            v = figures.get(k)
            # A per-row instance names its cells by column, a per-column one by row.
            shown = "未读取" if k not in figures else "空白" if v is None else _fmt(v)
            parts.append(f"{_short(k, by_column=inst.row is not None)}（{shown}）")
        return " + ".join(parts)

    table_zh = "表三" if inst.table == "t3" else "表四"
    diff = lsum - rsum
    message = (
        f"{table_zh}{inst.where}不平：{side(inst.left)} = {_fmt(lsum)}，"
        f"而 {side(inst.right)} = {_fmt(rsum)}，相差 {_fmt(abs(diff))}"
    )
    if blank:
        what = "空白单元格" if all(k in figures for k in blank) else "空白或未读取的单元格"
        message += f"（即使{what}填入任何非负数也无法相等）"
    return Finding(
        rule=inst.rule,
        severity="error",
        message=message,
        table=inst.table,
        row=inst.row,
        column=inst.column,
        cells=inst.left + inst.right,
        printed=rsum,
        expected=lsum,
    )


def _short(key: str, by_column: bool) -> str:
    table, row, col = key.split("/")
    if table == "t4":
        return _T4_COL_ZH[col]
    if by_column:
        return _T3_COL_ZH[col]
    return _T3_ROW_ZH[row].split("（区分处理")[0]


def row_name(table: str, row: str, fmt: str | None = None) -> str:
    """A template row as a supervisor names it: 表三“（四）无法提供 / 2.没有现成信息需要另行制作”."""
    if table == "t3":
        spec = T.T3_ROW_BY_KEY[row]
        label = f"{T.T3_GROUPS[spec.group]} / {spec.label}" if spec.item else spec.label
        return f"表三“{label.split('（区分处理')[0]}”"
    if table == "t4":
        return f"表四“{_T4_ROW_ZH[row]}”"
    spec2 = next(r for r in T.T2_ROWS if r.key == row)
    return f"表二“{(spec2.label_2019 if fmt == '2019' else spec2.label_2021) or spec2.label_2019}”"


@lru_cache(maxsize=None)  # per report; the answer depends on two flags only
def _template_rows(template: str, other_split: bool | None) -> tuple[tuple[str, str, list[str]], ...]:
    """(table, row, the row's figure keys) of every row the template prints, in the template's order."""
    rows: dict[tuple[str, str], list[str]] = {}
    for key in T.figure_keys(template, other_split=other_split):
        table, row, _ = key.split("/")
        rows.setdefault((table, row), []).append(key)
    return tuple((table, row, keys) for (table, row), keys in rows.items())


def missing_rows(
    figures: dict[str, Value],
    template: str | None,
    tables_present: set[str],
    other_split: bool | None = None,
    accounted: set[str] | frozenset[str] = frozenset(),
    unmatched: dict[str, list[str]] | None = None,
) -> list[Finding]:
    """`missing_row`: a row the template prints in a table the report prints, of which no cell was read.

    Such a row is never shown as blank: blank means printed empty (未填报).  Its figures stay absent
    and this error names it.  Cells in `accounted` are already named by another finding
    (`unreadable_row`, a run-together row left ambiguous), so their rows are not reported twice.
    `unmatched` holds, by table, rows printed with numbers under labels no template row matches: the
    message quotes them, since the missing row is often one of them."""
    if template is None:
        return []
    out = []
    for table, row, keys in _template_rows(template, other_split):
        if table not in tables_present:
            continue
        if any(k in figures or k in accounted for k in keys):
            continue
        out.append(
            Finding(
                rule="missing_row",
                severity="error",
                table=table,
                row=row,
                cells=keys,
                message=(
                    f"{row_name(table, row, template)}一行未读取：报告有{T.TABLE_NAMES_ZH[table]}，"
                    "但没有读到这一行（不是空白），该行数字缺失，请核对原文"
                    + (f"（本表有未能识别的行：{'；'.join(unmatched[table])}）" if unmatched and unmatched.get(table) else "")
                ),
            )
        )
    return out
