"""The 导入 page's fetch section (admin only) under AppTest, against the mock portal on 127.0.0.1: pasted
column addresses are fetched and ingested into the app's database; the 数据质量 page then lists the
late_publication and not_published findings."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard_db import build_empty_db
from mock_portal import MockPortal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from components import access  # noqa: E402

APP = str(ROOT / "app.py")
PASSWORD = "正确的密码-Correct#1"


@pytest.fixture(autouse=True)
def app_env(monkeypatch, tmp_path):
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv("GONGKAI_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("GONGKAI_FETCH_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("GONGKAI_FETCH_RATE", "1000")  # the test portal is local; the default is 1 per second
    monkeypatch.setenv("GONGKAI_FETCH_ALLOW_PRIVATE", "1")  # … on 127.0.0.1, which the page refuses by default
    monkeypatch.setenv("GONGKAI_DB", str(build_empty_db(tmp_path / "gongkai.duckdb")))
    access.THROTTLE.reset()
    monkeypatch.setattr(access, "sleep", lambda s: None)


def logged_in() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/upload.py")
    at.run()
    at.text_input(key="admin_password").input(PASSWORD)
    next(b for b in at.button if b.label == "登录").click().run()
    assert not at.error
    return at


def fetch_now(at: AppTest, text: str) -> AppTest:
    at.text_area(key="fetch_urls").input(text)
    next(b for b in at.button if b.label == "获取并导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_fetch_section_needs_the_login():
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/upload.py")
    at.run()
    assert not [b for b in at.button if b.label == "获取并导入"]


def test_pasted_columns_are_fetched_and_ingested(tmp_path):
    at = logged_in()
    with MockPortal() as portal:
        fetch_now(at, f"{portal.base}/hongze/list.html,淮安市洪泽区人民政府,江苏省,淮安市,洪泽区\n"
                      f"{portal.base}/caijin/index.html\t平潭综合实验区财政金融局\t福建省\t福州市\t平潭县\n")
    table = next(d.value for d in at.dataframe if "报告条目" in d.value.columns)
    assert sorted(zip(table["报告条目"], table["获取结果"])) == [
        ("淮安市洪泽区人民政府2023年政府信息公开工作年度报告", "跳过"),  # robots.txt
        ("淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "新获取"),
    ]
    shown = "\n".join(t.value for t in at.text)
    assert "新获取 1 个" in shown and "导入 1 个" in shown
    assert "未发布：平潭综合实验区财政金融局 2023年、平潭综合实验区财政金融局 2024年" in shown
    con = duckdb.connect(str(tmp_path / "gongkai.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT year, published_on::VARCHAR FROM reports").fetchall() == [(2024, "2025-04-08")]
    finally:
        con.close()
    assert (tmp_path / "raw" / "manifest.csv").exists()

    # 数据质量 lists both timeliness findings
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception
    listed = next(d.value for d in at.dataframe if "说明" in d.value.columns and "规则" in d.value.columns)
    rules = sorted(zip(listed["单位"], listed["年度"], listed["规则"]))
    assert ("淮安市洪泽区人民政府", 2024, "逾期发布") in rules
    # the page opens on the latest year (2024): the agency with no report at all is listed for it
    assert [r for r in rules if r[2] == "栏目中未发布报告"] == [("平潭综合实验区财政金融局", 2024, "栏目中未发布报告")]
    # … and in its own list, with the column's address
    assert "栏目中未发布的年度报告" in [h.value for h in at.subheader]
    np = next(d.value for d in at.dataframe if "栏目地址" in d.value.columns)
    assert np.values.tolist() == [["平潭综合实验区财政金融局", 2024, f"{portal.base}/caijin/index.html"]]


def test_a_line_that_is_not_an_address_is_refused_with_its_line_number(monkeypatch):
    monkeypatch.delenv("GONGKAI_FETCH_ALLOW_PRIVATE")
    at = logged_in()
    fetch_now(at, "http://127.0.0.1:9/nb/index.html\nwww.b.gov.cn/nb/\n")
    assert [e.value for e in at.error] == [
        "第 1 行：地址指向服务器所在的内部网络（127.0.0.1），为安全起见不抓取",
        "第 2 行：“www.b.gov.cn/nb/”不是网址（应以 http:// 或 https:// 开头）",
    ]
    assert not [d for d in at.dataframe if "报告条目" in d.value.columns]
