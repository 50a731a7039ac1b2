"""Drill-down: a region (a bar of the district chart, or the selectbox) → its agencies → an agency's
reports → 报告详情 (a link carrying the filters and ?report=ID)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import db
from components.fmt import md_text
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


LEVELS = ("province", "city", "county")


def region_level(ctx: PageContext) -> str:
    """The level the region chart compares: the one below the finest region filter."""
    f = ctx.filters
    return "province" if not f.province else "city" if not f.city else "county"


def regions_at(districts: pd.DataFrame, level: str) -> pd.DataFrame:
    """district_comparison rows (one per county) summed up to `level`; `name` is what the bar is labelled.

    A NULL at the level means the bodies above it (a city's own departments at county level: 市本级)."""
    keys = list(LEVELS[: LEVELS.index(level) + 1])
    sums = ["reports", "agencies", "new_received", "disclosed", "handled", "review_total", "review_corrected",
            "suit_total", "suit_corrected"]
    out = districts.groupby(keys, dropna=False, as_index=False, sort=False)[sums].sum(min_count=1)
    for lower in LEVELS[len(keys):]:
        out[lower] = None
    out["disclosure_rate"] = out["disclosed"] / out["handled"].where(out["handled"] != 0)
    parent = {"province": None, "city": "province", "county": "city"}[level]

    def name(row: pd.Series) -> str:
        if pd.notna(row[level]):
            return str(row[level])
        above = row[parent] if parent else None
        return f"{above}（本级）" if above is not None and pd.notna(above) else "（地区未识别）"

    out["name"] = out.apply(name, axis=1) if not out.empty else pd.Series(dtype=str)
    return out.sort_values("new_received", ascending=False, na_position="last").reset_index(drop=True)


def drill_down(ctx: PageContext, regions: pd.DataFrame, level: str, event) -> None:
    """`regions` is what the region chart drew (same row order), `event` its selection.

    A province or city opens the next level down (the sidebar filters follow, so does the URL); a county
    — or the bodies of a level itself (本级) — lists its agencies, an agency its reports."""
    st.subheader(t("drill.header"))
    labels = list(regions.index)
    names = list(regions["name"])
    clicked = _selected_point(event)
    choice_key = f"drill_{level}"
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
    region = regions.loc[chosen]
    if level != "county" and pd.notna(region[level]):
        # go one level down: the filters (and the URL) now name this region
        del st.session_state[choice_key]
        st.session_state["drill_last_click"] = None
        for key in LEVELS:
            if key in st.query_params:
                del st.query_params[key]
        for key in LEVELS[: LEVELS.index(level) + 1]:
            st.query_params[key] = region[key]
        st.rerun()
    _agencies_of(ctx, region, level, names[labels.index(chosen)], chosen)


def _agencies_of(ctx: PageContext, region: pd.Series, level: str, name: str, chosen: int) -> None:
    region_params = {k: (None if pd.isna(region[k]) else region[k]) for k in LEVELS}
    agencies = db.query("app_agency_summary", ctx.params(**region_params))
    for key in LEVELS[LEVELS.index(level):]:
        if pd.isna(region[key]):  # 本级: the bodies of the level above only, not those of the regions below
            agencies = agencies[agencies[key].isna()]
    st.markdown(f"**{t('drill.agencies_of', district=md_text(name))}**")
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
    agency_key = f"drill_agency_{level}_{chosen}"
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
    reports = db.query("agency_reports", ctx.params(agencies=[agency], **region_params))
    st.markdown(f"**{t('drill.reports_of', agency=md_text(agency))}**")
    report_links(ctx, reports, key=f"drill_reports_{chosen}")
