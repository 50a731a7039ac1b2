"""Drill-down: a region (a bar of the district chart, or the selectbox) → its agencies → an agency's
reports → 报告详情 (a link carrying the filters and ?report=ID)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import db
from components.i18n import t
from components.page import PageContext, table

REPORT_PAGE = "app_pages/report.py"


def _selected_point(event) -> int | None:
    try:
        points = event.selection.points  # st.plotly_chart(on_select="rerun") event
    except AttributeError:
        return None
    if not points:
        return None
    index = points[0].get("point_index", points[0].get("point_number"))
    return int(index) if index is not None else None


def report_links(ctx: PageContext, reports: pd.DataFrame, key: str) -> None:
    """One link per report, opening 报告详情 with the current filters kept in the URL."""
    columns = st.columns(min(4, max(1, len(reports))))
    for i, row in enumerate(reports.itertuples()):
        label = t("drill.open", year=int(row.year))
        if row.is_demo:
            label += f"（{t('demo.badge')}）"
        columns[i % len(columns)].page_link(
            REPORT_PAGE, label=label, icon=":material/description:",
            query_params=ctx.url_params(report=str(int(row.report_id))),
        )


def drill_down(ctx: PageContext, districts: pd.DataFrame, event) -> None:
    """`districts` is the district_comparison result the chart drew (same row order), `event` its selection."""
    st.subheader(t("drill.header"))
    labels = list(districts.index)
    names = [
        r.county if pd.notna(r.county) else (r.city if pd.notna(r.city) and r.city != r.province else r.province)
        for r in districts.itertuples()
    ]
    clicked = _selected_point(event)
    choice_key = "drill_district"
    # A click selects the region once; the selectbox may change it afterwards while the bar stays selected.
    if clicked != st.session_state.get("drill_last_click"):
        st.session_state["drill_last_click"] = clicked
        if clicked is not None and clicked < len(labels):
            st.session_state[choice_key] = labels[clicked]
    if st.session_state.get(choice_key) not in [None, *labels]:
        st.session_state[choice_key] = None
    chosen = st.selectbox(
        t("drill.district"), [None, *labels], key=choice_key,
        format_func=lambda i, none=t("drill.none"): none if i is None else names[labels.index(i)],
    )
    if chosen is None:
        return
    region = districts.loc[chosen]
    params = ctx.params(province=region.province, city=region.city, county=region.county)
    agencies = db.query("app_agency_summary", params)
    if pd.isna(region.county):  # the city- or province-level bodies only, not the counties under them
        agencies = agencies[agencies.county.isna()]
    name = names[labels.index(chosen)]
    st.markdown(f"**{t('drill.agencies_of', district=name)}**")
    shown = pd.DataFrame({
        t("col.agency"): agencies["agency"],
        t("col.kind"): agencies["kind"],
        t("col.reports"): agencies["reports"],
        t("col.first_year"): agencies["first_year"].astype("Int64"),
        t("col.last_year"): agencies["last_year"].astype("Int64"),
        t("col.new_received"): agencies["new_received"],
        f"{t('col.disclosure_rate')}（%）": agencies["disclosure_rate"] * 100,
    })
    selection = table(shown, ctx=ctx, query="app_agency_summary", key="drill_agencies",
                      name=t("drill.agencies_of", district=name), on_select="rerun", selection_mode="single-row")
    agency_key = f"drill_agency_{chosen}"
    rows = getattr(getattr(selection, "selection", None), "rows", None) or []
    if rows:
        st.session_state[agency_key] = agencies["agency"].iloc[rows[0]]
    options = [None, *agencies["agency"]]
    if st.session_state.get(agency_key) not in options:
        st.session_state[agency_key] = None
    agency = st.selectbox(t("drill.agency"), options, key=agency_key,
                          format_func=lambda a, none=t("drill.none"): none if a is None else a)
    if agency is None:
        return
    reports = db.query("agency_reports", ctx.params(agencies=[agency], province=region.province,
                                                     city=region.city, county=region.county))
    st.markdown(f"**{t('drill.reports_of', agency=agency)}**")
    report_links(ctx, reports, key=f"drill_reports_{chosen}")
