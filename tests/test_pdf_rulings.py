"""PDF tables printed with some or none of their rulings (issue 10, item 2: "Rows must be read
whatever the page breaks, rulings or rowspans do").

Real reports print their tables with a full grid, with only the rules between rows, with only the
outer frame, or with none; the lattice finds no cells in the last three, and before the reader mended
the missing rulings from the text's gaps 表四 came out as missing_table and the rows of 表三's outcome
groups lost their merged labels.  Each report below is rendered by gongkai.demo.render with random
consistent figures, so the parse must give back exactly what was printed."""

from __future__ import annotations

import random
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.demo.render import random_report, render_html, render_pdf
from gongkai.document import Table
from gongkai.parser import parse_bytes
from gongkai.readers.pdf import read

seeds = st.integers(0, 2**32)
layouts = st.sampled_from([("2019", False), ("2021", True), ("2021", False)])


def figure_differences(report, spec) -> dict[str, tuple[object, object]]:
    missing = "（未读出）"
    keys = set(report.figures) | set(spec.figures)
    return {k: (report.figures.get(k, missing), spec.figures.get(k, missing)) for k in sorted(keys)
            if report.figures.get(k, missing) != spec.figures.get(k, missing)}


def errors(report) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize("rulings", ["horizontal", "three_line", "vertical", "outer", "none"])
@settings(max_examples=3, deadline=None)
@given(seed=seeds, layout=layouts)
def test_report_with_missing_rulings_parses_back_exactly(rulings, seed, layout):
    template, split = layout
    spec = random_report(random.Random(seed), template, split)
    report = parse_bytes(render_pdf(spec, rulings=rulings), "report.pdf")
    assert figure_differences(report, spec) == {}
    assert (report.agency, report.year, report.template) == (spec.agency, spec.year, spec.template)
    assert errors(report) == []


@pytest.mark.parametrize("rulings", ["horizontal", "three_line", "vertical", "outer", "none"])
def test_blank_cells_keep_their_column_without_rulings(rulings):
    """A blank printed between two figures, or beside one, stays a blank in its own column: a
    figure between two blanks is not taken for a cell merged over them."""
    spec = random_report(random.Random(7), "2021", True)
    blanks = ["t3/new_received/commercial", "t3/new_received/legal_service", "t3/granted/research", "t4/review/corrected",
              "t2/regulation/repealed"]
    for key in blanks:
        spec.figures[key] = None
    report = parse_bytes(render_pdf(spec, rulings=rulings), "report.pdf")
    assert figure_differences(report, spec) == {}
    assert all(report.figures[key] is None for key in blanks)


def _table_three(doc) -> list[list[tuple[str, int, int]]]:
    rows = []
    for block in doc.blocks:
        if isinstance(block, Table):
            rows += [[(c.text, c.rowspan, c.colspan) for c in row] for row in block.rows]
    return rows


