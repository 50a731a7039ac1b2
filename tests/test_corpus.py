"""Every real report in tests/fixtures parses to exactly the figures it prints (its *.truth.json)."""

import json
from pathlib import Path

import pytest

from gongkai.parser import parse_file

FIXTURES = Path(__file__).parent / "fixtures"
REPORTS = sorted(p for p in FIXTURES.iterdir() if p.with_suffix(".truth.json").exists() and not p.name.endswith(".json"))


def truth_for(path: Path) -> dict:
    return json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=REPORTS, ids=[p.name for p in REPORTS])
def parsed(request):
    path = request.param
    return parse_file(path), truth_for(path)


def test_every_figure_exact(parsed):
    report, truth = parsed
    # Compare as dicts: every key present, no key extra, every value equal (None stays None).
    assert report.figures == truth["figures"]


def test_figure_values_keep_their_type(parsed):
    report, truth = parsed
    for key, value in truth["figures"].items():
        assert type(report.figures[key]) is type(value), key


def test_metadata(parsed):
    report, truth = parsed
    assert (report.agency, report.year, report.template) == (truth["agency"], truth["year"], truth["template"])


def test_broken_rule(parsed):
    report, truth = parsed
    errors = sorted({f.rule for f in report.findings if f.severity == "error"})
    expected = [truth["broken_rule"]] if truth["broken_rule"] else []
    assert errors == expected


def test_shanghai_blank_cells_are_warnings_not_errors():
    report = parse_file(FIXTURES / "shanghai_bgt_2019.html")
    blanks = [f for f in report.findings if f.rule == "blank_cells"]
    assert {f.severity for f in blanks} == {"warning"}
    # The blank 总计 column of the outcome rows cannot be checked by t3_columns nor t3_outcomes.
    cells = {c for f in blanks for c in f.cells}
    assert "t3/granted/total" in cells and "t3/refused_repeat/total" in cells
