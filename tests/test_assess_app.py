"""The assessment on the dashboard (AppTest): the 年报评估 page ranks what gongkai.assess scores, with the URL's
filters; 报告详情 shows a report's score with its reasons and its narrative beside last year's, shared sentences
marked and document text escaped; 数据质量 lists the narratives that barely changed."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard_db import build_dashboard_db, build_empty_db
from gongkai import assess, store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
sys.path.insert(0, str(ROOT))
PAGE = "app_pages/assessment.py"


@pytest.fixture(scope="module")
def dash_db(tmp_path_factory) -> Path:
    return build_dashboard_db(tmp_path_factory.mktemp("assess_dash") / "gongkai.duckdb")


@pytest.fixture(scope="module")
def copied_db(tmp_path_factory) -> Path:
    """The dashboard database plus a narrative for 平潭综合实验区 2022 that repeats its 2019 narrative with
    other figures, and a hostile sentence in it."""
    path = tmp_path_factory.mktemp("assess_copied") / "gongkai.duckdb"
    build_dashboard_db(path)
    con = store.connect(path)
    [(rid_2019,), (rid_2022,)] = con.execute(
        "SELECT report_id FROM reports r JOIN agencies a USING (agency_id) WHERE a.name = '平潭综合实验区'"
        " ORDER BY year").fetchall()
    old = con.execute("SELECT narrative FROM report_texts WHERE report_id = ?", [rid_2019]).fetchone()[0]
    copied = old.replace("2019", "2022").replace("2599", "3011") + "\n<script>alert(1)</script>新增一句话。"
    con.execute("UPDATE report_texts SET narrative = ? WHERE report_id = ?", [copied, rid_2022])
    con.close()
    return path


@pytest.fixture
def use_db(monkeypatch):
    def use(path: Path) -> None:
        monkeypatch.setenv("GONGKAI_DB", str(path))
        monkeypatch.delenv("GONGKAI_ASSESS_CONFIG", raising=False)

    return use


def run_app(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    return at


def no_failure(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def ranking(at: AppTest):
    return next(d.value for d in at.dataframe if "扣分理由" in d.value.columns)


def expected(db: Path, **params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return assess.assess_store(con, params)
    finally:
        con.close()


def test_page_ranks_what_the_assessment_scores(dash_db, use_db):
    use_db(dash_db)
    at = run_app(PAGE)
    no_failure(at)
    assert at.title[0].value == "年报评估"
    want = expected(dash_db)
    shown = ranking(at)
    assert list(shown["单位"]) == list(want["agency"])
    assert list(shown["得分"]) == list(want["score"])
    assert list(shown["扣分理由"]) == ["；".join(r) for r in want["reasons"]]
    # the gap the test database has (清江浦区教育局 2023) ranks first with the reason, and no report link
    assert (shown.iloc[0]["单位"], shown.iloc[0]["年度"], shown.iloc[0]["得分"]) == ("清江浦区教育局", 2023, 0)
    assert shown.iloc[0]["扣分理由"].startswith("未发布 2023 年度政府信息公开工作年度报告")
    assert not isinstance(shown.iloc[0]["报告"], str)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["评估单位年度"] == str(len(want))
    assert metrics["缺报"] == "3"  # 清江浦区教育局 2023, 平潭综合实验区 2020 and 2021


def test_url_filters_narrow_the_ranking_and_links_keep_them(dash_db, use_db):
    use_db(dash_db)
    at = run_app(PAGE, {"province": "江苏省", "city": "淮安市", "county": "清江浦区", "year_from": "2023",
                        "year_to": "2023"})
    no_failure(at)
    shown = ranking(at)
    want = expected(dash_db, province="江苏省", city="淮安市", county="清江浦区", year_from=2023, year_to=2023)
    assert list(shown["单位"]) == list(want["agency"]) and len(shown) == 3
    assert set(shown["年度"]) == {2023}
    link = [x for x in shown["报告"] if isinstance(x, str)][0]
    assert link.startswith("report?") and "county=%E6%B8%85%E6%B1%9F%E6%B5%A6%E5%8C%BA" in link


def test_empty_database_says_so(tmp_path, use_db):
    use_db(build_empty_db(tmp_path / "empty.duckdb"))
    at = run_app(PAGE)
    no_failure(at)
    assert any("数据库中还没有任何报告" in i.value for i in at.info)


@pytest.mark.parametrize("params", [
    {"province": "江苏省' OR '1'='1"},
    {"county": "洪泽区'; DROP TABLE reports; --", "year_from": "2019 OR 1=1"},
])
def test_injection_in_the_url_changes_nothing(dash_db, use_db, params):
    use_db(dash_db)
    at = run_app(PAGE, params)
    no_failure(at)
    assert at.warning
    assert len(ranking(at)) == len(expected(dash_db))
    con = duckdb.connect(str(dash_db), read_only=True)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 31


def test_export_is_the_ranking_as_shown(dash_db, use_db):
    from components.export import csv_bytes

    use_db(dash_db)
    at = run_app(PAGE)
    shown = ranking(at)
    data = csv_bytes(shown).decode("utf-8-sig").splitlines()
    assert data[0] == "单位,地区,年度,得分,扣分,扣分理由,与上年相同（%）,对照年度,报告"
    assert len(data) == len(shown) + 1
    assert data[1].startswith("清江浦区教育局,江苏省 淮安市 清江浦区,2023,0.0,100.0,未发布 2023 年度")


def test_report_detail_shows_reasons_and_the_narratives_side_by_side(copied_db, use_db):
    use_db(copied_db)
    con = duckdb.connect(str(copied_db), read_only=True)
    rid = con.execute("SELECT report_id FROM report_wide WHERE agency = '平潭综合实验区' AND year = 2022").fetchone()[0]
    con.close()
    at = run_app("app_pages/report.py", {"report": str(rid)})
    no_failure(at)
    # the 2019 narrative copied into a 2021-format report: copied, and silent on 信息处理费
    assert "年报评估：85 分（满分 100）" in [s.value for s in at.subheader]
    texts = [x.value for x in at.text]
    assert any(x.startswith("正文未说明信息处理费收取情况") for x in texts), texts
    assert any(x.startswith("正文与 2019 年度报告基本相同：") and x.endswith("（扣 10 分）") for x in texts), texts
    pair = [e.proto.body for e in at.get("html") if "gk-pair" in e.proto.body]
    assert len(pair) == 1
    body = pair[0]
    # shared sentences marked, the new one not; document text escaped
    assert "<mark>" in body and "&lt;script&gt;alert(1)&lt;/script&gt;新增一句话。" in body
    assert "<script>" not in body
    assert "<mark>&lt;script&gt;" not in body
    assert any("本年正文中与上年相同的比例：99%" in c.value for c in at.caption), [c.value for c in at.caption]


def test_quality_lists_the_narrative_that_barely_changed(copied_db, dash_db, use_db):
    use_db(copied_db)
    at = run_app("app_pages/quality.py")
    no_failure(at)
    copied = next(d.value for d in at.dataframe if "与上年相同（%）" in d.value.columns)
    assert list(copied["单位"]) == ["平潭综合实验区"] and list(copied["年度"]) == [2022]
    assert list(copied["对照年度"]) == [2019] and copied["与上年相同（%）"].iloc[0] == 99.5
    use_db(dash_db)  # the real 2019 and 2022 narratives differ: nothing listed
    at = run_app("app_pages/quality.py")
    no_failure(at)
    assert any(i.value == "当前筛选条件下没有正文照搬上年的报告。" for i in at.info)


def test_a_scope_too_large_to_score_asks_for_narrower_filters(dash_db, use_db, monkeypatch):
    import components.assessment as A

    use_db(dash_db)
    monkeypatch.setattr(A, "MAX_ASSESS_REPORTS", 10)  # the test database has 31 reports
    at = run_app(PAGE)
    no_failure(at)
    assert any("当前筛选范围有 31 份报告" in i.value for i in at.info)
    assert not any("扣分理由" in d.value.columns for d in at.dataframe)
    at = run_app(PAGE, {"province": "江苏省", "city": "淮安市", "county": "清江浦区", "year_from": "2023",
                        "year_to": "2023"})
    assert len(ranking(at)) == 3  # narrowed to 2 reports: scored
