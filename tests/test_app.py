"""The dashboard under Streamlit's AppTest: every page renders on a small ingested database and on an empty
one; what a page shows equals what SQL says; filters (widgets and URL) change it; bad URLs give a notice.

The expected figures are computed here with plain SQL over report_wide (not through queries/), so a page
that drew the wrong query, or formatted a number wrongly, fails."""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import sys
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard_db import build_dashboard_db, build_empty_db

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
sys.path.insert(0, str(ROOT))  # the app's components, as the running app imports them
PAGES = [
    "app_pages/overview.py",
    "app_pages/requests.py",
    "app_pages/review.py",
    "app_pages/proactive.py",
    "app_pages/compare.py",
    "app_pages/quality.py",
    "app_pages/report.py",
    "app_pages/assessment.py",
]
PAGE_TITLES = ["总览", "申请办理", "复议诉讼", "主动公开", "单位对比", "数据质量", "报告详情", "年报评估"]


@pytest.fixture(scope="session")
def dashboard_db(tmp_path_factory) -> Path:
    return build_dashboard_db(tmp_path_factory.mktemp("dash") / "gongkai.duckdb")


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory) -> Path:
    return build_empty_db(tmp_path_factory.mktemp("empty") / "gongkai.duckdb")


@pytest.fixture
def use_db(monkeypatch):
    def use(path: Path) -> None:
        monkeypatch.setenv("GONGKAI_DB", str(path))

    return use


