"""Renderers (gongkai/demo/render.py): report files written from figures, and random consistent figures.

The rules are checked here with plain arithmetic, independently of gongkai.rules, so that a renderer
or generator bug cannot hide behind a checker bug."""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai import template as T
from gongkai.demo.render import (
    BREAKABLE_RULES,
    SECTION_HEADINGS,
    T3_NOTE,
    ReportSpec,
    break_rule,
    format_value,
    random_report,
    render_docx,
    render_html,
    render_markdown,
    render_pdf,
    render_text,
)
from gongkai.document import Table
from gongkai.readers import read_document
from gongkai.template import normalize_label

FIXTURES = Path(__file__).parent / "fixtures"
APPLICANTS = T.T3_APPLICANT_COLUMNS
T3_COLUMNS = [c for c, _ in T.T3_COLUMNS]

RENDERERS = {
    "text": render_text,
    "markdown": render_markdown,
    "html": render_html,
    "docx": render_docx,
    "pdf": render_pdf,
}


def violations(spec: ReportSpec) -> dict[str, list[str]]:
    """Every broken equation, by rule, computed directly (no blanks expected)."""
    f = spec.figures
    printed = {k.split("/")[1] for k in spec.keys if k.startswith("t3/")}
    outcomes = [r for r in T.T3_OUTCOME_ROWS if r in printed]
    out: dict[str, list[str]] = {rule: [] for rule in BREAKABLE_RULES}
    for col in T3_COLUMNS:
        if f[f"t3/new_received/{col}"] + f[f"t3/carried_over/{col}"] != f[f"t3/total/{col}"] + f[f"t3/carried_forward/{col}"]:
            out["t3_balance"].append(col)
        if sum(f[f"t3/{r}/{col}"] for r in outcomes) != f[f"t3/total/{col}"]:
            out["t3_outcomes"].append(col)
    for row in printed:
        if sum(f[f"t3/{row}/{c}"] for c in APPLICANTS) != f[f"t3/{row}/total"]:
            out["t3_columns"].append(row)
    for row, _ in T.T4_ROWS:
        parts = sum(f[f"t4/{row}/{c}"] for c in ("upheld", "corrected", "other", "pending"))
        if parts != f[f"t4/{row}/total"]:
            out["t4_rows"].append(row)
    return out


def broken(spec: ReportSpec) -> set[str]:
    return {rule for rule, where in violations(spec).items() if where}


def numbers_in(tables: list[Table]) -> Counter[str]:
    """The cells that are a printed figure (labels such as "1.属于国家秘密" are not)."""
    found: Counter[str] = Counter()
    for table in tables:
        for row in table.rows:
            for cell in row:
                text = cell.text.strip()
                if re.fullmatch(r"-?\d+(\.\d+)?", text):
                    found[text] += 1
    return found


def printed_numbers(spec: ReportSpec) -> Counter[str]:
    return Counter(format_value(k, spec.figures.get(k)) for k in spec.keys if spec.figures.get(k) is not None)


def fixture_spec() -> ReportSpec:
    truth = json.loads((FIXTURES / "000_604589b9a90ba4e6.truth.json").read_text(encoding="utf-8"))
    return ReportSpec(truth["agency"], truth["year"], truth["template"], truth["figures"])


# ---------------------------------------------------------------- text: Word's copy convention
def test_text_tables_are_exactly_what_word_copies():
    """表二 and 表三 of the fixture's figures come out byte for byte as the real Word copy prints them
    (the fixture's [bookmark:] artifacts aside): cells a line, tab-indented, merged positions as empty
    tab lines, the wrapped note continuing unindented, a blank line after each row and the table."""
    mine = render_text(fixture_spec()).decode("utf-8")
    real = re.sub(r"\[bookmark: [^\]]*\]", "", (FIXTURES / "000_604589b9a90ba4e6.txt").read_text(encoding="utf-8"))
    start, end = "二、主动公开政府信息情况\n", "四、政府信息公开行政复议、行政诉讼情况\n"
    assert mine[mine.index(start) : mine.index(end)] == real[real.index(start) : real.index(end)]


