"""Export (gongkai/export.py): CSV with BOM, XLSX with a 说明 sheet, Hive-partitioned Parquet — each read
back equals the database's figures."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from gongkai.cli import app
from gongkai.export import COLUMNS, ExportError, Filters, export
from gongkai.ingest import ingest

FIXTURES = Path(__file__).parent / "fixtures"
REAL = ["000_604589b9a90ba4e6.txt", "pingtan_2019.html", "pingtan_2022.html", "shanghai_bgt_2019.html"]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("ex") / "gongkai.duckdb"
    ingest([FIXTURES / name for name in REAL], db)
    return db


def database_figures(db: Path, where: str = "true") -> list[tuple]:
    """The figures as the database holds them, in the export's columns."""
    sql = (
        "SELECT a.name, g.province, g.city, g.county, r.year, r.template::VARCHAR, f.\"table\"::VARCHAR,"
        " f.\"row\"::VARCHAR, f.\"column\"::VARCHAR, f.value, r.source_file, r.is_demo,"
        " CASE WHEN f.value IS NULL THEN '未填报' ELSE '已填报' END"
        " FROM figures f JOIN reports r USING (report_id) JOIN agencies a USING (agency_id)"
        f" LEFT JOIN regions g USING (adcode) WHERE {where}"
    )
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute(sql).fetchall(), key=repr)
    finally:
        con.close()


def normalise(records) -> list[tuple]:
    out = []
    for rec in records:
        rec = [None if (v is None or (isinstance(v, float) and pd.isna(v))) else v for v in rec]
        rec[4] = int(rec[4])  # year
        rec[5] = str(rec[5])  # template
        rec[9] = None if rec[9] is None else float(rec[9])
        rec[11] = rec[11] in (True, "true", "True")
        out.append(tuple(rec))
    return sorted(out, key=repr)


def test_csv_header_bytes_and_round_trip(db, tmp_path):
    out = tmp_path / "figures.csv"
    assert export(db, "csv", out) == 200 + 198 + 200 + 198
    data = out.read_bytes()
    assert data.startswith(
        b"\xef\xbb\xbfagency,province,city,county,year,template,table,row,column,value,source_file,is_demo,status\n")
    # whole numbers are written as printed; money keeps its decimals; a blank cell stays empty
    text = data.decode("utf-8-sig")
    assert "平潭综合实验区,福建省,福州市,平潭县,2019,2019,t2,procurement,amount,75394432.52,pingtan_2019.html,false,已填报" in text
    assert "平潭综合实验区,福建省,福州市,平潭县,2022,2021,t3,new_received,total,74,pingtan_2022.html,false,已填报" in text
    assert "上海市人民政府办公厅,上海市,上海市,,2019,2019,t3,granted,total,,shanghai_bgt_2019.html,false,未填报" in text
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype={"template": str}, keep_default_na=False,
                        na_values={"value": [""], "county": [""]})
    assert tuple(frame.columns) == COLUMNS
    assert normalise(frame.itertuples(index=False, name=None)) == database_figures(db)


def test_xlsx_round_trip_and_notes_sheet(db, tmp_path):
    out = tmp_path / "figures.xlsx"
    rows = export(db, "xlsx", out, Filters(province="福建省", year_from=2020))
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["数据", "说明"]
    records = list(wb["数据"].iter_rows(values_only=True))
    assert records[0] == COLUMNS
    assert len(records) - 1 == rows == 200
    assert normalise(records[1:]) == database_figures(db, "g.province = '福建省' AND r.year >= 2020")
    notes = dict(list(wb["说明"].iter_rows(values_only=True))[1:])
    assert notes["筛选条件"] == "年度 2020—最近；省：福建省"
    assert notes["数据来源"].startswith("gongkai 数据库 gongkai.duckdb")
    assert notes["行数"] == 200
    assert len(notes["导出时间"]) == 19


def test_parquet_is_hive_partitioned_and_round_trips(db, tmp_path):
    out = tmp_path / "parquet"
    export(db, "parquet", out)
    partitions = sorted(p.relative_to(out).parent.as_posix() for p in out.rglob("*.parquet"))
    assert len(partitions) == 4 and all(p.startswith("year=") and "/province=" in p for p in partitions)
    con = duckdb.connect()
    back = con.execute(
        f"SELECT {', '.join(chr(34) + c + chr(34) for c in COLUMNS)}"
        f" FROM read_parquet('{out.as_posix()}/**/*.parquet', hive_partitioning = true)").fetchall()
    assert normalise(back) == database_figures(db)
    with pytest.raises(ExportError, match="不是空的"):
        export(db, "parquet", out)


def test_cli_export_and_its_errors(db, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["export", "--db", str(db), "--format", "csv", "--out", str(tmp_path / "a.csv"),
                             "--county", "平潭县"])
    assert ok.exit_code == 0, ok.output
    assert "已导出 398 行" in ok.output
    bad = runner.invoke(app, ["export", "--db", str(db), "--format", "json", "--out", str(tmp_path / "a.json")])
    assert bad.exit_code == 2 and "不支持的格式“json”" in bad.output
    none = runner.invoke(app, ["export", "--db", str(tmp_path / "no.duckdb"), "--format", "csv",
                               "--out", str(tmp_path / "b.csv")])
    assert none.exit_code == 2 and "找不到数据库" in none.output


def test_names_that_look_like_formulas_are_exported_as_text(tmp_path):
    db = tmp_path / "f.duckdb"
    ingest([FIXTURES / "000_604589b9a90ba4e6.txt"], db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE agencies SET name = '=HYPERLINK(\"http://x\",\"点击\")局'")
    con.close()
    csv_out, xlsx_out = tmp_path / "f.csv", tmp_path / "f.xlsx"
    export(db, "csv", csv_out)
    export(db, "xlsx", xlsx_out)
    first = csv_out.read_text(encoding="utf-8-sig").splitlines()[1]
    assert first.startswith('"\'=HYPERLINK(') or first.startswith("'=HYPERLINK(")
    cell = openpyxl.load_workbook(xlsx_out)["数据"]["A2"]
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://x","点击")局')
