"""Ingest (gongkai/ingest.py) and regions (gongkai/regions.py): folders in, exact rows out; idempotent;
replacement per agency-year; a bad file costs only itself; readers beside a writer; the CLI."""

from __future__ import annotations

import fcntl
import json
import random
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from gongkai import regions, store
from gongkai.cli import app
from gongkai.demo.render import random_report, render_text
from gongkai.ingest import IngestError, ingest
from gongkai.parser import parse_file

FIXTURES = Path(__file__).parent / "fixtures"
REAL = ["000_604589b9a90ba4e6.txt", "hongze_2024.pdf", "pingtan_2019.html", "pingtan_2022.html",
        "shanghai_bgt_2019.html"]


def dump(db: Path) -> dict[str, list]:
    """Every row of every table except ingest times (what 'changes nothing' compares)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall():
            out[table] = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        return out
    finally:
        con.close()


def write_report(folder: Path, name: str, agency: str, year: int, seed: int = 0, **figures) -> Path:
    spec = random_report(random.Random(seed), "2021" if year >= 2021 else "2019", agency=agency, year=year)
    spec.figures.update({k.replace("__", "/"): v for k, v in figures.items()})
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_text(spec))
    return path


@pytest.fixture(scope="module")
def fixtures_db(tmp_path_factory) -> tuple[Path, object]:
    db = tmp_path_factory.mktemp("fx") / "gongkai.duckdb"
    return db, ingest([FIXTURES], db)


# ---------------------------------------------------------------- the real fixtures
def test_ingesting_the_fixtures_gives_exactly_the_expected_rows(fixtures_db):
    db, summary = fixtures_db
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(
        "SELECT a.name, a.name_key, a.kind::VARCHAR, a.adcode, a.region_source, g.province, g.city, g.county,"
        " r.year, r.template::VARCHAR, r.source_file, r.format, r.is_demo"
        " FROM reports r JOIN agencies a USING (agency_id) LEFT JOIN regions g USING (adcode) ORDER BY r.source_file"
    ).fetchall() == [
        ("台儿庄区工业和信息化局", "台儿庄区工业和信息化局", "部门", "370405", "名称识别", "山东省", "枣庄市", "台儿庄区",
         2024, "2021", "000_604589b9a90ba4e6.txt", "text", False),
        ("淮安市洪泽区人民政府", "洪泽区人民政府", "人民政府", "320813", "名称识别", "江苏省", "淮安市", "洪泽区",
         2024, "2021", "hongze_2024.pdf", "pdf", False),
        ("平潭综合实验区", "平潭综合实验区", "人民政府", "350128", "名称识别", "福建省", "福州市", "平潭县",
         2019, "2019", "pingtan_2019.html", "html", False),
        ("平潭综合实验区", "平潭综合实验区", "人民政府", "350128", "名称识别", "福建省", "福州市", "平潭县",
         2022, "2021", "pingtan_2022.html", "html", False),
        ("上海市人民政府办公厅", "上海市人民政府办公厅", "部门", "310000", "名称识别", "上海市", "上海市", None,
         2019, "2019", "shanghai_bgt_2019.html", "html", False),
    ]
    # every figure exactly as the truth files record it, blanks as NULL
    for name in REAL:
        truth = json.loads((FIXTURES / name).with_suffix(".truth.json").read_text(encoding="utf-8"))
        stored = con.execute(
            "SELECT \"table\"::VARCHAR || '/' || \"row\"::VARCHAR || '/' || \"column\"::VARCHAR, value"
            " FROM figures JOIN reports USING (report_id) WHERE source_file = ?", [name]).fetchall()
        assert dict(stored) == {k: None if v is None else float(v) for k, v in truth["figures"].items()}, name
        assert (truth["region"][0], truth["region"][1], truth["region"][2]) == con.execute(
            "SELECT province, city, county FROM report_wide WHERE source_file = ?", [name]).fetchone()
    # the findings of our own rules; the parser's findings are stored as it reports them
    assert con.execute(
        "SELECT source::VARCHAR, a.name, f.year, rule, severity::VARCHAR FROM findings f JOIN agencies a USING"
        " (agency_id) WHERE source <> 'parse' ORDER BY ALL").fetchall() == [
        ("cross_year", "平潭综合实验区", 2020, "missing_year", "warning"),
        ("cross_year", "平潭综合实验区", 2021, "missing_year", "warning"),
        ("text", "淮安市洪泽区人民政府", 2024, "text_vs_table", "warning"),
    ]
    for name in REAL:
        expected = sorted((f.rule, f.message) for f in parse_file(FIXTURES / name).findings)
        assert sorted(con.execute(
            "SELECT rule, message FROM findings JOIN reports USING (report_id)"
            " WHERE source = 'parse' AND source_file = ?", [name]).fetchall()) == expected, name
    assert con.execute("SELECT count(*) FROM report_wide").fetchone() == (5,)
    con.close()
    # the summary: five stored; the only failures are files that are not (yet) readable reports
    stored = sorted(r.path.name for r in summary.results if r.status == "stored")
    assert stored == sorted(REAL)
    failed = {r.path.relative_to(FIXTURES).as_posix(): r.message for r in summary.failed}
    assert failed.pop("spec_README.md") == "不是政府信息公开工作年度报告：没有找到表二、表三、表四中的任何一张表"
    # stretch/ holds text transcriptions of the two Pingtan pages: the same agency-years. Read exactly,
    # they are copies (skipped); read differently, they conflict with the page and are not imported;
    # unreadable, they fail. Never do they replace the page.
    others = {r.path.relative_to(FIXTURES).as_posix(): (r.status, r.message) for r in summary.results
              if r.path.parent.name == "stretch"}
    assert set(others) == {"stretch/pingtan_2019.txt", "stretch/pingtan_2022.txt"}
    for name, (status, message) in others.items():
        year = name[-8:-4]
        assert status in ("failed", "skipped"), name
        assert (message.startswith(f"与本批中的 pingtan_{year}.html 同为平潭综合实验区 {year}年的报告，但数字不同，未导入")
                or message.startswith(f"与已导入的 pingtan_{year}.html 数字完全相同")
                or message.startswith("不是政府信息公开工作年度报告")), message
    # word97/ holds the real reports saved as Word 97 .doc and RTF (by LibreOffice): read exactly, each is
    # the same report as its source file, found a copy and skipped.
    copies = {r.path.name: (r.status, r.message) for r in summary.results if r.path.parent.name == "word97"}
    # (and reader fixtures that are not reports)
    for name in ["nested_tables.doc", "nested_tables.rtf", "numbered_lists.doc", "numbered_lists.rtf"]:
        assert copies.pop(name) == ("failed", "不是政府信息公开工作年度报告：没有找到表二、表三、表四中的任何一张表")
    sources = {p.stem: p.name for p in FIXTURES.iterdir() if p.name in REAL}
    assert copies == {
        name: ("skipped", f"与已导入的 {sources[Path(name).stem.removesuffix('_docx')]} 数字完全相同（同一报告的另一份文件），保留原文件")
        for name in ["000_604589b9a90ba4e6.doc", "hongze_2024.doc", "hongze_2024.rtf", "pingtan_2019.doc",
                     "pingtan_2022.doc", "pingtan_2022_docx.doc", "shanghai_bgt_2019.doc", "shanghai_bgt_2019.rtf"]}
    assert {p.suffix for p in summary.ignored} == {".json", ".csv", ".py"}  # word97/make_fixtures.py


def test_ingesting_the_fixtures_again_changes_nothing(fixtures_db):
    db, _ = fixtures_db
    before, version = dump(db), store.database_version(db)
    summary = ingest([FIXTURES], db)
    assert store.database_version(db) == version  # the file was not even rewritten
    assert dump(db) == before
    assert sorted(r.path.name for r in summary.results if r.status == "skipped" and r.path.parent == FIXTURES
                  ) == sorted(REAL)
    assert summary.count("stored", "replaced") == 0
    assert summary.lines()[0].startswith("共 ")
    assert "跳过 13 个已导入的文件" in summary.lines()[0]  # the five reports and word97/'s eight copies
    assert summary.cross_year_findings == 2


# ---------------------------------------------------------------- agencies, replacement, bad files
def test_one_agency_across_spellings_and_replacement_of_an_agency_year(tmp_path):
    db = tmp_path / "g.duckdb"
    write_report(tmp_path / "in", "2023.txt", "洪泽区人民政府", 2023, seed=1)
    write_report(tmp_path / "in", "2024.txt", "淮安市洪泽区人民政府", 2024, seed=2)
    first = ingest([tmp_path / "in"], db)
    assert [r.status for r in first.results] == ["stored", "stored"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT agency_id, name, name_key, kind::VARCHAR FROM agencies").fetchall() == [
        (1, "淮安市洪泽区人民政府", "洪泽区人民政府", "人民政府")]
    assert con.execute("SELECT name FROM agency_names ORDER BY name").fetchall() == [
        ("洪泽区人民政府",), ("淮安市洪泽区人民政府",)]
    con.close()

    # a corrected 2024 report arrives: it replaces the old one and says so
    write_report(tmp_path / "new", "2024_v2.txt", "淮安市洪泽区人民政府", 2024, seed=3)
    second = ingest([tmp_path / "new"], db)
    [result] = second.results
    assert (result.status, result.message) == ("replaced", "替换了淮安市洪泽区人民政府 2024年的旧报告（2024.txt）")
    assert "替换：" in "\n".join(second.lines())
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT year, source_file FROM reports ORDER BY year").fetchall() == [
        (2023, "2023.txt"), (2024, "2024_v2.txt")]
    assert con.execute("SELECT count(DISTINCT report_id) FROM figures").fetchone() == (2,)
    assert con.execute("SELECT count(*) FROM report_wide").fetchone() == (2,)
    con.close()

    # the old file again: known content, skipped, nothing changes back
    again = ingest([tmp_path / "in" / "2024.txt"], db)
    assert [r.status for r in again.results] == ["skipped"]


def test_another_file_of_the_same_report_is_kept_out(tmp_path):
    db = tmp_path / "g.duckdb"
    original = write_report(tmp_path, "a.txt", "洪泽区教育局", 2024, seed=5)
    copy = tmp_path / "b.txt"
    copy.write_bytes(original.read_bytes() + "\n（网页转存）\n".encode())
    summary = ingest([original, copy], db)
    assert [(r.path.name, r.status) for r in summary.results] == [("a.txt", "stored"), ("b.txt", "skipped")]
    assert summary.results[1].message == "与已导入的 a.txt 数字完全相同（同一报告的另一份文件），保留原文件"
    assert ingest([copy], db).results[0].status == "skipped"


def test_two_different_reports_for_one_agency_year_in_one_batch_keep_the_first(tmp_path):
    db = tmp_path / "g.duckdb"
    write_report(tmp_path / "in", "a.txt", "洪泽区教育局", 2024, seed=1)
    later = write_report(tmp_path / "in", "b.txt", "洪泽区教育局", 2024, seed=2)
    summary = ingest([tmp_path / "in"], db)
    assert [(r.path.name, r.status, r.message) for r in summary.results] == [
        ("a.txt", "stored", "已导入"),
        ("b.txt", "failed", "与本批中的 a.txt 同为洪泽区教育局 2024年的报告，但数字不同，未导入；如以此文件为准，请单独导入它并加 --replace"),
    ]
    # running the batch again changes nothing; the user decides with --replace
    before = dump(db)
    again = ingest([tmp_path / "in"], db)
    assert [r.status for r in again.results] == ["skipped", "failed"]
    assert again.results[1].message.endswith("请单独导入它并加 --replace")
    assert dump(db) == before
    replaced = ingest([later], db, replace=True)
    assert [(r.status, r.message) for r in replaced.results] == [
        ("replaced", "替换了洪泽区教育局 2024年的旧报告（a.txt）")]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT source_file, outcome FROM ingested_files ORDER BY 1").fetchall() == [
        ("a.txt", "stored"), ("b.txt", "stored")]
    assert con.execute("SELECT source_file FROM reports").fetchall() == [("b.txt",)]
    con.close()


def test_a_bad_file_fails_alone_and_writes_nothing(tmp_path):
    folder = tmp_path / "in"
    write_report(folder, "a.txt", "洪泽区教育局", 2023, seed=1)
    (folder / "b.pdf").write_bytes(b"%PDF-1.4\n this is not a pdf")
    (folder / "c.html").write_text("<html><body><p>通知</p></body></html>", encoding="utf-8")
    write_report(folder, "d.txt", "洪泽区教育局", 2024, seed=2)
    db = tmp_path / "g.duckdb"
    summary = ingest([folder], db)
    assert [(r.path.name, r.status) for r in summary.results] == [
        ("a.txt", "stored"), ("b.pdf", "failed"), ("c.html", "failed"), ("d.txt", "stored")]
    assert summary.results[2].message == "不是政府信息公开工作年度报告：没有找到表二、表三、表四中的任何一张表"
    assert not summary.ok
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT source_file FROM reports ORDER BY 1").fetchall() == [("a.txt",), ("d.txt",)]
    assert con.execute("SELECT count(*) FROM ingested_files").fetchone() == (2,)  # failures are retried next time
    con.close()


def test_region_option_manifest_and_demo_flag(tmp_path):
    folder = tmp_path / "in"
    write_report(folder, "edu.txt", "区教育局", 2024, seed=1)
    write_report(folder, "sub/health.txt", "区卫生健康委员会", 2024, seed=2)
    db = tmp_path / "g.duckdb"
    # without a region the name says nothing: the agency is stored, with a warning saying what to do
    ingest([folder / "edu.txt"], db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT adcode, region_source FROM agencies").fetchall() == [(None, "未识别")]
    assert con.execute("SELECT rule, message FROM findings WHERE rule = 'region_unknown'").fetchall() == [
        ("region_unknown", "未能从单位名称“区教育局”识别所属省/市/区县，请用 --region 或清单指定")]
    con.close()

    manifest = tmp_path / "清单.csv"
    manifest.write_text("文件,省,市,区县,模拟数据\nsub/health.txt,江苏省,淮安市,清江浦区,是\n", encoding="utf-8-sig")
    db2 = tmp_path / "g2.duckdb"
    ingest([folder], db2, region="江苏省/淮安市/洪泽区", manifest=manifest)
    ingest([write_report(tmp_path, "demo.txt", "洪泽区财政局", 2024, seed=3)], db2, demo=True)
    con = duckdb.connect(str(db2), read_only=True)
    assert con.execute(
        "SELECT agency, province, city, county, is_demo FROM report_wide ORDER BY agency").fetchall() == [
        ("区卫生健康委员会", "江苏省", "淮安市", "清江浦区", True),
        ("区教育局", "江苏省", "淮安市", "洪泽区", False),
        ("洪泽区财政局", "江苏省", "淮安市", "洪泽区", True),
    ]
    assert con.execute("SELECT name, region_source FROM agencies ORDER BY name").fetchall() == [
        ("区卫生健康委员会", "清单"), ("区教育局", "命令行 --region"), ("洪泽区财政局", "名称识别")]
    con.close()


def test_a_generated_report_is_demo_data_even_without_the_flag(tmp_path):
    from gongkai.demo.generate import DEMO_NOTICE

    spec = random_report(random.Random(5), "2021", agency="洪泽区水利局", year=2024)
    spec.paragraphs = [*spec.paragraphs, DEMO_NOTICE]
    path = tmp_path / "generated.txt"
    path.write_bytes(render_text(spec))
    db = tmp_path / "g.duckdb"
    ingest([path], db)  # no --demo, no manifest
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT is_demo FROM reports").fetchall() == [(True,)]
    con.close()


# ---------------------------------------------------------------- readers, locks, killed runs
def test_a_reader_keeps_its_view_while_a_batch_is_swapped_in(tmp_path):
    db = tmp_path / "g.duckdb"
    ingest([write_report(tmp_path, "a.txt", "洪泽区教育局", 2023, seed=1)], db)
    reader = duckdb.connect(str(db), read_only=True)  # the dashboard's connection, held open
    ingest([write_report(tmp_path, "b.txt", "洪泽区教育局", 2024, seed=2)], db)  # no lock error
    assert reader.execute("SELECT count(*) FROM reports").fetchone() == (1,)
    reader.close()
    fresh = duckdb.connect(str(db), read_only=True)
    assert fresh.execute("SELECT count(*) FROM reports").fetchone() == (2,)
    fresh.close()


def test_a_second_ingest_waits_its_turn_and_a_killed_runs_copy_is_discarded(tmp_path):
    db = tmp_path / "g.duckdb"
    report = write_report(tmp_path, "a.txt", "洪泽区教育局", 2023, seed=1)
    with open(str(db) + ".ingest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(IngestError, match="另一个导入任务正在写入"):
            ingest([report], db)
    Path(str(db) + ".ingest-tmp").write_bytes(b"half a database from a killed run")
    assert ingest([report], db).results[0].status == "stored"
    assert not Path(str(db) + ".ingest-tmp").exists()


# ---------------------------------------------------------------- the CLI
def test_cli_ingest_exit_status_and_summary(tmp_path):
    runner = CliRunner()
    good = write_report(tmp_path / "in", "a.txt", "洪泽区教育局", 2023, seed=1)
    db = tmp_path / "g.duckdb"
    ok = runner.invoke(app, ["ingest", str(good), "--db", str(db)])
    assert ok.exit_code == 0, ok.output
    assert "共 1 个报告文件：导入 1 个" in ok.output
    (tmp_path / "in" / "bad.docx").write_bytes(b"PK\x03\x04 broken")
    some_failed = runner.invoke(app, ["ingest", str(tmp_path / "in"), "--db", str(db)])
    assert some_failed.exit_code == 1
    assert "失败：" in some_failed.output and "bad.docx" in some_failed.output
    bad_region = runner.invoke(app, ["ingest", str(good), "--db", str(db), "--region", "江苏省/淮安市/鼓楼区"])
    assert bad_region.exit_code == 2
    assert "江苏省淮安市下找不到区县“鼓楼区”" in bad_region.output


def test_cli_check_json(fixtures_db):
    db, _ = fixtures_db
    result = CliRunner().invoke(app, ["check", "--db", str(db), "--json", "--rule", "missing_year"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {"agency": "平潭综合实验区", "year": 2020, "rule": "missing_year", "severity": "warning",
         "message": "缺少2020年的年度报告（该单位有2019年至2022年的报告，中间缺这一年）"},
        {"agency": "平潭综合实验区", "year": 2021, "rule": "missing_year", "severity": "warning",
         "message": "缺少2021年的年度报告（该单位有2019年至2022年的报告，中间缺这一年）"},
    ]
    table = CliRunner().invoke(app, ["check", "--db", str(db)])
    assert table.exit_code == 0 and "核对结果（" in table.output
    missing = CliRunner().invoke(app, ["check", "--db", str(Path(db).parent / "none.duckdb")])
    assert missing.exit_code == 2 and "找不到数据库" in missing.output


# ---------------------------------------------------------------- regions
@pytest.mark.parametrize(
    "name, adcode, name_key, ambiguous",
    [
        ("淮安市洪泽区人民政府", "320813", "洪泽区人民政府", False),
        ("江苏省淮安市洪泽区人民政府", "320813", "洪泽区人民政府", False),
        ("洪泽区人民政府", "320813", "洪泽区人民政府", False),
        ("北京市海淀区教育委员会", "110108", "海淀区教育委员会", False),
        ("国家税务总局南京市税务局", "320100", "国家税务总局南京市税务局", False),  # prefix is not a region
        ("上海市人民政府办公厅", "310000", "上海市人民政府办公厅", False),
        ("平潭综合实验区", "350128", "平潭综合实验区", False),
        ("鼓楼区人民政府", "410204", "鼓楼区人民政府", True),  # four cities have a 鼓楼区
    ],
)
def test_place_reads_region_and_identity_from_the_name(name, adcode, name_key, ambiguous):
    placement = regions.place(name)
    assert (placement.region.adcode, placement.name_key, placement.ambiguous) == (adcode, name_key, ambiguous)


def test_regions_of_adcodes_and_the_region_option():
    assert regions.parse_region("上海市/上海市/黄浦区") == regions.Region(
        "310101", "上海市", "上海市", "黄浦区", "310000", "310100")
    assert regions.parse_region("福建省/福州市/平潭县") == regions.Region(
        "350128", "福建省", "福州市", "平潭县", "350000", "350100")
    assert regions.parse_region("江苏省/淮安市") == regions.Region("320800", "江苏省", "淮安市", None, "320000", "320800")
    with pytest.raises(regions.RegionError, match="找不到省份“江苏”"):
        regions.parse_region("江苏/淮安市")


@pytest.mark.parametrize(
    "name, kind",
    [("淮安市洪泽区人民政府", "人民政府"), ("平潭综合实验区", "人民政府"), ("上海市人民政府办公厅", "部门"),
     ("台儿庄区工业和信息化局", "部门"), ("苏州工业园区管理委员会", "人民政府")],
)
def test_agency_kind(name, kind):
    assert regions.agency_kind(name) == kind


def test_a_write_ahead_log_left_by_a_killed_writer_is_carried_over_not_lost(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "g.duckdb"
    ingest([write_report(tmp_path, "a.txt", "洪泽区教育局", 2023, seed=1)], db)
    # another writer adds a row and dies before any checkpoint: the change lives in g.duckdb.wal only
    subprocess.run([sys.executable, "-c", (
        "import duckdb, os, sys; con = duckdb.connect(sys.argv[1]);"
        " con.execute(\"SET checkpoint_threshold = '1TB'\");"
        " con.execute(\"INSERT INTO meta VALUES ('written_by', 'another writer')\"); os._exit(0)"
    ), str(db)], check=True)
    wal = Path(str(db) + ".wal")
    assert wal.exists()
    ingest([write_report(tmp_path, "b.txt", "洪泽区教育局", 2024, seed=2)], db)
    assert not wal.exists()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM reports").fetchone() == (2,)
    assert con.execute("SELECT value FROM meta WHERE key = 'written_by'").fetchone() == ("another writer",)
    con.close()


def test_a_chunk_that_fails_to_write_is_retried_one_file_per_transaction(tmp_path, monkeypatch):
    from gongkai import ingest as ingest_module

    folder = tmp_path / "in"
    for i, year in enumerate((2022, 2023, 2024)):
        write_report(folder, f"{year}.txt", "洪泽区教育局", year, seed=i)
    real_write = store.write_batch

    def write_batch(con, batch):  # the database refuses whatever holds the 2023 report
        real_write(con, batch)
        if 2023 in batch.reports["year"]:
            raise duckdb.ConstraintException("模拟的数据库错误")

    monkeypatch.setattr(ingest_module.store, "write_batch", write_batch)
    db = tmp_path / "g.duckdb"
    summary = ingest([folder], db)
    assert [(r.path.name, r.status) for r in summary.results] == [
        ("2022.txt", "stored"), ("2023.txt", "failed"), ("2024.txt", "stored")]
    assert summary.results[1].message == "写入数据库失败：模拟的数据库错误"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT year FROM reports ORDER BY year").fetchall() == [(2022,), (2024,)]
    assert con.execute("SELECT count(DISTINCT report_id) FROM figures").fetchone() == (2,)
    assert con.execute("SELECT count(*) FROM ingested_files").fetchone() == (2,)
    con.close()
