"""Rules over the whole set: an agency's years against each other, and a report's text against its tables.

- `carry_chain` (error): this year's 二、上年结转 ≠ last year's 四、结转下年度继续办理, per column of 表三;
- `in_force_chain` (warning, 2021 format): 现行有效(Y) ≠ 现行有效(Y−1) + 本年制发(Y) − 本年废止(Y);
- `missing_year` (warning): an agency's series has a gap between its first and last report;
- `text_vs_table` (warning): a count the narrative states (收到…申请N件, 行政复议N件, 行政诉讼N件) that the table
  contradicts.

The first three depend on other reports, so `recompute` deletes and rebuilds them after every ingest; the
last depends on one report only and runs when that report is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import duckdb

from gongkai.report import Finding, Value
from gongkai.store import Batch, write_batch
from gongkai.template import T2_ROWS, T3_COLUMNS, T3_SECTIONS

_T3_COLUMN_LABEL = dict(T3_COLUMNS)
_T2_ROW_LABEL = {r.key: r.label_2021 for r in T2_ROWS}


def number(value: float | int | None) -> str:
    """A figure as a report prints it: 5, not 5.0."""
    if value is None:
        return "空白"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# ---------------------------------------------------------------- cross-year rules
_IN_SCOPE = "($agencies IS NULL OR list_contains($agencies, cur.agency_id))"


def carry_chain(con: duckdb.DuckDBPyConnection, agencies: list[int] | None = None
                ) -> list[tuple[int, int, int, Finding]]:
    """(agency_id, year, report_id, finding) for each column where 上年结转(Y) ≠ 结转下年度(Y−1).

    `agencies` limits the rule to those agencies (None: all)."""
    per_column = "\n        UNION ALL\n".join(
        f"""        SELECT cur.agency_id, cur.year, cur.report_id, '{col}' AS col,
               cur.t3_carried_over_{col} AS this_year, prev.t3_carried_forward_{col} AS last_year
        FROM report_wide cur
        JOIN report_wide prev ON prev.agency_id = cur.agency_id AND prev.year = cur.year - 1
        WHERE {_IN_SCOPE}"""
        for col in _T3_COLUMN_LABEL
    )
    rows = con.execute(
        f"""
        WITH chained AS (
{per_column}
        )
        SELECT agency_id, year, report_id, col, this_year, last_year
        FROM chained
        WHERE this_year <> last_year  -- a blank on either side is not compared
        ORDER BY agency_id, year, col
        """,
        {"agencies": agencies},
    ).fetchall()
    out = []
    for agency_id, year, report_id, col, this_year, last_year in rows:
        label = _T3_COLUMN_LABEL[col]
        message = (
            f"{year}年报告表三“{T3_SECTIONS['二']}”（{label}）为{number(this_year)}，"
            f"但{year - 1}年报告“{T3_SECTIONS['四']}”（{label}）为{number(last_year)}，两者应相等"
        )
        finding = Finding(
            "carry_chain", "error", message, "t3", "carried_over", col,
            [f"t3/carried_over/{col}"], printed=this_year, expected=last_year,
        )
        out.append((agency_id, year, report_id, finding))
    return out


def in_force_chain(con: duckdb.DuckDBPyConnection, agencies: list[int] | None = None
                   ) -> list[tuple[int, int, int, Finding]]:
    """2021 format, 规章 and 行政规范性文件: 现行有效(Y) = 现行有效(Y−1) + 本年制发(Y) − 本年废止(Y)."""
    out = []
    for row in ("regulation", "normative_doc"):
        rows = con.execute(
            f"""
            SELECT cur.agency_id, cur.year, cur.report_id,
                   cur.t2_{row}_in_force, prev.t2_{row}_in_force, cur.t2_{row}_issued, cur.t2_{row}_repealed
            FROM report_wide cur
            JOIN report_wide prev ON prev.agency_id = cur.agency_id AND prev.year = cur.year - 1
            WHERE cur.template = '2021' AND prev.template = '2021' AND {_IN_SCOPE}
              AND cur.t2_{row}_in_force IS NOT NULL AND prev.t2_{row}_in_force IS NOT NULL
              AND cur.t2_{row}_issued IS NOT NULL AND cur.t2_{row}_repealed IS NOT NULL
              AND cur.t2_{row}_in_force <> prev.t2_{row}_in_force + cur.t2_{row}_issued - cur.t2_{row}_repealed
            ORDER BY cur.agency_id, cur.year
            """,
            {"agencies": agencies},
        ).fetchall()
        label = _T2_ROW_LABEL[row]
        for agency_id, year, report_id, in_force, prev_in_force, issued, repealed in rows:
            expected = prev_in_force + issued - repealed
            message = (
                f"{year}年报告表二“{label}”现行有效件数为{number(in_force)}，但按{year - 1}年现行有效"
                f"{number(prev_in_force)} + 本年制发{number(issued)} − 本年废止{number(repealed)}"
                f"应为{number(expected)}"
            )
            finding = Finding(
                "in_force_chain", "warning", message, "t2", row, "in_force",
                [f"t2/{row}/in_force", f"t2/{row}/issued", f"t2/{row}/repealed"],
                printed=in_force, expected=expected,
            )
            out.append((agency_id, year, report_id, finding))
    return out


def missing_year(con: duckdb.DuckDBPyConnection, agencies: list[int] | None = None
                 ) -> list[tuple[int, int, None, Finding]]:
    """A year between an agency's first and last report with no report."""
    rows = con.execute(
        """
        WITH span AS (
            SELECT agency_id, min(year) AS first_year, max(year) AS last_year
            FROM reports
            WHERE $agencies IS NULL OR list_contains($agencies, agency_id)
            GROUP BY agency_id
        ),
        expected_years AS (
            SELECT agency_id, first_year, last_year, unnest(range(first_year, last_year + 1)) AS year FROM span
        )
        SELECT e.agency_id, e.year, e.first_year, e.last_year
        FROM expected_years e
        ANTI JOIN reports r ON r.agency_id = e.agency_id AND r.year = e.year
        ORDER BY e.agency_id, e.year
        """,
        {"agencies": agencies},
    ).fetchall()
    out = []
    for agency_id, year, first_year, last_year in rows:
        message = f"缺少{year}年的年度报告（该单位有{first_year}年至{last_year}年的报告，中间缺这一年）"
        out.append((agency_id, year, None, Finding("missing_year", "warning", message, printed=None,
                                                    expected=year)))
    return out


