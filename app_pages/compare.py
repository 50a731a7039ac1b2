"""单位对比: the agencies inside the filters side by side — ranking with change on last year, agency ×
outcome-share heatmap, small multiples of their trends."""

import streamlit as st

from components import charts, db
from components.i18n import t
from components.page import chart, guarded, page_body

with guarded():
    ctx = page_body("page.compare")
    if ctx is not None:
        f = ctx.filters
        years = [y for y in f.all_years if (f.year_from or y) <= y <= (f.year_to or y)] or list(f.all_years)
        year = st.selectbox(t("rank.year"), sorted(years, reverse=True), key="rank_year")
        chart(t("chart.ranking"), charts.ranking(db.query("agency_ranking", ctx.params(year=year, limit=50))), ctx=ctx,
              query="agency_ranking", key="ranking", table_open=True)
        chart(t("chart.heatmap"), charts.outcome_heatmap(db.query("agency_outcome_heatmap", ctx.params())),
              ctx=ctx, query="agency_outcome_heatmap", key="heatmap")
        chart(t("chart.small_multiples"), charts.small_multiples(db.query("app_agency_trends", ctx.params())),
              ctx=ctx, query="app_agency_trends", key="small_multiples")
