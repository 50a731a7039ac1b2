"""No silent loss (issue 10, item 5): a template row the report prints but the parser did not read is an
error naming the row (`missing_row`), its figures are absent from the figures contract (never null),
and blank (未填报) is said only of cells printed empty.  A page with one stray label is not a report."""

import random
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai import rules
from gongkai.demo.render import random_report, render_html, render_markdown, render_text
from gongkai.document import ReadError
from gongkai.parser import parse_bytes

STRETCH = Path(__file__).parent / "fixtures" / "stretch"
T3_COLS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")


def garbled(data: bytes, label: str, instead: str = "■■■■") -> bytes:
    """The report with one printed label replaced by text that names no template row."""
    text = data.decode("utf-8")
    assert text.count(label) == 1, label
    return text.replace(label, instead).encode("utf-8")


@pytest.mark.parametrize("render", [render_markdown, render_text, render_html], ids=["markdown", "text", "html"])
def test_row_not_read_is_an_error_and_absent_not_blank(render):
    spec = random_report(random.Random(3), "2021", True)
    report = parse_bytes(garbled(render(spec), "3.补正后申请内容仍不明确"), "x")
    keys = [f"t3/unable_unclear/{c}" for c in T3_COLS]
    (missing,) = [f for f in report.findings if f.rule == "missing_row"]
    assert (missing.severity, missing.table, missing.row, missing.cells) == ("error", "t3", "unable_unclear", keys)
    printed = " | ".join(str(spec.figures[k]) for k in keys)
    assert missing.message == (
        "表三“（四）无法提供 / 3.补正后申请内容仍不明确”一行未读取：报告有表三（收到和处理申请），"
        f"但没有读到这一行（不是空白），该行数字缺失，请核对原文（本表有未能识别的行：■■■■ | {printed}）"
    )
    # Absent from the figures contract, not null; every other figure exact.
    rows = report.to_json()["figures"]
    assert not [f for f in rows if f["row"] == "unable_unclear"]
    assert {k: v for k, v in spec.figures.items() if k not in keys} == report.figures
    # Nothing calls the row blank (未填报): only printed blanks are.
    for f in report.findings:
        if f.rule == "blank_cells":
            assert not set(f.cells) & set(keys), f.message


def test_table_two_row_not_read_is_named_with_its_format_label():
    spec = random_report(random.Random(5), "2019")
    report = parse_bytes(garbled(render_markdown(spec), "其他对外管理服务事项"), "x.md")
    (missing,) = [f for f in report.findings if f.rule == "missing_row"]
    assert missing.row == "other_service"
    assert missing.cells == ["t2/other_service/prev_items", "t2/other_service/change", "t2/other_service/decisions"]
    assert missing.message.startswith("表二“其他对外管理服务事项”一行未读取")
    assert not any(k.startswith("t2/other_service/") for k in report.figures)


def test_complete_reports_have_no_missing_row():
    for seed, (template, split) in enumerate([("2019", False), ("2021", True), ("2021", False)]):
        spec = random_report(random.Random(seed), template, split, blanks=0.3)
        report = parse_bytes(render_markdown(spec), "x.md")
        assert [f for f in report.findings if f.rule == "missing_row"] == []


def test_unreadable_row_is_not_reported_twice():
    """A row found with the wrong number of cells is `unreadable_row` (with what was seen), not also missing."""
    spec = random_report(random.Random(3), "2021", True)
    text = render_markdown(spec).decode("utf-8")
    line = next(ln for ln in text.splitlines() if "2.重复申请" in ln)
    cut = line.rsplit("|", 2)[0] + "|"  # the row's last cell (its 总计) dropped
    report = parse_bytes(text.replace(line, cut).encode("utf-8"), "x.md")
    (bad,) = [f for f in report.findings if f.rule == "unreadable_row"]
    assert (bad.row, bad.cells) == ("refused_repeat", [f"t3/refused_repeat/{c}" for c in T3_COLS])
    assert "应有 7 个数值单元格，实际读到 6 个" in bad.message
    assert [f for f in report.findings if f.rule == "missing_row"] == []
    assert not any(k.startswith("t3/refused_repeat/") for k in report.figures)


def test_rules_say_not_read_for_absent_cells_and_blank_for_printed_blanks():
    figures = {f"t4/review/{c}": v for c, v in zip(("upheld", "corrected", "other", "pending", "total"), (5, 1, 0, 0, 2))}
    del figures["t4/review/other"]
    (err,) = rules.check(figures)
    assert err.rule == "t4_rows"
    assert "其他结果（未读取）" in err.message and "空白或未读取的单元格" in err.message
    figures["t4/review/total"] = 9  # holds whatever the unread cell is: no finding names it blank
    assert rules.check(figures) == []
    figures["t4/review/other"] = None  # printed blank: said so
    (warn,) = rules.check(figures)
    assert (warn.rule, warn.cells) == ("blank_cells", ["t4/review/other"])
    assert "未填报" in warn.message


def test_run_together_row_without_digits_is_missing_not_an_empty_run():
    text = (STRETCH / "pingtan_2022.txt").read_text(encoding="utf-8")
    assert text.count("2.重复申请 0000000") == 1
    report = parse_bytes(text.replace("2.重复申请 0000000", "2.重复申请 ").encode("utf-8"), "x.txt")
    assert "（）" not in "".join(f.message for f in report.findings)
    (missing,) = [f for f in report.findings if f.rule == "missing_row"]
    assert missing.row == "refused_repeat"
    assert report.figures["t3/refused_petition/total"] == 0 and report.figures["t3/refused_publication/total"] == 0


