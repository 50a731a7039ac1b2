"""汇总表 (?year=2024 with the sidebar's region): the region's 表二, 表三, 表四 for one year summed over its
agencies, laid out as the national template prints them, with the number of agencies summed, the cells some
agency left blank (shown "≥ …（N 个单位未填报）", never as an exact number), the template's rules checked on the
sums and the agencies whose own reports break them. The sums as data with CSV/XLSX export, and the Word file
`gongkai summary --format docx` writes."""

from dataclasses import replace

import streamlit as st

from components import db
from components.fmt import md_text
from components.i18n import t
from components.page import guarded, page_body, table
from gongkai import summary as S
from gongkai.summary_write import STYLE, tables_html, to_docx

_K_YEAR = "summary_year"
_K_YEAR_URL = "_summary_year_url"  # the year last written to the URL: a different one there was typed


def _year(ctx, options: list[int]) -> int:
    """The year chosen, bound to ?year=: read from the URL when the user typed it, written back on change."""
    raw = st.query_params.get("year")
    if raw is not None and raw != st.session_state.get(_K_YEAR_URL):
        try:
            wanted = int(raw)
        except ValueError:
            wanted = None
        if wanted in options:
            st.session_state[_K_YEAR] = wanted
        else:  # shown in st.warning (Markdown): escaped, and never reaches SQL
            st.warning(t("filter.invalid", key="year", value=md_text(str(raw)[:80])), icon=":material/link_off:")
    if st.session_state.get(_K_YEAR) not in options:
        upto = [y for y in options if ctx.filters.year_to is None or y <= ctx.filters.year_to]
        st.session_state[_K_YEAR] = (upto or options)[-1]
    year = st.selectbox(t("summary.year"), options, key=_K_YEAR)
    st.query_params["year"] = str(year)
    st.session_state[_K_YEAR_URL] = str(year)
    return int(year)


with guarded():
    ctx = page_body("page.summary")
    if ctx is not None:
        f = ctx.filters
        if not f.province:
            st.info(t("summary.need_region"))
        else:
            scope = S.Scope(f.province, f.city, f.county)
            years = db.query("summary_years", scope.params())
            options = [int(y) for y in years.year]
            if not options:
                st.info(t("summary.no_year"))
            else:
                if f.agencies or f.kind:
                    st.caption(t("summary.ignores_filters"))
                year = _year(ctx, options)
                # the exports' 说明 sheet names the year summed (the sidebar's range does not apply here)
                ctx = replace(ctx, filters=replace(f, year_from=year, year_to=year))
                params = scope.params(year)
                summary = S.combine(scope, year, db.query("summary_reports", params),
                                    db.query("summary_cells", params), db.query("summary_rule_breaks", params),
                                    db.query("summary_missing", params))
                frame = summary.frame()
                broken = [c for c in summary.checks if c.finding.severity == "error"]
                st.header(md_text(summary.title))
                st.markdown(md_text(summary.lead()))
                left, middle, right = st.columns(3)
                left.metric(t("summary.reports"), f"{summary.report_count:,}")
                middle.metric(t("summary.incomplete"), f"{int((~frame['完整'].astype(bool)).sum()):,}")
                right.metric(t("summary.broken"), f"{len(broken):,}")
                for note in summary.notes()[1:]:
                    st.caption(md_text(note))
                st.download_button(
                    t("summary.docx"), data=lambda: to_docx(summary), file_name=f"{summary.title}.docx",
                    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    key="summary_docx", on_click="ignore", icon=":material/description:",
                )
                st.html(STYLE)
                for title, html in tables_html(summary):
                    st.subheader(title)
                    st.html(html)
                st.caption(t("summary.incomplete_note"))

                st.subheader(t("summary.checks"))
                checks = summary.check_frame()
                if checks.empty:
                    st.success(t("summary.checks_ok"))
                else:
                    table(checks, ctx=ctx, query="summary_rule_breaks", key="summary_checks",
                          name=f"{summary.title}_核对")
                if not summary.breaks.empty:  # errors may cancel out in a sum: every report's own is listed
                    with st.expander(t("summary.report_errors", n=len(summary.breaks))):
                        own = summary.breaks[["agency", "rule", "message"]].rename(columns={
                            "agency": t("col.agency"), "rule": t("col.rule"), "message": t("col.message")})
                        table(own, ctx=ctx, query="summary_rule_breaks", key="summary_breaks",
                              name=f"{summary.title}_单位核对错误")
                st.subheader(t("summary.data"))
                table(frame, ctx=ctx, query="summary_cells", key="summary_cells", name=summary.title)
                st.subheader(t("summary.agencies"))
                agencies = summary.reports[["agency", "county", "template", "source_file"]].rename(columns={
                    "agency": t("col.agency"), "county": t("col.county"), "template": t("report.template"),
                    "source_file": t("col.source_file"),
                })
                table(agencies, ctx=ctx, query="summary_reports", key="summary_reports",
                      name=f"{summary.title}_单位")
