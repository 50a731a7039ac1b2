"""`gongkai synth`: a small national database has the real administrative shape, obeys the template's rules,
fills the tables ingest fills (report_wide as store.refresh_wide builds it) and is the same for the same seed."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from gongkai import regions, rules, store, synth
from gongkai.cli import app
from gongkai.template import figure_keys

REPORTS = 2000
SEED = 11


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "national.duckdb"
    summary = synth.synthesize(path, REPORTS, SEED)
    return path, summary


@pytest.fixture(scope="module")
def con(built):
    con = duckdb.connect(str(built[0]), read_only=True)
    yield con
    con.close()


def test_exactly_the_reports_asked_for_all_marked_demo(con, built):
    assert con.execute("SELECT count(*), count(*) FILTER (WHERE is_demo) FROM reports").fetchone() == (REPORTS, REPORTS)
    assert con.execute("SELECT count(*) FROM report_wide WHERE is_demo").fetchone()[0] == REPORTS
    assert built[1].reports == REPORTS
    assert con.execute("SELECT DISTINCT format FROM reports").fetchall() == [(synth.SYNTH_FORMAT,)]
    assert con.execute("SELECT count(*) FROM report_texts").fetchone()[0] == REPORTS
    assert con.execute("SELECT count(*) FROM ingested_files").fetchone()[0] == REPORTS


def test_the_31_provinces_with_valid_adcodes(con):
    provinces = {p for (p,) in con.execute("SELECT DISTINCT province FROM report_wide").fetchall()}
    assert len(provinces) == 31
    assert {"北京市", "西藏自治区", "新疆维吾尔自治区", "海南省", "上海市"} <= provinces
    assert not provinces & {"台湾省", "香港特别行政区", "澳门特别行政区"}
    # every region row is exactly what the ingest path stores for that adcode
    for adcode, province, city, county, province_adcode, city_adcode in con.execute(
            "SELECT * FROM regions").fetchall():
        r = regions.region_for_adcode(adcode)
        assert (r.province, r.city, r.county, r.province_adcode, r.city_adcode) == (
            province, city, county, province_adcode, city_adcode)
    levels = dict(con.execute(
        "SELECT CASE WHEN g.county IS NOT NULL THEN 'county' WHEN g.city_adcode IS NOT NULL THEN 'city'"
        " ELSE 'province' END AS level, count(*) FROM agencies a JOIN regions g USING (adcode) GROUP BY level"
    ).fetchall())
    assert levels["county"] > levels["city"] and levels["province"] >= 31  # every provincial government first


def test_agencies_named_and_kinded_as_ingest_would(con):
    rows = con.execute("SELECT a.name, a.name_key, a.kind::VARCHAR, g.county FROM agencies a JOIN regions g USING (adcode)"
                       " WHERE g.county IS NOT NULL").fetchall()
    for name, name_key, kind, county in rows:
        assert name.endswith(name_key) and name_key.startswith(county)
        assert kind == regions.agency_kind(name)


def test_template_by_year_and_figure_keys_by_format(con):
    assert con.execute(
        "SELECT count(*) FROM reports WHERE (year <= 2020) <> (template = '2019')").fetchone()[0] == 0
    assert con.execute("SELECT min(year), max(year) FROM reports").fetchone() == (2019, 2025)
    printed = con.execute(
        """SELECT r.template::VARCHAR, list(f."table" || '/' || f."row" || '/' || f."column" ORDER BY 1)
           FROM reports r JOIN figures f USING (report_id) WHERE r.report_id % 97 = 0
           GROUP BY r.report_id, r.template""").fetchall()
    allowed = {
        "2019": [set(figure_keys("2019"))],
        "2021": [set(figure_keys("2021", True)), set(figure_keys("2021", False))],
    }
    for template, keys in printed:
        assert set(keys) in allowed[template]


def test_every_report_satisfies_the_template_rules(con):
    """The parser's own rule code, run on every report's figures read back from the long table."""
    rows = con.execute(
        """SELECT report_id, list(f."table" || '/' || f."row" || '/' || f."column"), list(f.value)
           FROM figures f GROUP BY report_id""").fetchall()
    assert len(rows) == REPORTS
    for report_id, keys, values in rows:
        findings = rules.check(dict(zip(keys, values)))
        assert findings == [], (report_id, findings[:1])


def test_report_wide_rules_hold_in_sql(con):
    """t3_balance and t4_rows on the wide table, the way a supervisor's SQL would check them."""
    assert con.execute(
        """SELECT count(*) FROM report_wide
           WHERE t3_new_received_total + t3_carried_over_total <> t3_total_total + t3_carried_forward_total
              OR t4_review_upheld + t4_review_corrected + t4_review_other + t4_review_pending <> t4_review_total"""
    ).fetchone()[0] == 0


