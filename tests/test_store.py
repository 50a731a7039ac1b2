"""The DuckDB store (gongkai/store.py): schema, one report written whole or not at all, the wide table,
derived metrics and parameter binding."""

from __future__ import annotations

import os
import shutil

import pytest

from gongkai import store
from gongkai.report import Finding, Report
from gongkai.template import FIGURES, figure_keys


def make_report(year: int = 2024, template: str = "2021", other_split: bool | None = None,
                **figures: float | None) -> Report:
    values: dict[str, float | None] = {k: 0 for k in figure_keys(template, other_split)}
    for name, value in figures.items():
        key = name.replace("__", "/")
        assert key in values, key
        values[key] = value
    return Report(file="a.txt", agency="甲局", year=year, template=template, figures=values, format="text",
                  narrative="正文。", findings=[Finding("t3_balance", "error", "表三不平衡", "t3", None, "total",
                                                     ["t3/total/total"], 3, 4)])


@pytest.fixture
def con(tmp_path):
    con = store.connect(tmp_path / "s.duckdb")
    con.execute("INSERT INTO regions VALUES ('320813', '江苏省', '淮安市', '洪泽区', '320000', '320800')")
    con.execute("INSERT INTO agencies (name, name_key, adcode, kind, region_source)"
                " VALUES ('洪泽区教育局', '洪泽区教育局', '320813', '部门', '名称识别')")
    yield con
    con.close()


def test_schema_has_every_table_and_a_wide_column_per_figure(con):
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == {"meta", "regions", "agencies", "agency_names", "reports", "figures", "ingested_files",
                      "report_texts", "findings", "report_wide", "figure_keys"}
    assert con.execute('SELECT count(*), count(DISTINCT ("table", "row", "column")) FROM figure_keys'
                       ).fetchone() == (len(FIGURES), len(FIGURES))
    wide = [r[0] for r in con.execute("DESCRIBE report_wide").fetchall()]
    assert wide[:12] == ["report_id", "agency_id", "agency", "kind", "province", "city", "county", "adcode",
                         "year", "template", "is_demo", "source_file"]
    assert wide[12:12 + len(FIGURES)] == [f.key.replace("/", "_") for f in FIGURES]
    assert wide[12 + len(FIGURES):] == [f"t3_other_combined_{c}" for c in (
        "natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")] + [
        "denied_total", "unable_total", "refused_total", "disclosed", "handled", "disclosure_rate",
        "review_correction_rate", "suit_upheld", "suit_corrected", "suit_other", "suit_pending", "suit_total",
        "suit_correction_rate", "workload", "carry_forward_rate", "errors", "warnings"]
    assert [r[0] for r in con.execute("DESCRIBE report_metrics").fetchall()] == wide  # the older name
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(store.SCHEMA_VERSION),)


def test_connect_twice_keeps_the_data(tmp_path):
    path = tmp_path / "twice.duckdb"
    store.connect(path).execute("INSERT INTO meta VALUES ('probe', 'x')").close()
    con = store.connect(path)
    assert con.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone() == ("x",)


def test_insert_report_writes_figures_long_with_nulls_kept(con):
    report = make_report(t3__new_received__total=95, t3__granted__total=None, t2__fee__amount=7545.25)
    report_id = store.insert_report(con, report, agency_id=1, sha256="abc", source_file="a.txt")
    rows = con.execute(
        'SELECT "table"::VARCHAR, "row"::VARCHAR, "column"::VARCHAR, value FROM figures'
        " WHERE report_id = ? AND (value IS NULL OR value <> 0) ORDER BY ALL", [report_id]).fetchall()
    assert rows == [("t2", "fee", "amount", 7545.25), ("t3", "granted", "total", None),
                    ("t3", "new_received", "total", 95.0)]
    assert con.execute("SELECT count(*) FROM figures").fetchone() == (len(figure_keys("2021")),)
    assert con.execute(
        "SELECT agency_id, year, template::VARCHAR, agency_printed, source_file, sha256, format, is_demo"
        " FROM reports").fetchall() == [(1, 2024, "2021", "甲局", "a.txt", "abc", "text", False)]
    assert con.execute(
        "SELECT source::VARCHAR, rule, severity::VARCHAR, message, cells, printed, expected FROM findings"
    ).fetchall() == [("parse", "t3_balance", "error", "表三不平衡", ["t3/total/total"], "3", "4")]
    assert con.execute("SELECT narrative FROM report_texts").fetchall() == [("正文。",)]


