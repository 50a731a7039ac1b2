"""汇总 (gongkai.summary, queries/summary_*.sql, `gongkai summary`): a region's 表二/表三/表四 summed for one year.

The sums are checked against SQL written here independently (a plain SUM over the figures table), on the demo
corpus (every district and the whole of 青岚市, a 2019-format year and a 2021-format year), on the real sample
reports (a county with one real report sums to that report's own truth figures) and on a year mixing both
formats. Planted rule breaks of the demo corpus show up in the sums with the agency that breaks them; blank
cells make a sum incomplete, shown as "≥ …（N 个单位未填报）". The DOCX is read back with python-docx."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import openpyxl
import pytest
from docx import Document
from typer.testing import CliRunner

from gongkai import store
from gongkai import summary as S
from gongkai import template as T
from gongkai.cli import app
from gongkai.demo import generate as G
from gongkai.parser import parse_file
from gongkai.report import Report
from gongkai.summary_layout import t3_grid
from gongkai.summary_write import to_docx, to_html, to_xlsx
from summary_db import build_demo_summary_db

FIXTURES = Path(__file__).parent / "fixtures"
BREAKABLE = ("t3_balance", "t3_outcomes", "t3_columns", "t4_rows")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo_summary_db(tmp_path_factory.mktemp("summary") / "demo.duckdb")


@pytest.fixture(scope="module")
def demo_con(demo):
    con = duckdb.connect(str(demo[0]), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    """The real 平潭综合实验区 2022 report, parsed and stored with its region (福建省/福州市/平潭县)."""
    db = tmp_path_factory.mktemp("summary_real") / "real.duckdb"
    con = store.connect(db)
    try:
        con.execute("INSERT INTO regions VALUES ('350128', '福建省', '福州市', '平潭县', '350000', '350100')")
        report = parse_file(FIXTURES / "pingtan_2022.html")
        agency_id = con.execute("INSERT INTO agencies (name, name_key, adcode, kind, region_source) VALUES"
                                " (?, ?, '350128', '人民政府', '清单') RETURNING agency_id",
                                [report.agency, report.agency]).fetchone()[0]
        store.insert_report(con, report, agency_id=agency_id, sha256="real-pingtan-2022",
                            source_file="pingtan_2022.html")
    finally:
        con.close()
    return db


def independent(con, scope: S.Scope, year: int) -> dict[tuple[str, str, str, str], tuple[int, int, float | None]]:
    """(format, table, row, column) → (reports printing the cell, reports printing a number, SUM) — plain SQL
    over figures ⋈ reports ⋈ agencies ⋈ regions, written without queries/."""
    rows = con.execute(
        """SELECT r.template::VARCHAR, f."table"::VARCHAR, f."row"::VARCHAR, f."column"::VARCHAR,
                  count(*), count(f.value), sum(f.value)
           FROM figures f JOIN reports r USING (report_id) JOIN agencies a USING (agency_id)
           JOIN regions g ON g.adcode = a.adcode
           WHERE r.year = ? AND g.province = ? AND (? IS NULL OR g.city = ?) AND (? IS NULL OR g.county = ?)
           GROUP BY ALL""",
        [year, scope.province, scope.city, scope.city, scope.county, scope.county],
    ).fetchall()
    return {(fmt, t, r, c): (printed, numbers, total) for fmt, t, r, c, printed, numbers, total in rows}


def report_counts(con, scope: S.Scope, year: int) -> dict[str, int]:
    return dict(con.execute(
        """SELECT r.template::VARCHAR, count(*) FROM reports r JOIN agencies a USING (agency_id)
           JOIN regions g ON g.adcode = a.adcode
           WHERE r.year = ? AND g.province = ? AND (? IS NULL OR g.city = ?) AND (? IS NULL OR g.county = ?)
           GROUP BY ALL""",
        [year, scope.province, scope.city, scope.city, scope.county, scope.county],
    ).fetchall())


def assert_sums_match_sql(con, summary: S.Summary) -> None:
    truth = independent(con, summary.scope, summary.year)
    counts = report_counts(con, summary.scope, summary.year)
    assert summary.report_count == sum(counts.values())
    for key, cell in summary.cells.items():
        table, row, col = key.split("/")
        rows = [row] if row != S.OTHER_COMBINED else ["other", *T.T3_OTHER_SPLIT]
        # the sum of every printed number, over the formats the figure is summed in
        expected = [truth[(fmt, table, r, col)][2] for fmt in cell.formats for r in rows
                    if (fmt, table, r, col) in truth and truth[(fmt, table, r, col)][2] is not None]
        assert cell.total == (pytest.approx(sum(expected)) if expected else None), key
        assert cell.reports == sum(counts.get(fmt, 0) for fmt in cell.formats), key
        if row != S.OTHER_COMBINED:
            numbers = sum(truth.get((fmt, table, row, col), (0, 0, None))[1] for fmt in cell.formats)
            assert cell.numbers == numbers, key
        assert cell.complete == (cell.reports > 0 and cell.numbers == cell.reports)


# ---------------------------------------------------------------- the sums
@pytest.mark.parametrize("year", [2020, 2024])
def test_demo_sums_equal_independent_sql_for_the_city_and_every_district(demo, demo_con, year):
    scopes = [S.Scope(G.PROVINCE, G.CITY)] + [S.Scope(G.PROVINCE, G.CITY, d.name) for d in G.DISTRICTS]
    for scope in scopes:
        assert_sums_match_sql(demo_con, S.load(demo_con, scope, year))


def test_demo_city_sum_is_the_generated_figures_added(demo, demo_con):
    corpus = demo[1]
    summary = S.load(demo_con, S.Scope(G.PROVINCE, G.CITY), 2024)
    specs = [r.spec for r in corpus.reports if r.spec.year == 2024]
    assert summary.report_count == len(specs) == 94
    expected = sum(s.figures["t3/new_received/total"] for s in specs)
    assert summary.cell("t3/new_received/total").exact == expected
    assert summary.lead().startswith(f"2024年，全市各级行政机关共收到政府信息公开申请{expected}件，")
    # （六）其他处理 combined: one row or the three rows, whichever each report prints
    other = sum(s.figures.get("t3/other/total") if "t3/other/total" in s.figures
                else sum(s.figures[f"t3/{r}/total"] for r in T.T3_OTHER_SPLIT) for s in specs)
    assert summary.cell("t3/other_combined/total").exact == other
    # 12 agencies print （六） as one row, so the three rows are summed over the others only: incomplete
    assert not summary.other_split
    split = summary.cell("t3/other_no_correction/total")
    assert (split.reports, split.unfilled) == (94, 11)
    assert split.text().endswith("（11 个单位未填报）")


def test_blank_cells_make_a_sum_incomplete_never_a_plain_number(demo, demo_con):
    # 望岭区生态环境分局 prints the zero cells of 表四 blank every year
    scope = S.Scope(G.PROVINCE, G.CITY, "望岭区")
    summary = S.load(demo_con, scope, 2024)
    blank_keys = [k for k, v in next(r.spec for r in demo[1].reports if r.agency.name == "望岭区生态环境分局"
                                    and r.spec.year == 2024).figures.items() if v is None]
    assert len(blank_keys) == 12
    for key in blank_keys:
        cell = summary.cell(key)
        assert not cell.complete and cell.unfilled == 1 and cell.exact is None
        assert cell.text() in (f"≥ {S.number_text(cell.total)}（1 个单位未填报）", "—（1 个单位未填报）")
        row = summary.frame().set_index("数字键").loc[key]
        assert row["完整"] == False and row["未填报"] == 1  # noqa: E712 — numpy bool
    # 表四 rows with a blank part cannot be checked on the sum: said so, not claimed to hold
    assert any(c.finding.rule == "blank_cells" and c.finding.table == "t4" for c in summary.checks)
    html = to_html(summary)
    assert "gk-incomplete" in html and "未填报" in html


def test_every_planted_rule_break_shows_in_the_sums_with_its_agency(demo, demo_con):
    planted = [e for e in demo[1].errors if e.rule in BREAKABLE]
    assert len(planted) == 10
    for error in planted:
        district = error.agency[:3]
        for scope in (S.Scope(G.PROVINCE, G.CITY, district), S.Scope(G.PROVINCE, G.CITY)):
            summary = S.load(demo_con, scope, error.year)
            broken = [c for c in summary.checks if c.finding.severity == "error" and c.finding.rule == error.rule]
            assert broken, (error, scope)
            assert any(error.agency in c.agencies for c in broken), (error, [c.agencies for c in broken])


def test_consistent_reports_give_consistent_sums(demo, demo_con):
    # 2023: no rule break was planted in any report
    assert not [e for e in demo[1].errors if e.year == 2023 and e.rule in BREAKABLE]
    summary = S.load(demo_con, S.Scope(G.PROVINCE, G.CITY), 2023)
    assert not [c for c in summary.checks if c.finding.severity == "error"]
    assert summary.check_frame()["级别"].tolist() == ["提示"] * len(summary.checks)


def test_real_county_sums_to_its_one_report_truth(real_db):
    # 福建省/福州市/平潭县 has one report for 2022 (pingtan_2022.html, real): the sum is its figures exactly
    truth = json.loads((FIXTURES / "pingtan_2022.truth.json").read_text(encoding="utf-8"))
    figures = truth["figures"]  # key → value, null = printed blank
    con = duckdb.connect(str(real_db), read_only=True)
    try:
        summary = S.load(con, S.resolve_region("福建省/福州市/平潭县", S.regions(con)), 2022)
        assert_sums_match_sql(con, summary)
    finally:
        con.close()
    assert summary.report_count == 1 and summary.layout == "2021"
    checked = 0
    for key, value in figures.items():
        if key.startswith("t3/other/") or key not in summary.cells:
            continue
        cell = summary.cell(key)
        if value is None:
            assert cell.text() == "—（1 个单位未填报）", key
        else:
            assert cell.exact == value, key
            checked += 1
    assert checked > 100
    assert summary.title == "平潭县2022年政府信息公开工作年度报告汇总表"
    assert summary.scope.whole == "全县"


def test_a_year_of_both_formats_sums_only_matching_rows(tmp_path):
    # one 2019-format report (上海市 办公厅 2019) and one 2021-format report (洪泽区 2024), filed as the same
    # year of the same region: 表三/表四 add up over both, 表二 规章 only within each format
    db = tmp_path / "mixed.duckdb"
    con = store.connect(db)
    con.execute("INSERT INTO regions VALUES ('320813', '江苏省', '淮安市', '洪泽区', '320000', '320800')")
    old = parse_file(FIXTURES / "shanghai_bgt_2019.html")
    new = parse_file(FIXTURES / "hongze_2024.pdf")
    for i, (name, report) in enumerate((("甲局", old), ("乙局", new))):
        agency_id = con.execute("INSERT INTO agencies (name, name_key, adcode, kind, region_source)"
                                " VALUES (?, ?, '320813', '部门', '清单') RETURNING agency_id", [name, name]).fetchone()[0]
        store.insert_report(con, Report(file=f"{i}.txt", agency=name, year=2022, template=report.template,
                                        figures=dict(report.figures), findings=list(report.findings), format="text"),
                            agency_id=agency_id, sha256=f"mixed-{i}", source_file=f"{i}.txt")
    con.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        summary = S.load(con, S.Scope("江苏省", "淮安市"), 2022)
        assert_sums_match_sql(con, summary)
    finally:
        con.close()
    assert summary.format_counts == {"2019": 1, "2021": 1}
    total = summary.cell("t3/new_received/total")
    assert total.reports == 2 and total.exact == old.figures["t3/new_received/total"] + new.figures["t3/new_received/total"]
    issued = summary.cell("t2/regulation/issued")  # 2021 format only
    assert issued.formats == ("2021",) and issued.reports == 1
    made = summary.cell("t2/regulation/made")  # 2019 format only
    assert made.formats == ("2019",) and made.reports == 1
    license_ = summary.cell("t2/license/decisions")  # printed in both
    assert license_.formats == ("2019", "2021") and license_.reports == 2
    other = summary.cell("t3/other_combined/total")
    new_other = new.figures.get("t3/other/total")  # 洪泽区 2024 prints （六） as one row
    # 上海市办公厅 2019 leaves （六） 总计 blank: the combined sum is 洪泽区's alone, shown as a lower bound
    assert old.figures["t3/other/total"] is None and new_other is not None
    assert (other.exact, other.total, other.unfilled) == (None, new_other, 1)
    assert other.text() == f"≥ {S.number_text(new_other)}（1 个单位未填报）"
    assert summary.layout == "2021" and not summary.other_split
    assert any("本年度报告格式不一" in n and "2019 年版" in n for n in summary.notes())
    frame = summary.frame()
    assert "t2/regulation/made" not in set(frame["数字键"])  # not in the 2021 layout: said in the notes
    assert frame.set_index("数字键").loc["t2/regulation/issued", "汇总格式"] == "2021"


def test_region_names_are_checked_against_the_database(demo_con):
    known = S.regions(demo_con)
    assert S.resolve_region(f"{G.PROVINCE}/{G.CITY}", known) == S.Scope(G.PROVINCE, G.CITY)
    assert S.resolve_region(f"{G.PROVINCE}／{G.CITY}／桐湾县", known).whole == "全县"
    assert S.Scope(G.PROVINCE).whole == "全省" and S.Scope("广西壮族自治区").whole == "全区"
    for bad, words in [("江苏省/淮安市", "没有省份“江苏省”"), (f"{G.PROVINCE}/南昌市", "没有“江西省/南昌市”"),
                       (f"{G.PROVINCE}/{G.CITY}/无名县", "请检查区县名称"), ("", "地区格式应为")]:
        with pytest.raises(S.SummaryError, match=words):
            S.resolve_region(bad, known)


# ---------------------------------------------------------------- the layout
def test_t3_layout_merges_as_the_template_prints():
    grid = t3_grid("2021", other_split=True)
    boxes = {(b.row, b.col): b for b in grid.boxes}
    assert (boxes[(0, 3)].text, boxes[(0, 3)].colspan) == ("申请人情况", 7)
    assert (boxes[(1, 4)].text, boxes[(1, 4)].colspan) == ("法人或其他组织", 5)
    groups = {b.text: b.rowspan for b in grid.boxes if b.col == 1 and b.rowspan > 1}
    assert groups == {"（三）不予公开": 8, "（四）无法提供": 3, "（五）不予处理": 5, "（六）其他处理": 3}
    section = next(b for b in grid.boxes if b.text == T.T3_SECTIONS["三"])
    assert section.rowspan == 2 + 8 + 3 + 5 + 3 + 1
    assert grid.rows == 3 + 2 + section.rowspan + 1


# ---------------------------------------------------------------- the files
def test_docx_holds_the_template_tables_with_the_exact_sums(demo, demo_con, tmp_path):
    summary = S.load(demo_con, S.Scope(G.PROVINCE, G.CITY), 2023)
    path = tmp_path / "s.docx"
    path.write_bytes(to_docx(summary))
    doc = Document(str(path))
    assert doc.paragraphs[0].text == "青岚市2023年政府信息公开工作年度报告汇总表"
    assert doc.paragraphs[1].text.startswith("2023年，全市各级行政机关共收到政府信息公开申请")
    t2, t3, t4 = doc.tables
    # 表三: the 申请人情况 header is one cell over the seven columns; （三）不予公开 one cell over its 8 items
    assert t3.cell(0, 3).text == "申请人情况" and t3.cell(0, 3)._tc is t3.cell(0, 9)._tc
    assert t3.cell(1, 4).text == "法人或其他组织" and t3.cell(1, 4)._tc is t3.cell(1, 8)._tc
    assert t3.cell(3, 3).text == S.number_text(summary.cell("t3/new_received/natural_person").total)
    assert t3.cell(3, 9).text == S.number_text(summary.cell("t3/new_received/total").exact)
    denied = [r for r in range(len(t3.rows)) if t3.cell(r, 1).text == "（三）不予公开"]
    # a vertical merge: the first cell restarts it, the seven below continue it (python-docx reads their text)
    vmerge = [t3._tbl.tr_lst[r].tc_lst[1].vMerge for r in denied]  # the XML cells of the group column
    assert len(denied) == 8 and vmerge == ["restart"] + ["continue"] * 7
    last = len(t3.rows) - 1
    assert t3.cell(last, 0).text == T.T3_SECTIONS["四"]
    assert t3.cell(last, 9).text == S.number_text(summary.cell("t3/carried_forward/total").exact)
    # 表四: 行政复议 over five columns, 行政诉讼 over ten; the figures in the template's order
    assert t4.cell(0, 0).text == "行政复议" and t4.cell(0, 0)._tc is t4.cell(0, 4)._tc
    assert t4.cell(0, 5).text == "行政诉讼" and t4.cell(0, 5)._tc is t4.cell(0, 14)._tc
    keys = [f"t4/{r}/{c}" for r, _ in T.T4_ROWS for c in T.T4_COLUMN_KEYS]
    assert [t4.cell(3, i).text for i in range(15)] == [summary.cell(k).text() for k in keys]
    # 表二 (2021 format): 行政规范性文件 本年制发件数
    row = next(r for r in t2.rows if r.cells[0].text == "行政规范性文件")
    assert row.cells[1].text == summary.cell("t2/normative_doc/issued").text()


def test_docx_renders_in_libreoffice(demo, demo_con, tmp_path):
    soffice = shutil.which("soffice")
    if not soffice or not shutil.which("pdftotext"):
        pytest.skip("没有 LibreOffice 或 pdftotext，跳过 DOCX 渲染检查")
    summary = S.load(demo_con, S.Scope(G.PROVINCE, G.CITY), 2023)
    (tmp_path / "s.docx").write_bytes(to_docx(summary))
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "s.docx")], check=True, capture_output=True, timeout=120)
    # -raw: the text in the order LibreOffice draws it, so a label wrapped inside its narrow merged cell
    # ("（三）不\n予公开" with CJK fonts) reads whole once line breaks are dropped
    text = subprocess.run(["pdftotext", "-raw", str(tmp_path / "s.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    for words in ("青岚市2023年政府信息公开工作年度报告汇总表", "申请人情况", "法人或其他组织", "（三）不予公开",
                  "未经复议直接起诉", S.number_text(summary.cell("t3/new_received/total").exact)):
        assert words.replace(" ", "") in re.sub(r"\s+", "", text), words


def test_xlsx_lays_out_the_tables_and_lists_the_sums(demo, demo_con, tmp_path):
    summary = S.load(demo_con, S.Scope(G.PROVINCE, G.CITY, "望岭区"), 2024)
    path = tmp_path / "s.xlsx"
    path.write_bytes(to_xlsx(summary))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总表", "数据", "说明"]
    sheet = wb["汇总表"]
    assert sheet["A1"].value == "望岭区2024年政府信息公开工作年度报告汇总表"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    header = next(c for row in sheet.iter_rows() for c in row if c.value == "申请人情况")
    assert f"{header.coordinate}:{header.offset(0, 6).coordinate}" in merged
    data = wb["数据"]
    rows = list(data.iter_rows(values_only=True))
    columns = rows[0]
    by_key = {r[columns.index("数字键")]: r for r in rows[1:]}
    frame = summary.frame()
    assert len(by_key) == len(frame)
    received = by_key["t3/new_received/total"]
    assert received[columns.index("汇总")] == summary.cell("t3/new_received/total").exact
    blank = by_key["t4/review/corrected"]  # 望岭区生态环境分局 leaves it blank
    assert blank[columns.index("汇总")] is None and blank[columns.index("未填报")] == 1


# ---------------------------------------------------------------- the command
runner = CliRunner()


def test_cli_writes_each_format(demo, tmp_path):
    db = demo[0]
    for fmt in ("docx", "xlsx", "html"):
        out = tmp_path / f"s.{fmt}"
        result = runner.invoke(app, ["summary", "--db", str(db), "--region", f"{G.PROVINCE}/{G.CITY}",
                                     "--year", "2024", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "青岚市2024年政府信息公开工作年度报告汇总表" in result.output
        assert f"已写入 {out}（94 个单位）" in result.output.replace("\n", "")
        assert out.stat().st_size > 5000
    assert "<h1>青岚市2024年政府信息公开工作年度报告汇总表</h1>" in (tmp_path / "s.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("args,message", [
    (["--region", "江苏省/南京市", "--year", "2024"], "没有省份“江苏省”"),
    (["--region", f"{G.PROVINCE}/{G.CITY}", "--year", "2018"], "没有 2018 年度的报告，无法汇总（有报告的年度：2019、"),
    (["--region", f"{G.PROVINCE}/{G.CITY}", "--year", "2024", "--format", "pdf"], "不支持的格式“pdf”"),
])
def test_cli_refuses_in_chinese_with_exit_2(demo, tmp_path, args, message):
    out = tmp_path / "s.docx"
    result = runner.invoke(app, ["summary", "--db", str(demo[0]), *args, "--out", str(out)])
    assert result.exit_code == 2
    assert message in result.output.replace("\n", "")
    assert "Traceback" not in result.output and not out.exists()


def test_cli_on_a_missing_database(tmp_path):
    result = runner.invoke(app, ["summary", "--db", str(tmp_path / "none.duckdb"), "--region", "江苏省",
                                 "--year", "2024", "--out", str(tmp_path / "s.docx")])
    assert result.exit_code == 2 and "找不到数据库" in result.output


def test_agencies_without_a_report_that_year_are_named(demo, demo_con):
    # the demo corpus plants four missing years: each is named in its year's 汇总, and nothing else is
    planted = {(e.agency, e.year) for e in demo[1].errors if e.rule == "missing_year"}
    assert len(planted) == 4
    found = set()
    for year in G.YEARS:
        summary = S.load(demo_con, S.Scope(G.PROVINCE, G.CITY), year)
        found |= {(a, year) for a in summary.missing.agency}
        for agency in summary.missing.agency:
            assert any(agency in n and f"没有 {year} 年度的报告，未计入本表" in n for n in summary.notes())
    assert found == planted
