"""报告详情 (?report=ID): one report's tables as the template prints them, cells breaking a rule highlighted
with the rule's message; the source file's name, format, hash and ingest time."""

import pandas as pd
import streamlit as st

from components import db
from components.assessment import scored, side_by_side_html
from components.fmt import md_text
from components.drill import report_links
from components.i18n import rule_label, t
from components.page import guarded, page_body, table
from gongkai.assess import config_from_env
from components.report_view import STYLE, Cells, table2_html, table3_html, table4_html
from gongkai.similarity import similarity
from gongkai.template import TABLE_TITLES


def _requested_report() -> int | None:
    raw = st.query_params.get("report")
    if raw is None or raw == "":
        return None
    try:
        report_id = int(raw)
    except ValueError:
        report_id = None
    if report_id is None or db.query("app_report_source", {"report_id": report_id}).empty:
        st.warning(t("report.missing", value=md_text(str(raw)[:80])))
        del st.query_params["report"]
        return None
    return report_id


MAX_REPORT_CHOICES = 5000


def _choose_report(ctx) -> None:
    if ctx.reports > MAX_REPORT_CHOICES:  # a national list of 600,000 reports is no choice: narrow first
        st.info(t("report.too_many", n=f"{ctx.reports:,}", limit=f"{MAX_REPORT_CHOICES:,}"))
        return
    reports = db.query("agency_reports", ctx.params())
    if reports.empty:
        st.info(t("empty.scope"))
        return
    st.info(t("report.none_selected"))
    labels = {int(r.report_id): f"{r.agency} {int(r.year)}" for r in reports.itertuples()}
    choice = st.selectbox(t("report.choose"), [None, *labels], key="report_choice",
                          format_func=lambda r, none=t("drill.none"): none if r is None else labels[r])
    if choice is not None:
        st.query_params["report"] = str(choice)
        st.rerun()


def _assessment_and_narrative(source, report_id: int) -> None:
    """This report's assessment (score and reasons) and its narrative beside the agency's previous one."""
    config = config_from_env()
    frame, _ = scored({"agencies": [source.agency], "year_from": int(source.year), "year_to": int(source.year)})
    row = frame[frame["report_id"] == report_id]
    if not row.empty:
        row = row.iloc[0]
        if row["reasons"]:
            st.subheader(t("assess.report_score", score=f"{row['score']:g}", full=f"{config.full_marks:g}"))
            for reason in row["reasons"]:  # written by gongkai.assess, but quoting report text: shown as text
                st.text(reason)
        else:
            st.success(t("assess.report_full"))
    pair = db.query("assess_report_narratives", {"report_id": report_id})
    st.subheader(t("narrative.title"))
    if pair.empty or pd.isna(pair.loc[0, "prev_report_id"]):
        st.info(t("narrative.no_previous"))
        return
    this_text, prev_text = pair.loc[0, "narrative"] or "", pair.loc[0, "prev_narrative"] or ""
    share = similarity(this_text, prev_text)
    prev_year = int(pair.loc[0, "prev_year"])
    if share is None:
        st.info(t("narrative.empty"))
        return
    st.caption(t("narrative.caption", prev=prev_year, share=f"{share:.0%}"))
    st.html(side_by_side_html(this_text, prev_text, f"{int(source.year)}", f"{prev_year}"))


with guarded():
    ctx = page_body("page.report", badge=False)
    if ctx is not None:
        report_id = _requested_report()
        if report_id is None:
            _choose_report(ctx)
        else:
            source = db.query("app_report_source", {"report_id": report_id}).iloc[0]
            # the agency name comes from the report file: shown as written, never as Markdown or HTML
            st.header(f"{md_text(source.agency)} {int(source.year)} 年度报告")
            if source.is_demo:
                st.badge(t("demo.badge"), icon=":material/science:", color="orange")
            region = " ".join(str(x) for x in (source.province, source.city, source.county) if pd.notna(x))
            meta = pd.DataFrame({
                t("export.item"): [t("report.region"), t("report.printed_name"), t("report.template"),
                                   t("report.source"), t("report.format"), t("report.sha256"),
                                   t("report.ingested_at")],
                t("export.value"): [region or "—", source.agency_printed or "—", f"{source.template} 年版",
                                    source.source_file, source.format, source.sha256,
                                    str(source.ingested_at)],
            })
            st.dataframe(meta, hide_index=True, key="report_meta")

            figures = db.query("report_figures", {"report_id": report_id})
            findings = db.query("app_report_findings", {"report_id": report_id})
            cells = Cells(figures)
            template = source.template or "2021"
            if cells.messages:
                st.caption(t("report.highlight"))
            if cells.ocr:
                st.caption(t("report.ocr_legend"))
            st.html(STYLE)
            st.subheader(TABLE_TITLES["t2"])
            st.html(table2_html(cells, template))
            st.subheader(TABLE_TITLES["t3"])
            st.html(table3_html(cells, template))
            st.subheader(TABLE_TITLES["t4"])
            st.html(table4_html(cells))

            st.subheader(t("report.findings"))
            if findings.empty:
                st.success(t("report.no_findings"))
            else:
                listed = pd.DataFrame({
                    t("col.severity"): [t(f"severity.{s}") for s in findings["severity"]],
                    t("col.rule"): findings["rule"].map(rule_label),
                    t("col.message"): findings["message"],
                    "单元格" if st.session_state.get("lang") != "en" else "cells":
                        ["、".join(c) if c is not None else "" for c in findings["cells"]],
                })
                table(listed, ctx=ctx, query="app_report_findings", key="report_findings",
                      name=f"{source.agency}_{int(source.year)}_核对问题")
            _assessment_and_narrative(source, report_id)
            # The figures long, exactly as stored, for export; status says 未填报 (printed blank) from 未读取.
            with st.expander(t("export.data")):
                long = figures[["table", "row", "column", "value"]].assign(
                    status=figures["status"].map(lambda s: t(f"status.{s}")))
                table(long, ctx=ctx, query="report_figures", key="report_figures",
                      name=f"{source.agency}_{int(source.year)}")
            others = db.query("agency_reports", {"agencies": [source.agency]})
            others = others[others.report_id != report_id]
            if not others.empty:
                st.subheader(t("report.other_reports"))
                report_links(ctx, others, key="other_years")