def run_app(page: str | None = None, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if page and page != PAGES[0]:
        at.switch_page(page)
    at.run()
    return at


def sql(db: Path, query: str, params: list | None = None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def no_failure(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# ---------------------------------------------------------------- every page renders
@pytest.mark.parametrize("page,title", list(zip(PAGES, PAGE_TITLES)))
def test_every_page_renders_on_the_test_database(dashboard_db, use_db, page, title):
    use_db(dashboard_db)
    at = run_app(page)
    no_failure(at)
    assert at.title[0].value == title
    # the test database holds demo reports: every page badges them
    badges = [m.value for m in at.markdown if "badge[" in m.value]
    assert page.endswith("report.py") or any("模拟数据" in b for b in badges), badges


@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_so_on_an_empty_database(empty_db, use_db, page):
    use_db(empty_db)
    at = run_app(page)
    no_failure(at)
    assert any("数据库中还没有任何报告" in i.value for i in at.info)
    assert not at.metric


def test_first_run_builds_the_demo_database_with_progress(tmp_path, use_db, monkeypatch):
    target = tmp_path / "first.duckdb"
    use_db(target)
    import gongkai.demo.build as demo_build

    calls = []

    class Result:
        def lines(self):
            return ["已生成测试数据库"]

    def fake_build_demo(path, progress=None, **kwargs):  # the real one takes ~20 s: its own tests cover it
        calls.append(Path(path))
        progress(0.5, "导入报告 1/2")
        build_dashboard_db(Path(path))
        progress(1.0, "完成")
        return Result()

    monkeypatch.setattr(demo_build, "build_demo", fake_build_demo)
    at = run_app()
    no_failure(at)
    assert calls == [target]
    assert any("已生成测试数据库" in s.value for s in at.success)
    assert metrics(at)["报告数"] == "11"


def test_filters_survive_a_page_switch(dashboard_db, use_db):
    use_db(dashboard_db)
    at = run_app()
    at.selectbox(key="f_county").set_value(("江苏省", "淮安市", "洪泽区")).run()
    at.switch_page("app_pages/requests.py")
    at.query_params.clear()  # what the browser does when the sidebar switches pages
    at.run()
    no_failure(at)
    assert at.session_state["f_county"] == ("江苏省", "淮安市", "洪泽区")
    assert at.query_params["county"] in ("洪泽区", ["洪泽区"])
    received = sql(dashboard_db, "SELECT year, sum(t3_new_received_total) FROM report_wide WHERE county = '洪泽区'"
                   " GROUP BY year ORDER BY year")
    table = at.dataframe[0].value
    assert list(zip(table["年度"].astype(int), table["本年新收"])) == [(y, v) for y, v in received]


def test_a_missing_database_is_explained(tmp_path, use_db, monkeypatch):
    use_db(tmp_path / "nothing.duckdb")
    import components.db as dbmod

    monkeypatch.setattr(dbmod, "demo_builder_available", lambda: False)
    at = run_app()
    no_failure(at)
    assert any("找不到数据库文件" in w.value and "nothing.duckdb" in w.value for w in at.warning)


def test_a_database_of_an_older_schema_is_explained(dashboard_db, tmp_path, use_db):
    old = tmp_path / "old.duckdb"
    shutil.copy(dashboard_db, old)
    con = duckdb.connect(str(old))
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    use_db(old)
    at = run_app()
    assert not at.exception
    (error,) = at.error
    assert "旧版本" in error.value and "结构版本 1" in error.value and "old.duckdb" in error.value


# ---------------------------------------------------------------- figures equal SQL
def expected_kpis(db: Path, where: str = "true", params: list | None = None) -> dict[str, str]:
    """The 2024 KPI cards computed with plain SQL over report_wide."""
    (reports, agencies, received, granted, partial, handled, review, review_corrected, suits, suits_corrected) = sql(
        db,
        f"""SELECT count(*), count(DISTINCT agency_id), sum(t3_new_received_total),
                   sum(t3_granted_total), sum(t3_partial_total), sum(t3_total_total),
                   sum(t4_review_total), sum(t4_review_corrected),
                   sum(t4_suit_direct_total + t4_suit_after_review_total),
                   sum(t4_suit_direct_corrected + t4_suit_after_review_corrected)
            FROM report_wide WHERE year = 2024 AND {where}""",
        params,
    )[0]
    return {
        "报告数": f"{reports:,}",
        "单位数": f"{agencies:,}",
        "新收申请": f"{int(received):,}",
        "公开率": f"{(granted + partial) / handled * 100:.1f}%",
        "行政复议": f"{int(review):,}",
        "复议纠错率": f"{review_corrected / review * 100:.1f}%",
        "行政诉讼": f"{int(suits):,}",
        "诉讼纠错率": f"{suits_corrected / suits * 100:.1f}%",
    }


def test_overview_kpis_equal_sql(dashboard_db, use_db):
    use_db(dashboard_db)
    at = run_app()
    no_failure(at)
    shown = metrics(at)
    expected = expected_kpis(dashboard_db)
    assert {k: shown[k] for k in expected} == expected
    # exact values of the test database, so a change in the fixture reports shows up here too
    assert shown["报告数"] == "11"
    assert shown["新收申请"] == "2,123"


def test_changing_a_filter_changes_the_figures(dashboard_db, use_db):
    use_db(dashboard_db)
    at = run_app()
    before = metrics(at)
    options = at.selectbox(key="f_county").options
    at.selectbox(key="f_county").set_value(("江苏省", "淮安市", "清江浦区")).run()
    no_failure(at)
    after = metrics(at)
    assert after != before
    expected = expected_kpis(dashboard_db, "county = ?", ["清江浦区"])
    assert {k: after[k] for k in expected} == expected
    # cascading upward: choosing the county chose its city and province, and the URL says so
    assert at.session_state["f_city"] == ("江苏省", "淮安市")
    assert at.query_params["county"] == ["清江浦区"] or at.query_params["county"] == "清江浦区"
    assert options == ["全部", "台儿庄区（枣庄市）", "洪泽区（淮安市）", "淮安区（淮安市）", "清江浦区（淮安市）", "平潭县（福州市）"]


def test_year_filter_moves_the_kpis_and_the_url(dashboard_db, use_db):
    use_db(dashboard_db)
    at = run_app()
    at.selectbox(key="f_year_to").set_value(2023).run()
    no_failure(at)
    assert at.caption[-1].value.startswith("2023") or any(c.value.startswith("2023 年") for c in at.caption)
    received = sql(dashboard_db, "SELECT sum(t3_new_received_total) FROM report_wide WHERE year = 2023")[0][0]
    assert metrics(at)["新收申请"] == f"{int(received):,}"
    assert str(at.query_params["year_to"]).strip("[]'") == "2023"


def test_url_filters_reproduce_the_view(dashboard_db, use_db):
    use_db(dashboard_db)
    at = run_app(params={"province": "江苏省", "city": "淮安市", "county": "洪泽区", "kind": "部门"})
    no_failure(at)
    assert not at.warning
    expected = expected_kpis(dashboard_db, "county = ? AND kind = ?", ["洪泽区", "部门"])
    shown = metrics(at)
    assert {k: shown[k] for k in ("报告数", "单位数", "新收申请")} == {
        k: expected[k] for k in ("报告数", "单位数", "新收申请")}
    assert at.session_state["f_kind"] == "部门"


def test_agency_filter_from_the_url(dashboard_db, use_db):
    use_db(dashboard_db)
    at = run_app(params={"agency": ["洪泽区教育局", "清江浦区教育局"]})
    no_failure(at)
    assert at.multiselect(key="f_agencies").value == ["洪泽区教育局", "清江浦区教育局"]
    received = sql(dashboard_db, "SELECT sum(t3_new_received_total) FROM report_wide WHERE year = 2024"
                   " AND agency IN ('洪泽区教育局', '清江浦区教育局')")[0][0]
    assert metrics(at)["新收申请"] == f"{int(received):,}"


def test_requests_page_shows_what_its_sql_returns(dashboard_db, use_db):
    use_db(dashboard_db)
    at = run_app("app_pages/requests.py")
    no_failure(at)
    # the first chart's data table: 本年新收 by year
    table = at.dataframe[0].value
    expected = sql(dashboard_db, "SELECT year, sum(t3_new_received_total) FROM report_wide GROUP BY year ORDER BY year")
    assert list(zip(table["年度"].astype(int), table["本年新收"])) == [(y, v) for y, v in expected]


# ---------------------------------------------------------------- bad URLs
def test_invalid_url_values_give_a_notice_not_an_exception(dashboard_db, use_db):
    use_db(dashboard_db)
    unfiltered = metrics(run_app())
    at = run_app(params={"province": "火星省", "year_from": "abc", "kind": "外星", "report": "x", "lang": "fr"})
    no_failure(at)
    notices = " ".join(w.value for w in at.warning)
    for bad in ("province=火星省", "kind=外星", "lang=fr", "year_from/year_to"):
        assert bad in notices
    assert metrics(at) == unfiltered
    # the URL was cleaned
    assert "province" not in at.query_params


@pytest.mark.parametrize("params", [
    {"province": "江苏省' OR '1'='1"},
    {"county": "洪泽区'; DROP TABLE reports; --"},
    {"agency": "x') OR 1=1 --"},
    {"year_from": "2019 OR 1=1", "year_to": "2024; DELETE FROM reports"},
    {"city": "淮安市\" OR \"\"=\""},
])
def test_sql_injection_in_the_url_changes_nothing(dashboard_db, use_db, params):
    use_db(dashboard_db)
    unfiltered = metrics(run_app())
    at = run_app(params=params)
    no_failure(at)
    assert at.warning
    assert metrics(at) == unfiltered
    assert sql(dashboard_db, "SELECT count(*) FROM reports")[0][0] == 31


# ---------------------------------------------------------------- drill-down and report detail
def test_drill_from_a_district_to_a_report(dashboard_db, use_db):
    use_db(dashboard_db)
    at = run_app()
    # provinces → 江苏省's cities → 淮安市's counties: each step moves the filters and the URL one level down
    for level, name in (("province", "江苏省"), ("city", "淮安市"), ("county", "清江浦区")):
        box = at.selectbox(key=f"drill_{level}")
        box.select_index(box.options.index(name)).run()
        no_failure(at)
    assert dict(at.query_params) == {"province": "江苏省", "city": "淮安市"}  # a county lists its agencies
    agency_box = next(s for s in at.selectbox if s.key and s.key.startswith("drill_agency_"))
    assert set(agency_box.options) - {"（请选择）"} == {"清江浦区人民政府", "清江浦区教育局", "清江浦区卫生健康委员会"}
    agency_box.set_value("清江浦区教育局").run()
    links = [pl.proto for pl in at.get("page_link")]
    ids = sql(dashboard_db, "SELECT report_id, year FROM report_wide WHERE agency = '清江浦区教育局' ORDER BY year")
    # 2022 and 2024 (2023 is missing), each opening 报告详情 on its report id with the filters kept
    assert [p.label for p in links] == [f"打开 {year} 年度报告（模拟数据）" for _, year in ids]
    for p, (rid, _) in zip(links, ids):
        assert p.query_string.endswith(f"report={rid}") and "city=" in p.query_string


def test_report_detail_lays_out_the_report_and_flags_cells(dashboard_db, use_db):
    use_db(dashboard_db)
    rid, sha = sql(dashboard_db, "SELECT report_id, sha256 FROM reports WHERE source_file = 'shanghai_bgt_2019.html'")[0]
    at = run_app("app_pages/report.py", params={"report": str(rid)})
    no_failure(at)
    assert at.header[0].value == "上海市人民政府办公厅 2019 年度报告"
    meta = at.dataframe[0].value
    assert dict(zip(meta["项目"], meta["内容"]))["来源文件"] == "shanghai_bgt_2019.html"
    assert dict(zip(meta["项目"], meta["内容"]))["SHA-256"] == sha
    html = "".join(h.proto.body for h in at.get("html"))
    # 表三 新收 总计 as printed (859) in its cell, and each flagged cell names the rule's message
    assert re.search(r'data-key="t3/new_received/total"[^>]*>859<', html)
    flagged = set(re.findall(r'class="[^"]*gk-flag[^"]*" data-key="([^"]+)"', html))
    cells = {c for (cs,) in sql(dashboard_db, "SELECT cells FROM findings WHERE report_id = ?", [rid]) for c in cs}
    assert flagged == cells and flagged
    messages = [m for (m,) in sql(dashboard_db, "SELECT message FROM findings WHERE report_id = ?", [rid])]
    assert all(m in " ".join(at.dataframe[1].value["说明"]) for m in messages)


def test_report_detail_with_a_bad_id_says_so(dashboard_db, use_db):
    use_db(dashboard_db)
    for bad in ("99999", "1 OR 1=1", "abc"):
        at = run_app("app_pages/report.py", params={"report": bad})
        no_failure(at)
        assert any("不存在或无效" in w.value for w in at.warning)
        assert at.selectbox(key="report_choice")


# ---------------------------------------------------------------- language, exports, re-ingest
def test_english_switch_translates_labels(dashboard_db, use_db):
    use_db(dashboard_db)
    at = run_app(params={"lang": "en"})
    no_failure(at)
    assert at.title[0].value == "Overview"
    assert "Requests received" in metrics(at)
    at.toggle(key="f_english").set_value(False).run()
    assert at.title[0].value == "总览"


def test_exports_are_exactly_the_drawn_data(dashboard_db, use_db):
    use_db(dashboard_db)
    from components import charts, export
    from components.filters import Filters

    con = duckdb.connect(str(dashboard_db), read_only=True)
    from gongkai import store

    df = store.run_query(con, "outcome_mix_by_year", {})
    con.close()
    fig, drawn = charts.outcome_mix(df)
    # the figure is drawn from the returned data: one trace per outcome, y = its shares
    for trace in fig.data:
        rows = drawn[drawn["办理结果"] == trace.name]
        assert list(trace.y) == list(rows["占比（%）"])
    assert drawn.groupby("年度")["占比（%）"].sum().round(6).eq(100).all()

    data = export.csv_bytes(drawn)
    assert data.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(io.BytesIO(data), encoding="utf-8-sig").equals(
        drawn.assign(年度=drawn["年度"].astype(int)))
    filters = Filters(county="洪泽区", year_from=2022, year_to=2024, all_years=(2019, 2024))
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(
        drawn, export.about_rows(filters, "outcome_mix_by_year", demo=True))))
    assert book.sheetnames == ["数据", "说明"]
    rows = list(book["数据"].iter_rows(values_only=True))
    assert list(rows[0]) == list(drawn.columns)
    assert len(rows) == len(drawn) + 1
    about = dict(list(book["说明"].iter_rows(values_only=True))[1:])
    assert about["查询"] == "outcome_mix_by_year"
    assert about["数据来源"] == "gongkai.duckdb"
    assert about["筛选条件：县（区）"] == "洪泽区"
    assert about["筛选条件：年度范围"] == "2022–2024"
    assert about["含模拟数据"] == "是"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", about["导出时间"])


def test_a_reingested_file_shows_up_without_restart(dashboard_db, use_db, tmp_path):
    live = tmp_path / "live.duckdb"
    shutil.copy(dashboard_db, live)
    use_db(live)
    at = run_app()
    assert metrics(at)["报告数"] == "11"
    # what `gongkai ingest` does: write a copy, then os.replace it over the live file
    staged = tmp_path / "staged.duckdb"
    shutil.copy(dashboard_db, staged)
    from gongkai import store

    con = store.connect(staged)
    ids = [r for (r,) in con.execute("SELECT report_id FROM report_wide WHERE year = 2024 AND county = '淮安区'").fetchall()]
    store.delete_reports(con, ids)
    con.close()
    os.replace(staged, live)
    at.run()
    assert metrics(at)["报告数"] == "8"  # 淮安区's three 2024 reports are gone


# ---------------------------------------------------------------- hostile text and SQL injection
# Every query parameter the app reads (filters.URL_KEYS and 报告详情's report).
URL_PARAMS = ("province", "city", "county", "agency", "kind", "year_from", "year_to", "lang", "report")
INJECTIONS = ["'; DROP TABLE reports; --", "1 OR 1=1", "2019); DELETE FROM figures; --"]
MARKDOWN_ELEMENTS = ("markdown", "title", "header", "subheader", "caption", "info", "warning", "error", "success")


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory) -> Path:
    from dashboard_db import build_hostile_db

    return build_hostile_db(tmp_path_factory.mktemp("hostile") / "gongkai.duckdb")


