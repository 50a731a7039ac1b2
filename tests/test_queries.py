"""Every SQL file in queries/ on a tiny database, with exact expected rows.

The database (built by hand, every figure 0 unless set):
  洪泽区人民政府 (人民政府, 江苏省/淮安市/洪泽区): 2020 (2019 format), 2021 (2021 format, （六） in three rows)
  洪泽区教育局   (部门,     洪泽区):             2020 (2019 format), 2022 (2021 format, （六） as one row) — 2021 missing
  清江浦区教育局 (部门,     清江浦区, 模拟数据):   2021 (2021 format)
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from gongkai import ingest, store
from gongkai.report import Finding, Report
from gongkai.template import figure_keys

A1, A2, A3 = "洪泽区人民政府", "洪泽区教育局", "清江浦区教育局"


def make_report(agency: str, year: int, template: str, other_split: bool | None = None, **totals: float) -> Report:
    """Figures 0 except the given ones; `granted=4` sets t3/granted/total (and 自然人, so columns add up),
    `t4__review__total=2` sets any key written with double underscores."""
    figures: dict[str, float | None] = {k: 0 for k in figure_keys(template, other_split)}
    for name, value in totals.items():
        if "__" in name:
            figures[name.replace("__", "/")] = value
        else:
            figures[f"t3/{name}/total"] = value
            figures[f"t3/{name}/natural_person"] = value
    return Report(file=f"{agency}{year}.txt", agency=agency, year=year, template=template, figures=figures,
                  format="text")


REPORTS = [
    # (agency, adcode, kind, is_demo, report)
    (A1, "320813", "人民政府", False, make_report(
        A1, 2020, "2019", new_received=10, granted=4, partial=1, denied_secret=1, unable_not_held=2,
        refused_repeat=1, other=1, total=10,
        t3__new_received__natural_person=8, t3__new_received__commercial=2,
        t3__total__natural_person=8, t3__total__commercial=2,
        t4__review__upheld=1, t4__review__corrected=1, t4__review__total=2,
        t4__suit_direct__upheld=1, t4__suit_direct__total=1,
        t2__license__decisions=100, t2__penalty__decisions=20, t2__coercion__decisions=3)),
    (A1, "320813", "人民政府", False, make_report(
        A1, 2021, "2021", new_received=20, granted=8, partial=2, denied_process=2, unable_need_create=3,
        refused_petition=1, other_no_correction=1, other_other=1, total=18, carried_forward=2,
        t4__review__upheld=2, t4__review__pending=1, t4__review__total=3,
        t4__suit_direct__corrected=1, t4__suit_direct__total=1,
        t4__suit_after_review__upheld=1, t4__suit_after_review__total=1,
        t2__regulation__issued=1, t2__regulation__in_force=5, t2__normative_doc__issued=2,
        t2__normative_doc__repealed=1, t2__normative_doc__in_force=10, t2__license__decisions=200,
        t2__penalty__decisions=30, t2__coercion__decisions=4, t2__fee__amount=12.5)),
    (A2, "320813", "部门", False, make_report(
        A2, 2020, "2019", new_received=5, granted=5, total=5, t2__license__decisions=50)),
    (A2, "320813", "部门", False, make_report(
        A2, 2022, "2021", other_split=False, new_received=6, carried_over=1, granted=3, unable_not_held=2,
        other=1, total=6, carried_forward=1, t2__license__decisions=60)),
    (A3, "320812", "部门", True, make_report(
        A3, 2021, "2021", new_received=4, granted=2, refused_mass=1, other_other=1, total=4,
        t4__review__corrected=1, t4__review__total=1)),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("q") / "tiny.duckdb")
    con.execute("INSERT INTO regions VALUES ('320813', '江苏省', '淮安市', '洪泽区', '320000', '320800'),"
                " ('320812', '江苏省', '淮安市', '清江浦区', '320000', '320800')")
    agency_ids: dict[str, int] = {}
    for i, (name, adcode, kind, is_demo, report) in enumerate(REPORTS, start=1):
        if name not in agency_ids:
            agency_ids[name] = con.execute(
                "INSERT INTO agencies (name, name_key, adcode, kind, region_source) VALUES (?, ?, ?, ?, '清单')"
                " RETURNING agency_id", [name, name, adcode, kind]).fetchone()[0]
        if (name, report.year) == (A2, 2022):
            report.findings = [Finding("t3_columns", "warning", "测试提示", "t3", "granted", "total",
                                       ["t3/granted/total"])]
        store.insert_report(con, report, agency_id=agency_ids[name], sha256=f"sha{i}",
                            source_file=f"r{i}.txt", is_demo=is_demo)
    ingest.finish(con)
    yield con
    con.close()


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    """The frame as tuples (of `columns` when given): floats rounded to 6 places, NaN/NA as None."""
    if columns:
        frame = frame[list(columns)]

    def clean(value):
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, float):
            return round(value, 6)
        if hasattr(value, "item"):  # numpy scalars
            return clean(value.item())
        return value

    return [tuple(clean(v) for v in record) for record in frame.itertuples(index=False, name=None)]


def run(con, name: str, **params) -> pd.DataFrame:
    return store.run_query(con, name, params)


def r6(x: float) -> float:
    return round(x, 6)


# ---------------------------------------------------------------- every file is documented
def test_every_query_file_opens_with_grain_parameters_and_output():
    for name in store.query_names():
        head = store.load_query(name).split("WITH", 1)[0]
        for word in ("Grain:", "Output:"):
            assert word in head, (name, word)
        assert "Parameter" in head, name


# ---------------------------------------------------------------- by year
def test_every_query_file_uses_only_the_documented_parameter_names():
    # The common filters of queries/README.md and the few a file adds ($year, $limit, $top, $report_id, …):
    # one name per idea, so pages can pass the same filter dict to every file.
    documented = {"year_from", "year_to", "province", "city", "county", "kind", "agencies", "include_demo",
                  "year", "limit", "top", "report_id", "rule", "severity"}
    for path in sorted(store.QUERIES_DIR.glob("*.sql")):
        assert set(store.query_parameters(path.read_text(encoding="utf-8"))) <= documented, path.name


def test_requests_by_year(con):
    assert rows(run(con, "requests_by_year")) == [
        (2020, 2, 15.0, 0.0, 15.0, 0.0, 0.0, 13.0, 2.0, 0.0, 0.0, 0.0, 0.0),
        (2021, 2, 24.0, 0.0, 22.0, 2.0, r6(2 / 24), 24.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        (2022, 1, 6.0, 1.0, 6.0, 1.0, r6(1 / 7), 6.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    ]
    real_only = run(con, "requests_by_year", include_demo=False, year_from=2021, year_to=2021)
    assert rows(real_only, "year", "reports", "new_received", "handled", "carry_forward_rate") == [
        (2021, 1, 20.0, 18.0, 0.1)]


def test_outcome_mix_by_year(con):
    result = rows(run(con, "outcome_mix_by_year"), "year", "outcome_key", "outcome", "requests", "share")
    assert result == [
        (2020, "granted", "予以公开", 9.0, 0.6), (2020, "partial", "部分公开", 1.0, r6(1 / 15)),
        (2020, "denied", "不予公开", 1.0, r6(1 / 15)), (2020, "unable", "无法提供", 2.0, r6(2 / 15)),
        (2020, "refused", "不予处理", 1.0, r6(1 / 15)), (2020, "other", "其他处理", 1.0, r6(1 / 15)),
        (2021, "granted", "予以公开", 10.0, r6(10 / 22)), (2021, "partial", "部分公开", 2.0, r6(2 / 22)),
        (2021, "denied", "不予公开", 2.0, r6(2 / 22)), (2021, "unable", "无法提供", 3.0, r6(3 / 22)),
        # （六） of 2021: 1 + 0 + 1 (洪泽区人民政府, three rows) + 1 (清江浦区教育局)
        (2021, "refused", "不予处理", 2.0, r6(2 / 22)), (2021, "other", "其他处理", 3.0, r6(3 / 22)),
        (2022, "granted", "予以公开", 3.0, 0.5), (2022, "partial", "部分公开", 0.0, 0.0),
        (2022, "denied", "不予公开", 0.0, 0.0), (2022, "unable", "无法提供", 2.0, r6(2 / 6)),
        (2022, "refused", "不予处理", 0.0, 0.0), (2022, "other", "其他处理", 1.0, r6(1 / 6)),
    ]


def test_refusal_reasons(con):
    frame = run(con, "refusal_reasons", county="洪泽区", year_from=2021, year_to=2021)
    assert len(frame) == 16
    assert rows(frame[frame.requests > 0], "year", "group_label", "reason_key", "reason", "requests",
                "share_of_group") == [
        (2021, "不予公开", "denied_process", "属于四类过程性信息", 2.0, 1.0),
        (2021, "无法提供", "unable_need_create", "没有现成信息需要另行制作", 3.0, 1.0),
        (2021, "不予处理", "refused_petition", "信访举报投诉类申请", 1.0, 1.0),
    ]
    assert rows(frame, "position")[:3] == [(1,), (2,), (3,)]
    assert set(frame[frame.requests == 0].share_of_group) == {0.0}


def test_review_litigation_by_year(con):
    assert rows(run(con, "review_litigation_by_year")) == [
        (2020, "review", "行政复议", 1.0, 1.0, 0.0, 0.0, 2.0, 0.5),
        (2020, "suit", "行政诉讼", 1.0, 0.0, 0.0, 0.0, 1.0, 0.0),
        (2021, "review", "行政复议", 2.0, 1.0, 0.0, 1.0, 4.0, 0.25),
        (2021, "suit", "行政诉讼", 1.0, 1.0, 0.0, 0.0, 2.0, 0.5),
        (2022, "review", "行政复议", 0.0, 0.0, 0.0, 0.0, 0.0, None),
        (2022, "suit", "行政诉讼", 0.0, 0.0, 0.0, 0.0, 0.0, None),
    ]


def test_proactive_disclosure_by_year(con):
    assert rows(run(con, "proactive_disclosure_by_year")) == [
        (2020, 2, 150.0, 20.0, 3.0, 0, None, None, None, None, None, None),
        (2021, 2, 200.0, 30.0, 4.0, 2, 1.0, 5.0, 2.0, 1.0, 10.0, 12.5),
        (2022, 1, 60.0, 0.0, 0.0, 1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    ]


def test_overview_by_year(con):
    assert rows(run(con, "overview_by_year")) == [
        (2020, 2, 2, 0, 15.0, 10.0, 15.0, r6(10 / 15), 2.0, 1.0, 0.5, 1.0, 0.0, 0.0, 0, 0),
        (2021, 2, 2, 1, 24.0, 12.0, 22.0, r6(12 / 22), 4.0, 1.0, 0.25, 2.0, 1.0, 0.5, 0, 0),
        (2022, 1, 1, 0, 6.0, 3.0, 6.0, 0.5, 0.0, 0.0, None, 0.0, 0.0, None, 0, 1),
    ]
    assert rows(run(con, "overview_by_year", kind="人民政府"), "year", "reports", "new_received") == [
        (2020, 1, 10.0), (2021, 1, 20.0)]


# ---------------------------------------------------------------- districts and agencies
def test_district_comparison(con):
    assert rows(run(con, "district_comparison")) == [
        ("江苏省", "淮安市", "洪泽区", 4, 2, 41.0, 23.0, 39.0, r6(23 / 39), 5.0, 1.0, 3.0, 1.0),
        ("江苏省", "淮安市", "清江浦区", 1, 1, 4.0, 2.0, 4.0, 0.5, 1.0, 1.0, 0.0, 0.0),
    ]


def test_agency_ranking(con):
    assert rows(run(con, "agency_ranking", year=2021)) == [
        (1, 1, A1, "人民政府", "江苏省", "淮安市", "洪泽区", 2021, 20.0, 10.0, 10.0, 1.0, r6(10 / 18), 3.0, 2.0),
        (2, 3, A3, "部门", "江苏省", "淮安市", "清江浦区", 2021, 4.0, None, None, None, 0.5, 1.0, 0.0),
    ]
    # no year: the latest inside the filters; last year missing → no change
    assert rows(run(con, "agency_ranking", county="洪泽区"), "rank", "agency", "year", "new_received",
                "previous_new_received", "change") == [(1, A2, 2022, 6.0, None, None)]


def test_agency_outcome_heatmap(con):
    result = rows(run(con, "agency_outcome_heatmap"), "agency", "outcome_key", "requests", "share")
    assert result == [
        (A1, "granted", 12.0, r6(12 / 28)), (A1, "partial", 3.0, r6(3 / 28)), (A1, "denied", 3.0, r6(3 / 28)),
        (A1, "unable", 5.0, r6(5 / 28)), (A1, "refused", 2.0, r6(2 / 28)), (A1, "other", 3.0, r6(3 / 28)),
        (A2, "granted", 8.0, r6(8 / 11)), (A2, "partial", 0.0, 0.0), (A2, "denied", 0.0, 0.0),
        (A2, "unable", 2.0, r6(2 / 11)), (A2, "refused", 0.0, 0.0), (A2, "other", 1.0, r6(1 / 11)),
        (A3, "granted", 2.0, 0.5), (A3, "partial", 0.0, 0.0), (A3, "denied", 0.0, 0.0),
        (A3, "unable", 0.0, 0.0), (A3, "refused", 1.0, 0.25), (A3, "other", 1.0, 0.25),
    ]
    assert rows(run(con, "agency_outcome_heatmap", agencies=[A3], include_demo=False)) == []


def test_missing_reports(con):
    assert rows(run(con, "missing_reports"), "agency", "county", "year", "has_report", "template") == [
        (A1, "洪泽区", 2020, True, "2019"), (A1, "洪泽区", 2021, True, "2021"), (A1, "洪泽区", 2022, False, None),
        (A2, "洪泽区", 2020, True, "2019"), (A2, "洪泽区", 2021, False, None), (A2, "洪泽区", 2022, True, "2021"),
        (A3, "清江浦区", 2020, False, None), (A3, "清江浦区", 2021, True, "2021"), (A3, "清江浦区", 2022, False, None),
    ]
    assert rows(run(con, "missing_reports", agencies=[A2], year_from=2021, year_to=2023),
                "year", "has_report") == [(2021, False), (2022, True), (2023, False)]


def test_agency_reports(con):
    assert rows(run(con, "agency_reports", agencies=[A2]), "agency", "year", "template", "source_file",
                "format", "sha256", "is_demo", "errors", "warnings") == [
        (A2, 2020, "2019", "r3.txt", "text", "sha3", False, 0, 0),
        (A2, 2022, "2021", "r4.txt", "text", "sha4", False, 0, 1),
    ]


# ---------------------------------------------------------------- findings and one report
def test_findings_list(con):
    assert rows(run(con, "findings_list"), "agency", "year", "rule", "severity", "message", "source",
                "source_file", "is_demo") == [
        (A2, 2021, "missing_year", "warning", "缺少2021年的年度报告（该单位有2020年至2022年的报告，中间缺这一年）",
         "cross_year", None, False),
        (A2, 2022, "t3_columns", "warning", "测试提示", "parse", "r4.txt", False),
    ]
    assert rows(run(con, "findings_list", severity="error")) == []
    assert rows(run(con, "findings_list", rule="t3_columns"), "year", "table", "row", "column") == [
        (2022, "t3", "granted", "total")]


def test_report_figures(con):
    report_id = con.execute("SELECT report_id FROM reports WHERE source_file = 'r4.txt'").fetchone()[0]
    frame = run(con, "report_figures", report_id=report_id)
    assert len(frame) == len(figure_keys("2021", other_split=False))
    flagged = frame[frame.findings.map(len) > 0]
    assert rows(flagged, "agency", "year", "template", "table", "row", "column", "value") == [
        (A2, 2022, "2021", "t3", "granted", "total", 3.0)]
    assert list(flagged.findings.iloc[0]) == ["测试提示"]
    assert rows(frame.head(2), "table", "row", "column") == [("t2", "regulation", "issued"),
                                                             ("t2", "regulation", "repealed")]


# ---------------------------------------------------------------- parameters are data, never SQL
@pytest.mark.parametrize("evil", ["'; DROP TABLE reports; --", "洪泽区' OR '1'='1", "$province", "\\x00"])
def test_filter_values_are_bound_not_formatted(con, evil):
    before = con.execute("SELECT count(*) FROM reports").fetchone()
    for name in store.query_names():
        if name.startswith("app_"):
            continue  # the dashboard's own files are tested with the dashboard
        frame = run(con, name, province=evil, county=evil, kind=evil, agencies=[evil], rule=evil,
                    severity=evil, report_id=-1)
        assert rows(frame) == [] or name == "missing_reports", name
    assert con.execute("SELECT count(*) FROM reports").fetchone() == before
