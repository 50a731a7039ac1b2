"""What a portal page says, read by structure from real pages (tests/fixtures) and the mock portal's lists:
report titles, list links (anchors, JS data, JSON), other list pages, publication dates, attachments."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.fetch import listing as L
from mock_portal import FIXTURES, PORTAL

BASE = "http://portal.test/pingtan/nj/"


def page(name: str, url: str = BASE + "index.html", folder=PORTAL) -> L.Page:
    return L.parse_page((folder / name).read_bytes(), url)


@pytest.mark.parametrize("title, year, agency", [
    ("平潭综合实验区2019年度政府信息公开工作年度报告", 2019, "平潭综合实验区"),
    ("2019年上海市人民政府办公厅政府信息公开工作年度报告", 2019, "上海市人民政府办公厅"),
    ("淮安市洪泽区人民政府2024年政府信息公开年报", 2024, "淮安市洪泽区人民政府"),
    ("洪泽区财政局2023年度政务公开工作年度报告", 2023, "洪泽区财政局"),
])
def test_report_titles(title, year, agency):
    assert L.is_report_title(title)
    assert (L.report_year(title), L.agency_in_title(title)) == (year, agency)


@pytest.mark.parametrize("title", [
    "关于报送2023年度政府信息公开工作年度报告的通知",  # a notice about reports
    "政府信息公开工作年度报告",  # no year
    "洪泽区政务公开工作要点",
    "2023年度部门预算公开",
])
def test_not_report_titles(title):
    assert not L.is_report_title(title)


def test_list_links_take_the_whole_title_over_a_cut_one():
    links = L.list_links(page("pingtan_index.html"))
    assert links[0] == L.Link("平潭综合实验区2022年度政府信息公开工作年度报告", BASE + "202302/t20230220_6004.htm",
                              date(2023, 2, 20))
    assert len(links) == 2


def test_trs_pager_script_gives_the_numbered_pages():
    assert L.other_pages(page("pingtan_index.html")) == [BASE + "index_1.html"]
    assert L.other_pages(page("pingtan_index_1.html", BASE + "index_1.html")) == [BASE + "index.html"]


def test_next_page_link():
    p = page("hongze_list.html", "http://portal.test/hongze/list.html")
    assert L.other_pages(p) == ["http://portal.test/hongze/list_2.html"]


def test_javascript_data_and_the_json_it_loads():
    p = page("shanghai_index.html", "http://portal.test/shanghai/nj/index.html")
    assert [(x.title[:6], x.url, x.date) for x in L.list_links(p)] == [
        ("2019年上", "http://portal.test/shanghai/nj/2019.html", date(2020, 1, 31)),
        ("2020年上", "http://portal.test/loop/a.html", date(2021, 1, 29)),
    ]
    assert L.other_pages(p) == ["http://portal.test/shanghai/nj/data/list.json"]
    links = L.links_in_json((PORTAL / "shanghai_list.json").read_bytes(), "http://portal.test/shanghai/nj/data/list.json")
    assert [(x.url, x.date) for x in links] == [
        ("http://portal.test/shanghai/nj/2021.pdf", date(2022, 1, 28)),
        ("http://portal.test/shanghai/nj/2018.html", date(2019, 3, 29)),
    ]


@pytest.mark.parametrize("name, published", [
    ("pingtan_2019.html", date(2020, 1, 20)),  # <meta name="PubDate">
    ("pingtan_2022.html", date(2023, 2, 20)),
    ("shanghai_bgt_2019.html", date(2020, 1, 31)),  # 发布日期：… printed inside a script variable
])
def test_real_article_pages_hold_the_report_and_its_date(name, published):
    p = page(name, folder=FIXTURES)
    assert L.holds_report(p)
    assert L.publication_date(p) == published
    assert L.attachments(p) == []


def test_gbk_page_declared_utf8_is_read_as_gbk():
    data = (FIXTURES / "shanghai_bgt_2019.html").read_text(encoding="utf-8").encode("gb18030")
    p = L.parse_page(data, BASE, "utf-8")
    assert L.holds_report(p) and L.publication_date(p) == date(2020, 1, 31)


def test_attachment_only_article_and_error_page():
    p = page("hongze_article_2024.html", "http://portal.test/hongze/art/2024.html")
    assert not L.holds_report(p)
    assert L.publication_date(p) == date(2025, 4, 8)
    assert L.attachments(p) == [L.Link("洪泽区2024年政府信息公开工作年度报告.pdf",
                                       "http://portal.test/hongze/att/download?id=2024")]
    error = page("error_page.html")
    assert not L.holds_report(error) and L.attachments(error) == []
    assert L.page_title(error) == "404 页面不存在"


def test_dates_belong_to_their_own_link():
    html = ("<html><body><div class='list'>"
            "<a href='a.html'>甲局2022年度政府信息公开工作年度报告</a><span>2023-01-20</span>"
            "<a href='b.html'>甲局2021年度政府信息公开工作年度报告</a><span>2022-01-25</span>"
            "<a href='c.html'>甲局2020年度政府信息公开工作年度报告</a>"
            "</div></body></html>").encode()
    links = L.list_links(L.parse_page(html, BASE))
    assert [(x.url.rsplit("/", 1)[1], x.date) for x in links] == [
        ("a.html", date(2023, 1, 20)), ("b.html", date(2022, 1, 25)), ("c.html", None)]
