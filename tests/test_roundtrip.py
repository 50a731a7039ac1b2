"""Round trip: random consistent figures → a report file in every format → parse_bytes → the same
figures, agency, year and template, and the rules find exactly what was broken on purpose.

A failure here names a reader or mapper bug (the renderers print the template exactly; see
tests/test_render.py), so the hypothesis seed in the failure report reproduces it."""

from __future__ import annotations

import random
import subprocess
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.demo.render import (
    BREAKABLE_RULES,
    ReportSpec,
    break_rule,
    random_report,
    render_docx,
    render_html,
    render_markdown,
    render_pdf,
    render_text,
)
from gongkai.parser import parse_bytes
from gongkai.report import Report

RENDERERS = {
    "text": render_text,
    "markdown": render_markdown,
    "markdown_repeated": partial(render_markdown, repeat_merged=True),
    "html": render_html,
    "html_gbk": partial(render_html, encoding="gbk"),
    "docx": render_docx,
    "pdf": render_pdf,
}
READER = {"markdown_repeated": "markdown", "html_gbk": "html"}

seeds = st.integers(0, 2**32)
layouts = st.sampled_from([("2019", False), ("2021", True), ("2021", False)])


def parse(fmt: str, spec: ReportSpec) -> Report:
    report = parse_bytes(RENDERERS[fmt](spec), f"demo.{fmt}")
    assert report.format == READER.get(fmt, fmt)
    return report


def figure_differences(report: Report, spec: ReportSpec) -> dict[str, tuple[object, object]]:
    """key → (parsed, rendered) for every figure that did not come back exactly."""
    keys = set(report.figures) | set(spec.figures)
    missing = "（未读出）"
    return {
        k: (report.figures.get(k, missing), spec.figures.get(k, missing))
        for k in sorted(keys)
        if report.figures.get(k, missing) != spec.figures.get(k, missing)
    }


def errors(report: Report) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize("fmt", list(RENDERERS))
@settings(max_examples=4, deadline=None)
@given(seed=seeds, layout=layouts)
def test_consistent_report_parses_back_exactly(fmt, seed, layout):
    template, split = layout
    spec = random_report(random.Random(seed), template, split)
    report = parse(fmt, spec)
    assert figure_differences(report, spec) == {}
    assert (report.agency, report.year, report.template) == (spec.agency, spec.year, spec.template)
    assert errors(report) == []


@pytest.mark.parametrize("fmt", list(RENDERERS))
@settings(max_examples=4, deadline=None)
@given(seed=seeds, layout=layouts, rule=st.sampled_from(BREAKABLE_RULES))
def test_broken_rule_is_the_only_error(fmt, seed, layout, rule):
    template, split = layout
    rng = random.Random(seed)
    spec = break_rule(random_report(rng, template, split), rule, rng)
    report = parse(fmt, spec)
    assert figure_differences(report, spec) == {}
    assert {f.rule for f in report.findings if f.severity == "error"} == {rule}


# Markdown cannot tell a blank cell from a merged position (both are empty), so it is covered by
# the deterministic case below instead.
@pytest.mark.parametrize("fmt", [f for f in RENDERERS if not f.startswith("markdown")])
@settings(max_examples=4, deadline=None)
@given(seed=seeds, layout=layouts)
def test_blank_cells_parse_back_as_null(fmt, seed, layout):
    template, split = layout
    spec = random_report(random.Random(seed), template, split, blanks=0.3)
    report = parse(fmt, spec)
    assert figure_differences(report, spec) == {}
    assert errors(report) == []


