"""The assessment in a real browser (Playwright on Debian's Chromium, as tests/test_browser.py): the 年报评估
page with URL filters, its CSV export, the drill to 报告详情 where the narrative sits beside last year's with
the shared sentences marked and a <script> in the document text shown as text, never run. Skipped when
/usr/bin/chromium or playwright is missing."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pandas as pd
import pytest

from test_browser import browser, metric_value, page, serve, wait_idle  # noqa: F401 — skips without chromium; browser, page: the fixtures
from test_assess_app import copied_db  # noqa: F401 — the fixture: 平潭 2022 repeats its 2019 narrative

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture(scope="module")
def server(copied_db, tmp_path_factory):  # noqa: F811
    with serve(copied_db, tmp_path_factory.mktemp("assess_server")) as url:
        yield url


def test_assessment_page_export_and_side_by_side(server, page, copied_db):  # noqa: F811
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/assessment?" + urlencode({"province": "江苏省", "city": "淮安市", "county": "清江浦区",
                                                   "year_from": "2023", "year_to": "2023"}))
    expect(page.get_by_role("heading", name="年报评估")).to_be_visible()
    wait_idle(page)
    expect(metric_value(page, "评估单位年度")).to_have_text("3", timeout=30_000)  # first visit scores the scope
    expect(metric_value(page, "缺报")).to_have_text("1")
    # the ranking's CSV is the table as shown: the missing 清江浦区教育局 2023 first, with its reason
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 CSV").nth(1).click()
    csv = pd.read_csv(io.BytesIO(Path(download.value.path()).read_bytes()), encoding="utf-8-sig")
    assert list(csv.columns) == ["单位", "地区", "年度", "得分", "扣分", "扣分理由", "与上年相同（%）", "对照年度", "报告"]
    assert list(csv["年度"]) == [2023] * 3
    assert (csv.loc[0, "单位"], csv.loc[0, "得分"]) == ("清江浦区教育局", 0)
    assert csv.loc[0, "扣分理由"].startswith("未发布 2023 年度政府信息公开工作年度报告")
    assert re.match(r"report\?.*county=", csv.loc[1, "报告"])

    # 报告详情 of the copied report: both narratives, shared sentences marked, the script shown as text
    con = duckdb.connect(str(copied_db), read_only=True)
    rid = con.execute("SELECT report_id FROM report_wide WHERE agency = '平潭综合实验区' AND year = 2022").fetchone()[0]
    con.close()
    page.goto(f"{server}/report?report={rid}")
    expect(page.get_by_role("heading", name="正文与上年对照")).to_be_visible()
    wait_idle(page)
    pair = page.locator(".gk-pair")
    pair.scroll_into_view_if_needed()
    expect(pair.locator("mark").first).to_be_visible()
    assert pair.locator("mark").count() >= 2
    expect(pair.get_by_text("<script>alert(1)</script>新增一句话。", exact=False)).to_be_visible()
    expect(page.get_by_text("年报评估：85 分（满分 100）")).to_be_visible()
    page.wait_for_timeout(500)
    assert dialogs == []
