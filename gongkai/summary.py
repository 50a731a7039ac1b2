"""汇总 (combined tables): a region's 表二, 表三 and 表四 for one year, summed over the reports of its agencies.

What a province's or city's own annual report prints ("全市各级行政机关共收到政府信息公开申请N件…" and the
template's tables summed over its agencies), computed from the store:

- `queries/summary_*.sql` select the reports of the region and year and add up each figure per format,
  from the long `figures` table (which, unlike report_wide, tells a blank cell from one not printed);
- `combine` (a pure function of those rows) turns them into one `SumCell` per figure: the sum of the printed
  numbers, how many reports are in scope for the figure and how many printed a number. A cell some report left
  blank, or did not print at all, is *incomplete*: its sum is a lower bound and is shown as "≥ 123（2 个单位未
  填报）", never as a number that pretends to be exact;
- the template's rules (gongkai.rules) are run on the sums; a rule a sum breaks is traced to the reports that
  break the same equation themselves (their stored findings).

Formats (queries/README.md): 表三 and 表四 and 表二's 处理决定数量 are printed alike in the 2019 and 2021 formats
and are summed over every report; （六）其他处理 is summed as one figure (the 2019 row, or the 2021 rows added),
its three 2021 rows over the 2021-format reports only; the other 表二 figures of one format only are summed
over that format's reports, and the summary says how many those are.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from gongkai import rules
from gongkai import template as T
from gongkai.report import Finding

OTHER_COMBINED = "other_combined"  # the row of 表三 （六）其他处理 as one figure in both formats
FORMAT_NAMES_ZH = {"2021": "2021 年版（国办公开办函〔2021〕30号）", "2019": "2019 年版（2019—2020 年度报告格式）"}


class SummaryError(ValueError):
    """A region or year the user asked for that the database cannot sum; the message is Chinese."""


# ---------------------------------------------------------------- the region
@dataclass(frozen=True)
class Scope:
    """A region as `ingest --region` writes it: 省, 省/市 or 省/市/县 (a higher level includes the lower)."""

    province: str
    city: str | None = None
    county: str | None = None

    @property
    def name(self) -> str:
        """The region's own name, as a title prints it: 青岚市, 洪泽区."""
        return self.county or self.city or self.province

    @property
    def path(self) -> str:
        return "/".join(p for p in (self.province, self.city, self.county) if p)

    @property
    def whole(self) -> str:
        """全省 / 全市 / 全区 / 全县 …: how a region's own report names all of it."""
        name = self.name
        for suffix, word in (("自治区", "全区"), ("特别行政区", "全区"), ("地区", "全地区")):
            if name.endswith(suffix):
                return word
        return "全" + (name[-1] if name else "")

    def params(self, year: int | None = None) -> dict[str, Any]:
        return {"province": self.province, "city": self.city, "county": self.county, "year": year}


def resolve_region(text: str, known: pd.DataFrame) -> Scope:
    """"省/市/县" → Scope, checked against the regions the database holds (`summary_regions.sql`): a fictional
    demo city is a region there, and a real region with no agency stored has nothing to sum."""
    parts = [p.strip() for p in re.split(r"[/／]", text or "") if p.strip()]
    if not parts or len(parts) > 3:
        raise SummaryError(f"地区格式应为“省/市/区县”，例如“江苏省/淮安市”或“江苏省/淮安市/洪泽区”，收到：{text}")
    rows = known[known.province == parts[0]]
    if rows.empty:
        provinces = "、".join(sorted(set(known.province))[:8]) or "（数据库中还没有任何地区）"
        raise SummaryError(f"数据库中没有省份“{parts[0]}”的单位（已有：{provinces}）")
    if len(parts) >= 2:
        rows = rows[rows.city == parts[1]]
        if rows.empty:
            raise SummaryError(f"数据库中没有“{parts[0]}/{parts[1]}”的单位：请检查城市名称（写全称，如“淮安市”）")
    if len(parts) == 3:
        rows = rows[rows.county == parts[2]]
        if rows.empty:
            raise SummaryError(f"数据库中没有“{'/'.join(parts)}”的单位：请检查区县名称")
    return Scope(*parts)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the figures summed
def _summary_keys() -> tuple[str, ...]:
    """Every figure of the summary in template order; 表三 （六）其他处理 as the combined row."""
    keys = []
    for f in T.FIGURES:
        if f.table == "t3" and f.row == "other":
            keys.append(f"t3/{OTHER_COMBINED}/{f.column}")
        else:
            keys.append(f.key)
    return tuple(keys)


SUMMARY_KEYS = _summary_keys()


