"""Export the figures, long, for Excel users (CSV with BOM, XLSX with a 说明 sheet) and for other engines
(Parquet partitioned Hive-style by year and province, which Spark, Trino or DuckDB read as they are).

Columns, in this order: agency, province, city, county, year, template, table, row, column, value, source_file,
is_demo (true = 模拟数据, generated rather than published by the agency), status: 已填报 (a value), 未填报 (printed
blank: value empty, which is not 0) or 未读取 (a cell the report prints that the parser could not read, named by a
missing_row, unreadable_row or ambiguous_cells finding: value empty, and not a blank either).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

COLUMNS = ("agency", "province", "city", "county", "year", "template", "table", "row", "column", "value",
           "source_file", "is_demo", "status")
# The findings whose cells were printed but not read: their cells are exported as 未读取 rows.
UNREAD_RULES = ("missing_row", "unreadable_row", "ambiguous_cells")
FORMATS = ("csv", "xlsx", "parquet")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header


class ExportError(Exception):
    """Chinese message for the user."""


@dataclass(slots=True)
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None

    def params(self) -> dict[str, Any]:
        return {"year_from": self.year_from, "year_to": self.year_to, "province": self.province,
                "city": self.city, "county": self.county}

    def describe(self) -> str:
        parts = []
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"年度 {self.year_from or '最早'}—{self.year_to or '最近'}")
        for label, value in (("省", self.province), ("市", self.city), ("区县", self.county)):
            if value:
                parts.append(f"{label}：{value}")
        return "；".join(parts) or "无（全部数据）"


# The figures, long, with their report's agency and region, and the cells not read (from the findings that
# name them; the ENUM casts keep the template's order). Parameters bound, never formatted in.
_FIGURES_SQL = f"""
WITH unread_keys AS (
    SELECT DISTINCT report_id, unnest(cells) AS cell
    FROM findings
    WHERE report_id IS NOT NULL AND rule IN {UNREAD_RULES}
),
unread AS (
    SELECT u.report_id,
           TRY_CAST(split_part(u.cell, '/', 1) AS figure_table) AS "table",
           TRY_CAST(split_part(u.cell, '/', 2) AS figure_row) AS "row",
           TRY_CAST(split_part(u.cell, '/', 3) AS figure_column) AS "column"
    FROM unread_keys u
),
cells AS (
    SELECT report_id, "table", "row", "column", value,
           CASE WHEN value IS NULL THEN '未填报' ELSE '已填报' END AS status
    FROM figures
    UNION ALL
    SELECT u.report_id, u."table", u."row", u."column", CAST(NULL AS DOUBLE), '未读取'
    FROM unread u
    LEFT JOIN figures x
        ON x.report_id = u.report_id AND x."table" = u."table" AND x."row" = u."row" AND x."column" = u."column"
    WHERE x.report_id IS NULL AND u."table" IS NOT NULL AND u."row" IS NOT NULL AND u."column" IS NOT NULL
)
SELECT
    a.name AS agency, g.province, g.city, g.county, r.year, r.template::VARCHAR AS template,
    f."table"::VARCHAR AS "table", f."row"::VARCHAR AS "row", f."column"::VARCHAR AS "column", f.value,
    r.source_file, r.is_demo, f.status
FROM cells f
JOIN reports r USING (report_id)
JOIN agencies a USING (agency_id)
LEFT JOIN regions g ON g.adcode = a.adcode
WHERE ($year_from IS NULL OR r.year >= $year_from)
  AND ($year_to IS NULL OR r.year <= $year_to)
  AND ($province IS NULL OR g.province = $province)
  AND ($city IS NULL OR g.city = $city)
  AND ($county IS NULL OR g.county = $county)
