"""`gongkai parse`: the JSON contract, the Chinese summary, and one clear line for a bad file."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "000_604589b9a90ba4e6.txt"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gongkai", *args], capture_output=True, text=True, timeout=120
    )


def test_json_is_exactly_the_contract():
    out = run("parse", str(SEED), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert list(data) == ["file", "agency", "year", "template", "figures", "findings"]
    assert data["file"] == str(SEED)
    assert (data["agency"], data["year"], data["template"]) == ("台儿庄区工业和信息化局", 2024, "2021")
    assert len(data["figures"]) == 200
    # The contract's four keys, in order, then the one extra key every figure carries (issue 11): where
    # the value was read, "text" here (OCR'd figures say "ocr" and add their confidence).
    assert data["figures"][0] == {"table": "t2", "row": "regulation", "column": "issued", "value": 0, "source": "text"}
    assert all(list(f)[:4] == ["table", "row", "column", "value"] and f["source"] == "text" for f in data["figures"])
    assert data["findings"] == []


def test_json_findings_carry_rule_severity_message_table_column():
    out = run("parse", str(FIXTURES / "shanghai_bgt_2019.html"), "--json")
    data = json.loads(out.stdout)
    assert data["findings"], "blank cells are reported as warnings"
    for f in data["findings"]:
        assert {"rule", "severity", "message", "table", "column"} <= set(f)
        assert f["severity"] == "warning"


def test_summary_in_chinese():
    out = run("parse", str(SEED))
    assert out.returncode == 0
    assert "台儿庄区工业和信息化局" in out.stdout
    assert "三、收到和处理政府信息公开申请情况" in out.stdout
    assert "勾稽关系均成立" in out.stdout


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "文件为空"),
        (b"\x00\x01\x02garbage\xff\xfe" * 50, "不是政府信息公开工作年度报告"),
        ("会议纪要：今天开会。".encode("utf-8"), "不是政府信息公开工作年度报告"),
        (b"PK\x03\x04broken zip", "无法识别"),
    ],
)
def test_bad_file_exits_2_with_one_line(tmp_path, content, message):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(content)
    out = run("parse", str(bad), "--json")
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_missing_file(tmp_path):
    out = run("parse", str(tmp_path / "nope.pdf"))
    assert out.returncode == 2 and "找不到文件" in out.stderr