def key_formats(key: str) -> tuple[str, ...]:
    """The formats whose reports a figure is summed over."""
    table, row, _ = key.split("/")
    if table == "t3" and row == OTHER_COMBINED:
        return T.FORMATS
    fig = T.FIGURE_BY_KEY[key]
    return tuple(fmt for fmt in T.FORMATS if fig.in_format(fmt))


def key_label(key: str) -> str:
    """The figure as the template labels it (表三 其他处理 combined: "（六）其他处理 × 自然人")."""
    table, row, col = key.split("/")
    if row == OTHER_COMBINED:
        return T.FIGURE_BY_KEY[f"t3/other/{col}"].label_2019
    fig = T.FIGURE_BY_KEY[key]
    return fig.label_2021 or fig.label_2019


def number_text(value: float) -> str:
    """A sum as the template prints numbers: 1234, 12.5 (money keeps its decimals, float noise dropped)."""
    value = round(float(value), 4)
    return str(int(value)) if value.is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class SumCell:
    key: str
    formats: tuple[str, ...]  # the formats summed
    reports: int  # reports in scope for this figure (reports of those formats)
    numbers: int  # of which printed a number in it
    total: float | None  # the sum of the printed numbers (a lower bound when incomplete); None when none

    @property
    def unfilled(self) -> int:
        """Reports that left the cell blank or did not print it."""
        return self.reports - self.numbers

    @property
    def complete(self) -> bool:
        return self.reports > 0 and self.unfilled == 0

    @property
    def exact(self) -> float | None:
        """The sum when every report in scope printed a number; else None (not known)."""
        return (self.total or 0.0) if self.complete else None

    def text(self) -> str:
        """What a table cell shows: "123", "≥ 123（2 个单位未填报）", "—（3 个单位未填报）", "" (not in scope)."""
        if self.reports == 0:
            return ""
        if self.complete:
            return number_text(self.total or 0.0)
        if self.numbers == 0 or self.total is None:
            return f"—（{self.unfilled} 个单位未填报）"
        return f"≥ {number_text(self.total)}（{self.unfilled} 个单位未填报）"


@dataclass
class RuleResult:
    """A rule instance the sums break (or could not check), with the reports that break it themselves."""

    finding: Finding
    agencies: list[str] = field(default_factory=list)


