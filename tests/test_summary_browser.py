"""The 汇总表 page in a real browser (Playwright on Debian's Chromium, as tests/test_browser.py does): open it
from an address with a city and a year, see the sums of plain SQL in the template's tables, change the year
and see the URL follow, reload and get the same view, download the Word file and the sums as CSV. Skipped
when /usr/bin/chromium or playwright is missing (test_browser's module-level skip)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from dashboard_db import build_dashboard_db
from test_browser import (  # noqa: F401 — browser, page: the fixtures
    browser, choose, expect, page, screenshot, serve, sql_one, url_params, wait_idle)


@pytest.fixture(scope="module")
def summary_db(tmp_path_factory) -> Path:
    return build_dashboard_db(tmp_path_factory.mktemp("sumbrowser") / "gongkai.duckdb")


@pytest.fixture(scope="module")
def summary_server(summary_db, tmp_path_factory):
    with serve(summary_db, tmp_path_factory.mktemp("sumserver")) as url:
        yield url


def city_sum(db: Path, year: int, table: str, row: str, column: str) -> int:
    return int(sql_one(db, """SELECT sum(value) FROM figures JOIN reports r USING (report_id)
                               JOIN agencies a USING (agency_id) JOIN regions g ON g.adcode = a.adcode
                               WHERE r.year = ? AND g.city = '淮安市' AND "table" = ? AND "row" = ? AND "column" = ?""",
                           [year, table, row, column]))


def test_summary_page_url_year_reload_and_downloads(summary_server, page, summary_db):
    page.goto(f"{summary_server}/summary?city=%E6%B7%AE%E5%AE%89%E5%B8%82&year=2023")
    expect(page.get_by_role("heading", name="淮安市2023年政府信息公开工作年度报告汇总表")).to_be_visible()
    wait_idle(page)
    received = city_sum(summary_db, 2023, "t3", "new_received", "total")
    cell = page.locator('td[data-key="t3/new_received/total"]')
    expect(cell).to_have_text(str(received))
    expect(page.get_by_text("申请人情况", exact=True)).to_be_visible()
    screenshot(page, "summary")

    choose(page, "汇总年度", "2022")
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"year=2022"))
    params = url_params(page)
    assert params["city"] == ["淮安市"] and params["year"] == ["2022"]
    expect(page.get_by_role("heading", name="淮安市2022年政府信息公开工作年度报告汇总表")).to_be_visible()
    handled = city_sum(summary_db, 2022, "t3", "total", "total")
    expect(page.locator('td[data-key="t3/total/total"]')).to_have_text(str(handled))

    address = page.url
    page.reload()
    expect(page.get_by_role("heading", name="淮安市2022年政府信息公开工作年度报告汇总表")).to_be_visible()
    wait_idle(page)
    assert url_params(page)["year"] == ["2022"]
    expect(page.locator('td[data-key="t3/total/total"]')).to_have_text(str(handled))
    assert page.url == address

    with page.expect_download() as download:
        page.get_by_role("button", name="下载 Word（按国家模板排版）").click()
    assert download.value.suggested_filename == "淮安市2022年政府信息公开工作年度报告汇总表.docx"
    doc = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    t3 = doc.tables[1]
    assert t3.cell(0, 3).text == "申请人情况"
    assert t3.cell(3, 9).text == str(city_sum(summary_db, 2022, "t3", "new_received", "total"))

    # the sums as CSV: the data table's own export (its file is named after the title)
    csv = None
    buttons = page.get_by_role("button", name="下载 CSV")
    for i in range(buttons.count()):
        with page.expect_download() as download:
            buttons.nth(i).click()
        if download.value.suggested_filename == "淮安市2022年政府信息公开工作年度报告汇总表.csv":
            csv = pd.read_csv(io.BytesIO(Path(download.value.path()).read_bytes()), encoding="utf-8-sig")
            break
    assert csv is not None
    row = csv.set_index("数字键").loc["t3/total/total"]
    assert row["汇总"] == handled and row["报告数"] == 9 and row["未填报"] == 0
