"""The demo corpus (gongkai/demo/generate.py, build.py, `gongkai demo`): files for a fictional city, built
into a database through the real ingest path, with planted errors that the checks must find exactly.

One build (generate + ingest, ~25 s on 2 cores) is shared by the module; the determinism test regenerates
the corpus in another process, with another hash seed, and compares every byte."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from gongkai import export
from gongkai.demo import generate as G
from gongkai.demo.build import SAMPLES_DIR, build_demo, sample_files
from gongkai.ingest import SKIPPED, ingest
from gongkai.readers import sniff_format

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
CHECKED_RULES = sorted([*G.PLANTED, "blank_cells"])


@pytest.fixture(scope="module")
def built(demo_built):
    return demo_built  # one build per session (conftest.py), shared with tests/test_assess.py


def _tree_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


# ---------------------------------------------------------------- the corpus itself
def test_area_agencies_years_and_formats(built):
    key = built["key"]
    reports = key["reports"]
    assert key["city"] == "青岚市" and key["province"] == "江西省"
    assert key["districts"] == ["澄溪区", "望岭区", "青渚区", "桐湾县", "枫浦县", "岚桥县"]
    agencies = {r["agency"] for r in reports}
    assert len(agencies) == 6 * 16
    assert {"澄溪区人民政府", "澄溪区公安分局", "桐湾县公安局", "岚桥县自然资源局"} <= agencies
    # 7 years × 96 agencies, less the planted missing years
    assert len(reports) == 7 * 96 - G.PLANTED["missing_year"] == 668
    assert {r["template"] for r in reports if r["year"] <= 2020} == {"2019"}
    assert {r["template"] for r in reports if r["year"] >= 2021} == {"2021"}
    # every reader gets files: formats are assigned per agency, by quota
    per_format = Counter(r["format"] for r in reports if r["year"] == 2019)
    missing_2019 = Counter(r["format"] for r in reports if r["year"] == 2020) - per_format
    assert per_format + missing_2019 == Counter({**G.FORMAT_QUOTA, "html": 96 - sum(G.FORMAT_QUOTA.values())})


def test_each_file_is_the_format_it_claims(built):
    out, key = built["out"], built["key"]
    sniffed = {"text": "text", "markdown": "markdown", "html": "html", "html-gbk": "html", "docx": "docx", "pdf": "pdf"}
    seen = Counter()
    for r in key["reports"]:
        data = (out / r["file"]).read_bytes()
        assert sniff_format(data) == sniffed[r["format"]], r["file"]
        if r["format"] == "html-gbk":
            assert b'<meta charset="gbk">' in data
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            assert r["agency"] in data.decode("gbk")
        elif r["format"] == "html":
            assert b'<meta charset="utf-8">' in data
        seen[r["format"]] += 1
    assert set(seen) == {"text", "markdown", "html", "html-gbk", "docx", "pdf"}


def test_every_demo_file_says_it_is_invented(built):
    out = built["out"]
    for r in built["key"]["reports"]:
        if r["format"] in ("text", "markdown", "html"):
            assert G.DEMO_NOTICE in (out / r["file"]).read_text(encoding="utf-8"), r["file"]


def test_series_continue_from_year_to_year():
    """上年结转 = last year's 结转下年度 per column, except the planted carry_chain years; 现行有效 chains."""
    corpus = G.build_corpus()
    carry = {(e.agency, e.year) for e in corpus.errors if e.rule == "carry_chain"}
    by_agency: dict[str, dict[int, dict]] = {}
    for r in corpus.reports:
        by_agency.setdefault(r.spec.agency, {})[r.spec.year] = r.spec.figures
    chained = broken = 0
    for agency, years in by_agency.items():
        for year, figs in years.items():
            prev = years.get(year - 1)
            if prev is None:
                continue
            cols = [c for c in ("natural_person", "commercial", "research", "social_org", "legal_service",
                                "other_org", "total")]
            same = all(figs[f"t3/carried_over/{c}"] == prev[f"t3/carried_forward/{c}"] for c in cols)
            assert same == ((agency, year) not in carry), (agency, year)
            chained += same
            broken += not same
            if year >= 2022:
                assert figs["t2/normative_doc/in_force"] == (
                    prev["t2/normative_doc/in_force"] + figs["t2/normative_doc/issued"]
                    - figs["t2/normative_doc/repealed"]
                )
    assert broken == G.PLANTED["carry_chain"] == 4
    assert chained > 500
    # carried requests are not all zero: the chain is really exercised
    assert sum(1 for years in by_agency.values() for f in years.values() if f["t3/carried_over/total"]) > 50