def test_text_table_four_reads_like_the_fixture():
    """表四's Word copy wraps different header labels by hand; cell for cell it is the same table."""
    mine = read_document(render_text(fixture_spec())).tables[2]
    real = read_document((FIXTURES / "000_604589b9a90ba4e6.txt").read_bytes()).tables[2]
    norm = lambda t: [[normalize_label(c.text) for c in row] for row in t.rows]  # noqa: E731
    assert norm(mine) == norm(real)


def test_text_layout_details():
    spec = random_report(random.Random(7), "2021", other_split=True)
    text = render_text(spec).decode("utf-8")
    lines = text.split("\n")
    assert lines[0] == spec.title
    # 表三's second header row: the note's continuation, 自然人, 法人或其他组织 (merged over five), 总计.
    i = lines.index("\t自然人")
    assert lines[i - 1 : i + 4] == ["\t", "\t自然人", "\t法人或其他组织", "\t总计", ""]
    # A label Word wraps continues on an unindented line.
    i = lines.index("\t5.要求行政机关确认或重新")
    assert lines[i + 1] == "出具已获取信息"
    assert lines[i - 2 : i] == ["\t", "\t"]  # 三、本年度办理结果 and （五）不予处理 continue above it
    assert "\r" not in text and not text.startswith("\ufeff")


# ---------------------------------------------------------------- every renderer: sniffed, tables hold the numbers
@pytest.mark.parametrize("fmt", list(RENDERERS))
@pytest.mark.parametrize("template", T.FORMATS)
def test_renderer_is_sniffed_and_its_tables_hold_the_figures(fmt, template):
    spec = random_report(random.Random(11), template)
    doc = read_document(RENDERERS[fmt](spec))
    assert doc.format == fmt
    assert numbers_in(doc.tables) == printed_numbers(spec)
    paragraphs = [normalize_label(p) for p in doc.paragraphs]
    assert normalize_label(spec.title) in paragraphs
    for heading in SECTION_HEADINGS:
        assert normalize_label(heading) in paragraphs, heading
    if fmt != "pdf":  # the PDF reader returns each printed line as a paragraph
        for p in spec.paragraphs:
            assert normalize_label(p) in paragraphs


def test_blank_figures_print_blank_cells():
    spec = random_report(random.Random(5), "2019")
    spec.figures["t2/procurement/amount"] = None
    spec.figures["t4/review/pending"] = None
    for fmt, render in RENDERERS.items():
        assert numbers_in(read_document(render(spec)).tables) == printed_numbers(spec), fmt


def test_money_prints_two_decimals():
    spec = random_report(random.Random(1), "2019")
    spec.figures["t2/procurement/amount"] = 75394432.5
    spec.figures["t2/fee/prev_items"] = 35
    table = read_document(render_html(spec)).tables[0]
    texts = [c.text for row in table.rows for c in row]
    assert "75394432.50" in texts
    assert format_value("t2/fee/amount", 0) == "0"
    assert format_value("t2/fee/amount", 9116.36) == "9116.36"
    assert format_value("t2/license/change", -3) == "-3"
    assert format_value("t3/total/total", None) == ""


# ---------------------------------------------------------------- the template's layout (merged cells)
def _spans(table: Table) -> list[list[tuple[str, int, int]]]:
    return [[(normalize_label(c.text), c.rowspan, c.colspan) for c in row] for row in table.rows]


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_merged_cells_follow_the_template(fmt):
    spec = random_report(random.Random(3), "2021", other_split=True)
    t2, t3, t4 = read_document(RENDERERS[fmt](spec)).tables
    assert _spans(t2)[0] == [("第二十条第(一)项", 1, 4)]
    assert _spans(t2)[5] == [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)]
    rows = _spans(t3)
    assert rows[0] == [(normalize_label(T3_NOTE), 3, 3), ("申请人情况", 1, 7)]
    assert rows[1] == [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)]
    assert [c[0] for c in rows[2]] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert rows[3][0] == ("一、本年新收政府信息公开申请数量", 1, 3)
    assert rows[5][:2] == [("三、本年度办理结果", 22, 1), ("(一)予以公开", 1, 2)]
    assert rows[7][0] == ("(三)不予公开", 8, 1)
    assert rows[15][0] == ("(四)无法提供", 3, 1)
    assert rows[18][0] == ("(五)不予处理", 5, 1)
    assert rows[23][0] == ("(六)其他处理", 3, 1)
    assert rows[26][0] == ("(七)总计", 1, 2)
    assert rows[27][0] == ("四、结转下年度继续办理", 1, 3)
    head = _spans(t4)
    assert head[0] == [("行政复议", 1, 5), ("行政诉讼", 1, 10)]
    assert head[1][4:] == [("总计", 2, 1), ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)]
    assert len(head[2]) == 10 and len(head[3]) == 15


