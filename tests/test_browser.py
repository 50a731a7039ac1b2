"""The dashboard in a real browser: Playwright drives Debian's Chromium against `streamlit run app.py` on a
free port, over the small test database.

Open the app, change the year and the district, see the URL change, reload and see the same view, download
a chart's CSV and XLSX and check their contents, drill from a district to a report. Screenshots of the main
pages go to tests/artifacts/screenshots/ (ignored by git: a run must not rewrite the committed ones in
docs/screenshots/; copy one there by hand when the look of a page changes). Skipped when /usr/bin/chromium or the playwright package is missing."""

from __future__ import annotations

import io
import re
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import duckdb
import openpyxl
import pandas as pd
import pytest

from gongkai import store
from dashboard_db import HOSTILE_COUNTY, XSS_AGENCY, build_dashboard_db, build_hostile_db

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

if not CHROMIUM.exists():
    pytest.skip("没有找到 /usr/bin/chromium，跳过浏览器测试", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def test_db(tmp_path_factory) -> Path:
    return build_dashboard_db(tmp_path_factory.mktemp("browser") / "gongkai.duckdb")


@contextmanager
def serve(db: Path, log_dir: Path, **env_extra: str):
    """`streamlit run app.py` on a free port over `db`; yields its address."""
    port = free_port()
    log = (log_dir / "streamlit.log").open("w")
    env = {**os.environ, "GONGKAI_DB": str(db), **env_extra}
    if "GONGKAI_ADMIN_PASSWORD" not in env_extra:  # read-only unless a test asks for the upload page
        env.pop("GONGKAI_ADMIN_PASSWORD", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit 未能启动（退出码 {proc.poll()}），日志见 {log.name}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(test_db, tmp_path_factory):
    with serve(test_db, tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def screenshot(page, name: str) -> None:
    """Save a screenshot as a 256-colour PNG (a fifth of the size, so copies committed to docs/ stay small)."""
    from PIL import Image  # noqa: PLC0415 — Pillow comes with Streamlit

    charts = page.locator(".js-plotly-plot")
    if charts.count() or page.get_by_test_id("stPlotlyChart").count():
        charts.first.wait_for(state="visible")
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)
    page.wait_for_timeout(300)  # let the last chart finish drawing
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(SCREENSHOTS / f"{name}.png", optimize=True)


def url_params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the Streamlit selectbox labelled `label` (typing filters the list, as a user would)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.scroll_into_view_if_needed()
    for _ in range(3):  # a rerun may redraw the box under the first click
        box.click()
        target = page.get_by_role("option", name=option, exact=True)
        try:
            target.wait_for(state="visible", timeout=3_000)
        except sync_api.TimeoutError:
            page.keyboard.press("Escape")
            continue
        target.click()
        return
    raise AssertionError(f"选择框“{label}”中没有出现选项“{option}”")


def wait_idle(page) -> None:
    """Until the script run triggered by the last interaction has finished."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=15_000)


def metric_value(page, label: str):
    card = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
    return card.get_by_test_id("stMetricValue")


def sql_one(db: Path, query: str, params: list | None = None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).fetchone()[0]
    finally:
        con.close()


def test_filters_url_reload_export_drill(server, page, test_db):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(server)
    expect(page.get_by_role("heading", name="总览")).to_be_visible()
    expect(page.get_by_text("模拟数据").first).to_be_visible()
    wait_idle(page)
    screenshot(page, "overview")

    # change the year and the district: the URL follows
    choose(page, "截止年度", "2023")
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"year_to=2023"))
    choose(page, "县（区）", "清江浦区（淮安市）")
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"county="))
    params = url_params(page)
    assert params["county"] == ["清江浦区"] and params["city"] == ["淮安市"] and params["province"] == ["江苏省"]
    assert params["year_from"] == ["2019"] and params["year_to"] == ["2023"]
    received = sql_one(test_db, "SELECT sum(t3_new_received_total) FROM report_wide"
                                " WHERE county = '清江浦区' AND year = 2023")
    expect(page.get_by_text("2023 年，较上年")).to_be_visible()
    expect(metric_value(page, "新收申请")).to_have_text(f"{int(received):,}")

    # reload: the same view from the address alone
    address = page.url
    page.reload()
    expect(page.get_by_role("heading", name="总览")).to_be_visible()
    wait_idle(page)
    assert page.url == address
    expect(metric_value(page, "新收申请")).to_have_text(f"{int(received):,}")
    expect(page.get_by_role("combobox", name="县（区）")).to_have_value("清江浦区")
    expect(page.get_by_role("combobox", name="截止年度")).to_have_value("2023")

    # download the first chart's CSV and XLSX: exactly 本年新收 by year for these filters
    expected = pd.DataFrame(duckdb.connect(str(test_db), read_only=True).execute(
        "SELECT year, sum(t3_new_received_total) FROM report_wide WHERE county = '清江浦区' AND year <= 2023"
        " GROUP BY year ORDER BY year").fetchall(), columns=["年度", "本年新收"])
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 CSV").first.click()
    data = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.endswith(".csv")
    assert data.startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(csv.columns) == ["年度", "本年新收", "报告数", "公开率（%）"]
    assert csv[["年度", "本年新收"]].astype({"本年新收": float}).equals(expected.astype({"本年新收": float}))
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 Excel").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == ["数据", "说明"]
    rows = list(book["数据"].iter_rows(values_only=True))
    assert rows[0][:2] == ("年度", "本年新收")
    assert [(int(r[0]), float(r[1])) for r in rows[1:]] == [(int(y), float(v)) for y, v in expected.to_numpy()]
    about = dict(list(book["说明"].iter_rows(values_only=True))[1:])
    assert about["查询"] == "overview_by_year" and about["筛选条件：县（区）"] == "清江浦区"
    assert about["筛选条件：年度范围"] == "2019–2023" and about["含模拟数据"] == "是"

    # drill down: district → agency → report
    choose(page, "选择地区（或点击上图柱形）", "清江浦区")
    wait_idle(page)
    choose(page, "选择单位", "清江浦区教育局")
    wait_idle(page)
    report_id = sql_one(test_db, "SELECT report_id FROM report_wide WHERE agency = '清江浦区教育局' AND year = 2022")
    page.get_by_role("link", name="打开 2022 年度报告（模拟数据）").click()
    expect(page.get_by_role("heading", name="清江浦区教育局 2022 年度报告")).to_be_visible()
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"report="))
    assert urlparse(page.url).path.endswith("/report")
    params = url_params(page)
    assert params["report"] == [str(report_id)] and params["county"] == ["清江浦区"]
    screenshot(page, "report")


def test_main_pages_screenshots(server, page, test_db):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shanghai = sql_one(test_db, "SELECT report_id FROM reports WHERE source_file = 'shanghai_bgt_2019.html'")
    for path, heading, name in [
        ("requests", "申请办理", "requests"),
        ("review", "复议诉讼", "review"),
        ("proactive", "主动公开", "proactive"),
        ("compare?province=江苏省&city=淮安市", "单位对比", "compare"),
        ("quality", "数据质量", "quality"),
        (f"report?report={shanghai}", "报告详情", "report_flagged"),
    ]:
        page.goto(f"{server}/{path}")
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        wait_idle(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
        if name == "report_flagged":  # show 表三, where the flagged blank cells are
            heading = page.get_by_role("heading", name="三、收到和处理政府信息公开申请情况")
            heading.scroll_into_view_if_needed()
            page.mouse.wheel(0, -40)
            expect(page.locator("td.gk-flag").first).to_be_visible()
        screenshot(page, name)


# ---------------------------------------------------------------- hostile names, and the 导入 page
ADMIN_PASSWORD = "浏览器测试-Password#7"


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory):
    """A server with an admin password over the database holding hostile agency names."""
    folder = tmp_path_factory.mktemp("admin")
    db = build_hostile_db(folder / "gongkai.duckdb")
    # without the 2019 平潭 report, so that uploading it stores it (the same report again would be skipped)
    con = store.connect(db)
    store.delete_reports(con, [r for (r,) in con.execute(
        "SELECT report_id FROM reports WHERE source_file = 'pingtan_2019.html'").fetchall()])
    con.close()
    with serve(db, folder, GONGKAI_ADMIN_PASSWORD=ADMIN_PASSWORD, GONGKAI_UPLOAD_DIR=str(folder / "uploads")) as url:
        yield url, db, folder / "uploads"


def test_hostile_names_run_no_script_and_show_as_written(admin_server, page):
    url, db, _ = admin_server
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    report_id = sql_one(db, "SELECT report_id FROM report_wide WHERE agency = ?", [XSS_AGENCY])
    page.goto(f"{url}/report?report={report_id}")
    expect(page.get_by_role("heading", name=f"{XSS_AGENCY} 2024 年度报告")).to_be_visible()
    wait_idle(page)
    page.goto(f"{url}/compare?" + urlencode({"province": "江苏省", "city": "淮安市", "county": HOSTILE_COUNTY[3]}))
    expect(page.get_by_role("heading", name="单位对比")).to_be_visible()
    wait_idle(page)
    # the ranking chart's axis shows the name as typed (plotly would drop the tag or make <b> bold)
    expect(page.locator(".js-plotly-plot .ytick text", has_text="onerror").first).to_be_visible()
    ticks = page.locator(".js-plotly-plot .ytick text").all_text_contents()
    assert XSS_AGENCY in ticks
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0


def test_upload_through_the_browser(admin_server, page):
    url, db, uploads = admin_server
    before = sql_one(db, "SELECT count(*) FROM reports")
    page.goto(f"{url}/upload")
    expect(page.get_by_role("heading", name="导入")).to_be_visible()
    page.get_by_label("管理员密码").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="上传并导入")).to_be_visible()
    fixture = ROOT / "tests" / "fixtures" / "pingtan_2019.html"
    page.locator("input[type=file]").set_input_files([
        {"name": "平潭 2019.html", "mimeType": "text/html", "buffer": fixture.read_bytes()},
        {"name": "garbage.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 broken"},
    ])
    expect(page.get_by_text("平潭 2019.html")).to_be_visible()
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_text("上次上传的结果")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("1 个文件未能导入，原因见下表。")).to_be_visible()  # the broken PDF
    wait_idle(page)
    assert sorted(p.name for p in uploads.iterdir()) == ["平潭_2019.html"]
    assert (uploads / "平潭_2019.html").read_bytes() == fixture.read_bytes()
    assert sql_one(db, "SELECT count(*) FROM reports") == before + 1
    # the app reads the swapped database: the sidebar's agency list now holds the new report's agency
    agency = sql_one(db, "SELECT agency FROM report_wide WHERE source_file LIKE '%平潭_2019.html'")
    page.goto(f"{url}/?" + urlencode({"agency": agency}))
    expect(metric_value(page, "报告数")).to_have_text("1")