def test_numbers_are_heavy_tailed_and_differ_by_agency():
    corpus = G.build_corpus()
    received = {r.spec.agency: r.spec.figures["t3/new_received/total"] for r in corpus.reports if r.spec.year == 2024}
    values = sorted(received.values())
    median = values[len(values) // 2]
    assert values[-1] > 10 * max(median, 1)  # a long tail above a small median
    governments = [v for a, v in received.items() if a.endswith("人民政府")]
    justice = [v for a, v in received.items() if a.endswith("司法局")]
    assert sum(governments) > 10 * sum(justice)
    # outcome shares are each agency's own: the 予以公开 share spreads widely across agencies
    shares = []
    for r in corpus.reports:
        f = r.spec.figures
        if r.spec.year == 2023 and f["t3/total/total"] >= 20:
            shares.append(f["t3/granted/total"] / f["t3/total/total"])
    assert len(shares) >= 10 and max(shares) - min(shares) > 0.3


def test_answer_key_lists_what_was_planted(built):
    errors = built["key"]["errors"]
    counts = Counter(e["rule"] for e in errors if e["rule"] != "blank_cells")
    assert counts == Counter(G.PLANTED)
    assert all(e["severity"] in ("error", "warning") and e["detail"] for e in errors)
    files = {(r["agency"], r["year"]) for r in built["key"]["reports"]}
    for e in errors:
        present = (e["agency"], e["year"]) in files
        assert present == (e["rule"] != "missing_year"), e


# ---------------------------------------------------------------- the database built from it
def test_build_is_fast_and_reports_progress(built):
    result, calls = built["result"], built["progress"]
    assert not result.failed
    assert len(result.results) == 668 + 5
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert any("导入报告 673/673" in m for _, m in calls)
    # The product promise is under 60 s on the 2-core machine; the margin absorbs a loaded test run.
    assert result.seconds < 90, f"build took {result.seconds:.1f} s"


def test_ingest_finds_exactly_the_planted_errors(built):
    con = duckdb.connect(str(built["db"]), read_only=True)
    found = set(
        con.execute(
            """SELECT a.name, f.year, f.rule FROM findings f JOIN agencies a USING (agency_id)
               WHERE a.agency_id IN (SELECT agency_id FROM reports WHERE is_demo)""",
        ).fetchall()
    )
    planted = G.planted(built["key"])
    checked = {f for f in found if f[2] in CHECKED_RULES}
    assert checked - planted == set(), "findings the generator did not plant"
    assert planted - checked == set(), "planted errors the checks missed"
    # and no finding of any other rule on a demo report (in_force_chain, missing_table, region…)
    assert {f[2] for f in found} <= set(CHECKED_RULES)


def test_demo_figures_are_the_generated_ones(built):
    """Every figure of every demo file reads back exactly (blank stays NULL, not 0)."""
    corpus = G.build_corpus()
    expected = {(r.spec.agency, r.spec.year): r.spec.figures for r in corpus.reports}
    con = duckdb.connect(str(built["db"]), read_only=True)
    rows = con.execute(
        """SELECT a.name, r.year, f."table" || '/' || f."row" || '/' || f."column", f.value, r.template
           FROM figures f JOIN reports r USING (report_id) JOIN agencies a USING (agency_id) WHERE r.is_demo"""
    ).fetchall()
    got: dict[tuple[str, int], dict] = {}
    for agency, year, key, value, template in rows:
        got.setdefault((agency, year), {})[key] = value
        assert template == ("2019" if year <= 2020 else "2021")
    assert set(got) == set(expected)
    for report, figures in expected.items():
        assert got[report] == {k: (None if v is None else float(v)) for k, v in figures.items()}, report
    assert sum(len(f) for f in expected.values()) == len(rows)


def test_demo_flag_in_database_and_export(built, tmp_path):
    con = duckdb.connect(str(built["db"]), read_only=True)
    by_flag = dict(con.execute("SELECT is_demo, count(*) FROM reports GROUP BY 1").fetchall())
    assert by_flag == {True: 668, False: 5}
    real = set(con.execute("SELECT a.name FROM reports JOIN agencies a USING (agency_id) WHERE NOT is_demo").fetchall())
    assert real == {("台儿庄区工业和信息化局",), ("淮安市洪泽区人民政府",), ("平潭综合实验区",), ("上海市人民政府办公厅",)}
    demo_agencies = {r["agency"] for r in built["key"]["reports"]}
    # the demo districts are placed explicitly: 青岚市 is fictional and must never be inferred
    regions = set(con.execute(
        "SELECT DISTINCT g.province, g.city, g.county FROM reports r JOIN agencies a USING (agency_id)"
        " JOIN regions g USING (adcode) WHERE r.is_demo").fetchall())
    assert regions == {("江西省", "青岚市", d.name) for d in G.DISTRICTS}
    csv = tmp_path / "figures.csv"
    rows = export.export_csv(con, csv, export.Filters())
    frame = pd.read_csv(csv, encoding="utf-8-sig", dtype={"is_demo": str})
    assert len(frame) == rows == con.execute("SELECT count(*) FROM figures").fetchone()[0]
    demo_rows = frame[frame["agency"].isin(demo_agencies)]
    assert len(demo_rows) == con.execute(
        "SELECT count(*) FROM figures JOIN reports USING (report_id) WHERE is_demo").fetchone()[0]
    assert set(demo_rows["is_demo"].str.lower()) == {"true"}
    assert set(frame[~frame["agency"].isin(demo_agencies)]["is_demo"].str.lower()) == {"false"}


def test_real_samples_are_the_fixtures_with_provenance():
    files = sample_files(SAMPLES_DIR)
    assert [f.name for f in files] == [
        "000_604589b9a90ba4e6.txt", "hongze_2024.pdf", "pingtan_2019.html", "pingtan_2022.html",
        "shanghai_bgt_2019.html",
    ]
    provenance = pd.read_csv(SAMPLES_DIR / "PROVENANCE.csv", dtype=str).set_index("file")
    for f in files:
        assert f.read_bytes() == (FIXTURES / f.name).read_bytes()
        truth = json.loads((FIXTURES / f.with_suffix(".truth.json").name).read_text(encoding="utf-8"))
        row = provenance.loc[f.name]
        assert row["agency"] == truth["agency"] and int(row["year"]) == truth["year"]
        assert row["province"] == truth["region"][0]
        assert len(row["published"]) > 40


# ---------------------------------------------------------------- determinism, CLI, idempotence
def test_same_seed_same_bytes_in_another_process(built, tmp_path):
    """`gongkai demo generate` in a new process, with another hash seed: byte-identical files."""
    again = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="12345", COLUMNS="200")
    proc = subprocess.run(
        [sys.executable, "-m", "gongkai", "demo", "generate", "--out", str(again), "--seed", str(G.DEFAULT_SEED)],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "生成 668 份模拟报告" in proc.stdout
    original = _tree_hashes(built["out"])
    assert len(original) == 668 + 3  # reports, answer_key.json, manifest.csv, published.csv
    assert _tree_hashes(again) == original


def test_ingesting_again_changes_nothing(built):
    db = built["db"]
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    summary = ingest([built["out"], *sample_files(SAMPLES_DIR)], db)
    assert Counter(r.status for r in summary.results) == {SKIPPED: 673}
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_another_seed_gives_another_corpus():
    a, b = G.build_corpus(G.DEFAULT_SEED), G.build_corpus(G.DEFAULT_SEED + 1)
    assert [r.spec.figures for r in a.reports[:20]] != [r.spec.figures for r in b.reports[:20]]
