"""总览: KPI cards for the latest year in the filters (change on the year before), the trend of requests
received, the districts side by side, and the drill-down district → agency → report."""

import streamlit as st

from components import charts, db
from components.drill import drill_down
from components.i18n import t
from components.kpi import kpi_row
from components.page import chart, guarded, page_body

with guarded():
    ctx = page_body("page.overview")
    if ctx is not None:
        by_year = db.query("overview_by_year", ctx.params())
        latest = int(by_year["year"].max())
        # The card's change needs the year before, even when the year filter starts at the latest year.
        kpi_frame = db.query("overview_by_year", ctx.params(year_from=latest - 1, year_to=latest))
        kpi_row(kpi_frame, latest)
        chart(t("chart.requests_trend"), charts.requests_trend(by_year), ctx=ctx, query="overview_by_year",
              key="requests_trend")
        districts = db.query("district_comparison", ctx.params())
        event = chart(t("chart.district"), charts.district_bars(districts), ctx=ctx, query="district_comparison",
                      key="districts", select=True)
        if not districts.empty:
            drill_down(ctx, districts, event)