@dataclass
class Summary:
    scope: Scope
    year: int
    reports: pd.DataFrame  # summary_reports.sql
    cells: dict[str, SumCell]
    format_counts: dict[str, int]
    layout: str  # the format the tables are laid out in
    other_split: bool  # 表三 （六） laid out as its three 2021 rows (every report prints them)
    checks: list[RuleResult]
    breaks: pd.DataFrame  # summary_rule_breaks.sql: the reports' own errors
    missing: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["agency", "first_year", "last_year"]))

    @property
    def report_count(self) -> int:
        return len(self.reports)

    @property
    def title(self) -> str:
        return f"{self.scope.name}{self.year}年政府信息公开工作年度报告汇总表"

    def cell(self, key: str) -> SumCell:
        return self.cells[key]

    def _count(self, key: str) -> str:
        c = self.cells[key]
        if c.complete:
            return f"{number_text(c.total or 0)}件"
        if c.total is None:
            return "（未填报）"
        return f"至少{number_text(c.total)}件"

    def lead(self) -> str:
        """The sentence a region's report opens its statistics with, from the sums (incomplete ones as 至少)."""
        w = self.scope.whole
        n = self._count
        text = (
            f"{self.year}年，{w}各级行政机关共收到政府信息公开申请{n('t3/new_received/total')}，"
            f"上年结转{n('t3/carried_over/total')}；办理完成{n('t3/total/total')}，其中予以公开"
            f"{n('t3/granted/total')}、部分公开{n('t3/partial/total')}；结转下年度继续办理"
            f"{n('t3/carried_forward/total')}。{w}共发生政府信息公开行政复议{n('t4/review/total')}，"
            f"行政诉讼{self._suits()}。"
        )
        return text

    def _suits(self) -> str:
        parts = [self.cells["t4/suit_direct/total"], self.cells["t4/suit_after_review/total"]]
        known = sum(c.total or 0 for c in parts)
        if all(c.complete for c in parts):
            return f"{number_text(known)}件"
        return f"至少{number_text(known)}件"

    def notes(self) -> list[str]:
        """What a reader of the tables must know: how many reports, formats mixed, incomplete cells."""
        out = [f"本表汇总{self.scope.path} {self.report_count} 个单位的 {self.year} 年度报告。"]
        if not self.missing.empty:
            names = "、".join(str(a) for a in self.missing.agency[:10])
            more = f"等 {len(self.missing)} 个单位" if len(self.missing) > 10 else ""
            out.append(f"另有 {len(self.missing)} 个单位有其他年度的报告、没有 {self.year} 年度的报告，未计入本表："
                       f"{names}{more}。")
        mixed = [fmt for fmt in T.FORMATS if self.format_counts.get(fmt)]
        if len(mixed) > 1:
            out.append(
                "本年度报告格式不一：" + "、".join(f"{FORMAT_NAMES_ZH[f]} {self.format_counts[f]} 份" for f in mixed)
                + "。表三、表四及表二“处理决定数量”两种格式相同，按全部报告汇总；（六）其他处理按一行汇总；"
                "仅一种格式才有的数字只汇总该格式的报告（见数据表“汇总格式”“报告数”列）。"
            )
        if not self.other_split and self.layout == "2021":
            out.append("有单位将（六）其他处理印为一行，未分三项，故本表（六）其他处理按一行汇总。")
        incomplete = [c for c in self.cells.values() if c.reports and not c.complete and self._in_layout(c.key)]
        if incomplete:
            out.append(
                f"有 {len(incomplete)} 个单元格存在未填报（空白或未列出）的单位：标“≥”的数字只是已填报部分之和，"
                "不是完整合计。"
            )
        return out

    def frame(self) -> pd.DataFrame:
        """The sums long, one row per figure of the layout: what the page shows and exports."""
        rows = []
        for key in SUMMARY_KEYS:
            c = self.cells[key]
            if not self._in_layout(key):
                continue
            table, row, col = key.split("/")
            rows.append({
                "表": {"t2": "表二", "t3": "表三", "t4": "表四"}[table],
                "项目": key_label(key),
                "数字键": key,
                "汇总": c.total if c.complete else None,
                "已填报部分之和": c.total,
                "显示": c.text(),
                "完整": c.complete,
                "报告数": c.reports,
                "已填报": c.numbers,
                "未填报": c.unfilled,
                "汇总格式": "、".join(c.formats),
            })
        return pd.DataFrame(rows, columns=["表", "项目", "数字键", "汇总", "已填报部分之和", "显示", "完整",
                                           "报告数", "已填报", "未填报", "汇总格式"])

    def _in_layout(self, key: str) -> bool:
        """Whether the laid-out tables show this figure (the frame holds exactly those)."""
        table, row, _ = key.split("/")
        if table == "t3":
            if row == OTHER_COMBINED:
                return not self.other_split
            if row in T.T3_OTHER_SPLIT:
                return self.other_split
            return True
        return self.layout in key_formats(key) and self.cells[key].reports > 0

    def check_frame(self) -> pd.DataFrame:
        """The rules on the sums: one row per rule instance broken or left unchecked."""
        rows = [{
            "级别": "错误" if r.finding.severity == "error" else "提示",
            "规则": rules.RULE_NAMES_ZH.get(r.finding.rule, r.finding.rule),
            "说明": r.finding.message,
            "自身违反该等式的单位": "、".join(r.agencies),
        } for r in self.checks]
        return pd.DataFrame(rows, columns=["级别", "规则", "说明", "自身违反该等式的单位"])


def _layout(format_counts: dict[str, int]) -> str:
    """The format the tables are laid out in: 2019 only when every report is of that format."""
    return "2019" if format_counts.get("2019") and not format_counts.get("2021") else "2021"


def combine(scope: Scope, year: int, reports: pd.DataFrame, cells: pd.DataFrame,
            breaks: pd.DataFrame | None = None, missing: pd.DataFrame | None = None) -> Summary:
    """The summary from the rows of summary_reports.sql, summary_cells.sql, summary_rule_breaks.sql and
    summary_missing.sql."""
    if reports.empty:
        raise SummaryError(f"{scope.path} 没有 {year} 年度的报告，无法汇总")
    breaks = breaks if breaks is not None else pd.DataFrame(
        columns=["report_id", "agency", "rule", "table", "row", "column", "message"])
    format_counts = {fmt: int((reports.template == fmt).sum()) for fmt in T.FORMATS}
    by_key: dict[tuple[str, str], tuple[int, int, float | None]] = {}
    for r in cells.itertuples(index=False):
        total = None if r.total is None or (isinstance(r.total, float) and math.isnan(r.total)) else float(r.total)
        by_key[(r.template, f"{r.table}/{r.row}/{r.column}")] = (int(r.printed), int(r.numbers), total)
    summed: dict[str, SumCell] = {}
    for key in SUMMARY_KEYS:
        formats = key_formats(key)
        numbers, total = 0, None
        for fmt in formats:
            _, n, s = by_key.get((fmt, key), (0, 0, None))
            numbers += n
            if s is not None:
                total = (total or 0.0) + s
        if total is not None:  # money adds in float in whatever order DuckDB sums: drop the last-bit noise
            total = round(total, 6)
        summed[key] = SumCell(key, formats, sum(format_counts[f] for f in formats), numbers, total)
    layout = _layout(format_counts)
    split_printed = by_key.get(("2021", "t3/other_no_correction/total"), (0, 0, None))[0]
    other_split = layout == "2021" and format_counts["2019"] == 0 and split_printed == format_counts["2021"]
    checks = _check(summed, breaks)
    summary = Summary(scope, year, reports, summed, format_counts, layout, other_split, checks, breaks)
    if missing is not None:
        summary.missing = missing
    return summary


