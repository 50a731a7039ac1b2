"""Cross-year and text rules (gongkai/crossyear.py) on constructed sequences of reports.

Each rule must fire on a sequence that breaks it (with the exact message) and stay silent on a consistent
one. Reports are built by hand: every figure of the format 0 except the ones a test sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai import crossyear, ingest, store
from gongkai.report import Report
from gongkai.template import figure_keys


def make_report(agency: str, year: int, template: str, narrative: str = "", **figures: float | None) -> Report:
    """A report printing every figure of `template`, 0 unless given as keyword `t3__carried_over__total=3`."""
    values: dict[str, float | None] = {k: 0 for k in figure_keys(template)}
    for name, value in figures.items():
        key = name.replace("__", "/")
        assert key in values, key
        values[key] = value
    return Report(file=f"{agency}{year}.txt", agency=agency, year=year, template=template, figures=values,
                  format="text", narrative=narrative)


def build(tmp_path: Path, reports: list[Report]):
    """A database holding `reports` (one agency per distinct name), finished as ingest finishes a batch."""
    con = store.connect(tmp_path / "x.duckdb")
    agencies: dict[str, int] = {}
    for i, report in enumerate(reports):
        if report.agency not in agencies:
            agencies[report.agency] = con.execute(
                "INSERT INTO agencies (name, name_key, adcode, kind, region_source)"
                " VALUES (?, ?, NULL, '部门', '未识别') RETURNING agency_id",
                [report.agency, report.agency],
            ).fetchone()[0]
        store.insert_report(con, report, agency_id=agencies[report.agency], sha256=f"sha{i}",
                            source_file=report.file)
    ingest.finish(con)
    return con


def cross_year(con) -> list[tuple]:
    return con.execute(
        "SELECT a.name, f.year, f.rule, f.severity, f.\"column\", f.message, f.report_id IS NULL"
        " FROM findings f JOIN agencies a USING (agency_id) WHERE f.source = 'cross_year'"
        " ORDER BY a.name, f.year, f.rule, f.\"column\""
    ).fetchall()


# ---------------------------------------------------------------- carry_chain
def test_carry_chain_fires_per_column_when_last_years_carry_forward_differs(tmp_path):
    con = build(tmp_path, [
        make_report("甲局", 2023, "2021", t3__carried_forward__natural_person=5, t3__carried_forward__total=5),
        make_report("甲局", 2024, "2021", t3__carried_over__natural_person=3, t3__carried_over__total=3),
    ])
    assert cross_year(con) == [
        ("甲局", 2024, "carry_chain", "error", "natural_person",
         "2024年报告表三“二、上年结转政府信息公开申请数量”（自然人）为3，"
         "但2023年报告“四、结转下年度继续办理”（自然人）为5，两者应相等", False),
        ("甲局", 2024, "carry_chain", "error", "total",
         "2024年报告表三“二、上年结转政府信息公开申请数量”（总计）为3，"
         "但2023年报告“四、结转下年度继续办理”（总计）为5，两者应相等", False),
    ]


def test_carry_chain_silent_on_a_consistent_sequence_and_across_formats(tmp_path):
    con = build(tmp_path, [
        make_report("甲局", 2020, "2019", t3__carried_forward__commercial=2, t3__carried_forward__total=2),
        make_report("甲局", 2021, "2021", t3__carried_over__commercial=2, t3__carried_over__total=2,
                    t3__carried_forward__total=0),
        make_report("甲局", 2022, "2021"),
    ])
    assert cross_year(con) == []


def test_carry_chain_skips_blank_cells_and_other_agencies(tmp_path):
    con = build(tmp_path, [
        make_report("甲局", 2023, "2021", t3__carried_forward__total=None),
        make_report("甲局", 2024, "2021", t3__carried_over__total=3),
        make_report("乙局", 2023, "2021", t3__carried_forward__total=7),  # another agency: no chain with 甲局
    ])
    assert cross_year(con) == []


def test_carry_chain_disappears_when_the_report_is_replaced(tmp_path):
    con = build(tmp_path, [
        make_report("甲局", 2023, "2021", t3__carried_forward__total=5),
        make_report("甲局", 2024, "2021", t3__carried_over__total=3),
    ])
    assert [r[2] for r in cross_year(con)] == ["carry_chain"]
    report_id = con.execute("SELECT report_id FROM reports WHERE year = 2024").fetchone()[0]
    store.delete_report(con, report_id)
    store.insert_report(con, make_report("甲局", 2024, "2021", t3__carried_over__total=5), agency_id=1,
                        sha256="fixed", source_file="fixed.txt")
    ingest.finish(con, [report_id])
    assert cross_year(con) == []


# ---------------------------------------------------------------- in_force_chain
def test_in_force_chain_fires_when_in_force_does_not_follow(tmp_path):
    con = build(tmp_path, [
        make_report("甲局", 2022, "2021", t2__normative_doc__in_force=10),
        # 10 + 2 − 1 = 11, printed 12
        make_report("甲局", 2023, "2021", t2__normative_doc__issued=2, t2__normative_doc__repealed=1,
                    t2__normative_doc__in_force=12),
    ])
    assert cross_year(con) == [
        ("甲局", 2023, "in_force_chain", "warning", "in_force",
         "2023年报告表二“行政规范性文件”现行有效件数为12，但按2022年现行有效10 + 本年制发2 − 本年废止1应为11", False),
    ]


def test_in_force_chain_silent_when_consistent_or_2019_format(tmp_path):
    con = build(tmp_path, [
        make_report("甲局", 2020, "2019", t2__normative_doc__made=3),
        make_report("甲局", 2021, "2021", t2__regulation__in_force=4, t2__regulation__issued=4),
        make_report("甲局", 2022, "2021", t2__regulation__in_force=5, t2__regulation__issued=2,
                    t2__regulation__repealed=1),
    ])
    assert cross_year(con) == []


# ---------------------------------------------------------------- missing_year
def test_missing_year_fires_for_each_gap_year(tmp_path):
    con = build(tmp_path, [
        make_report("甲局", 2019, "2019"),
        make_report("甲局", 2022, "2021"),
        make_report("乙局", 2021, "2021"),
        make_report("乙局", 2022, "2021"),
    ])
    assert cross_year(con) == [
        ("甲局", 2020, "missing_year", "warning", None,
         "缺少2020年的年度报告（该单位有2019年至2022年的报告，中间缺这一年）", True),
        ("甲局", 2021, "missing_year", "warning", None,
         "缺少2021年的年度报告（该单位有2019年至2022年的报告，中间缺这一年）", True),
    ]


def test_recompute_is_idempotent(tmp_path):
    con = build(tmp_path, [
        make_report("甲局", 2019, "2019", t3__carried_forward__total=1),
        make_report("甲局", 2021, "2021", t3__carried_over__total=2),
    ])
    first = cross_year(con)
    assert crossyear.recompute(con) == len(first) == 1
    assert cross_year(con) == first


# ---------------------------------------------------------------- text_vs_table
def _figures(**values: float | None) -> dict:
    return make_report("x", 2024, "2021", **values).figures


@pytest.mark.parametrize(
    "narrative",
    [
        "2022年,全区收到政府信息公开申请75件,涉及自然人72件。",  # = 新收 74 + 上年结转 1
        "本机关共受理政府信息公开申请74件，均按时答复。",  # = 新收
        "共有行政诉讼案件1件、行政复议案件2件,均已结案。",
        "本年度未发生行政复议和行政诉讼案件。",  # no number: nothing to compare
    ],
)
def test_text_vs_table_silent_when_text_agrees(narrative):
    figures = _figures(t3__new_received__total=74, t3__carried_over__total=1, t4__review__total=2,
                       t4__suit_direct__total=1, t4__suit_after_review__total=0)
    assert crossyear.text_vs_table(figures, narrative) == []


def test_text_vs_table_fires_on_a_received_count_the_table_contradicts():
    # hongze_2024.pdf: the text counts one office's requests; the PDF breaks the sentence across lines
    narrative = "2024 年，区政府办代表区政府受理政府\n信息公开申请 17 件，均已在法定期限内予以答复。"
    [finding] = crossyear.text_vs_table(_figures(t3__new_received__total=95), narrative)
    assert (finding.rule, finding.severity, finding.table, finding.row, finding.printed, finding.expected) == (
        "text_vs_table", "warning", "t3", "new_received", 17, 95.0)
    assert finding.message == (
        "正文称“2024 年，区政府办代表区政府受理政府信息公开申请 17 件，均已在法定期限内予以答复”（17件），"
        "但表三“一、本年新收政府信息公开申请数量”总计为95"
    )


def test_text_vs_table_fires_on_review_and_suit_counts():
    narrative = "信息公开类行政复议7件，诉讼9件，均获维持。"
    findings = crossyear.text_vs_table(
        _figures(t4__review__total=5, t4__suit_direct__total=8, t4__suit_after_review__total=2), narrative)
    assert [(f.row, f.printed, f.expected) for f in findings] == [("review", 7, 5.0), ("suit_direct", 9, 10.0)]
    assert findings[1].message.endswith("但表四“行政诉讼”总计（未经复议直接起诉与复议后起诉之和）为10")


def test_text_vs_table_ignores_blank_table_cells():
    assert crossyear.text_vs_table(_figures(t4__review__total=None), "行政复议3件。") == []


def test_text_vs_table_stored_at_ingest(tmp_path):
    con = build(tmp_path, [make_report("甲局", 2024, "2021", narrative="收到政府信息公开申请9件。",
                                       t3__new_received__total=8)])
    # build() writes reports directly; ingest runs text_vs_table in its writer — check that path too
    from gongkai.ingest import _Pending, _Writer

    results = []
    writer = _Writer(con, None, {}, False, results.append)
    writer.add(_Pending(Path("乙局2024.txt"), None, "sha-b"),
               make_report("乙局", 2024, "2021", narrative="收到政府信息公开申请9件。", t3__new_received__total=8))
    writer.flush()
    [result] = results
    assert result.status == "stored"
    rows = con.execute(
        "SELECT source::VARCHAR, rule FROM findings WHERE report_id = ? ORDER BY rule", [result.report_id]
    ).fetchall()
    assert rows == [("ingest", "region_unknown"), ("text", "text_vs_table")]


def test_recompute_for_some_agencies_leaves_the_others_alone(tmp_path):
    con = build(tmp_path, [
        make_report("甲局", 2019, "2019"), make_report("甲局", 2021, "2021"),
        make_report("乙局", 2019, "2019"), make_report("乙局", 2022, "2021"),
    ])
    before = cross_year(con)
    assert [(r[0], r[1]) for r in before] == [("乙局", 2020), ("乙局", 2021), ("甲局", 2020)]
    jia = con.execute("SELECT agency_id FROM agencies WHERE name = '甲局'").fetchone()[0]
    assert crossyear.recompute(con, [jia]) == 1
    assert cross_year(con) == before
