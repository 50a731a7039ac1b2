"""The 汇总表 page under Streamlit's AppTest: on an empty database, without a region, for a city and a year
given in the URL (the sums in the tables equal plain SQL), the year widget writing the URL back, a bad or
hostile `year` in the URL, hostile region names, and the Word download being the tables shown."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document

from dashboard_db import HOSTILE_COUNTY, build_empty_db, build_hostile_db
from test_app import INJECTIONS, assert_no_raw_markup, metrics, no_failure, row_counts, run_app, sql

PAGE = "app_pages/summary.py"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return build_hostile_db(tmp_path_factory.mktemp("sumapp_hostile") / "gongkai.duckdb")


@pytest.fixture(scope="module")
def dash(hostile) -> Path:
    """The dashboard test database plus three hostile 2024 reports in a county of 淮安市 (one build for the
    module: the sums below are computed by SQL over whatever the database holds)."""
    return hostile


@pytest.fixture
def use_db(monkeypatch):
    def use(path: Path) -> None:
        monkeypatch.setenv("GONGKAI_DB", str(path))

    return use


def html_of(at) -> str:
    return "".join(e.proto.body for e in at.get("html"))


def cell_texts(at) -> dict[str, str]:
    """data-key → the text of each figure cell of the laid-out tables."""
    return dict(re.findall(r'data-key="([^"]+)">([^<]*)</td>', html_of(at)))


def huaian_sum(db: Path, year: int, key: str) -> tuple[float | None, int, int]:
    """(SUM, reports printing a number, reports of the city) of one figure: plain SQL, no queries/."""
    table, row, col = key.split("/")
    return sql(db, """
        WITH scope AS (
            SELECT r.report_id FROM reports r JOIN agencies a USING (agency_id) JOIN regions g ON g.adcode = a.adcode
            WHERE r.year = ? AND g.city = '淮安市')
        SELECT (SELECT sum(value) FROM figures JOIN scope USING (report_id)
                WHERE "table" = ? AND "row" = ? AND "column" = ?),
               (SELECT count(value) FROM figures JOIN scope USING (report_id)
                WHERE "table" = ? AND "row" = ? AND "column" = ?),
               (SELECT count(*) FROM scope)""", [year, table, row, col, table, row, col])[0]


def test_empty_database_says_so(tmp_path, use_db):
    use_db(build_empty_db(tmp_path / "empty.duckdb"))
    at = run_app(PAGE)
    no_failure(at)
    assert any("数据库中还没有任何报告" in i.value for i in at.info)


def test_without_a_region_asks_for_one(dash, use_db):
    use_db(dash)
    at = run_app(PAGE)
    no_failure(at)
    assert at.title[0].value == "汇总表"
    assert any("请先在左侧选择省、市或县（区）" in i.value for i in at.info)
    assert not at.get("html")


def test_city_and_year_from_the_url_show_the_sums_of_sql(dash, use_db):
    use_db(dash)
    at = run_app(PAGE, {"city": "淮安市", "year": "2023"})
    no_failure(at)
    assert at.header[0].value == "淮安市2023年政府信息公开工作年度报告汇总表"
    assert at.query_params["year"] == "2023" and at.query_params["province"] == "江苏省"
    received, numbers, reports = huaian_sum(dash, 2023, "t3/new_received/total")
    assert numbers == reports == 8  # one agency of the test database has no 2023 report
    assert metrics(at)["参与汇总的单位"] == "8"
    cells = cell_texts(at)
    assert cells["t3/new_received/total"] == str(int(received))
    for key in ("t3/granted/natural_person", "t3/total/total", "t4/review/total", "t4/suit_direct/corrected"):
        total, numbers, reports = huaian_sum(dash, 2023, key)
        assert cells[key] == (str(int(total)) if numbers == reports else f"≥ {int(total)}（{reports - numbers} 个单位未填报）"), key
    assert any(m.value.startswith(f"2023年，全市各级行政机关共收到政府信息公开申请{int(received)}件") for m in at.markdown)
    # 表三 as the template prints it: the applicant header over seven columns, the groups merged over their items
    html = html_of(at)
    assert '<th colspan="7">申请人情况</th>' in html
    assert '<td rowspan="8" class="gk-label">（三）不予公开</td>' in html
    assert '<th colspan="10">行政诉讼</th>' in html


def test_the_year_widget_moves_the_tables_and_the_url(dash, use_db):
    use_db(dash)
    at = run_app(PAGE, {"county": "洪泽区", "year": "2024"})
    assert at.header[0].value == "洪泽区2024年政府信息公开工作年度报告汇总表"
    assert at.selectbox(key="summary_year").options == ["2022", "2023", "2024"]
    at.selectbox(key="summary_year").set_value(2022).run()
    no_failure(at)
    assert at.header[0].value == "洪泽区2022年政府信息公开工作年度报告汇总表"
    assert at.query_params["year"] == "2022"
    total = sql(dash, """SELECT sum(value) FROM figures JOIN reports r USING (report_id) JOIN agencies a USING (agency_id)
                         JOIN regions g ON g.adcode = a.adcode
                         WHERE r.year = 2022 AND g.county = '洪泽区' AND "table" = 't3' AND "row" = 'total'
                           AND "column" = 'total'""")[0][0]
    assert cell_texts(at)["t3/total/total"] == str(int(total))


def test_the_word_download_is_the_tables_shown(dash, use_db):
    use_db(dash)
    at = run_app(PAGE, {"city": "淮安市", "year": "2024"})
    no_failure(at)
    from gongkai import summary as S
    from gongkai.summary_write import to_docx
    import duckdb

    con = duckdb.connect(str(dash), read_only=True)
    try:
        summary = S.load(con, S.Scope("江苏省", "淮安市"), 2024)
    finally:
        con.close()
    doc = Document(io.BytesIO(to_docx(summary)))
    t4 = doc.tables[2]
    cells = cell_texts(at)
    keys = [f"t4/{r}/{c}" for r in ("review", "suit_direct", "suit_after_review")
            for c in ("upheld", "corrected", "other", "pending", "total")]
    assert [t4.cell(3, i).text for i in range(15)] == [cells[k] for k in keys]
    button = at.get("download_button")
    assert any("下载 Word" in str(b.proto.label) for b in button)


def test_a_year_without_reports_in_the_url_is_ignored_with_a_notice(dash, use_db):
    use_db(dash)
    at = run_app(PAGE, {"city": "淮安市", "year": "2019"})
    no_failure(at)
    assert any("“year=2019”无效" in w.value for w in at.warning)
    assert at.header[0].value == "淮安市2024年政府信息公开工作年度报告汇总表"  # the latest year instead


@pytest.mark.parametrize("injection", INJECTIONS)
def test_sql_injection_through_the_url_changes_nothing(hostile, use_db, injection):
    use_db(hostile)
    before = row_counts(hostile)
    at = run_app(PAGE, {"province": "江苏省", "city": injection, "county": injection, "year": injection})
    no_failure(at)
    notices = " ".join(w.value for w in at.warning)
    assert "“year=" in notices and "“city=" in notices and "“county=" in notices
    assert at.header[0].value == "江苏省2024年政府信息公开工作年度报告汇总表"  # the province, its latest year
    assert row_counts(hostile) == before


def test_hostile_region_names_are_shown_as_text(hostile, use_db):
    use_db(hostile)
    county = HOSTILE_COUNTY[3]
    at = run_app(PAGE, {"city": "淮安市", "county": county, "year": "2024"})
    no_failure(at)
    assert metrics(at)["参与汇总的单位"] == "3"
    assert_no_raw_markup(at, "<b>区", "<img")
    assert "<b>" not in html_of(at)


def test_demo_city_with_planted_errors_names_the_agencies(tmp_path_factory, use_db):
    from summary_db import build_demo_summary_db

    db, corpus = build_demo_summary_db(tmp_path_factory.mktemp("sumapp_demo") / "demo.duckdb")
    use_db(db)
    at = run_app(PAGE, {"city": "青岚市", "year": "2020"})
    no_failure(at)
    assert at.header[0].value == "青岚市2020年政府信息公开工作年度报告汇总表"
    # 2020: 青渚区教育局 breaks t3_balance (二 columns: 其他, 总计), 澄溪区公安分局 t4_rows
    planted = {(e.agency, e.rule) for e in corpus.errors if e.year == 2020 and e.rule.startswith(("t3_", "t4_"))}
    assert planted == {("青渚区教育局", "t3_balance"), ("澄溪区公安分局", "t4_rows")}
    assert metrics(at)["汇总数不平的等式"] == "3"
    checks = next(d.value for d in at.dataframe if "自身违反该等式的单位" in d.value.columns)
    errors = checks[checks["级别"] == "错误"]
    assert sorted(errors["自身违反该等式的单位"]) == ["澄溪区公安分局", "青渚区教育局", "青渚区教育局"]
    # every report's own errors are listed too (they might cancel out in a sum)
    own = next(d.value for d in at.dataframe if list(d.value.columns) == ["单位", "规则", "说明"])
    assert set(own["单位"]) == {"青渚区教育局", "澄溪区公安分局"}
    # the 表四 cells two agencies leave blank are marked incomplete, not summed as exact
    assert "gk-incomplete" in html_of(at) and "个单位未填报" in html_of(at)
