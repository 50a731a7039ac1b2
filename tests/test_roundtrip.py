"""Round trip: random consistent figures → a report file in every format → parse_bytes → the same
figures, agency, year and template, and the rules find exactly what was broken on purpose.

A failure here names a reader or mapper bug (the renderers print the template exactly; see
tests/test_render.py), so the hypothesis seed in the failure report reproduces it."""

from __future__ import annotations

import random
import subprocess
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
    assert errors(report) == []
