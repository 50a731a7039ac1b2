"""The DuckDB store: schema, one transaction per report, the wide per-report table, bound queries.

Tables (the long, normalised truth):
- `regions`     one row per 省/市/县 adcode an agency sits in;
- `agencies`    one row per agency, whatever spelling its reports print (`agency_names` keeps each spelling);
- `reports`     one row per (agency, year): template, source file, sha256, reader format, ingest time, 模拟数据 flag;
- `figures`     long: report_id, table, row, column, value — a blank cell is NULL, never 0 — and where the value
                was read: source 'text' (the file's characters) or 'ocr' (recognised from a picture), with the
                recogniser's confidence for OCR;
- `findings`    what a rule says about a report (parser rules, text_vs_table) or an agency's series (cross-year);
- `figure_keys` every figure of the template with its labels in both formats and its unit;
- `report_texts` the narrative of each report, so text rules can be re-run without the file;
- `ingested_files` the sha256 of every file stored, for idempotent ingest.

Derived (rebuilt from the above, never edited by hand):
- `report_wide` a table, one row per report: the agency and region columns, one DOUBLE column per figure
  (`t3_new_received_total`), the comparable （六）其他处理 (`t3_other_combined_*`) and the derived metrics with
  their numerators and denominators (`disclosed`, `handled`, `disclosure_rate`, …). Dashboard queries read
  this: at national scale (600,000 reports) a scan of a few columns of one wide, region-sorted table is what
  keeps every query within tens of milliseconds, where pivoting 120 million long rows or binding views of
  260 computed columns is not. It is materialised, not a view, for the same reason.
- `report_metrics` a plain alias of report_wide kept for older queries (prefer report_wide).

Concurrency: DuckDB lets one process write, and a writer cannot open a file a reader holds. `ingest` therefore
never writes the live file: it writes into a copy and `os.replace`s the copy over the live file at the end of
the batch (see `gongkai.ingest`). A reader keeps reading the file it opened; `database_version()` tells it
when to reopen.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable

import duckdb
import numpy as np
import pandas as pd

from gongkai import defaults
from gongkai.report import Finding, Report
from gongkai.template import FIGURES, T3_COLUMN_KEYS, T3_OTHER_SPLIT

# Bumped whenever a table or column the queries read changes; the dashboard refuses an older file in words.
# 2: report_wide is a table carrying the derived metrics and finding counts.
# 3: reports.published_on (发布日期), the input of the timeliness rule.
# 4: figures carry source (text/ocr) and confidence (报告详情 reads them).
SCHEMA_VERSION = 4
DEFAULT_DB = defaults.DEFAULT_DB
QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"

KINDS = ("人民政府", "部门")
SEVERITIES = ("error", "warning")
# Where a finding came from: the parser's table rules, a text rule at ingest, the cross-year pass, ingest itself.
FINDING_SOURCES = ("parse", "text", "cross_year", "ingest")


def _enum(values: Iterable[str]) -> str:
    ordered = list(dict.fromkeys(values))  # template order, duplicates dropped
    return "ENUM (" + ", ".join("'" + v.replace("'", "''") + "'" for v in ordered) + ")"


FIGURE_INDEX = {f.key: i for i, f in enumerate(FIGURES)}


def wide_column(key: str) -> str:
    """The report_wide column of a figure key: "t3/new_received/total" → "t3_new_received_total"."""
    return key.replace("/", "_")


def _schema_sql() -> str:
    return f"""
CREATE TYPE IF NOT EXISTS figure_table AS {_enum(f.table for f in FIGURES)};
CREATE TYPE IF NOT EXISTS figure_row AS {_enum(f.row for f in FIGURES)};
CREATE TYPE IF NOT EXISTS figure_column AS {_enum(f.column for f in FIGURES)};
CREATE TYPE IF NOT EXISTS template_format AS ENUM ('2019', '2021');
CREATE TYPE IF NOT EXISTS agency_kind AS {_enum(KINDS)};
CREATE TYPE IF NOT EXISTS finding_severity AS {_enum(SEVERITIES)};
CREATE TYPE IF NOT EXISTS finding_source AS {_enum(FINDING_SOURCES)};

CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS regions (
    adcode          VARCHAR PRIMARY KEY,   -- 6 digits, the finest level known
    province        VARCHAR NOT NULL,
    city            VARCHAR,               -- 直辖市: the municipality itself (上海市)
    county          VARCHAR,               -- NULL for a city- or province-level agency
    province_adcode VARCHAR NOT NULL,
    city_adcode     VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS agency_ids;
CREATE TABLE IF NOT EXISTS agencies (
    agency_id     INTEGER PRIMARY KEY DEFAULT nextval('agency_ids'),
    name          VARCHAR NOT NULL,        -- shown: the spelling of its latest report
    name_key      VARCHAR NOT NULL,        -- the name without the province/city prefix: one agency across spellings
    adcode        VARCHAR,                 -- NULL when no region could be found
    kind          agency_kind NOT NULL,
    region_source VARCHAR NOT NULL         -- 名称识别 / 命令行 --region / 清单 / 未识别
);
CREATE TABLE IF NOT EXISTS agency_names (
    agency_id INTEGER NOT NULL,
    name      VARCHAR NOT NULL,
    PRIMARY KEY (agency_id, name)
);

CREATE SEQUENCE IF NOT EXISTS report_ids;
CREATE TABLE IF NOT EXISTS reports (
    report_id      INTEGER PRIMARY KEY DEFAULT nextval('report_ids'),
    agency_id      INTEGER NOT NULL,
    year           SMALLINT NOT NULL,
    template       template_format,
    agency_printed VARCHAR,                -- the agency name as this report prints it
    source_file    VARCHAR NOT NULL,       -- file name only: paths differ between machines
    sha256         VARCHAR NOT NULL UNIQUE,
    format         VARCHAR NOT NULL,       -- the reader: text, markdown, html, docx, pdf
    ingested_at    TIMESTAMP NOT NULL,
    is_demo        BOOLEAN NOT NULL DEFAULT false,  -- 模拟数据: generated, not published by an agency
    published_on   DATE,                   -- 发布日期 from the manifest or the portal; NULL when unknown
    UNIQUE (agency_id, year)
);
ALTER TABLE reports ADD COLUMN IF NOT EXISTS published_on DATE;

CREATE TABLE IF NOT EXISTS figures (
    report_id INTEGER NOT NULL,
    "table"   figure_table NOT NULL,
    "row"     figure_row NOT NULL,
    "column"  figure_column NOT NULL,
    value     DOUBLE                        -- NULL: printed blank (not reported), which is not 0
);
-- Schema 4: added to a database written before (ingest into it upgrades it; its figures read as 'text').
ALTER TABLE figures ADD COLUMN IF NOT EXISTS source VARCHAR DEFAULT 'text';  -- 'text' | 'ocr'
ALTER TABLE figures ADD COLUMN IF NOT EXISTS confidence DOUBLE;              -- OCR only: 0–1

-- Every file content ever stored, so that ingesting the same file again is a no-op even after its report
-- was replaced by a newer file for the same agency-year (report_id then names a report that is gone).
CREATE TABLE IF NOT EXISTS ingested_files (
    sha256      VARCHAR PRIMARY KEY,
    source_file VARCHAR NOT NULL,
    report_id   INTEGER NOT NULL,          -- the report stored from it, or (copy, conflict) the one kept
    ingested_at TIMESTAMP NOT NULL,
    outcome     VARCHAR NOT NULL DEFAULT 'stored'  -- stored / copy (same figures as report_id) / conflict
);
ALTER TABLE ingested_files ADD COLUMN IF NOT EXISTS outcome VARCHAR DEFAULT 'stored';

CREATE TABLE IF NOT EXISTS report_texts (
    report_id INTEGER PRIMARY KEY,
    narrative VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS finding_ids;
CREATE TABLE IF NOT EXISTS findings (
    finding_id INTEGER PRIMARY KEY DEFAULT nextval('finding_ids'),
    source     finding_source NOT NULL,
    report_id  INTEGER,                    -- NULL for a finding about a year with no report (missing_year)
    agency_id  INTEGER NOT NULL,
    year       SMALLINT NOT NULL,
    rule       VARCHAR NOT NULL,
    severity   finding_severity NOT NULL,
    message    VARCHAR NOT NULL,
    "table"    VARCHAR,
    "row"      VARCHAR,
    "column"   VARCHAR,
    cells      VARCHAR[],
    printed    VARCHAR,                    -- JSON of what the report prints
    expected   VARCHAR                     -- JSON of what the rule expects
);
"""


# ---------------------------------------------------------------- the wide per-report table
_WIDE_KEYS = [f.key for f in FIGURES]


def _combined_other_sql(column: str) -> str:
    """（六）其他处理 as one figure in both formats: the one printed row, or the sum of the printed split
    rows of the 2021 format (NULL only when nothing was printed — blank is not 0)."""
    split = ", ".join(f"t3_{row}_{column}" for row in T3_OTHER_SPLIT)
    return f"coalesce(t3_other_{column}, list_sum([{split}])) AS t3_other_combined_{column}"


# The derived metrics: each is numerator / denominator, both kept as columns so an aggregate is
# sum(numerator) / sum(denominator) (never the mean of per-report rates), and NULL when the denominator
# is 0 or not printed. Sums of parts follow one convention: blank parts are skipped, and the sum is NULL
# only when every part is blank (list_sum ignores NULLs) — "not reported" never becomes 0.
METRICS_SQL = """
    list_sum([t3_denied_secret_total, t3_denied_law_total, t3_denied_safety_total, t3_denied_third_party_total,
              t3_denied_internal_total, t3_denied_process_total, t3_denied_case_file_total,
              t3_denied_query_total]) AS denied_total,
    list_sum([t3_unable_not_held_total, t3_unable_need_create_total, t3_unable_unclear_total]) AS unable_total,
    list_sum([t3_refused_petition_total, t3_refused_repeat_total, t3_refused_publication_total,
              t3_refused_mass_total, t3_refused_confirm_total]) AS refused_total,
    -- 公开率 = (（一）予以公开 + （二）部分公开) / （七）总计
    list_sum([t3_granted_total, t3_partial_total]) AS disclosed,
    t3_total_total AS handled,
    list_sum([t3_granted_total, t3_partial_total]) / nullif(t3_total_total, 0) AS disclosure_rate,
    -- 复议纠错率 = 行政复议 结果纠正 / 行政复议 总计
    t4_review_corrected / nullif(t4_review_total, 0) AS review_correction_rate,
    -- 行政诉讼 = 未经复议直接起诉 + 复议后起诉; 诉讼纠错率 = 结果纠正 / 总计
    list_sum([t4_suit_direct_upheld, t4_suit_after_review_upheld]) AS suit_upheld,
    list_sum([t4_suit_direct_corrected, t4_suit_after_review_corrected]) AS suit_corrected,
    list_sum([t4_suit_direct_other, t4_suit_after_review_other]) AS suit_other,
    list_sum([t4_suit_direct_pending, t4_suit_after_review_pending]) AS suit_pending,
    list_sum([t4_suit_direct_total, t4_suit_after_review_total]) AS suit_total,
    list_sum([t4_suit_direct_corrected, t4_suit_after_review_corrected])
        / nullif(list_sum([t4_suit_direct_total, t4_suit_after_review_total]), 0) AS suit_correction_rate,
    -- 结转率 = 结转下年度继续办理 / (本年新收 + 上年结转)
    list_sum([t3_new_received_total, t3_carried_over_total]) AS workload,
    t3_carried_forward_total / nullif(list_sum([t3_new_received_total, t3_carried_over_total]), 0)
        AS carry_forward_rate
"""


def _wide_select_sql(where: str, pivoted_from: str | None = None) -> str:
    """SELECT building report_wide rows from the long tables, for reports matching `where` (on `r`).

    The figure columns come from a PIVOT over the figure keys of template.FIGURES (so a figure added to
    the template gets its column without anyone editing SQL); a figure a report does not print is NULL.
    PIVOT rather than one FILTER aggregate per figure: it binds and runs about twenty times faster.
    `pivoted_from` names a table that already holds the figure columns per report_id (gongkai.synth writes
    one from its arrays: pivoting 120 million long rows back takes minutes); it replaces the PIVOT."""
    keys = ", ".join(f"'{wide_column(key)}'" for key in _WIDE_KEYS)
    figure_columns = ", ".join(f"p.{wide_column(key)}" for key in _WIDE_KEYS)
    combined = ",\n    ".join(_combined_other_sql(c) for c in T3_COLUMN_KEYS)
    if pivoted_from is None:
        pivoted = f"""long AS (
    SELECT f.report_id, f."table"::VARCHAR || '_' || f."row"::VARCHAR || '_' || f."column"::VARCHAR AS figure,
           f.value
    FROM figures f
    WHERE f.report_id IN (SELECT report_id FROM chosen)
),
pivoted AS (
    PIVOT long ON figure IN ({keys}) USING first(value) GROUP BY report_id
),"""
    else:
        pivoted = f"pivoted AS (SELECT * FROM {pivoted_from}),"
    return f"""
WITH chosen AS (
    SELECT r.* FROM reports r WHERE {where}
),
{pivoted}
built AS (
    SELECT
        r.report_id, r.agency_id, a.name AS agency, a.kind, g.province, g.city, g.county, a.adcode,
        r.year, r.template, r.is_demo, r.source_file,
        {figure_columns}
    FROM chosen r
    JOIN agencies a USING (agency_id)
    LEFT JOIN regions g ON g.adcode = a.adcode
    LEFT JOIN pivoted p USING (report_id)
),
with_combined AS (
    SELECT *,
    {combined}
    FROM built
),
finding_counts AS (
    SELECT report_id,
           count(*) FILTER (WHERE severity = 'error')::INTEGER AS errors,
           count(*) FILTER (WHERE severity = 'warning')::INTEGER AS warnings
    FROM findings
    WHERE report_id IN (SELECT report_id FROM chosen)
    GROUP BY report_id
)
SELECT w.*, {METRICS_SQL},
    coalesce(c.errors, 0) AS errors,     -- findings of the report (cross-year ones included);
    coalesce(c.warnings, 0) AS warnings  -- kept current by refresh_finding_counts after the cross-year rules
FROM with_combined w
LEFT JOIN finding_counts c USING (report_id)
"""


# ---------------------------------------------------------------- connections and schema
def connect(path: str | os.PathLike[str], read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, for a writer, create or upgrade) the database at `path`."""
    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    create_schema(con)
    return con


def _create_figure_keys(con: duckdb.DuckDBPyConnection) -> None:
    """figure_keys: every figure of the template with its labels (rebuilt from template.FIGURES)."""
    con.execute(
        'CREATE OR REPLACE TABLE figure_keys (figure_index SMALLINT PRIMARY KEY, "table" figure_table,'
        ' "row" figure_row, "column" figure_column, label_2021 VARCHAR, label_2019 VARCHAR, unit VARCHAR)'
    )
    columns = list(zip(*[(i, f.table, f.row, f.column, f.label_2021, f.label_2019, f.unit)
                         for i, f in enumerate(FIGURES)]))
    con.execute(
        "INSERT INTO figure_keys SELECT unnest(?::SMALLINT[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
        " unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
        [list(c) for c in columns],
    )


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_schema_sql())
    _create_figure_keys(con)
    kinds = dict(con.execute(
        "SELECT table_name, 'table' FROM duckdb_tables() UNION ALL"
        " SELECT view_name, 'view' FROM duckdb_views() WHERE NOT internal").fetchall())
    if kinds.get("report_wide") == "view":
        # a database from before report_wide was materialised: rebuild it as a table
        con.execute("DROP VIEW IF EXISTS report_metrics; DROP VIEW report_wide; DROP TABLE IF EXISTS report_wide_base")
        kinds.pop("report_wide")
    if "report_wide" not in kinds:
        con.execute(f"CREATE TABLE report_wide AS {_wide_select_sql('true')}")
    con.execute("CREATE OR REPLACE VIEW report_metrics AS SELECT * FROM report_wide")
    con.execute(
        "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [str(SCHEMA_VERSION)],
    )


def database_version(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(inode, mtime_ns) of the database file: changes exactly when an ingest swapped a new file in, so a
    reader (the dashboard) can key its cache and connection on it and reopen then."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


# ---------------------------------------------------------------- writing reports
def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


@dataclass
class Batch:
    """The rows a set of reports writes, column by column, so that each table takes one INSERT whatever
    the number of reports (a statement costs DuckDB about as much as a few thousand rows).

    Reports are added whole (`add_report`); `write_batch` writes them in the caller's transaction."""

    reports: dict[str, list] = field(default_factory=lambda: {c: [] for c in _REPORT_COLUMNS})
    figures: dict[str, list] = field(default_factory=lambda: {c: [] for c in _FIGURE_COLUMNS})
    texts: dict[str, list] = field(default_factory=lambda: {c: [] for c in _TEXT_COLUMNS})
    findings: dict[str, list] = field(default_factory=lambda: {c: [] for c in _FINDING_COLUMNS})
    ingested: dict[str, list] = field(default_factory=lambda: {c: [] for c in _INGESTED_COLUMNS})

    def __len__(self) -> int:
        return len(self.reports["report_id"])

    def add_report(self, report_id: int, report: Report, *, agency_id: int, sha256: str, source_file: str,
                   is_demo: bool = False, ingested_at: datetime | None = None,
                   extra_findings: Iterable[tuple[str, Finding]] = (), published_on: date | None = None) -> None:
        ingested_at = ingested_at or datetime.now().replace(microsecond=0)
        unknown = [key for key in report.figures if key not in FIGURE_INDEX]
        if unknown:  # checked before anything is added, so a bad report leaves the batch as it was
            raise ValueError(f"模板之外的数字项：{'、'.join(unknown[:3])}")
        for column, value in zip(_REPORT_COLUMNS, (
            report_id, agency_id, report.year, report.template, report.agency, source_file, sha256,
            report.format or "", ingested_at, is_demo, published_on,
        )):
            self.reports[column].append(value)
        for key, value in report.figures.items():
            self.figures["report_id"].append(report_id)
            self.figures["figure_index"].append(FIGURE_INDEX[key])
            self.figures["value"].append(math.nan if value is None else float(value))
            self.figures["ocr"].append(key in report.ocr)
            conf = report.ocr.get(key)
            self.figures["confidence"].append(math.nan if conf is None else float(conf))
        self.texts["report_id"].append(report_id)
        self.texts["narrative"].append(report.narrative or "")
        found = [("parse", f) for f in report.findings] + list(extra_findings)
        for source, finding in found:
            self.add_finding(finding, source=source, agency_id=agency_id, year=report.year, report_id=report_id)
        self.add_ingested_file(sha256, source_file, report_id, ingested_at)

    def add_finding(self, f: Finding, *, source: str, agency_id: int, year: int, report_id: int | None) -> None:
        for column, value in zip(_FINDING_COLUMNS, (
            source, report_id, agency_id, year, f.rule, f.severity, f.message, f.table, f.row, f.column,
            list(f.cells), _json(f.printed), _json(f.expected),
        )):
            self.findings[column].append(value)

    def add_ingested_file(self, sha256: str, source_file: str, report_id: int, at: datetime,
                          outcome: str = "stored") -> None:
        for column, value in zip(_INGESTED_COLUMNS, (sha256, source_file, report_id, at, outcome)):
            self.ingested[column].append(value)


_REPORT_COLUMNS = {"report_id": "INTEGER", "agency_id": "INTEGER", "year": "SMALLINT", "template": "VARCHAR",
                   "agency_printed": "VARCHAR", "source_file": "VARCHAR", "sha256": "VARCHAR",
                   "format": "VARCHAR", "ingested_at": "TIMESTAMP", "is_demo": "BOOLEAN",
                   "published_on": "DATE"}
# Figures travel as (report_id, position of the key in template.FIGURES, value) numpy arrays: DuckDB scans
# those without converting 200 Python objects per report, then the figure_keys table supplies the ENUMs.
_FIGURE_COLUMNS = {"report_id": "INTEGER", "figure_index": "SMALLINT", "value": "DOUBLE", "ocr": "BOOLEAN",
                   "confidence": "DOUBLE"}
_TEXT_COLUMNS = {"report_id": "INTEGER", "narrative": "VARCHAR"}
_FINDING_COLUMNS = {"source": "VARCHAR", "report_id": "INTEGER", "agency_id": "INTEGER", "year": "SMALLINT",
                    "rule": "VARCHAR", "severity": "VARCHAR", "message": "VARCHAR", "table": "VARCHAR",
                    "row": "VARCHAR", "column": "VARCHAR", "cells": "VARCHAR[]", "printed": "VARCHAR",
                    "expected": "VARCHAR"}
_INGESTED_COLUMNS = {"sha256": "VARCHAR", "source_file": "VARCHAR", "report_id": "INTEGER",
                     "ingested_at": "TIMESTAMP", "outcome": "VARCHAR"}


def _insert_columns(con: duckdb.DuckDBPyConnection, table: str, types: dict[str, str],
                    columns: dict[str, list]) -> None:
    """INSERT all rows of `columns` in one statement: each column bound as a list and unnested."""
    if not next(iter(columns.values())):
        return
    names = ", ".join(f'"{c}"' for c in types)
    values = ", ".join(f"unnest(?::{t}[])" for t in types.values())
    con.execute(f"INSERT INTO {table} ({names}) SELECT {values}", [columns[c] for c in types])


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """INSERT a few hundred small rows in one statement (executemany runs one statement per row)."""
    if not rows:
        return
    types = [r[1] for r in con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
        [table]).fetchall()]
    columns = {f"c{i}": [row[i] for row in rows] for i in range(len(types))}
    values = ", ".join(f"unnest(?::{'VARCHAR' if t.startswith('ENUM') else t}[])" for t in types)
    con.execute(f"INSERT INTO {table} SELECT {values}", list(columns.values()))


def write_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """Write the batch's reports, figures, texts, findings and file hashes (the caller holds the transaction:
    everything in it is written, or nothing). An unknown figure key fails the ENUM cast, so it fails here."""
    _insert_columns(con, "reports", _REPORT_COLUMNS, batch.reports)
    if batch.figures["report_id"]:
        frame = pd.DataFrame({
            "report_id": np.array(batch.figures["report_id"], dtype=np.int32),
            "figure_index": np.array(batch.figures["figure_index"], dtype=np.int16),
            "value": np.array(batch.figures["value"], dtype=np.float64),  # NaN stands for a blank cell
            "ocr": np.array(batch.figures["ocr"], dtype=bool),
            "confidence": np.array(batch.figures["confidence"], dtype=np.float64),  # NaN: none (text)
        })
        con.register("batch_figures", frame)
        try:
            con.execute(
                'INSERT INTO figures (report_id, "table", "row", "column", value, source, confidence)'
                ' SELECT b.report_id, k."table", k."row", k."column",'
                " CASE WHEN isnan(b.value) THEN NULL ELSE b.value END,"
                " CASE WHEN b.ocr THEN 'ocr' ELSE 'text' END,"
                " CASE WHEN isnan(b.confidence) THEN NULL ELSE b.confidence END"
                " FROM batch_figures b JOIN figure_keys k USING (figure_index)"
            )
        finally:
            con.unregister("batch_figures")
    _insert_columns(con, "report_texts", _TEXT_COLUMNS, batch.texts)
    _insert_columns(con, "findings", _FINDING_COLUMNS, batch.findings)
    if batch.ingested["sha256"]:  # a file that conflicted before and is now imported with --replace
        con.execute("DELETE FROM ingested_files WHERE list_contains(?, sha256)", [batch.ingested["sha256"]])
    _insert_columns(con, "ingested_files", _INGESTED_COLUMNS, batch.ingested)


def new_ids(con: duckdb.DuckDBPyConnection, sequence: str, count: int) -> list[int]:
    """`count` fresh ids from a sequence (report_ids, agency_ids) in one statement."""
    if count <= 0:
        return []
    return [r[0] for r in con.execute(f"SELECT nextval('{sequence}') FROM range(?)", [count]).fetchall()]


def insert_findings(
    con: duckdb.DuckDBPyConnection,
    findings: Iterable[Finding],
    *,
    source: str,
    agency_id: int,
    year: int,
    report_id: int | None,
) -> None:
    batch = Batch()
    for finding in findings:
        batch.add_finding(finding, source=source, agency_id=agency_id, year=year, report_id=report_id)
    _insert_columns(con, "findings", _FINDING_COLUMNS, batch.findings)


def delete_reports(con: duckdb.DuckDBPyConnection, report_ids: Iterable[int]) -> None:
    """Remove reports and everything derived from them (the caller holds the transaction)."""
    ids = sorted(set(report_ids))
    if not ids:
        return
    for table in ("figures", "report_texts", "findings", "report_wide", "reports"):
        con.execute(f"DELETE FROM {table} WHERE list_contains(?, report_id)", [ids])


def delete_report(con: duckdb.DuckDBPyConnection, report_id: int) -> None:
    delete_reports(con, [report_id])


def insert_report(
    con: duckdb.DuckDBPyConnection,
    report: Report,
    *,
    agency_id: int,
    sha256: str,
    source_file: str,
    is_demo: bool = False,
    ingested_at: datetime | None = None,
    extra_findings: Iterable[tuple[str, Finding]] = (),
) -> int:
    """Write one parsed report (the caller holds the transaction); returns its report_id.

    `extra_findings` are (source, finding) pairs found outside the parser (text rules, region)."""
    [report_id] = new_ids(con, "report_ids", 1)
    batch = Batch()
    batch.add_report(report_id, report, agency_id=agency_id, sha256=sha256, source_file=source_file,
                     is_demo=is_demo, ingested_at=ingested_at, extra_findings=extra_findings)
    write_batch(con, batch)
    return report_id


def refresh_wide(con: duckdb.DuckDBPyConnection, report_ids: Iterable[int] | None = None,
                 agency_ids: Iterable[int] | None = None) -> None:
    """Rebuild the report_wide rows of `report_ids` (every report when None) and bring the agency and
    region columns of `agency_ids`' other reports in step (a newer spelling, a region override)."""
    if report_ids is None:
        con.execute("DELETE FROM report_wide")
        con.execute(f"INSERT INTO report_wide {_wide_select_sql('true')}")
        return
    ids = sorted(set(report_ids))
    if ids:
        con.execute("DELETE FROM report_wide WHERE list_contains(?, report_id)", [ids])
        con.execute(f"INSERT INTO report_wide {_wide_select_sql('list_contains($ids, r.report_id)')}",
                    {"ids": ids})
    agencies = sorted(set(agency_ids or ()))
    if agencies:
        con.execute(
            """UPDATE report_wide w SET agency = a.name, kind = a.kind, adcode = a.adcode,
                   province = g.province, city = g.city, county = g.county
               FROM agencies a LEFT JOIN regions g ON g.adcode = a.adcode
               WHERE w.agency_id = a.agency_id AND list_contains($agencies, a.agency_id)
                 AND (w.agency IS DISTINCT FROM a.name OR w.adcode IS DISTINCT FROM a.adcode
                      OR w.kind IS DISTINCT FROM a.kind)""",
            {"agencies": agencies},
        )


def fill_wide_from(con: duckdb.DuckDBPyConnection, pivoted_from: str) -> None:
    """Fill report_wide for every report from `pivoted_from` (report_id + one column per figure) instead of
    pivoting the long figures — the same rows refresh_wide() builds, for a bulk writer that has the figures
    wide already (gongkai.synth)."""
    con.execute("DELETE FROM report_wide")
    con.execute(f"INSERT INTO report_wide {_wide_select_sql('true', pivoted_from)}")


def refresh_finding_counts(con: duckdb.DuckDBPyConnection, agency_ids: Iterable[int] | None = None) -> None:
    """report_wide.errors / warnings from the findings table, for the reports of `agency_ids` (None: all),
    after the cross-year rules changed their findings."""
    agencies = None if agency_ids is None else sorted(set(agency_ids))
    con.execute(
        """UPDATE report_wide w SET errors = coalesce(c.errors, 0), warnings = coalesce(c.warnings, 0)
           FROM (SELECT r.report_id,
                        count(f.finding_id) FILTER (WHERE f.severity = 'error')::INTEGER AS errors,
                        count(f.finding_id) FILTER (WHERE f.severity = 'warning')::INTEGER AS warnings
                 FROM report_wide r LEFT JOIN findings f USING (report_id)
                 WHERE $agencies IS NULL OR list_contains($agencies, r.agency_id)
                 GROUP BY r.report_id) c
           WHERE w.report_id = c.report_id AND (w.errors <> c.errors OR w.warnings <> c.warnings)""",
        {"agencies": agencies},
    )


def sort_wide(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite report_wide ordered by region and year (once per ingest batch), so that the zone maps of a
    region or year filter skip most row groups."""
    con.execute(
        "CREATE OR REPLACE TABLE report_wide AS SELECT * FROM report_wide"
        " ORDER BY province, city, county, agency_id, year"
    )
    con.execute("CREATE OR REPLACE VIEW report_metrics AS SELECT * FROM report_wide")


# ---------------------------------------------------------------- bound queries
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


def load_query(name: str) -> str:
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def query_parameters(sql: str) -> list[str]:
    """The $names a query binds, in order of first use (comments ignored)."""
    return list(dict.fromkeys(_PARAM.findall(_strip_comments(sql))))


def bind(sql: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Exactly the parameters `sql` uses: missing filters bound as NULL (= no filter), unknown ones dropped.

    DuckDB rejects both missing and surplus named parameters; pages pass one filter dict to every query."""
    params = params or {}
    return {name: params.get(name) for name in query_parameters(sql)}


def run_query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None):
    """Run queries/<name>.sql with bound parameters; returns a pandas DataFrame."""
    sql = load_query(name)
    return con.execute(sql, bind(sql, params)).df()
