"""Run-together cells (a crawler's text): recovered by the template's arithmetic, ambiguity reported."""

import json
from pathlib import Path

import pytest

from gongkai.parser import parse_bytes, parse_file
from gongkai.runtogether import splits
from gongkai.template import T3_ROWS, figure_keys

STRETCH = Path(__file__).parent / "fixtures" / "stretch"


@pytest.mark.parametrize("name", ["pingtan_2019.txt", "pingtan_2022.txt"])
def test_tables_three_and_four_recovered_exactly(name):
    report = parse_file(STRETCH / name)
    truth = json.loads((STRETCH / name).with_suffix(".truth.json").read_text(encoding="utf-8"))
    assert (report.agency, report.year, report.template) == (truth["agency"], truth["year"], truth["template"])
    for key, value in truth["figures"].items():
        if key.startswith(("t3/", "t4/")):
            assert report.figures[key] == value, key
    # Every figure that was read is right; none is guessed.
    assert {k: v for k, v in report.figures.items() if truth["figures"][k] != v} == {}
    assert [f for f in report.findings if f.severity == "error"] == []


def test_table_two_says_which_rows_are_ambiguous():
    report = parse_file(STRETCH / "pingtan_2022.txt")
    (finding,) = [f for f in report.findings if f.rule == "ambiguous_cells"]
    assert finding.severity == "warning"
    assert finding.cells == ["t2/normative_doc/issued", "t2/normative_doc/repealed", "t2/normative_doc/in_force"]
    assert "（8855698）" in finding.message and "8|855|698" in finding.message and "等 15 种" in finding.message
    assert "t2/normative_doc/issued" not in report.figures
    # The rows with one value, or only zeros, are unambiguous and read.
    assert report.figures["t2/license/decisions"] == 10690
    assert report.figures["t2/fee/amount"] == 9116.36
    assert report.figures["t2/regulation/in_force"] == 0


def test_2019_procurement_and_items_ambiguous_not_guessed():
    report = parse_file(STRETCH / "pingtan_2019.txt")
    ambiguous = {c for f in report.findings if f.rule == "ambiguous_cells" for c in f.cells}
    assert "t2/procurement/amount" in ambiguous and "t2/license/prev_items" in ambiguous
    assert not ambiguous & set(report.figures)


def test_splits_respect_whitespace_and_leading_zeros():
    assert [71, 3, 0, 0, 0, 0, 74] in splits("713000074", 7)
    assert [o for o in splits("713000074", 7) if sum(o[:6]) == o[6]] == [[71, 3, 0, 0, 0, 0, 74]]
    assert splits("23 0 00 0 023", 7) == [[23, 0, 0, 0, 0, 0, 23]]
    assert splits("00", 1) == []  # "00" is no number
    assert splits("12.5", 2, decimals=True) == [[1, 2.5]]


def run_together_report(rows: dict[str, list[int]]) -> bytes:
    """A 2019-format text whose 表三 and 表四 cells ran together, as a crawler saves it."""
    parts = ["某某区司法局2019年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况申请人情况自然人总计"]
    for row in T3_ROWS:
        if row.key in rows:
            prefix = {"denied_secret": "（三）不予公开", "unable_not_held": "（四）无法提供", "refused_petition": "（五）不予处理"}
            parts.append(prefix.get(row.key, "") + row.label + "".join(str(v) for v in rows[row.key]))
    parts.append("四、政府信息公开行政复议、行政诉讼情况行政复议结果维持结果纠正其他结果尚未审结总计" + "0" * 15)
    return "".join(parts).encode("utf-8")


def test_column_equations_choose_between_readings():
    rows = {r.split("/")[1]: [0] * 7 for r in figure_keys("2019") if r.startswith("t3/")}
    # 10|1|0|0|0|0|11 also reads as 1|0|10|0|0|0|11: alone, 新收 and （七）总计 are ambiguous ...
    rows["new_received"] = [10, 1, 0, 0, 0, 0, 11]
    rows["total"] = [10, 1, 0, 0, 0, 0, 11]
    # ... but 予以公开 9|1|… and 部分公开 1|0|… have one reading each, and the columns must add up.
    rows["granted"] = [9, 1, 0, 0, 0, 0, 10]
    rows["partial"] = [1, 0, 0, 0, 0, 0, 1]
    report = parse_bytes(run_together_report(rows), "crawl.txt")
    assert [report.figures[f"t3/new_received/{c}"] for c in ("natural_person", "commercial", "research")] == [10, 1, 0]
    assert report.figures["t3/total/natural_person"] == 10
    assert not [f for f in report.findings if f.rule == "ambiguous_cells" and f.table == "t3"]


def test_when_columns_cannot_decide_the_row_is_reported():
    rows = {r.split("/")[1]: [0] * 7 for r in figure_keys("2019") if r.startswith("t3/")}
    for key in ("new_received", "granted", "total"):
        rows[key] = [10, 1, 0, 0, 0, 0, 11]  # every row reads both ways, consistently
    report = parse_bytes(run_together_report(rows), "crawl.txt")
    ambiguous = [f for f in report.findings if f.rule == "ambiguous_cells" and f.table == "t3"]
    assert {f.cells[0].split("/")[1] for f in ambiguous} == {"new_received", "granted", "total"}
    assert "t3/new_received/natural_person" not in report.figures
    assert report.figures["t3/new_received/total"] == 11  # the cell every reading agrees on