CROSS_YEAR_RULES = (carry_chain, in_force_chain, missing_year)


def recompute(con: duckdb.DuckDBPyConnection, agencies: Iterable[int] | None = None) -> int:
    """Delete and rebuild the cross-year findings (one transaction) of `agencies` (None: of every agency);
    returns how many were written. An agency's rules read only its own reports, so after a batch only the
    agencies it touched need them again.

    Reads report_wide, so call it after the wide table is refreshed."""
    scope = None if agencies is None else sorted(set(agencies))
    con.execute("BEGIN")
    try:
        con.execute(
            "DELETE FROM findings WHERE source = 'cross_year'"
            " AND ($agencies IS NULL OR list_contains($agencies, agency_id))", {"agencies": scope})
        batch = Batch()
        for rule in CROSS_YEAR_RULES:
            for agency_id, year, report_id, finding in rule(con, scope):
                batch.add_finding(finding, source="cross_year", agency_id=agency_id, year=year,
                                  report_id=report_id)
        write_batch(con, batch)
        count = len(batch.findings["rule"])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return count


# ---------------------------------------------------------------- text against table
# A clause: the text between two of 。；; (PDF line breaks are removed first: they split sentences anywhere).
_CLAUSE = re.compile(r"[^。；;!！?？]+")
_RECEIVED = re.compile(r"(?:收到|受理|接收|新收)[^，,。；;、]{0,15}?申请\s*(\d+)\s*件")
_REVIEW = re.compile(r"行政复议(?:案件)?\s*(\d+)\s*[件起宗]")
_SUIT = re.compile(r"(?:行政)?诉讼(?:案件)?\s*(\d+)\s*[件起宗]")


def _sum(values: list[Value]) -> float | None:
    printed = [v for v in values if v is not None]
    return float(sum(printed)) if printed else None


def text_vs_table(figures: dict[str, Value], narrative: str) -> list[Finding]:
    """Counts the narrative states that no reading of the table supports (warnings: the text may count
    something slightly different, e.g. only one office's requests)."""
    text = re.sub(r"\s*\n\s*", "", narrative or "")
    new = figures.get("t3/new_received/total")
    carried = figures.get("t3/carried_over/total")
    review = figures.get("t4/review/total")
    suit = _sum([figures.get("t4/suit_direct/total"), figures.get("t4/suit_after_review/total")])
    findings: list[Finding] = []
    seen: set[tuple[str, int]] = set()

    def check(kind: str, stated: int, accepted: list[float], table_text: str, cells: list[str],
              clause: str, table: str, row: str) -> None:
        if (kind, stated) in seen or not accepted or stated in accepted:
            return
        seen.add((kind, stated))
        snippet = clause.strip()
        if len(snippet) > 60:
            snippet = snippet[:60] + "…"
        findings.append(
            Finding(
                "text_vs_table", "warning", f"正文称“{snippet}”（{stated}件），但{table_text}",
                table, row, "total", cells, printed=stated, expected=accepted[0],
            )
        )

    for clause in _CLAUSE.findall(text):
        if new is not None:
            # "收到申请N件" is either the new requests or new + carried over (both usages are common)
            accepted = [float(new)] + ([float(new + carried)] if carried is not None else [])
            for m in _RECEIVED.finditer(clause):
                check("received", int(m.group(1)), accepted,
                      f"表三“{T3_SECTIONS['一']}”总计为{number(new)}"
                      + (f"（加上年结转为{number(new + carried)}）" if carried else ""),
                      ["t3/new_received/total", "t3/carried_over/total"], clause, "t3", "new_received")
        if review is not None:
            for m in _REVIEW.finditer(clause):
                check("review", int(m.group(1)), [float(review)], f"表四“行政复议”总计为{number(review)}",
                      ["t4/review/total"], clause, "t4", "review")
        if suit is not None:
            for m in _SUIT.finditer(clause):
                check("suit", int(m.group(1)), [suit],
                      f"表四“行政诉讼”总计（未经复议直接起诉与复议后起诉之和）为{number(suit)}",
                      ["t4/suit_direct/total", "t4/suit_after_review/total"], clause, "t4", "suit_direct")
    return findings
