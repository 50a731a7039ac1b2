"""The file size limit (default 50 MB, GONGKAI_MAX_FILE_MB overrides it) is enforced before a byte is
read: by the parser, by `gongkai parse` and by `gongkai ingest` (which must not even hash the file).

Files over the limit are sparse (`truncate`): they take no disk space, and a reader that did read them
would spend seconds on gigabytes of zeros, which the time bounds below would catch."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from gongkai.demo.render import random_report, render_text
from gongkai.document import ReadError
from gongkai.ingest import ingest
from gongkai.parser import DEFAULT_MAX_BYTES, max_file_bytes, parse_file

MB = 1024 * 1024


def sparse(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


def report_file(path: Path, year: int = 2024) -> Path:
    spec = random_report(random.Random(year), "2021", agency="洪泽区教育局", year=year)
    path.write_bytes(render_text(spec))
    return path


def forbid_reading(monkeypatch) -> None:
    """From now on, fail the test if anything opens a file's content."""

    def refuse(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr(Path, "open", refuse)


def test_default_is_50_mb_and_the_environment_overrides_it(monkeypatch):
    monkeypatch.delenv("GONGKAI_MAX_FILE_MB", raising=False)
    assert max_file_bytes() == DEFAULT_MAX_BYTES == 50 * MB
    monkeypatch.setenv("GONGKAI_MAX_FILE_MB", "2")
    assert max_file_bytes() == 2 * MB
    monkeypatch.setenv("GONGKAI_MAX_FILE_MB", "0.5")
    assert max_file_bytes() == MB // 2
    monkeypatch.setenv("GONGKAI_MAX_FILE_MB", "五十")  # not a number: the default, not a crash
    assert max_file_bytes() == 50 * MB


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.delenv("GONGKAI_MAX_FILE_MB", raising=False)
    big = sparse(tmp_path / "附件.pdf", 50 * MB + 1)
    huge = sparse(tmp_path / "huge.docx", 40 * 1024 * MB)  # 40 GB, nothing written
    forbid_reading(monkeypatch)
    with pytest.raises(ReadError) as refused:
        parse_file(big)
    assert str(refused.value) == "文件过大（50.1 MB，上限 50 MB）：附件.pdf"
    with pytest.raises(ReadError, match=r"^文件过大（40960 MB，上限 50 MB）：huge\.docx$"):
        parse_file(huge)


def test_the_limit_is_inclusive_and_configurable(tmp_path, monkeypatch):
    report = report_file(tmp_path / "r.txt")
    size = report.stat().st_size
    assert parse_file(report, max_bytes=size).agency == "洪泽区教育局"  # exactly at the limit: read
    with pytest.raises(ReadError, match="^文件过大"):
        parse_file(report, max_bytes=size - 1)
    monkeypatch.setenv("GONGKAI_MAX_FILE_MB", str((size - 1) / MB))
    with pytest.raises(ReadError, match="^文件过大"):
        parse_file(report)


def test_gongkai_parse_refuses_a_big_file_with_one_line(tmp_path):
    big = sparse(tmp_path / "big.pdf", 10 * 1024 * MB)
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "gongkai", "parse", str(big)], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "GONGKAI_MAX_FILE_MB": "50"})
    assert time.monotonic() - start < 20
    assert out.returncode == 2
    assert out.stderr == f"错误：{big}：文件过大（10240 MB，上限 50 MB）：big.pdf\n"
    assert out.stdout == ""


def test_ingest_refuses_a_big_file_without_reading_it_and_stores_the_rest(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_MAX_FILE_MB", "1")
    folder = tmp_path / "in"
    folder.mkdir()
    report_file(folder / "a.txt", 2023)
    sparse(folder / "b.pdf", 20 * 1024 * MB)  # 20 GB: hashing it alone would take many seconds
    sparse(folder / "c.html", MB + 1)
    report_file(folder / "d.txt", 2024)
    db = tmp_path / "g.duckdb"
    start = time.monotonic()
    summary = ingest([folder], db, workers=1)
    assert time.monotonic() - start < 10
    assert [(r.path.name, r.status, r.message) for r in summary.results] == [
        ("a.txt", "stored", "已导入"),
        ("b.pdf", "failed", "文件过大（20480 MB，上限 1 MB）：b.pdf"),
        ("c.html", "failed", "文件过大（1.1 MB，上限 1 MB）：c.html"),
        ("d.txt", "stored", "已导入"),
    ]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT source_file FROM reports ORDER BY 1").fetchall() == [("a.txt",), ("d.txt",)]
    finally:
        con.close()


def test_a_pipe_or_device_is_refused_before_opening_it(tmp_path, monkeypatch):
    """Opening a pipe without a writer blocks forever; /dev/zero never ends: neither is opened."""
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    forbid_reading(monkeypatch)
    with pytest.raises(ReadError, match=r"^.*report\.txt 不是普通文件（可能是管道或设备），不是报告文件$"):
        parse_file(fifo)
    with pytest.raises(ReadError, match="不是普通文件"):
        parse_file("/dev/zero")
    with pytest.raises(ReadError, match="是文件夹，不是报告文件"):
        parse_file(tmp_path)
