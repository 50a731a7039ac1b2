"""复议诉讼: review and litigation outcomes by year and by agency; correction rates with their counts."""

from components import charts, db
from components.i18n import t
from components.page import chart, guarded, page_body

with guarded():
    ctx = page_body("page.review")
    if ctx is not None:
        by_year = db.query("review_litigation_by_year", ctx.params())
        chart(t("chart.review_by_year"), charts.review_outcomes(by_year, by="year"), ctx=ctx,
              query="review_litigation_by_year", key="review_by_year")
        chart(t("chart.correction_rates"), charts.correction_rates(by_year), ctx=ctx,
              query="review_litigation_by_year", key="correction_rates")
        by_agency = db.query("app_review_litigation_by_agency", ctx.params(top=30))
        chart(t("chart.review_by_agency"), charts.review_outcomes(by_agency, by="agency"), ctx=ctx,
              query="app_review_litigation_by_agency", key="review_by_agency")