def test_other_as_one_row_and_2019_layout():
    spec = random_report(random.Random(3), "2021", other_split=False)
    rows = _spans(read_document(render_html(spec)).tables[1])
    assert rows[5][0] == ("三、本年度办理结果", 20, 1)
    assert rows[23][0] == ("(六)其他处理", 1, 2)
    spec19 = random_report(random.Random(3), "2019")
    t2 = _spans(read_document(render_html(spec19)).tables[0])
    assert [c[0] for c in t2[1]] == ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert t2[13] == [("信息内容", 1, 1), ("上一年项目数量", 1, 1), ("本年增/减", 1, 2)]
    assert t2[16][2] == ("采购总金额", 1, 2)
    assert [r[0][0] for r in t2 if len(r) == 1] == [
        normalize_label(b[0]) for b in T.T2_BLOCKS["2019"]
    ]


def test_html_gbk_declares_and_uses_gbk():
    spec = random_report(random.Random(9), "2021")
    data = render_html(spec, encoding="gbk")
    assert b'<meta charset="gbk">' in data
    assert data.decode("gbk") == render_html(spec).decode("utf-8").replace('charset="utf-8"', 'charset="gbk"')
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    with pytest.raises(ValueError):
        render_html(spec, encoding="latin-1")


def test_pdf_text_is_real_chinese():
    """The CID font needs no file and its text extracts as Unicode (not boxes or CIDs)."""
    import io

    import pdfplumber

    spec = random_report(random.Random(2), "2021")
    with pdfplumber.open(io.BytesIO(render_pdf(spec))) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
        tables = [t for page in pdf.pages for t in page.extract_tables()]
    assert spec.title in text
    assert "3.危及“三安全一稳定”" in text
    assert tables[0][0][0] == "第二十条第（一）项"
    assert ["行政复议"] + [None] * 4 + ["行政诉讼"] + [None] * 9 == tables[-1][0]


def test_binary_formats_are_deterministic():
    spec = random_report(random.Random(4), "2019")
    assert render_docx(spec) == render_docx(spec)
    assert render_pdf(spec) == render_pdf(spec)


def test_rendering_is_fast_enough_for_the_demo_corpus():
    """Hundreds of files in under a minute: a regression to python-docx's per-merge grid walk
    (≈250 ms a report) or a slow PDF path would show here.  Bounds are loose for busy CI machines."""
    specs = [random_report(random.Random(i), T.FORMATS[i % 2]) for i in range(6)]
    render_pdf(specs[0])  # font registration, once per process
    for render in (render_pdf, render_docx):
        start = time.perf_counter()
        for spec in specs:
            render(spec)
        assert (time.perf_counter() - start) / len(specs) < 0.2, render.__name__


# ---------------------------------------------------------------- ReportSpec
def test_spec_validation():
    with pytest.raises(ValueError, match="不打印"):
        ReportSpec("某局", 2021, "2021", {"t2/regulation/made": 1})
    with pytest.raises(ValueError, match="一行"):
        ReportSpec("某局", 2019, "2019", {}, other_split=True)
    with pytest.raises(ValueError, match="格式"):
        ReportSpec("某局", 2019, "2018", {})
    spec = ReportSpec("某局", 2021, "2021", {})
    assert spec.other_split is True and spec.title == "某局2021年政府信息公开工作年度报告"
    assert ReportSpec("某局", 2020, "2019", {}).other_split is False
    # Figures left out print as blank cells: no number in any table.
    assert numbers_in(read_document(render_text(spec)).tables) == Counter()