def row_counts(db: Path) -> dict[str, int]:
    tables = [t for (t,) in sql(db, "SELECT table_name FROM information_schema.tables ORDER BY 1")]
    return {t: sql(db, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}


def rendered_text(at: AppTest) -> list[tuple[str, str]]:
    """(element type, source) of every element that renders Markdown or HTML."""
    out = [(kind, e.value) for kind in MARKDOWN_ELEMENTS for e in getattr(at, kind)]
    out += [("html", e.proto.body) for e in at.get("html")]
    return out


def assert_no_raw_markup(at: AppTest, *raw: str) -> None:
    """None of `raw` reaches a Markdown or HTML element unescaped (in Markdown a backslash before it makes
    it literal; in HTML only entities do)."""
    for kind, text in rendered_text(at):
        for needle in raw:
            unescaped = re.escape(needle) if kind == "html" else r"(?<!\\)" + re.escape(needle)
            assert not re.search(unescaped, text), (kind, text)


def chart_strings(at: AppTest) -> set[str]:
    """Every string in the plotly charts' data and annotations (category values, names, texts, titles)."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for k, v in value.items():
                if k not in ("hovertemplate", "texttemplate"):
                    walk(v)

    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        walk(spec.get("data", []))
        walk(spec.get("layout", {}).get("annotations", []))
    return found


def test_hostile_names_are_shown_as_text(hostile_db, use_db):
    from dashboard_db import HOSTILE_COUNTY, MD_AGENCY, SQL_AGENCY, XSS_AGENCY, XSS_FINDING
    from components.fmt import md_text

    use_db(hostile_db)
    report_id = sql(hostile_db, "SELECT report_id FROM report_wide WHERE agency = ?", [XSS_AGENCY])[0][0]
    at = run_app("app_pages/report.py", params={"report": str(report_id)})
    no_failure(at)
    # the heading holds the name escaped for Markdown, so it is displayed exactly as written
    assert at.header[0].value == f"{md_text(XSS_AGENCY)} 2024 年度报告"
    assert md_text(XSS_AGENCY) == r"\<img src=x onerror=alert\(1\)\>局"
    # the finding's message: literal in the findings table, escaped in the cell's tooltip
    findings = next(d.value for d in at.dataframe if "说明" in d.value.columns)
    assert XSS_FINDING in list(findings["说明"])
    tables_html = " ".join(e.proto.body for e in at.get("html"))
    assert "&lt;script&gt;alert(2)&lt;/script&gt;正文数字与表格不符" in tables_html
    assert_no_raw_markup(at, "<img", "<script", "onerror=alert(1)>")

    # the agency and drill-down views of the hostile county: names as dataframe cells and widget options
    county = HOSTILE_COUNTY[3]
    at = run_app("app_pages/compare.py", params={"province": "江苏省", "city": "淮安市", "county": county})
    no_failure(at)
    assert not at.warning  # the hostile county is a real one: no "invalid filter" notice
    assert set(at.multiselect(key="f_agencies").options) == {XSS_AGENCY, SQL_AGENCY, MD_AGENCY}
    shown = {str(v) for d in at.dataframe for v in d.value.astype(str).to_numpy().ravel()}
    assert {XSS_AGENCY, SQL_AGENCY, MD_AGENCY} <= shown
    assert_no_raw_markup(at, "<img", "<b>区", "](https://example.com")
    # plotly reads <b>, <a href> and entities in labels: the charts carry the names escaped
    labels = chart_strings(at)
    assert html.escape(XSS_AGENCY, quote=False) in labels
    assert not any("<img" in s or "<b>区" in s for s in labels)

    # the overview's drill-down prints the county and agency in bold Markdown: escaped there
    at = run_app(params={"province": "江苏省", "city": "淮安市"})
    box = at.selectbox(key="drill_county")
    box.select_index(next(i for i, o in enumerate(box.options) if o.startswith("<b>区"))).run()
    no_failure(at)
    agency_box = next(s for s in at.selectbox if s.key and s.key.startswith("drill_agency_"))
    agency_box.set_value(MD_AGENCY).run()
    no_failure(at)
    bold = [m.value for m in at.markdown if m.value.startswith("**")]
    assert f"**{md_text(county)} 的单位**" in bold
    assert f"**{md_text(MD_AGENCY)} 的报告**" in bold
    assert_no_raw_markup(at, "<img", "<b>区", "](https://example.com", ":red[")


@pytest.mark.parametrize("injection", INJECTIONS)
def test_sql_injection_through_every_url_parameter_changes_nothing(hostile_db, use_db, injection):
    use_db(hostile_db)
    before = row_counts(hostile_db)
    for page in PAGES:
        at = run_app(page, params={key: injection for key in URL_PARAMS})
        no_failure(at)
        notices = " ".join(w.value for w in at.warning)
        # one notice per filter, naming it; the values are escaped for Markdown, so compare the key only
        for key in ("province", "city", "county", "agency", "kind", "lang", "year_from/year_to"):
            assert f"“{key}=" in notices, (page, key, notices)
        if page.endswith("report.py"):
            assert "网址中的报告编号" in notices
        assert metrics(at) == metrics(run_app(page)), page  # the filters were all dropped
    assert row_counts(hostile_db) == before


def test_sql_injection_through_the_filter_widgets_changes_nothing(hostile_db, use_db):
    """The widgets offer only values the database holds; the hostile ones arrive as names. Chosen in every
    filter they select exactly their own reports."""
    from dashboard_db import HOSTILE_COUNTY, SQL_AGENCY

    use_db(hostile_db)
    before = row_counts(hostile_db)
    at = run_app()
    at.selectbox(key="f_province").set_value("江苏省").run()
    at.selectbox(key="f_city").set_value(("江苏省", "淮安市")).run()
    at.selectbox(key="f_county").set_value(tuple(HOSTILE_COUNTY[1:4])).run()
    no_failure(at)
    assert metrics(at)["报告数"] == "3"
    at.multiselect(key="f_agencies").set_value([SQL_AGENCY]).run()
    no_failure(at)
    assert metrics(at)["报告数"] == "1"
    assert at.query_params["agency"] == SQL_AGENCY
    for page in PAGES[1:]:
        at.switch_page(page).run()
        no_failure(at)
    at.switch_page("app_pages/report.py").run()
    # 报告详情's chooser lists that one report; choosing it opens it
    chooser = at.selectbox(key="report_choice")
    assert chooser.options == ["（请选择）", f"{SQL_AGENCY} 2024"]
    chooser.select_index(1).run()
    no_failure(at)
    assert at.header[0].value.endswith(" 2024 年度报告")
    assert row_counts(hostile_db) == before


def test_exports_keep_formula_like_names_as_text():
    """An agency name Excel would evaluate stays text in both exports (CSV: leading apostrophe)."""
    from components.export import csv_bytes, xlsx_bytes

    name = '=HYPERLINK("http://example.com","点此")局'
    df = pd.DataFrame({"单位": [name, "@SUM(A1)", "普通单位"], "变化": [-3, 5, 0]})
    assert csv_bytes(df).decode("utf-8-sig").splitlines() == [
        "单位,变化", "\"'=HYPERLINK(\"\"http://example.com\"\",\"\"点此\"\")局\",-3", "'@SUM(A1),5", "普通单位,0",
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(df, [("查询", "x")]))).worksheets[0]
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [(name, "s"), ("@SUM(A1)", "s"), ("普通单位", "s")]
    assert [c.value for c in sheet["B"][1:]] == [-3, 5, 0]
