"""The demo corpus as a database for the 汇总 tests, without rendering and re-reading 668 files (~25 s).

The reports' figures are the generator's own (gongkai.demo.generate.build_corpus): what `gongkai demo build`
stores for them is those figures exactly (tests/test_demo.py::test_demo_figures_are_the_generated_ones), so
writing them through gongkai.store's writer (the one ingest uses) gives the same figures table in about a
second. The parser's table findings come from gongkai.rules, as the parser computes them. Every district of
the fictional 青岚市 is its own region, as build_demo ingests it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from gongkai import rules, store
from gongkai.demo import generate as G
from gongkai.report import Report

INGESTED_AT = datetime(2026, 11, 29, 9, 30, 0)


def build_demo_summary_db(path: Path) -> tuple[Path, G.DemoCorpus]:
    path = Path(path)
    path.unlink(missing_ok=True)
    corpus = G.build_corpus()
    con = store.connect(path)
    try:
        con.executemany("INSERT INTO regions VALUES (?, ?, ?, ?, ?, ?)", [
            (d.adcode, G.PROVINCE, G.CITY, d.name, G.PROVINCE_ADCODE, G.CITY_ADCODE) for d in G.DISTRICTS
        ])
        agency_ids: dict[str, int] = {}
        batch = store.Batch()
        report_ids = store.new_ids(con, "report_ids", len(corpus.reports))
        for report_id, demo in zip(report_ids, corpus.reports):
            agency = demo.agency
            if agency.name not in agency_ids:
                agency_ids[agency.name] = con.execute(
                    "INSERT INTO agencies (name, name_key, adcode, kind, region_source)"
                    " VALUES (?, ?, ?, ?, '命令行 --region') RETURNING agency_id",
                    [agency.name, agency.name, agency.district.adcode,
                     "人民政府" if agency.department.suffix == G.GOVERNMENT else "部门"],
                ).fetchone()[0]
            spec = demo.spec
            report = Report(file=demo.path, agency=agency.name, year=spec.year, template=spec.template,
                            figures=dict(spec.figures), findings=rules.check(spec.figures, {"t2", "t3", "t4"}),
                            format="text")
            batch.add_report(report_id, report, agency_id=agency_ids[agency.name], sha256=f"demo-{report_id}",
                             source_file=Path(demo.path).name, is_demo=True, ingested_at=INGESTED_AT)
        store.write_batch(con, batch)
        store.refresh_wide(con)
    finally:
        con.close()
    return path, corpus
