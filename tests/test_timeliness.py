"""Publication dates and the 条例 第四十九条 deadlines: the pure rule, the manifest column, the stored finding."""

from __future__ import annotations

import random
from datetime import date

import duckdb
import pytest

from gongkai import timeliness
from gongkai.demo.render import random_report, render_text
from gongkai.ingest import ingest
from gongkai.regions import RegionError


@pytest.mark.parametrize("kind, year, deadline", [
    ("部门", 2023, date(2024, 1, 31)),
    ("人民政府", 2023, date(2024, 3, 31)),
    ("部门", 2019, date(2020, 1, 31)),
])
def test_deadline_by_kind(kind, year, deadline):
    assert timeliness.publication_deadline(kind, year) == deadline


def test_late_publication_is_a_warning_after_the_deadline_only():
    assert timeliness.late_publication("部门", 2023, date(2024, 1, 31)) is None  # the deadline day is on time
    assert timeliness.late_publication("部门", 2023, None) is None  # unknown date: nothing to say
    late = timeliness.late_publication("部门", 2023, date(2024, 2, 3))
    assert (late.rule, late.severity, late.printed, late.expected) == (
        "late_publication", "warning", "2024-02-03", "2024-01-31")
    assert late.message == "2023年度报告于 2024-02-03 发布，晚于条例第四十九条规定的政府部门发布期限 2024-01-31（逾期 3 天）"
    # a government's own report has until 3月31日
    assert timeliness.late_publication("人民政府", 2023, date(2024, 2, 3)) is None


@pytest.mark.parametrize("text, expected", [
    ("2024-01-05", date(2024, 1, 5)), ("2024/1/5", date(2024, 1, 5)), ("2024.1.5", date(2024, 1, 5)),
    ("2024年1月5日", date(2024, 1, 5)), ("发布时间：2024-01-05 09:30", date(2024, 1, 5)), ("", None),
])
def test_dates_as_portals_print_them(text, expected):
    assert timeliness.parse_date(text) == expected


def test_not_a_date_is_refused_in_words():
    with pytest.raises(ValueError, match="不是日期"):
        timeliness.parse_date("去年")
    with pytest.raises(ValueError, match="不是有效日期"):
        timeliness.parse_date("2024-02-30")


def _write(path, agency, year, seed):
    spec = random_report(random.Random(seed), "2021", agency=agency, year=year)
    path.write_bytes(render_text(spec))


def test_manifest_publication_date_is_stored_and_a_late_report_found(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder / "edu.txt", "淮安市洪泽区教育局", 2023, 1)
    _write(folder / "gov.txt", "淮安市洪泽区人民政府", 2023, 2)
    _write(folder / "fin.txt", "淮安市洪泽区财政局", 2023, 3)
    manifest = tmp_path / "清单.csv"
    manifest.write_text("文件,发布日期\nedu.txt,2024年2月5日\ngov.txt,2024-02-05\n", encoding="utf-8-sig")
    db = tmp_path / "g.duckdb"
    ingest([folder], db, manifest=manifest)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT source_file, published_on FROM reports ORDER BY source_file").fetchall() == [
            ("edu.txt", date(2024, 2, 5)), ("fin.txt", None), ("gov.txt", date(2024, 2, 5))]
        # the department is 5 days late; the government (deadline 3月31日) is on time; no date, no finding
        assert con.execute(
            "SELECT r.source_file, f.source::VARCHAR, f.severity::VARCHAR, f.printed, f.expected FROM findings f"
            " JOIN reports r USING (report_id) WHERE f.rule = 'late_publication'").fetchall() == [
            ("edu.txt", "ingest", "warning", '"2024-02-05"', '"2024-01-31"')]
    finally:
        con.close()


def test_a_manifest_date_that_is_not_a_date_stops_the_batch_before_anything_is_written(tmp_path):
    _write(tmp_path / "edu.txt", "淮安市洪泽区教育局", 2023, 1)
    manifest = tmp_path / "清单.csv"
    manifest.write_text("文件,发布日期\nedu.txt,明年\n", encoding="utf-8-sig")
    with pytest.raises(RegionError, match="第 2 行“发布日期”"):
        ingest([tmp_path / "edu.txt"], tmp_path / "g.duckdb", manifest=manifest)
    assert not (tmp_path / "g.duckdb").exists()
