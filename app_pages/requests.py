"""申请办理: requests received and handled by year, outcome mix, refusal and 无法提供 reasons, applicant
types, carried-over requests."""

from components import charts, db
from components.i18n import t
from components.page import chart, guarded, page_body

with guarded():
    ctx = page_body("page.requests")
    if ctx is not None:
        by_year = db.query("requests_by_year", ctx.params())
        chart(t("chart.requests_handled"), charts.requests_handled(by_year), ctx=ctx, query="requests_by_year",
              key="requests_handled")
        chart(t("chart.outcome_mix"), charts.outcome_mix(db.query("outcome_mix_by_year", ctx.params())), ctx=ctx,
              query="outcome_mix_by_year", key="outcome_mix")
        chart(t("chart.refusal"), charts.refusal_reasons(db.query("refusal_reasons", ctx.params())), ctx=ctx,
              query="refusal_reasons", key="refusal_reasons")
        chart(t("chart.applicants"), charts.applicant_types(by_year), ctx=ctx, query="requests_by_year",
              key="applicants")
        chart(t("chart.carried"), charts.carried(by_year), ctx=ctx, query="requests_by_year", key="carried")
