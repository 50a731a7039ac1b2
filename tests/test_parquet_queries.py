"""Past one machine: the queries/ SQL gives the same answers over the Hive-partitioned Parquet export
(`gongkai export --format parquet`, partitioned by year and province) as over the DuckDB file.

The Parquet holds the long figures with their agency, region, year and template — what Spark, Trino or
MotherDuck would read. Over it we define, as views with the names the SQL uses, `reports`, `agencies`,
`regions` and `figures`, and `report_wide` by the store's own definition (pivot + derived columns), then run
every query file under the same filters on both sides. Ids (report_id, agency_id), adcodes and file
provenance (format, sha256, ingest time) belong to one database and are not in the export; findings are not
exported either. Those columns are left out of the comparison, and the queries that are only about them are
listed in NOT_COMPARED with the reason.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from gongkai import export, regions, store, synth

# Query files whose answer is about what the Parquet export does not carry.
NOT_COMPARED = {
    "findings_list": "findings are not part of the Parquet export",
    "app_report_findings": "findings are not part of the Parquet export",
    "app_findings_by_agency": "findings are not part of the Parquet export",
    "app_findings_by_rule": "findings are not part of the Parquet export",
    "summary_rule_breaks": "findings are not part of the Parquet export",
    "not_published": "findings are not part of the Parquet export",
    "assess_agency_years": "narratives, findings and 发布日期 are not part of the Parquet export",
    "assess_report_narratives": "narratives are not part of the Parquet export",
}
# Columns that are one database's own (ids, adcodes, file provenance) or come from findings.
DATABASE_ONLY = {"report_id", "agency_id", "adcode", "format", "sha256", "ingested_at", "errors", "warnings",
                 "findings", "agency_printed"}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    root = tmp_path_factory.mktemp("parquet")
    db = root / "small.duckdb"
    synth.synthesize(db, 400, seed=5)
    out = root / "parquet"
    rows = export.export(db, "parquet", out)
    parquet = duckdb.connect()
    glob = (out / "**" / "*.parquet").as_posix()
    government = regions._GOVERNMENT_SUFFIX.pattern.replace("'", "''")
    parquet.execute(f"""
        CREATE VIEW figures_long AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true);
        -- the export has no adcodes: a region is named by its names
        CREATE VIEW regions AS
            SELECT DISTINCT concat_ws('/', province, city, county) AS adcode, province, city, county
            FROM figures_long;
        CREATE VIEW agencies AS
            SELECT dense_rank() OVER (ORDER BY province, city, county, agency)::INTEGER AS agency_id,
                   agency AS name, concat_ws('/', province, city, county) AS adcode,
                   CASE WHEN regexp_matches(agency, '{government}') THEN '人民政府' ELSE '部门' END AS kind
            FROM (SELECT DISTINCT agency, province, city, county FROM figures_long);
        CREATE VIEW reports AS
            SELECT dense_rank() OVER (ORDER BY a.agency_id, r.year)::INTEGER AS report_id, a.agency_id,
                   r.year::SMALLINT AS year, r.template, r.agency AS agency_printed, r.source_file, r.is_demo,
                   NULL::VARCHAR AS format, NULL::VARCHAR AS sha256, NULL::TIMESTAMP AS ingested_at
            FROM (SELECT DISTINCT agency, province, city, county, year, template, source_file, is_demo
                  FROM figures_long) r
            JOIN agencies a ON a.name = r.agency AND a.adcode = concat_ws('/', r.province, r.city, r.county);
        -- the export carries no provenance of a figure (text or OCR): every figure reads as from text
        CREATE VIEW figures AS
            SELECT r.report_id, f."table", f."row", f."column", f.value,
                   NULL::VARCHAR AS source, NULL::DOUBLE AS confidence
            FROM figures_long f
            JOIN agencies a ON a.name = f.agency AND a.adcode = concat_ws('/', f.province, f.city, f.county)
            JOIN reports r ON r.agency_id = a.agency_id AND r.year = f.year;
        CREATE TABLE findings (finding_id INTEGER, source VARCHAR, report_id INTEGER, agency_id INTEGER,
            year SMALLINT, rule VARCHAR, severity VARCHAR, message VARCHAR, "table" VARCHAR, "row" VARCHAR,
            "column" VARCHAR, cells VARCHAR[], printed VARCHAR, expected VARCHAR);
        CREATE TABLE report_wide AS {store._wide_select_sql('true')};
        CREATE VIEW report_metrics AS SELECT * FROM report_wide;
    """)
    con = duckdb.connect(str(db), read_only=True)
    yield con, parquet, rows
    con.close()
    parquet.close()


def _filters(con) -> list[dict]:
    province, city, county = con.execute(
        "SELECT province, city, county FROM report_wide WHERE county IS NOT NULL"
        " GROUP BY ALL ORDER BY count(*) DESC, county LIMIT 1").fetchone()
    two = [a for (a,) in con.execute("SELECT DISTINCT agency FROM report_wide ORDER BY agency LIMIT 2").fetchall()]
    return [
        {},
        {"province": province},
        {"province": province, "city": city, "county": county},
        {"year_from": 2020, "year_to": 2023, "kind": "部门", "year": 2022},
        {"agencies": two},
    ]


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns=[c for c in frame.columns if c in DATABASE_ONLY])
    frame = frame.astype({c: "object" for c in frame.columns})
    frame = frame.map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v))
                      else round(float(v), 9) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
    return frame.sort_values(list(frame.columns), key=lambda s: s.astype(str)).reset_index(drop=True)


def test_the_export_holds_every_figure(both):
    con, parquet, rows = both
    assert rows == con.execute("SELECT count(*) FROM figures").fetchone()[0]
    assert parquet.execute("SELECT count(*) FROM figures").fetchone()[0] == rows
    assert parquet.execute("SELECT count(*) FROM reports").fetchone()[0] == 400


@pytest.mark.parametrize("name", [n for n in store.query_names() if n not in NOT_COMPARED])
def test_query_answers_the_same_over_parquet(both, name):
    con, parquet, _ = both
    answered = False
    for filters in _filters(con):
        if name.startswith("summary_") and filters.get("year") is None:
            filters = {**filters, "year": 2022}  # a 汇总 is of one year: $year is required
        if "report_id" in store.query_parameters(store.load_query(name)):
            # one report: the same agency-year on both sides, each under its own id
            agency, year, db_id = con.execute(
                "SELECT agency, year, report_id FROM report_wide ORDER BY report_id LIMIT 1 OFFSET 7").fetchone()
            pq_id = parquet.execute("SELECT report_id FROM report_wide WHERE agency = ? AND year = ?",
                                    [agency, year]).fetchone()[0]
            expected = store.run_query(con, name, {**filters, "report_id": db_id})
            got = store.run_query(parquet, name, {**filters, "report_id": pq_id})
        else:
            expected = store.run_query(con, name, filters)
            got = store.run_query(parquet, name, filters)
        assert list(got.columns) == list(expected.columns)
        # agencies missing a year are not in every province: an empty list is an answer there
        assert len(expected) > 0 or name in ("app_report_source", "summary_missing"), (name, filters)
        answered = answered or len(expected) > 0
        pd.testing.assert_frame_equal(_comparable(got), _comparable(expected), check_dtype=False,
                                      obj=f"{name} {filters}")
    assert answered or name == "app_report_source", name


def test_not_compared_names_real_files():
    assert set(NOT_COMPARED) <= set(store.query_names())