def test_blanks_only_in_table_two_and_heavy_tails(con):
    blank_tables = con.execute('SELECT DISTINCT "table"::VARCHAR FROM figures WHERE value IS NULL').fetchall()
    assert blank_tables == [("t2",)]
    median, p99, top, zeros = con.execute(
        "SELECT median(t3_new_received_total), quantile_cont(t3_new_received_total, 0.99),"
        " max(t3_new_received_total), avg((t3_new_received_total = 0)::INT) FROM report_wide").fetchone()
    assert 3 <= median <= 40 and p99 > 10 * median and top > p99 and 0.05 < zeros < 0.35


def test_series_carry_over_and_planted_cross_year_findings(con):
    # most agencies report every year; an agency's 上年结转 is last year's 结转下年度 except where planted
    full = con.execute(
        "SELECT avg((n = 7)::INT) FROM (SELECT count(*) AS n FROM reports GROUP BY agency_id)").fetchone()[0]
    assert full > 0.7
    rules_found = dict(con.execute("SELECT rule, count(*) FROM findings GROUP BY rule").fetchall())
    assert set(rules_found) <= {"carry_chain", "in_force_chain", "missing_year"}
    assert rules_found.get("carry_chain", 0) > 0
    chained, equal = con.execute(
        """SELECT count(*), count(*) FILTER (WHERE c.t3_carried_over_total = p.t3_carried_forward_total)
           FROM report_wide c JOIN report_wide p ON p.agency_id = c.agency_id AND p.year = c.year - 1"""
    ).fetchone()
    assert 0.97 < equal / chained < 1


def test_report_wide_equals_store_refresh_wide(built, tmp_path):
    """The wide table synth writes directly is what the ingest path's refresh_wide pivots from the long rows."""
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(built[0], copy)
    con = duckdb.connect(str(copy))
    try:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'report_wide' ORDER BY column_index"
        ).fetchall()]
        quoted = ", ".join(f'"{c}"' for c in columns)
        con.execute(f"CREATE TABLE synth_built AS SELECT {quoted} FROM report_wide")
        store.refresh_wide(con)
        differ = con.execute(
            f"SELECT count(*) FROM ((SELECT {quoted} FROM synth_built EXCEPT ALL SELECT {quoted} FROM report_wide)"
            f" UNION ALL (SELECT {quoted} FROM report_wide EXCEPT ALL SELECT {quoted} FROM synth_built))"
        ).fetchone()[0]
        assert con.execute("SELECT count(*) FROM report_wide").fetchone()[0] == REPORTS
        assert differ == 0
        # ids go on after the synthetic ones, so reports ingested later do not collide
        assert con.execute("SELECT nextval('report_ids')").fetchone()[0] > REPORTS
        assert con.execute("SELECT nextval('agency_ids')").fetchone()[0] > con.execute(
            "SELECT max(agency_id) FROM agencies").fetchone()[0]
    finally:
        con.close()


def test_every_query_runs(con):
    county, province = con.execute("SELECT county, province FROM report_wide WHERE county IS NOT NULL LIMIT 1").fetchone()
    report_id = con.execute("SELECT min(report_id) FROM reports").fetchone()[0]
    for name in store.query_names():
        for params in ({"report_id": report_id}, {"province": province, "county": county, "report_id": report_id}):
            store.run_query(con, name, params)


def _fingerprint(path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return (
            con.execute('SELECT count(*), sum(hash(report_id, "table", "row", "column", value)) FROM figures').fetchone(),
            con.execute("SELECT sum(hash(report_id, agency_id, year, template, sha256, source_file)) FROM reports").fetchone(),
            con.execute("SELECT sum(hash(agency_id, name, adcode, kind)) FROM agencies").fetchone(),
        )
    finally:
        con.close()


def test_same_seed_same_database_other_seed_other_figures(built, tmp_path):
    again = tmp_path / "again.duckdb"
    synth.synthesize(again, REPORTS, SEED)
    assert _fingerprint(again) == _fingerprint(built[0])
    other = tmp_path / "other.duckdb"
    synth.synthesize(other, REPORTS, SEED + 1)
    assert _fingerprint(other)[0] != _fingerprint(built[0])[0]


def test_cli_refuses_to_overwrite_without_replace(built, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["synth", "--reports", "50", "--db", str(built[0])])
    assert result.exit_code == 1
    assert "已存在" in result.output and "--replace" in result.output
    out = tmp_path / "small.duckdb"
    result = runner.invoke(app, ["synth", "--reports", "50", "--db", str(out), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "50 份报告" in result.output
    con = duckdb.connect(str(out), read_only=True)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 50
    con.close()