def test_a_report_with_an_unknown_figure_key_writes_nothing(con):
    bad = make_report()
    bad.figures["t3/no_such_row/total"] = 1
    con.execute("BEGIN")
    with pytest.raises(ValueError, match="模板之外的数字项：t3/no_such_row/total"):
        store.insert_report(con, bad, agency_id=1, sha256="bad", source_file="bad.txt")
    con.execute("ROLLBACK")
    for table in ("reports", "figures", "findings", "report_texts", "ingested_files"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_delete_report_removes_everything_derived(con):
    report_id = store.insert_report(con, make_report(), agency_id=1, sha256="abc", source_file="a.txt")
    store.refresh_wide(con)
    store.delete_report(con, report_id)
    for table in ("reports", "figures", "findings", "report_texts", "report_wide"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    # the file's hash stays: the same file ingested again is still recognised
    assert con.execute("SELECT sha256, report_id FROM ingested_files").fetchall() == [("abc", report_id)]


def test_wide_table_and_comparable_other(con):
    # 2019: （六） one row; 2021 split with one blank part; 2021 split all blank; 2021 printed as one row
    store.insert_report(con, make_report(2019, "2019", t3__other__total=4), agency_id=1, sha256="a",
                        source_file="a")
    store.insert_report(con, make_report(2021, "2021", t3__other_no_correction__total=2,
                                         t3__other_fee_unpaid__total=None, t3__other_other__total=3),
                        agency_id=1, sha256="b", source_file="b")
    store.insert_report(con, make_report(2022, "2021", t3__other_no_correction__total=None,
                                         t3__other_fee_unpaid__total=None, t3__other_other__total=None),
                        agency_id=1, sha256="c", source_file="c")
    store.insert_report(con, make_report(2023, "2021", other_split=False, t3__other__total=6),
                        agency_id=1, sha256="d", source_file="d")
    store.refresh_wide(con)
    rows = con.execute(
        "SELECT year, agency, province, city, county, t3_other_total, t3_other_other_total,"
        " t3_other_combined_total FROM report_wide ORDER BY year").fetchall()
    assert rows == [
        (2019, "洪泽区教育局", "江苏省", "淮安市", "洪泽区", 4.0, None, 4.0),
        (2021, "洪泽区教育局", "江苏省", "淮安市", "洪泽区", None, 3.0, 5.0),
        (2022, "洪泽区教育局", "江苏省", "淮安市", "洪泽区", None, None, None),
        (2023, "洪泽区教育局", "江苏省", "淮安市", "洪泽区", 6.0, None, 6.0),
    ]


def test_metrics_state_their_numerators_and_denominators(con):
    store.insert_report(
        con,
        make_report(t3__new_received__total=18, t3__carried_over__total=2, t3__granted__total=8,
                    t3__partial__total=2, t3__total__total=16, t3__carried_forward__total=4,
                    t3__denied_secret__total=1, t3__denied_process__total=None, t3__unable_not_held__total=3,
                    t4__review__corrected=1, t4__review__total=4,
                    t4__suit_direct__corrected=1, t4__suit_direct__total=2, t4__suit_after_review__total=None),
        agency_id=1, sha256="a", source_file="a")
    store.refresh_wide(con)
    row = con.execute(
        "SELECT disclosed, handled, disclosure_rate, review_correction_rate, suit_corrected, suit_total,"
        " suit_correction_rate, workload, carry_forward_rate, denied_total, unable_total, refused_total"
        " FROM report_metrics").fetchone()
    assert row == (10.0, 16.0, 0.625, 0.25, 1.0, 2.0, 0.5, 20.0, 0.2, 1.0, 3.0, 0.0)


def test_metrics_are_null_when_nothing_is_printed_or_the_denominator_is_zero(con):
    store.insert_report(con, make_report(t3__granted__total=None, t3__partial__total=None,
                                         t3__total__total=5, t4__review__total=0),
                        agency_id=1, sha256="a", source_file="a")
    store.refresh_wide(con)
    assert con.execute("SELECT disclosed, disclosure_rate, review_correction_rate FROM report_metrics"
                       ).fetchone() == (None, None, None)


def test_a_database_with_the_older_view_based_wide_table_is_upgraded(tmp_path):
    path = tmp_path / "old.duckdb"
    con = store.connect(path)
    con.execute("INSERT INTO agencies (name, name_key, adcode, kind, region_source) VALUES ('甲局', '甲局', NULL,"
                " '部门', '未识别')")
    store.insert_report(con, make_report(), agency_id=1, sha256="a", source_file="a")
    # what the first schema of today looked like: a base table and views over it
    con.execute("DROP VIEW report_metrics; ALTER TABLE report_wide RENAME TO report_wide_base;"
                " CREATE VIEW report_wide AS SELECT * FROM report_wide_base;"
                " CREATE VIEW report_metrics AS SELECT * FROM report_wide")
    con.close()
    con = store.connect(path)
    assert con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'report_wide'"
                       ).fetchone() == ("BASE TABLE",)
    assert con.execute("SELECT count(*) FROM report_wide").fetchone() == (1,)


def test_refresh_wide_follows_a_new_agency_name(con):
    store.insert_report(con, make_report(), agency_id=1, sha256="a", source_file="a")
    store.refresh_wide(con)
    con.execute("UPDATE agencies SET name = '淮安市洪泽区教育局'")
    store.refresh_wide(con, [], agency_ids=[2])  # another agency: this one's rows stay as they were
    assert con.execute("SELECT agency FROM report_wide").fetchall() == [("洪泽区教育局",)]
    store.refresh_wide(con, [], agency_ids=[1])  # no report of its rebuilt, its name follows all the same
    assert con.execute("SELECT agency FROM report_wide").fetchall() == [("淮安市洪泽区教育局",)]


def test_query_parameters_and_binding():
    sql = "-- $not_a_param in a comment\nSELECT * FROM t WHERE ($year IS NULL OR year = $year) AND c = $county"
    assert store.query_parameters(sql) == ["year", "county"]
    assert store.bind(sql, {"county": "洪泽区", "province": "江苏省"}) == {"year": None, "county": "洪泽区"}


def test_every_query_runs_on_an_empty_database(con):
    for name in store.query_names():
        store.run_query(con, name, {"report_id": 1})  # binds and runs: no missing column, no type error


def test_database_version_changes_when_a_new_file_is_swapped_in(tmp_path):
    path = tmp_path / "v.duckdb"
    assert store.database_version(path) is None
    store.connect(path).close()
    before = store.database_version(path)
    shutil.copyfile(path, tmp_path / "copy.duckdb")
    os.replace(tmp_path / "copy.duckdb", path)
    assert store.database_version(path) != before
