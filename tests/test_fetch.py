"""`gongkai fetch` against the mock portal (tests/mock_portal.py, 127.0.0.1 only): one command fetches every
report of the portal's columns and ingests it with the right region, agency, year and publication date; the
portal's bad habits each give one clear line and the run goes on; a second run fetches nothing new."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from gongkai.cli import app
from gongkai.fetch.manifest import STATE_FILE, VERSIONS_DIR, Column, load_column_list, read_not_published
from gongkai.fetch.run import CHANGED, FAILED, FETCHED, UNCHANGED, FetchConfig, fetch
from gongkai.ingest import ingest
from gongkai.regions import load_manifest
from mock_portal import FIXTURES, MockPortal, Route, column_list_csv, standard_routes

FAST = ["--rate", "1000", "--timeout", "5"]
# the four reports of the portal: (agency, year) → (province, city, county, published_on, fixture)
EXPECTED = {
    ("平潭综合实验区", 2019): ("福建省", "福州市", "平潭县", "2020-01-20", "pingtan_2019.html"),
    ("平潭综合实验区", 2022): ("福建省", "福州市", "平潭县", "2023-02-20", "pingtan_2022.html"),
    ("淮安市洪泽区人民政府", 2024): ("江苏省", "淮安市", "洪泽区", "2025-04-08", "hongze_2024.pdf"),
    ("上海市人民政府办公厅", 2019): ("上海市", "上海市", None, "2020-01-31", "shanghai_bgt_2019.html"),
}


def fast_config(**kw) -> FetchConfig:
    return FetchConfig(**{"rate": 1000, "backoff": 0.01, "timeout": 5, **kw})


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def fetched(tmp_path_factory):
    """One `gongkai fetch --list … --ingest` of the mock portal, then a second identical run."""
    tmp = tmp_path_factory.mktemp("fetch")
    with MockPortal() as portal:
        listing = tmp / "栏目清单.csv"
        listing.write_text(column_list_csv(portal.base), encoding="utf-8")
        args = ["fetch", "--list", str(listing), "--out", str(tmp / "raw"), *FAST, "--years", "2019-2024",
                "--ingest", "--db", str(tmp / "db.duckdb")]
        first = run_cli(*args)
        hits_first = dict(portal.hits)
        db_bytes = (tmp / "db.duckdb").read_bytes()
        second = run_cli(*args)
        hits_second = {k: v - hits_first.get(k, 0) for k, v in portal.hits.items()}
        yield {"tmp": tmp, "base": portal.base, "first": first, "second": second, "hits_first": hits_first,
               "hits_second": hits_second, "db_bytes": db_bytes}


def db_rows(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# ---------------------------------------------------------------- one command: fetch and ingest
def test_every_report_is_ingested_with_region_agency_year_and_date(fetched):
    assert fetched["first"].exit_code == 1, fetched["first"].output  # some portal items are broken
    rows = db_rows(fetched["tmp"] / "db.duckdb", """
        SELECT a.name, r.year, g.province, g.city, g.county, r.published_on::VARCHAR, a.region_source
        FROM reports r JOIN agencies a USING (agency_id) JOIN regions g USING (adcode) ORDER BY ALL""")
    assert {(r[0], r[1]): r[2:6] for r in rows} == {k: v[:4] for k, v in EXPECTED.items()}
    assert {r[6] for r in rows} == {"清单"}  # region from the column list, not guessed from the name


def test_saved_files_are_the_portals_bytes(fetched):
    manifest = list(csv.DictReader((fetched["tmp"] / "raw" / "manifest.csv").open(encoding="utf-8-sig")))
    reports = [r for r in manifest if r["状态"] == "已获取"]
    assert len(reports) == 4
    for row in reports:
        agency, year = row["单位"], int(row["年度"])
        fixture = FIXTURES / EXPECTED[(agency, year)][4]
        saved = (fetched["tmp"] / "raw" / row["文件"]).read_bytes()
        if fixture.name.startswith("shanghai"):  # the portal serves it as GBK (declared UTF-8)
            assert saved == fixture.read_text(encoding="utf-8").encode("gb18030")
        else:
            assert saved == fixture.read_bytes()
        assert row["发布日期"] == EXPECTED[(agency, year)][3]
        assert len(row["sha256"]) == 64 and row["网址"].startswith(fetched["base"])
    hongze = next(r for r in reports if r["单位"] == "淮安市洪泽区人民政府")
    assert hongze["内容类型"] == "application/pdf" and hongze["文件"].endswith(".pdf")  # the attachment, behind a 302


def test_figures_of_the_fetched_reports_are_the_printed_ones(fetched):
    db = fetched["tmp"] / "db.duckdb"
    for (agency, year), expected in EXPECTED.items():
        truth = json.loads((FIXTURES / expected[4]).with_suffix(".truth.json").read_text(encoding="utf-8"))
        stored = dict(db_rows(db, """
            SELECT f."table" || '/' || f."row" || '/' || f."column", f.value FROM figures f
            JOIN reports r USING (report_id) JOIN agencies a USING (agency_id) WHERE a.name = ? AND r.year = ?""",
                              [agency, year]))
        assert stored == {k: None if v is None else float(v) for k, v in truth["figures"].items()}, agency


def test_manifest_is_what_ingest_reads(fetched):
    path = fetched["tmp"] / "raw" / "manifest.csv"
    entries = load_manifest(path)
    rows = [e for key, e in entries.items() if "/" in key]  # (each is also under its bare file name)
    assert sorted((e.agency, e.published_on.isoformat(), e.region.county) for e in rows) == [
        ("上海市人民政府办公厅", "2020-01-31", None),
        ("平潭综合实验区", "2020-01-20", "平潭县"),
        ("平潭综合实验区", "2023-02-20", "平潭县"),
        ("淮安市洪泽区人民政府", "2025-04-08", "洪泽区"),
    ]


def test_each_bad_habit_of_the_portal_is_one_clear_line(fetched):
    out = fetched["first"].output
    base = fetched["base"]
    assert "新获取 4 个，内容有变化 0 个，未变化 0 个，跳过 1 个，失败 3 个" in out
    assert f"失败：2020年上海市人民政府办公厅政府信息公开工作年度报告（{base}/loop/a.html）：重定向循环（网址在重定向中重复出现），未获取" in out
    assert (f"失败：2021年上海市人民政府办公厅政府信息公开工作年度报告（{base}/shanghai/nj/2021.pdf）："
            "链接指向 PDF 文件，但服务器返回的是网页或文本（可能是错误页面，内容类型 text/html），未保存") in out
    assert (f"失败：2018年上海市人民政府办公厅政府信息公开工作年度报告（{base}/shanghai/nj/2018.html）："
            "网页中既没有报告正文也没有附件（可能是错误页面或报告已撤下；网页标题：404 页面不存在）") in out
    assert (f"跳过：淮安市洪泽区人民政府2023年政府信息公开工作年度报告（{base}/private/hz2023.html）："
            "网站的 robots.txt 不允许抓取此地址，已跳过") in out
    hits = fetched["hits_first"]
    assert "/private/hz2023.html" not in hits  # robots.txt honoured: never asked
    assert hits["/pingtan/nj/202001/t20200120_80576.htm"] == 2  # the 500 was retried once, then served
    assert hits["/pingtan/nj/index_1.html"] == 1 and hits["/hongze/list_2.html"] == 1  # pager script, 下一页
    assert hits["/shanghai/nj/data/list.json"] == 1  # the JSON list the page loads
    assert hits["/loop/a.html"] == 1 and hits["/loop/b.html"] == 1  # the loop is seen at its first repeat
    assert hits["/hongze/att/download"] == 1 and hits["/hongze/att/hongze_2024.pdf"] == 1  # the 302 followed


def test_second_run_fetches_nothing_new(fetched):
    second = fetched["second"]
    assert "新获取 0 个，内容有变化 0 个，未变化 4 个" in second.output
    assert "导入 0 个" in second.output and "跳过 4 个已导入的文件" in second.output
    # the documents were asked for with their validators: 304, no body sent again
    hits = fetched["hits_second"]
    assert hits["/hongze/att/hongze_2024.pdf"] == 1 and hits["/pingtan/nj/202302/t20230220_6004.htm"] == 1
    assert (fetched["tmp"] / "db.duckdb").read_bytes() == fetched["db_bytes"]  # the database did not change


def test_late_and_not_published_are_in_gongkai_check(fetched):
    result = run_cli("check", "--db", str(fetched["tmp"] / "db.duckdb"), "--json")
    found = json.loads(result.stdout)
    late = [(f["agency"], f["year"], f["message"]) for f in found if f["rule"] == "late_publication"]
    assert late == [("淮安市洪泽区人民政府", 2024, "2024年度报告于 2025-04-08 发布，晚于条例第四十九条规定的人民政府发布期限"
                                              " 2025-03-31（逾期 8 天）")]
    missing = sorted((f["agency"], f["year"]) for f in found if f["rule"] == "not_published")
    # years 2019–2024; a year whose report link was seen (even if it failed, or robots forbade it) is published
    assert missing == sorted(
        [("上海市人民政府办公厅", y) for y in (2022, 2023, 2024)]
        + [("平潭综合实验区", y) for y in (2020, 2021, 2023, 2024)]
        + [("平潭综合实验区财政金融局", y) for y in range(2019, 2025)]
        + [("淮安市洪泽区人民政府", y) for y in (2019, 2020, 2021, 2022)])
    message = next(f["message"] for f in found if f["rule"] == "not_published" and f["agency"] == "平潭综合实验区财政金融局")
    assert message.startswith("平潭综合实验区财政金融局的政府信息公开年报栏目中没有2019年度报告（栏目：http://127.0.0.1:")


# ---------------------------------------------------------------- changed after publication
def test_a_report_edited_after_publication_keeps_both_versions_and_is_a_finding(tmp_path):
    routes = standard_routes()
    with MockPortal(routes) as portal:
        column = Column(f"{portal.base}/pingtan/nj/index.html", "平潭综合实验区", "福建省", "福州市", "平潭县")
        out, db = tmp_path / "raw", tmp_path / "db.duckdb"
        first = fetch([column], out, fast_config(), now=datetime(2024, 2, 1, 9, 0))
        assert [r.status for r in first.results] == [FETCHED, FETCHED]
        ingest([out], db, manifest=first.manifest, workers=1)
        # the portal edits the 2022 report: one figure of 表二 changes
        page = "/pingtan/nj/202302/t20230220_6004.htm"
        routes[page] = Route(routes[page].body.replace(b"10690", b"10691"))
        second = fetch([column], out, fast_config(), now=datetime(2024, 5, 6, 9, 0))
    assert sorted(r.status for r in second.results) == [CHANGED, UNCHANGED]
    changed = next(r for r in second.results if r.status == CHANGED)
    assert "新旧两个版本都已保留" in changed.message
    # both versions on disk: the old one under .versions/ (which a folder ingest skips)
    state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    doc = state["documents"][f"{portal.base}{page}"]
    old_file = doc["previous"][0]["file"]
    assert old_file.startswith(VERSIONS_DIR + "/")
    assert (out / old_file).read_bytes() == (FIXTURES / "pingtan_2022.html").read_bytes()
    assert b"10691" in (out / doc["file"]).read_bytes()
    summary = ingest([out], db, manifest=second.manifest, workers=1)
    assert [r.status for r in summary.results if r.status != "skipped"] == ["replaced"]
    rows = db_rows(db, """SELECT f.message, f.cells, f.printed, f.expected FROM findings f
                          WHERE f.rule = 'changed_after_publication'""")
    assert len(rows) == 1
    message, cells, printed, expected = rows[0]
    assert cells == ["t2/license/decisions"]
    assert message.startswith("2022年度报告发布后被修改：2024-02-01 获取的版本与 2024-05-06 获取的版本数字不同（共 1 项）：")
    assert message.endswith("10,690 → 10,691")
    assert json.loads(printed) == {"date": "2024-05-06", "values": {"t2/license/decisions": 10691.0}}
    assert json.loads(expected) == {"date": "2024-02-01", "values": {"t2/license/decisions": 10690.0}}
    # the newer version is the stored report
    assert db_rows(db, """SELECT f.value FROM figures f JOIN reports r USING (report_id)
                          WHERE r.year = 2022 AND f."row" = 'license'""") == [(10691.0,)]


# ---------------------------------------------------------------- limits
def test_a_slow_page_times_out_with_retries_and_the_run_goes_on(tmp_path):
    routes = standard_routes(slow=0.5)
    routes["/pingtan/nj/202001/t20200120_80576.htm"].fail_first = 0
    with MockPortal(routes) as portal:
        summary = fetch([Column(f"{portal.base}/pingtan/nj/index.html", "平潭综合实验区")], tmp_path,
                        fast_config(timeout=0.2, retries=1))
        assert portal.hits["/pingtan/nj/202001/t20200120_80576.htm"] == 2  # asked, timed out, asked again
    by_url = {r.url.rsplit("/", 1)[1]: r for r in summary.results}
    assert (by_url["t20200120_80576.htm"].status, by_url["t20200120_80576.htm"].message) == (
        FAILED, "请求超时（共尝试 2 次）")
    assert by_url["t20230220_6004.htm"].status == FETCHED
    assert not summary.ok


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    with MockPortal() as portal:
        summary = fetch([Column(f"{portal.base}/hongze/list.html", "淮安市洪泽区人民政府")], tmp_path,
                        fast_config(max_bytes=100_000))
    result = next(r for r in summary.results if "2024" in r.title)
    assert result.status == FAILED
    assert result.message == ("附件 洪泽区2024年政府信息公开工作年度报告.pdf：文件过大（0.2 MB，上限 0.1 MB），未下载")
    assert not any(p.suffix == ".pdf" for p in tmp_path.rglob("*"))


def test_a_url_argument_without_a_list_names_the_agency_from_the_report(tmp_path):
    with MockPortal() as portal:
        result = run_cli("fetch", f"{portal.base}/pingtan/nj/index.html", "--out", str(tmp_path / "raw"), *FAST,
                         "--ingest", "--db", str(tmp_path / "db.duckdb"))
    assert result.exit_code == 0, result.output
    assert "新获取 2 个" in result.output and "导入 2 个" in result.output
    rows = db_rows(tmp_path / "db.duckdb", """SELECT a.name, r.year, g.county, a.region_source FROM reports r
        JOIN agencies a USING (agency_id) JOIN regions g USING (adcode) ORDER BY r.year""")
    assert rows == [("平潭综合实验区", 2019, "平潭县", "名称识别"), ("平潭综合实验区", 2022, "平潭县", "名称识别")]


def test_usage_errors_are_one_chinese_line(tmp_path):
    assert run_cli("fetch", "--out", str(tmp_path)).exit_code == 2
    bad = run_cli("fetch", "ftp://example/x", "--out", str(tmp_path))
    assert bad.exit_code == 2 and "“ftp://example/x”不是网址" in bad.output
    listing = tmp_path / "l.csv"
    listing.write_text("栏目地址,单位,省,市,区县\nhttp://127.0.0.1:9/x,某局,江苏省,火星市,\n", encoding="utf-8")
    bad = run_cli("fetch", "--list", str(listing), "--out", str(tmp_path))
    assert bad.exit_code == 2 and "栏目清单 l.csv 第 2 行：江苏省下找不到城市“火星市”" in bad.output
    bad = run_cli("fetch", "http://127.0.0.1:9/x", "--years", "2024-2019", "--out", str(tmp_path))
    assert bad.exit_code == 2 and "年度范围 2024-2019 的起止写反了" in bad.output


def test_column_list_reads_chinese_headers_and_gbk(tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes("栏目地址,单位,省,市,区县\nhttps://a.gov.cn/nb/,洪泽区财政局,江苏省,淮安市,洪泽区\n".encode("gbk"))
    assert load_column_list(path) == [Column("https://a.gov.cn/nb/", "洪泽区财政局", "江苏省", "淮安市", "洪泽区")]


def test_not_published_rows_round_trip_through_the_manifest(fetched):
    rows = read_not_published(fetched["tmp"] / "raw" / "manifest.csv")
    caijin = [r for r in rows if r.agency == "平潭综合实验区财政金融局"]
    assert [r.year for r in caijin] == [2019, 2020, 2021, 2022, 2023, 2024]
    assert (caijin[0].province, caijin[0].city, caijin[0].county) == ("福建省", "福州市", "平潭县")
    assert caijin[0].column == f"{fetched['base']}/caijin/index.html"


def test_an_attachment_that_is_an_error_page_and_a_column_that_is_one(tmp_path):
    routes = standard_routes()
    routes["/hongze/att/hongze_2024.pdf"] = Route((FIXTURES / "portal" / "error_page.html").read_bytes())
    routes["/gone/index.html"] = Route((FIXTURES / "portal" / "error_page.html").read_bytes())
    with MockPortal(routes) as portal:
        columns = [Column(f"{portal.base}/hongze/list.html", "淮安市洪泽区人民政府"),
                   Column(f"{portal.base}/gone/index.html", "某某局")]
        summary = fetch(columns, tmp_path, fast_config(), now=datetime(2026, 1, 1))
    result = next(r for r in summary.results if "2024" in r.title)
    assert (result.status, result.message) == (
        FAILED, "附件 洪泽区2024年政府信息公开工作年度报告.pdf：链接指向 PDF 文件，但服务器返回的是网页或文本"
                "（可能是错误页面，内容类型 text/html），未保存")
    assert summary.column_problems == [
        f"{portal.base}/gone/index.html：栏目页中没有找到列表条目（可能是错误页面，或列表由脚本从接口加载），未计入“未发布”"]
    assert not summary.ok
    assert [m.agency for m in summary.missing] == []  # an unreadable column says nothing about its agency


def test_two_fetches_into_one_folder_are_refused(tmp_path):
    import fcntl

    from gongkai.fetch.run import LOCK_FILE

    with (tmp_path / LOCK_FILE).open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running fetch holds it
        result = run_cli("fetch", "http://127.0.0.1:9/nb/index.html", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert f"另一个获取任务正在写入 {tmp_path}，请等它结束后再试" in result.output


def test_a_combined_column_without_an_agency_lists_each_titled_agency(tmp_path):
    """A district column listing several agencies' reports: not_published per agency the titles name."""
    from gongkai.fetch.manifest import not_published

    column = Column("https://x.gov.cn/nb/index.html")
    owners = [(("c", "甲局"), column, "甲局"), (("c", "乙局"), column, "乙局")]
    missing = not_published(owners, {("c", "甲局"): {2022, 2023}, ("c", "乙局"): {2023}}, None,
                            datetime(2024, 6, 1).date())
    assert [(m.agency, m.year) for m in missing] == [("乙局", 2022)]
    # a year whose deadline has not passed is not missing yet (部门: 1月31日 of the next year)
    assert not_published(owners, {("c", "甲局"): {2022}, ("c", "乙局"): set()}, {2023},
                         datetime(2024, 1, 31).date()) == []


def test_the_manifest_applies_when_the_parent_folder_is_ingested(fetched, tmp_path):
    db = tmp_path / "db.duckdb"
    summary = ingest([fetched["tmp"]], db, manifest=fetched["tmp"] / "raw" / "manifest.csv", workers=1)
    assert summary.count("stored") == 4
    rows = db_rows(db, "SELECT DISTINCT a.region_source FROM agencies a JOIN reports r USING (agency_id)")
    assert rows == [("清单",)]