ORDER BY g.province, g.city, g.county, a.name, r.year, f."table", f."row", f."column"
"""

# For text formats a whole number is written as it is printed (95, not 95.0); money keeps its decimals.
_TEXT_VALUE = (
    "CASE WHEN value = trunc(value) AND abs(value) < 1e15 THEN CAST(CAST(value AS BIGINT) AS VARCHAR)"
    " ELSE CAST(value AS VARCHAR) END"
)


def _row_count(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    return con.execute(f"SELECT count(*) FROM ({_FIGURES_SQL})", filters.params()).fetchone()[0]


# Text read from report files (agency names, file names) that starts like a formula would be evaluated
# by Excel (=HYPERLINK(…), =cmd|…): in CSV it gets a leading apostrophe, in XLSX it is written as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FROM_DOCUMENTS = ("agency", "province", "city", "county", "source_file")


def _csv_column(name: str) -> str:
    if name == "value":
        return f"{_TEXT_VALUE} AS value"
    if name in _FROM_DOCUMENTS:
        return (
            f"CASE WHEN regexp_matches(\"{name}\", '^[-=+@\\t\\r]') THEN '''' || \"{name}\" "
            f"ELSE \"{name}\" END AS \"{name}\""
        )
    return f'"{name}"'


def export_csv(con: duckdb.DuckDBPyConnection, out: Path, filters: Filters) -> int:
    """UTF-8 with a BOM, so that Excel opens the Chinese correctly; returns the number of rows."""
    columns = ", ".join(_csv_column(c) for c in COLUMNS)
    with tempfile.TemporaryDirectory() as tmp:
        body = Path(tmp) / "body.csv"
        # DuckDB writes the CSV (fast at any size); the BOM is prepended because COPY cannot write one.
        con.execute(
            f"COPY (SELECT {columns} FROM ({_FIGURES_SQL})) TO '{body.as_posix()}' (HEADER, DELIMITER ',')",
            filters.params(),
        )
        with out.open("wb") as dst, body.open("rb") as src:
            dst.write(b"\xef\xbb\xbf")
            shutil.copyfileobj(src, dst, 1 << 20)
    return _row_count(con, filters)


def export_xlsx(con: duckdb.DuckDBPyConnection, out: Path, filters: Filters, db_path: Path) -> int:
    """A 数据 sheet with the figures and a 说明 sheet: source, filters, time of export, the columns."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    rows = _row_count(con, filters)
    if rows > XLSX_MAX_ROWS:
        raise ExportError(
            f"共 {rows} 行，超过 Excel 单个工作表的上限（{XLSX_MAX_ROWS + 1} 行）：请缩小筛选范围，或导出为 csv / parquet"
        )
    wb = Workbook(write_only=True)
    data = wb.create_sheet("数据")
    data.append(list(COLUMNS))
    cursor = con.execute(_FIGURES_SQL, filters.params())
    while batch := cursor.fetchmany(10_000):
        for record in batch:
            record = list(record)
            value = record[9]
            if value is not None and float(value).is_integer():
                record[9] = int(value)  # shown as printed: 95, not 95.0
            for i, field in enumerate(record):
                if isinstance(field, str) and field.startswith(_FORMULA_START):
                    cell = WriteOnlyCell(data, value=field)
                    cell.data_type = "s"  # text, never a formula
                    record[i] = cell
            data.append(record)
    notes = wb.create_sheet("说明")
    for line in (
        ("项目", "内容"),
        ("数据来源", f"gongkai 数据库 {db_path.name}（政府信息公开工作年度报告，按报告原文表格提取）"),
        ("筛选条件", filters.describe()),
        ("导出时间", datetime.now().strftime("%Y-%m-%d %H:%M:%S")),
        ("行数", rows),
        ("列说明", "table/row/column 为模板中的表、行、列代码（见 tests/fixtures/spec_figures.csv）；"
                 "value 为空时看 status：未填报 = 报告中该格空白，不等于 0；"
                 "未读取 = 报告印有该格但未能读取（见核对问题），也不是空白"),
        ("is_demo", "true 表示模拟数据（演示用生成的报告），不是单位公开发布的数据"),
    ):
        notes.append(list(line))
    wb.save(out)
    return rows


def export_parquet(con: duckdb.DuckDBPyConnection, out: Path, filters: Filters) -> int:
    """A folder of Parquet files, Hive-partitioned: out/year=2024/province=江苏省/….parquet."""
    if out.exists() and any(out.iterdir()):
        raise ExportError(f"输出文件夹 {out} 不是空的：请换一个文件夹，或先清空它")
    out.mkdir(parents=True, exist_ok=True)
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    con.execute(
        f"COPY (SELECT {columns} FROM ({_FIGURES_SQL})) TO '{out.as_posix()}'"
        " (FORMAT parquet, PARTITION_BY (year, province), OVERWRITE_OR_IGNORE)",
        filters.params(),
    )
    return _row_count(con, filters)


def export(db_path: str | os.PathLike[str], fmt: str, out: str | os.PathLike[str],
           filters: Filters | None = None) -> int:
    """Write the figures of the database at `db_path` to `out` in `fmt`; returns the number of rows."""
    db_path, out = Path(db_path), Path(out)
    filters = filters or Filters()
    if fmt not in FORMATS:
        raise ExportError(f"不支持的格式“{fmt}”，可选：{'、'.join(FORMATS)}")
    if not db_path.exists():
        raise ExportError(f"找不到数据库 {db_path}：请先用 gongkai ingest 导入报告")
    if "'" in out.as_posix():
        # COPY takes its target as a literal; refusing a quote keeps the path from becoming SQL.
        raise ExportError("输出路径中不能包含单引号（'）")
    if fmt != "parquet":
        out.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        if fmt == "csv":
            return export_csv(con, out, filters)
        if fmt == "xlsx":
            return export_xlsx(con, out, filters, db_path)
        return export_parquet(con, out, filters)
    finally:
        con.close()
