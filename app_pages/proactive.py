"""主动公开: 表二 figures by year (only the comparable 处理决定数量 across formats; 规范性文件 and fees of
2021-format reports) and by agency."""

from components import charts, db
from components.i18n import t
from components.page import chart, guarded, page_body

with guarded():
    ctx = page_body("page.proactive")
    if ctx is not None:
        by_year = db.query("proactive_disclosure_by_year", ctx.params())
        chart(t("chart.t2_by_year"), charts.decisions_by_year(by_year), ctx=ctx,
              query="proactive_disclosure_by_year", key="t2_decisions")
        chart(t("chart.t2_docs"), charts.documents_and_fees(by_year), ctx=ctx,
              query="proactive_disclosure_by_year", key="t2_docs")
        chart(t("chart.t2_by_agency"),
              charts.disclosure_by_agency(db.query("app_proactive_disclosure_by_agency", ctx.params(top=30))),
              ctx=ctx, query="app_proactive_disclosure_by_agency", key="t2_by_agency")
