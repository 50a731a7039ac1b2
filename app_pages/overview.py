"""总览: KPI cards for the latest year in the filters (change on the year before), the trend of requests
received, the regions side by side (provinces, a province's cities or a city's counties), and the drill-down
region → agency → report."""

from components import charts, db
from components.drill import drill_down, region_level, regions_at
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
        level = region_level(ctx)
        regions = regions_at(db.query("district_comparison", ctx.params()), level)
        event = chart(t(f"chart.regions.{level}"), charts.region_bars(regions, level), ctx=ctx,
                      query="district_comparison", key=f"regions_{level}", select=True)
        if not regions.empty:
            drill_down(ctx, regions, level, event)