@pytest.mark.parametrize("fmt", ["markdown", "markdown_repeated"])
def test_markdown_blank_cells_keep_their_column(fmt):
    """表二 of 2019 merges 本年增/减 and 采购总金额 over two columns; Markdown pads the merged
    position with an empty cell.  A blank 上一年项目数量 / 采购项目数量 before them must stay in its
    own column, not take the value of the column to its right."""
    spec = random_report(random.Random(1), "2019")
    spec.figures["t2/fee/prev_items"] = None
    spec.figures["t2/procurement/items"] = None
    report = parse(fmt, spec)
    assert figure_differences(report, spec) == {}
    assert errors(report) == []


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="没有找到 /usr/bin/chromium")
@pytest.mark.parametrize(("template", "seed", "push"), [("2019", 0, 300), ("2021", 1, 200)])
def test_chromium_printed_pdf_parses_back_exactly(tmp_path, template, seed, push):
    """The HTML report (rowspans, collapsed borders) printed to PDF by Chromium, as a user saves a
    portal page, with 表三 pushed down `push` px so that a page break cuts it (Chromium draws no
    ruling above the continued part).  The agency is not compared: without CJK fonts Chromium
    prints .notdef glyphs, and the first ideographs of the file lose their text."""
    spec = random_report(random.Random(seed), template)
    heading = "<p><strong>三、收到和处理政府信息公开申请情况"
    html = render_html(spec).decode("utf-8")
    assert heading in html
    html_file, pdf_file = tmp_path / "report.html", tmp_path / "report.pdf"
    html_file.write_text(html.replace(heading, f"<div style='height:{push}px'></div>{heading}"), encoding="utf-8")
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf_file}", html_file.as_uri()], check=True, capture_output=True, timeout=120)
    # On a machine without CJK fonts the push cuts 表三 (and 表二) in two; with other fonts the
    # text is taller and the cut falls elsewhere (tests/test_reader_pdf.py holds the cuts).
    report = parse_bytes(pdf_file.read_bytes(), "report.pdf")
    assert report.format == "pdf"
    assert figure_differences(report, spec) == {}
    assert (report.year, report.template) == (spec.year, spec.template)


# Converters and crawlers flatten 表三's merged label columns: each row's one label cell carries its
# parents ("三、本年度办理结果 （三）不予公开 1.属于国家秘密"), with or without spaces (issue 10, item 4).
FLAT_FORMATS = ["text", "markdown", "html", "docx", "pdf"]


@pytest.mark.parametrize("fmt", FLAT_FORMATS)
@pytest.mark.parametrize("joiner", [" ", ""], ids=["spaced", "run_together"])
@settings(max_examples=2, deadline=None)
@given(seed=seeds, layout=layouts)
def test_labels_carrying_their_parents_parse_back_exactly(fmt, joiner, seed, layout):
    template, split = layout
    spec = replace(random_report(random.Random(seed), template, split), flat_labels=joiner)
    report = parse(fmt, spec)
    assert figure_differences(report, spec) == {}
    assert errors(report) == []


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html", "markdown", "text"])
@pytest.mark.parametrize("header", ["本年增■减", "本年增加/减少数"])
def test_2019_table_two_columns_come_from_its_own_header(fmt, header, monkeypatch):
    """表二 of the 2019 format prints 上一年项目数量 | 本年增/减 | 处理决定数量.  When one header cell is not
    recognised (a glyph the PDF maps to nothing, another wording), the block's columns still come from
    its own header and the template's blocks — not from what was read elsewhere — so no row is refused
    (issue 10, item 3: "行政许可 expects 2 cells, 行政事业性收费 1")."""
    from gongkai import template as T

    for row in ("license", "penalty", "fee"):
        monkeypatch.setitem(T.T2_CELLS, (row, "change"), ("", header))
    spec = random_report(random.Random(4), "2019")
    report = parse(fmt, spec)
    assert figure_differences(report, spec) == {}
    assert errors(report) == []


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="没有找到 /usr/bin/chromium")
@pytest.mark.parametrize("layout", [("2021", True, "")], ids=["2021_run_together"])
def test_chromium_printed_flattened_labels_parse_back_exactly(layout, tmp_path):
    """The same flattened 表三, printed to PDF by Chromium from the HTML rendering (as a crawler's copy
    of a portal page is printed), reads back exactly."""
    template, split, joiner = layout
    spec = replace(random_report(random.Random(11), template, split), flat_labels=joiner)
    page = tmp_path / "report.html"
    page.write_bytes(render_html(spec))
    pdf = tmp_path / "report.pdf"
    subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={pdf}",
                    "--no-pdf-header-footer", page.as_uri()], capture_output=True, timeout=120, check=True)
    report = parse_bytes(pdf.read_bytes(), "report.pdf")
    assert report.format == "pdf"
    assert figure_differences(report, spec) == {}
    assert errors(report) == []
