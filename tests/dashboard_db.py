"""A small database for the dashboard tests: the five real fixture reports plus a few 模拟数据 reports.

The real reports alone span four provinces with one agency each, which cannot exercise a district
comparison, a ranking with change on last year or a drill-down. So, besides them, three districts of
淮安市 get three agencies each for 2022–2024, their figures being a real 2021-format report's figures
times a whole factor (sums stay consistent), marked is_demo. One agency has no 2023 report, so the
missing-report matrix has a hole and a missing_year finding.

Built through gongkai.store's writer functions (the same ones `gongkai ingest` uses), not raw SQL.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from gongkai import store
from gongkai.parser import parse_file
from gongkai.report import Finding, Report

FIXTURES = Path(__file__).parent / "fixtures"

# adcode, province, city, county, province_adcode, city_adcode
REGIONS = [
    ("370405", "山东省", "枣庄市", "台儿庄区", "370000", "370400"),
    ("320813", "江苏省", "淮安市", "洪泽区", "320000", "320800"),
    ("320812", "江苏省", "淮安市", "清江浦区", "320000", "320800"),
    ("320803", "江苏省", "淮安市", "淮安区", "320000", "320800"),
    ("350128", "福建省", "福州市", "平潭县", "350000", "350100"),
    ("310000", "上海市", "上海市", None, "310000", None),
]

# fixture file → (adcode, kind)
REAL = {
    "000_604589b9a90ba4e6.txt": ("370405", "部门"),
    "hongze_2024.pdf": ("320813", "人民政府"),
    "pingtan_2019.html": ("350128", "人民政府"),
    "pingtan_2022.html": ("350128", "人民政府"),
    "shanghai_bgt_2019.html": ("310000", "部门"),
}

DEMO_DISTRICTS = [("320813", "洪泽区"), ("320812", "清江浦区"), ("320803", "淮安区")]
DEMO_DEPARTMENTS = [("教育局", "部门"), ("卫生健康委员会", "部门"), ("人民政府", "人民政府")]
DEMO_YEARS = (2022, 2023, 2024)
# (district, department) that has no 2023 report
DEMO_GAP = ("清江浦区", "教育局", 2023)
DEMO_BASES = ("hongze_2024.pdf", "000_604589b9a90ba4e6.txt", "pingtan_2022.html")
INGESTED_AT = datetime(2026, 11, 29, 9, 30, 0)


def _add_agency(con, name: str, adcode: str, kind: str) -> int:
    agency_id = con.execute(
        "INSERT INTO agencies (name, name_key, adcode, kind, region_source) VALUES (?, ?, ?, ?, '清单')"
        " RETURNING agency_id",
        [name, name, adcode, kind],
    ).fetchone()[0]
    con.execute("INSERT INTO agency_names VALUES (?, ?)", [agency_id, name])
    return agency_id


def build_dashboard_db(path: Path) -> Path:
    """Write the test database at `path` (replacing it) and return the path."""
    path = Path(path)
    path.unlink(missing_ok=True)
    con = store.connect(path)
    try:
        con.executemany("INSERT INTO regions VALUES (?, ?, ?, ?, ?, ?)", REGIONS)
        parsed = {name: parse_file(FIXTURES / name) for name in REAL}
        agency_ids: dict[str, int] = {}
        for name, (adcode, kind) in REAL.items():
            report = parsed[name]
            if report.agency not in agency_ids:
                agency_ids[report.agency] = _add_agency(con, report.agency, adcode, kind)
            store.insert_report(
                con, report, agency_id=agency_ids[report.agency], sha256=f"real-{name}",
                source_file=name, ingested_at=INGESTED_AT,
            )
        n = 0
        for d, (adcode, district) in enumerate(DEMO_DISTRICTS):
            for k, (department, kind) in enumerate(DEMO_DEPARTMENTS):
                agency = f"{district}{department}"
                if agency in agency_ids:  # 洪泽区人民政府 is not the real 淮安市洪泽区人民政府: a different name
                    continue
                agency_id = _add_agency(con, agency, adcode, kind)
                base = parsed[DEMO_BASES[k]]
                for y, year in enumerate(DEMO_YEARS):
                    if (district, department, year) == DEMO_GAP:
                        store.insert_findings(
                            con,
                            [Finding("missing_year", "warning", f"{agency}缺少 {year} 年度报告")],
                            source="cross_year", agency_id=agency_id, year=year, report_id=None,
                        )
                        continue
                    factor = 1 + d + y  # whole factors keep every printed sum consistent
                    figures = {key: (None if v is None else v * factor) for key, v in base.figures.items()}
                    report = Report(
                        file=f"demo_{adcode}_{k}_{year}.txt", agency=agency, year=year, template="2021",
                        figures=figures, findings=list(base.findings), format="text",
                    )
                    n += 1
                    store.insert_report(
                        con, report, agency_id=agency_id, sha256=f"demo-{n}", source_file=report.file,
                        is_demo=True, ingested_at=INGESTED_AT,
                    )
        store.refresh_wide(con)
        store.sort_wide(con)
    finally:
        con.close()
    return path


# Names a hostile or careless report file may carry: HTML that would run script, Markdown that would become a
# link, and SQL that would drop tables if it were ever pasted into a query rather than bound.
XSS_AGENCY = "<img src=x onerror=alert(1)>局"
SQL_AGENCY = "'; DROP TABLE reports; --局"
MD_AGENCY = "[点此领取](https://example.com/x.png) **加粗** :red[红]局"
HOSTILE_COUNTY = ("320899", "江苏省", "淮安市", "<b>区</b>'; DELETE FROM figures; --", "320000", "320800")
XSS_FINDING = "<script>alert(2)</script>正文数字与表格不符"


def build_hostile_db(path: Path) -> Path:
    """The dashboard database plus one 2024 report for each hostile agency name, in a county whose name
    is hostile too; the XSS agency's report carries a finding whose message is a script tag."""
    build_dashboard_db(path)
    con = store.connect(path)
    try:
        con.execute("INSERT INTO regions VALUES (?, ?, ?, ?, ?, ?)", list(HOSTILE_COUNTY))
        base = parse_file(FIXTURES / "hongze_2024.pdf")
        for i, name in enumerate((XSS_AGENCY, SQL_AGENCY, MD_AGENCY)):
            agency_id = _add_agency(con, name, HOSTILE_COUNTY[0], "部门")
            findings = list(base.findings)
            if name == XSS_AGENCY:
                findings.append(Finding("text_vs_table", "warning", XSS_FINDING, cells=["t3/new_received/total"]))
            report = Report(file=f"hostile_{i}.txt", agency=name, year=2024, template=base.template,
                            figures=dict(base.figures), findings=findings, format="text")
            store.insert_report(con, report, agency_id=agency_id, sha256=f"hostile-{i}", source_file=report.file,
                                ingested_at=INGESTED_AT)
        store.refresh_wide(con)
        store.sort_wide(con)
    finally:
        con.close()
    return path


def build_empty_db(path: Path) -> Path:
    """A database with the schema and no report (what a fresh `gongkai ingest` of nothing leaves)."""
    path = Path(path)
    path.unlink(missing_ok=True)
    store.connect(path).close()
    return path


if __name__ == "__main__":  # python tests/dashboard_db.py data/dashboard_test.duckdb
    import sys

    print(build_dashboard_db(Path(sys.argv[1])))