@pytest.mark.parametrize(
    "content",
    [
        "某单位通知\n\n本年新收政府信息公开申请数量\n",
        "关于做好有关工作的通知\n（三）不予公开\n1.属于国家秘密\n",
        "<html><body><p>三、本年度办理结果</p><table><tr><td>四、结转下年度继续办理</td></tr></table></body></html>",
    ],
)
def test_a_page_with_one_stray_label_is_not_a_report(content):
    with pytest.raises(ReadError, match="^不是政府信息公开工作年度报告"):
        parse_bytes(content.encode("utf-8"), "x")


def test_cli_stray_label_exits_2_with_one_line(tmp_path):
    path = tmp_path / "通知.txt"
    path.write_text("某单位通知\n\n本年新收政府信息公开申请数量\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "gongkai", "parse", str(path), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.strip().count("\n") == 0 and "不是政府信息公开工作年度报告" in out.stderr


# ---------------------------------------------------------------- stored, shown and exported as 未读取
@pytest.fixture(scope="module")
def unread_db(tmp_path_factory):
    """A database holding one report whose 表三 row “3.补正后申请内容仍不明确” was not read and whose
    “1.属于国家秘密” row is printed blank."""
    from gongkai.ingest import ingest

    spec = random_report(random.Random(3), "2021", True)
    for col in T3_COLS:
        if spec.figures[f"t3/denied_secret/{col}"] == 0:
            spec.figures[f"t3/denied_secret/{col}"] = None  # printed blank
    folder = tmp_path_factory.mktemp("unread")
    (folder / "r.md").write_bytes(garbled(render_markdown(spec), "3.补正后申请内容仍不明确"))
    db = folder / "gongkai.duckdb"
    ingest([folder / "r.md"], db, region="江苏省/淮安市/洪泽区", workers=1)
    return db


def test_store_keeps_unread_figures_absent_and_report_figures_says_unread(unread_db):
    import duckdb

    from gongkai import store

    con = duckdb.connect(str(unread_db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM figures WHERE \"row\" = 'unable_unclear'").fetchone() == (0,)
        report_id = con.execute("SELECT report_id FROM reports").fetchone()[0]
        frame = store.run_query(con, "report_figures", {"report_id": report_id})
    finally:
        con.close()
    unread = frame[frame.status == "unread"]
    assert list(unread["row"]) == ["unable_unclear"] * 7 and unread.value.isna().all()
    assert all(any("一行未读取" in m for m in f) for f in unread.findings)
    secret = frame[frame["row"] == "denied_secret"]
    assert set(secret.status) <= {"blank", "printed"} and "blank" in set(secret.status)
    assert set(frame[frame["row"] == "granted"].status) == {"printed"}


def test_report_detail_shows_unread_not_blank(unread_db, monkeypatch):
    import re

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    monkeypatch.setenv("GONGKAI_DB", str(unread_db))
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60)
    at.query_params["report"] = "1"
    at.switch_page("app_pages/report.py")
    at.run()
    assert not at.exception and not at.error
    page = "".join(h.proto.body for h in at.get("html"))
    for col in T3_COLS:
        cell = re.search(rf'<td class="([^"]*)" data-key="t3/unable_unclear/{col}"[^>]*>([^<]*)<', page)
        assert cell and "gk-unread" in cell.group(1) and cell.group(2) == "未读取"
    blanks = re.findall(r'<td class="[^"]*gk-blank[^"]*" data-key="t3/denied_secret/[^"]+"[^>]*>([^<]*)<', page)
    assert blanks and set(blanks) == {"—"}
    # the figures' export on the page says which cells were not read
    exported = next(df.value for df in at.dataframe if "status" in df.value.columns)
    assert set(exported[exported["row"] == "unable_unclear"].status) == {"未读取"}
    assert "未填报" in set(exported[exported["row"] == "denied_secret"].status)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_says_unread_not_blank(unread_db, tmp_path, fmt):
    import openpyxl
    import pandas as pd

    from gongkai.export import COLUMNS, export

    out = tmp_path / f"figures.{fmt}"
    rows = export(unread_db, fmt, out)
    if fmt == "csv":
        frame = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    else:
        sheet = openpyxl.load_workbook(out, read_only=True)["数据"]
        records = list(sheet.iter_rows(values_only=True))
        assert records[0] == COLUMNS
        frame = pd.DataFrame(records[1:], columns=COLUMNS)
    assert len(frame) == rows == 200  # 193 figures read + the 7 cells of the row not read
    unread = frame[frame["row"] == "unable_unclear"]
    assert list(unread.status) == ["未读取"] * 7
    assert all(v == "" or pd.isna(v) for v in unread.value)
    assert "未填报" in set(frame[frame["row"] == "denied_secret"].status)
    assert set(frame[frame["row"] == "granted"].status) == {"已填报"}


def test_cli_summary_prints_unread_not_blank(tmp_path):
    spec = random_report(random.Random(3), "2021", True)
    path = tmp_path / "r.md"
    path.write_bytes(garbled(render_markdown(spec), "3.补正后申请内容仍不明确"))
    out = subprocess.run([sys.executable, "-m", "gongkai", "parse", str(path)], capture_output=True, text=True,
                         timeout=120, env={**__import__("os").environ, "COLUMNS": "400"})
    assert out.returncode == 0, out.stderr
    (line,) = [ln for ln in out.stdout.splitlines() if "3.补正后申请内容仍不明确" in ln and "│" in ln]
    assert line.count("（未读取）") == 7 and "（空白）" not in line
    assert "[missing_row] 表三“（四）无法提供 / 3.补正后申请内容仍不明确”一行未读取" in out.stdout
