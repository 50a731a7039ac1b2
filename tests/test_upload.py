"""The 导入 page under AppTest: it exists only with an admin password, refuses and slows wrong passwords,
and stores uploaded reports in the app's database under safe file names, within the ingest's limits.

AppTest cannot drive st.file_uploader, so the tests replace it with a stand-in returning what the browser
would have sent (name and bytes); everything after it — checks, saving, ingest — is the real code."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from dashboard_db import build_empty_db

ROOT = Path(__file__).resolve().parent.parent
# the app's own modules, as the running app imports them (AppTest puts app.py's folder on the path too)
sys.path.insert(0, str(ROOT))
from components import access  # noqa: E402
from components.uploads import safe_stem  # noqa: E402

APP = str(ROOT / "app.py")
FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "000_604589b9a90ba4e6.txt"
PASSWORD = "正确的密码-Correct#1"


class FakeUpload:
    """What st.file_uploader returns for one file: the client's name and the bytes."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data, self.size = name, data, len(data)

    def getvalue(self) -> bytes:
        return self.data


@pytest.fixture(autouse=True)
def slept(monkeypatch, tmp_path):
    """No password unless a test sets one, a fresh throttle, an empty database; returns the delays the
    login asked for (recorded, not slept)."""
    monkeypatch.delenv(access.PASSWORD_ENV, raising=False)
    monkeypatch.delenv("GONGKAI_MAX_FILE_MB", raising=False)
    monkeypatch.setenv("GONGKAI_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("GONGKAI_DB", str(build_empty_db(tmp_path / "gongkai.duckdb")))
    access.THROTTLE.reset()
    slept: list[float] = []
    monkeypatch.setattr(access, "sleep", slept.append)
    return slept


@pytest.fixture
def uploads(monkeypatch):
    """Set the files the next submit carries."""
    chosen: list[FakeUpload] = []
    monkeypatch.setattr(streamlit, "file_uploader", lambda *a, **k: list(chosen))

    def choose(*files: tuple[str, bytes]) -> None:
        chosen[:] = [FakeUpload(n, d) for n, d in files]

    return choose


def run_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if page:
        at.switch_page(page)
    at.run()
    return at


def login(at: AppTest, password: str) -> AppTest:
    at.text_input(key="admin_password").input(password)
    next(b for b in at.button if b.label == "登录").click().run()
    return at


def reports(db: str) -> list[tuple]:
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute("SELECT a.name, r.year FROM reports r JOIN agencies a USING (agency_id)").fetchall()
    finally:
        con.close()


# ---------------------------------------------------------------- the page exists only with a password
def test_no_password_no_upload_page():
    # the navigation does not list it: its address opens the first page instead
    at = run_app("app_pages/upload.py")
    assert not at.exception
    assert [t.value for t in at.title] == ["总览"]
    assert not at.text_input


def test_password_from_the_environment_adds_the_page(monkeypatch):
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    at = run_app("app_pages/upload.py")
    assert not at.exception
    assert at.title[0].value == "导入"
    assert at.text_input(key="admin_password").label == "管理员密码"
    assert not [b for b in at.button if b.label == "上传并导入"]  # nothing to upload before logging in


def test_password_from_secrets_adds_the_page():
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["admin_password"] = PASSWORD
    at.switch_page("app_pages/upload.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "导入"


# ---------------------------------------------------------------- login
def test_wrong_password_is_refused_and_slowed(monkeypatch, slept):
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    at = run_app("app_pages/upload.py")
    for _ in range(3):
        login(at, "正确的密码-Correct#")  # a prefix of the right one
        assert not at.exception
    assert slept == [1.0, 2.0, 4.0]  # each failure of the session waits twice as long
    assert "密码错误（本次会话已失败 3 次）" in at.error[0].value
    assert not [b for b in at.button if b.label == "上传并导入"]


def test_failures_from_many_sessions_lock_the_login(monkeypatch, slept):
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    now = [1000.0]
    monkeypatch.setattr(access, "clock", lambda: now[0])
    for _ in range(access.MAX_FAILURES):  # a new session per guess: the per-session delay never grows
        login(run_app("app_pages/upload.py"), "guess")
    at = login(run_app("app_pages/upload.py"), PASSWORD)  # even the right password is refused now
    assert "密码错误次数过多，登录已暂停，请约 15 分钟后再试" in at.error[0].value
    assert not [b for b in at.button if b.label == "上传并导入"]
    now[0] += access.LOCKOUT + 1
    at = login(run_app("app_pages/upload.py"), PASSWORD)
    assert not at.error
    assert [b for b in at.button if b.label == "上传并导入"]


def test_a_chinese_password_compares_as_bytes(monkeypatch):
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    at = login(run_app("app_pages/upload.py"), "错")
    assert "密码错误" in at.error[0].value  # compare_digest on str would raise TypeError on non-ASCII


# ---------------------------------------------------------------- upload
def logged_in(monkeypatch) -> AppTest:
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    at = login(run_app("app_pages/upload.py"), PASSWORD)
    assert not at.error
    return at


def submit(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "上传并导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def result_table(at: AppTest) -> list[dict]:
    table = next(d.value for d in at.dataframe if "上传的文件名" in d.value.columns)
    return table.to_dict("records")


def test_upload_stores_the_good_report_and_lists_the_bad_one(monkeypatch, tmp_path, uploads):
    at = logged_in(monkeypatch)
    garbage = b"\x00\x01\x02 not a report \xff\xfe" * 40
    uploads(("../../etc/passwd.txt", GOOD.read_bytes()), ("..\\x.html", garbage))
    submit(at)
    rows = result_table(at)
    assert [(r["上传的文件名"], r["结果"], r["保存为"]) for r in rows] == [
        ("../../etc/passwd.txt", "已导入", "passwd.txt"),
        ("..\\x.html", "失败", ""),
    ]
    assert rows[1]["说明"].startswith("不是政府信息公开工作年度报告")
    assert "导入 1 个" in at.text[0].value and "失败 1 个" in at.text[0].value
    # on disk: the good file only, inside the upload folder, byte for byte; the failed one was not kept
    folder = tmp_path / "uploads"
    assert [p.name for p in folder.iterdir()] == ["passwd.txt"]
    assert (folder / "passwd.txt").read_bytes() == GOOD.read_bytes()
    assert not (tmp_path / "etc").exists()
    # in the app's database, and the app reads the swapped file: the empty-database notice is gone
    assert reports(str(tmp_path / "gongkai.duckdb")) == [("台儿庄区工业和信息化局", 2024)]
    assert not any("数据库中还没有任何报告" in i.value for i in at.info)


def test_same_name_twice_gets_a_suffix_and_nothing_is_overwritten(monkeypatch, tmp_path, uploads):
    at = logged_in(monkeypatch)
    html = (FIXTURES / "pingtan_2019.html").read_bytes()
    uploads(("report.html", html), ("report.html", (FIXTURES / "pingtan_2022.html").read_bytes()))
    submit(at)
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["report-2.html", "report.html"]
    assert (tmp_path / "uploads" / "report.html").read_bytes() == html
    assert len(reports(str(tmp_path / "gongkai.duckdb"))) == 2


def test_type_is_read_from_the_content_not_the_name(monkeypatch, tmp_path, uploads):
    at = logged_in(monkeypatch)
    # a PDF called .txt is stored as .pdf; a Word 97 file called .wps as .doc; RTF called .doc as .rtf; a
    # damaged OLE file called .docx is refused unsaved, saying why
    uploads(("洪泽.txt", (FIXTURES / "hongze_2024.pdf").read_bytes()),
            ("平潭.wps", (FIXTURES / "word97" / "pingtan_2022.doc").read_bytes()),
            ("上海.doc", (FIXTURES / "word97" / "shanghai_bgt_2019.rtf").read_bytes()),
            ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600))
    submit(at)
    rows = result_table(at)
    assert [(r["结果"], r["保存为"]) for r in rows] == [("已导入", "洪泽.pdf"), ("已导入", "平潭.doc"),
                                                    ("已导入", "上海.rtf"), ("失败", "")]
    assert rows[3]["说明"] == "Word 文档（.doc/.wps）已损坏，无法读取（复合文档结构无法解析），未保存"
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["上海.rtf", "平潭.doc", "洪泽.pdf"]


def test_oversize_upload_is_refused_unsaved(monkeypatch, tmp_path, uploads):
    monkeypatch.setenv("GONGKAI_MAX_FILE_MB", "0.1")  # the PDF (235 KB) is over, the text report (8 KB) under
    at = logged_in(monkeypatch)
    uploads(("hongze.pdf", (FIXTURES / "hongze_2024.pdf").read_bytes()), ("small.txt", GOOD.read_bytes()))
    submit(at)
    rows = result_table(at)
    assert [(r["结果"], r["说明"], r["保存为"]) for r in rows] == [
        ("失败", "文件过大（0.3 MB，上限 0.1 MB），未保存", ""),
        ("已导入", "已导入", "small.txt"),
    ]
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == ["small.txt"]
    assert reports(str(tmp_path / "gongkai.duckdb")) == [("台儿庄区工业和信息化局", 2024)]


def test_logout_hides_the_upload_form(monkeypatch):
    at = logged_in(monkeypatch)
    next(b for b in at.button if b.label == "退出登录").click().run()
    assert at.text_input(key="admin_password")
    assert not [b for b in at.button if b.label == "上传并导入"]


@pytest.mark.parametrize("client, stem", [
    ("../../etc/passwd.txt", "passwd"),
    ("..\\..\\windows\\x.html", "x"),
    ("/abs/path/报告.pdf", "报告"),
    (".hidden.docx", "hidden"),
    ("...", "report"),
    ("", "report"),
    ("a\x00b\nc.txt", "a_b_c"),
    ("ｅｔｃ／passwd", "passwd"),  # full-width slash: NFKC makes it a slash, then only the last part is kept
    ("名称 (1).md", "名称_(1)"),
])
def test_safe_stem(client, stem):
    assert safe_stem(client) == stem