def test_merged_outcome_labels_span_their_rows_without_rulings():
    """表三 of the 2021 format with no rulings at all: the merged labels （三）不予公开 (8 rows),
    （四）无法提供 (3 rows) and the vertical 三、本年度办理结果 are printed once, centred in their
    rows; each is read as a cell spanning exactly those rows, beside its numbered sub-rows."""
    spec = random_report(random.Random(3), "2021", True)
    doc = read(render_pdf(spec, rulings="none"))
    rows = _table_three(doc)
    starts = {text: (i, rowspan) for i, row in enumerate(rows) for text, rowspan, _ in row}
    first, rowspan = starts["(三)不予公开"]
    assert rowspan == 8
    assert [row[-8][0] for row in rows[first:first + 8]] == [
        "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
        "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]
    first, rowspan = starts["(四)无法提供"]
    assert rowspan == 3
    assert [row[-8][0] for row in rows[first:first + 3]] == [
        "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
    # The vertical label spans every outcome row: （一） 1, （二） 1, （三） 8, （四） 3, （五） 5,
    # （六） 3 (printed split), （七） 1.
    vertical = next(text for text in starts if text.replace(" ", "") == "三、本年度办理结果")
    assert starts[vertical][1] == 22


# Narrative paragraphs before the tables move 表二 and 表三 down the pages, so that the page break cuts
# them at different rows: k=6 leaves 表二's last block (第二十条第（九）项) alone at the top of a page in
# the 2019 format, k=27 cuts 表二 after its block title (第二十条第（八）项) in the 2021 format, and k=30
# leaves one row of the 2019 表二 at the top of a page (ruled only between columns, its rulings closed
# at the page break made a table of that row's figures without its label).
FILLER = "本年度持续推进政务公开标准化规范化建设，完善公开目录。" * 3


@pytest.mark.parametrize("rulings", ["three_line", "vertical", "none"])
@pytest.mark.parametrize(("template", "split"), [("2021", True), ("2019", False)])
@pytest.mark.parametrize("k", [0, 6, 12, 18, 27, 30])
def test_unruled_table_cut_by_a_page_break_loses_no_row(rulings, template, split, k):
    base = random_report(random.Random(5), template, split)
    spec = replace(base, paragraphs=base.paragraphs + [FILLER] * k)
    report = parse_bytes(render_pdf(spec, rulings=rulings), "report.pdf")
    assert figure_differences(report, spec) == {}
    assert errors(report) == []


def test_fully_ruled_report_is_read_as_before():
    """The default grid keeps going through the lattice alone: same figures, no mending."""
    spec = random_report(random.Random(5), "2019")
    report = parse_bytes(render_pdf(spec), "report.pdf")
    assert figure_differences(report, spec) == {}
    assert errors(report) == []


CHROMIUM = Path("/usr/bin/chromium")


# Borderless tables as portal pages style them: no borders, only the rules between rows, only a frame.
CHROMIUM_STYLES = {
    "none": "table,td,th{border:0 !important}",
    "horizontal": "table,td,th{border-left:0 !important;border-right:0 !important}",
    "outer": "td,th{border:0 !important} table{border:1px solid #000 !important}",
}


def _chromium_pdf(spec, style: str, tmp_path) -> bytes:
    html = render_html(spec).decode("utf-8").replace("</head>", f"<style>{CHROMIUM_STYLES[style]}</style></head>")
    page, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    page.write_text(html, encoding="utf-8")
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.as_uri()], check=True, capture_output=True, timeout=120)
    return pdf.read_bytes()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="没有找到 /usr/bin/chromium")
@pytest.mark.parametrize(("template", "seed", "style"),
                         [("2019", 1, "none"), ("2021", 1, "none"), ("2021", 2, "none"), ("2021", 3, "horizontal"),
                          ("2019", 4, "outer"), ("2021", 11, "none"), ("2021", 11, "outer")])
def test_chromium_printed_report_without_borders_parses_back_exactly(tmp_path, template, seed, style):
    """The HTML report printed by Chromium from tables styled without (all) borders, as portal pages
    are.  Chromium lays 表三's labels out unlike reportlab: 三、本年度办理结果 runs across its wide
    column in a row of its own, sharing no line with the labels of the next column (the columns are
    told apart over all rows, `_split_columns`), and （二）部分公开, merged over two label columns, is
    centred inside the wider one, so it looks like a label of that column only (a label off its
    column's common centre belongs to the neighbour it leans to, `_off_centre`; without that,
    （三）不予公开 was widened over its row).  With real CJK fonts (fonts-noto-cjk) the glyph boxes are
    1 em high on 1.5 em lines: a wrapped label's lines are half an em apart and are still one cell
    (`_leading`); 表二's column header falls alone at the foot of page 1 and is read with its rows
    on page 2 (`_cut_head`); and on a page continuing 表三, （四）无法提供 and （五）不予处理 compete for
    the rows between them, （五） being centred only over all of its own (seed 11; framed, （四） is
    centred both in its own rows and one more either side).  The agency is
    not compared (see tests/test_roundtrip.py)."""
    spec = random_report(random.Random(seed), template)
    report = parse_bytes(_chromium_pdf(spec, style, tmp_path), "report.pdf")
    assert figure_differences(report, spec) == {}
    assert (report.year, report.template) == (spec.year, spec.template)
