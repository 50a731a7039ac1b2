"""not_published at ingest: the 未发布 rows of a fetch manifest become findings of the column's agency (created
from the column list when the store has none), never for an agency-year that has a report; a later report
removes its finding; queries/not_published.sql lists them with the column's address (tiny database)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from gongkai import store
from gongkai.ingest import ingest
from mock_portal import FIXTURES

HEADER = "文件,省,市,区县,单位,发布日期,年度,标题,网址,栏目地址,获取时间,sha256,内容类型,前一版本文件,前一版本获取时间,状态\n"
COLUMN = "https://www.pingtan.gov.cn/nb/index.html"
CAIJIN = "https://www.pingtan.gov.cn/cjj/nb/index.html"


def manifest(tmp_path, *rows: str):
    path = tmp_path / "manifest.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8-sig")
    return path


def report_row(name: str, year: int) -> str:
    return f"{name},福建省,福州市,平潭县,平潭综合实验区,,{year},,,{COLUMN},,,,,,已获取"


def missing_row(agency: str, year: int, column: str) -> str:
    return f",福建省,福州市,平潭县,{agency},,{year},,,{column},,,,,,未发布"


@pytest.fixture
def folder(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(FIXTURES / "pingtan_2019.html", raw / "p2019.html")
    return raw


def listed(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = store.run_query(con, "not_published", {})
        return [(r.county, r.agency, int(r.year), r.column_url) for r in frame.itertuples()]
    finally:
        con.close()


def test_missing_rows_become_findings_except_where_a_report_is_stored(tmp_path, folder):
    db = tmp_path / "db.duckdb"
    path = manifest(tmp_path, report_row("p2019.html", 2019),
                    missing_row("平潭综合实验区", 2019, COLUMN),  # has a report: not a finding
                    missing_row("平潭综合实验区", 2020, COLUMN),
                    missing_row("平潭综合实验区财政金融局", 2020, CAIJIN))
    summary = ingest([folder], db, manifest=path, workers=1)
    assert summary.ok
    assert listed(db) == [("平潭县", "平潭综合实验区", 2020, COLUMN), ("平潭县", "平潭综合实验区财政金融局", 2020, CAIJIN)]
    # the same manifest again changes nothing, not even the file
    before = db.read_bytes()
    ingest([folder], db, manifest=path, workers=1)
    assert db.read_bytes() == before
    # filters
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert store.run_query(con, "not_published", {"agencies": ["平潭综合实验区财政金融局"]})["year"].tolist() == [2020]
        assert store.run_query(con, "not_published", {"year_from": 2021}).empty
        assert store.run_query(con, "not_published", {"kind": "人民政府"})["agency"].tolist() == ["平潭综合实验区"]
    finally:
        con.close()


def test_a_later_report_and_a_later_manifest_replace_the_list(tmp_path, folder):
    db = tmp_path / "db.duckdb"
    ingest([folder], db, manifest=manifest(tmp_path, report_row("p2019.html", 2019),
                                           missing_row("平潭综合实验区", 2022, COLUMN)), workers=1)
    assert listed(db) == [("平潭县", "平潭综合实验区", 2022, COLUMN)]
    # the 2022 report turns up (ingested without a manifest): its not_published finding goes
    shutil.copy(FIXTURES / "pingtan_2022.html", folder / "p2022.html")
    ingest([folder / "p2022.html"], db, workers=1)
    assert listed(db) == []
    # a new fetch's manifest is the whole list for its agencies: it replaces what was there
    ingest([folder], db, manifest=manifest(tmp_path, report_row("p2019.html", 2019),
                                           missing_row("平潭综合实验区", 2020, COLUMN)), workers=1)
    assert listed(db) == [("平潭县", "平潭综合实验区", 2020, COLUMN)]