def rule_figures(cells: dict[str, SumCell]) -> dict[str, float | None]:
    """The sums as the rules read figures: 表三 （六） as its one row, an incomplete sum as unknown (blank)."""
    out: dict[str, float | None] = {}
    for key, c in cells.items():
        table, row, col = key.split("/")
        if table not in ("t3", "t4") or row in T.T3_OTHER_SPLIT or c.reports == 0:
            continue
        if row == OTHER_COMBINED:
            key = f"t3/other/{col}"
        out[key] = c.exact
    return out


def _check(cells: dict[str, SumCell], breaks: pd.DataFrame) -> list[RuleResult]:
    """The template's rules on the sums. A sum of consistent reports is consistent, so a broken sum comes
    from reports that break the same equation: their names come from their own stored findings.

    gongkai.rules checks the complete sums (an incomplete one is unknown to it, like a blank cell); an
    incomplete sum is still a lower bound, so an equation whose known side is already exceeded by the lower
    bounds of the other side is broken too, whatever the missing reports hold (`_lower_bound_breaks`)."""
    figures = rule_figures(cells)
    found = rules.check(figures)
    found += _lower_bound_breaks(cells, figures, {(f.rule, f.row, f.column) for f in found})
    out = []
    for finding in found:
        agencies: list[str] = []
        if finding.severity == "error":
            same = breaks[breaks.rule == finding.rule]
            if finding.row is not None:
                same = same[same["row"] == finding.row]
            if finding.column is not None:
                same = same[same["column"] == finding.column]
            agencies = list(dict.fromkeys(same.agency))
        out.append(RuleResult(finding, agencies))
    return out


def _sum_cell(cells: dict[str, SumCell], rule_key: str) -> SumCell:
    table, row, col = rule_key.split("/")
    return cells[f"t3/{OTHER_COMBINED}/{col}" if table == "t3" and row == "other" else rule_key]


def _lower_bound_breaks(cells: dict[str, SumCell], figures: dict[str, float | None],
                        already: set[tuple]) -> list[Finding]:
    out = []
    for eq in rules.equations(figures):
        if (eq.rule, eq.row, eq.column) in already:
            continue
        sides = []
        for keys in (eq.left, eq.right):
            parts = [_sum_cell(cells, k) for k in keys]
            sides.append((sum(c.total or 0.0 for c in parts), all(c.complete for c in parts)))
        (left, left_exact), (right, right_exact) = sides
        if left_exact == right_exact:
            continue  # both exact: rules.check decided; both incomplete: anything can balance
        bound, exact = (left, right) if right_exact else (right, left)
        if bound <= exact + 1e-9:
            continue
        table_zh = "表三" if eq.table == "t3" else "表四"
        known = "等式左边" if right_exact else "等式右边"
        out.append(Finding(
            rule=eq.rule, severity="error", table=eq.table, row=eq.row, column=eq.column,
            cells=eq.left + eq.right, printed=exact, expected=bound,
            message=(f"{table_zh}{eq.where}不平：{known}已填报部分之和为 {number_text(bound)}，已超过另一边的"
                     f"合计 {number_text(exact)}，相差至少 {number_text(bound - exact)}（未填报的单位只会使差距更大）"),
        ))
    return out


# ---------------------------------------------------------------- from the store
def load(con, scope: Scope, year: int, include_demo: bool | None = None) -> Summary:
    """The summary of `scope` for `year` from an open DuckDB connection (read-only is enough)."""
    from gongkai import store

    params = {**scope.params(year), "include_demo": include_demo}
    reports = store.run_query(con, "summary_reports", params)
    if reports.empty:
        years = store.run_query(con, "summary_years", params)
        have = "、".join(str(int(y)) for y in years.year) or "无"
        raise SummaryError(f"{scope.path} 没有 {year} 年度的报告，无法汇总（有报告的年度：{have}）")
    cells = store.run_query(con, "summary_cells", params)
    breaks = store.run_query(con, "summary_rule_breaks", params)
    missing = store.run_query(con, "summary_missing", params)
    return combine(scope, year, reports, cells, breaks, missing)


def regions(con, province: str | None = None) -> pd.DataFrame:
    """The regions the database holds (summary_regions.sql), of one province or (None) all."""
    from gongkai import store

    return store.run_query(con, "summary_regions", {"province": province})