# ---------------------------------------------------------------- random_report
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), template=st.sampled_from(T.FORMATS), split=st.sampled_from([None, True, False]))
def test_random_reports_keep_every_rule(seed, template, split):
    if template == "2019" and split:
        split = False
    spec = random_report(random.Random(seed), template, split)
    assert list(spec.figures) == spec.keys == T.figure_keys(template, spec.other_split)
    assert broken(spec) == set()
    for key, value in spec.figures.items():
        assert value is not None
        if tuple(key.split("/")) in T.DECIMAL_FIGURES:
            assert value >= 0 and round(value, 2) == value
        else:
            assert isinstance(value, int)
            assert value >= 0 or key.endswith("/change")
    assert spec.year in ((2019, 2020) if template == "2019" else range(2021, 2026))


def test_random_reports_are_heavy_tailed_and_reproducible():
    specs = [random_report(random.Random(i), "2021") for i in range(300)]
    totals = sorted(s.figures["t3/new_received/total"] for s in specs)
    assert totals[len(totals) // 2] < 50  # most agencies receive few applications…
    assert totals[-1] > 1000  # …a few receive very many
    assert sum(t == 0 for t in totals) > 20
    assert any(s.figures["t2/fee/amount"] not in (0, None) and s.figures["t2/fee/amount"] % 1 for s in specs)
    assert {s.other_split for s in specs} == {True, False}
    assert random_report(random.Random(42), "2019") == random_report(random.Random(42), "2019")


def test_blanks_only_replace_zeros():
    for seed in range(20):
        plain = random_report(random.Random(seed), "2021", blanks=0.0)
        blank = random_report(random.Random(seed), "2021", blanks=0.5)
        assert plain.figures.keys() == blank.figures.keys()
        changed = [k for k in plain.figures if plain.figures[k] != blank.figures[k]]
        assert all(plain.figures[k] == 0 and blank.figures[k] is None for k in changed)
    assert any(v is None for v in blank.figures.values())
    assert all(v is not None for v in random_report(random.Random(1), "2019").figures.values())


def test_narrative_agrees_with_the_tables():
    spec = random_report(random.Random(8), "2021")
    f = spec.figures
    assert (
        f"全年新收政府信息公开申请{f['t3/new_received/total']}件，上年结转{f['t3/carried_over/total']}件；"
        f"办结{f['t3/total/total']}件" in "".join(spec.paragraphs)
    )


# ---------------------------------------------------------------- break_rule
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    template=st.sampled_from(T.FORMATS),
    rule=st.sampled_from(BREAKABLE_RULES),
)
def test_break_rule_breaks_exactly_that_rule(seed, template, rule):
    rng = random.Random(seed)
    spec = random_report(rng, template)
    bad = break_rule(spec, rule, rng)
    assert broken(bad) == {rule}
    assert broken(spec) == set()  # the original is untouched
    changed = [k for k in spec.figures if spec.figures[k] != bad.figures[k]]
    assert len(changed) == (1 if rule == "t4_rows" else 2)
    assert all(bad.figures[k] >= 0 for k in changed)
    assert bad.keys == spec.keys


def test_break_rule_where_the_equations_are():
    rng = random.Random(0)
    spec = random_report(rng, "2021", other_split=True)
    assert violations(break_rule(spec, "t3_balance", rng))["t3_balance"][-1] == "total"
    assert sorted(violations(break_rule(spec, "t3_columns", rng))["t3_columns"]) == ["carried_forward", "new_received"]
    with pytest.raises(ValueError, match="未知的规则"):
        break_rule(spec, "t9_magic", rng)


def test_break_rule_avoids_blank_equations():
    spec = random_report(random.Random(1), "2021")
    for row, _ in T.T4_ROWS:
        spec.figures[f"t4/{row}/total"] = None
    with pytest.raises(ValueError, match="表四"):
        break_rule(spec, "t4_rows", random.Random(1))
