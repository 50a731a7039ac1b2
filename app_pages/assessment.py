"""年报评估: every agency-year in the filters scored (gongkai.assess), the points lost by criterion, and the
ranking with the reasons, each row linking to its 报告详情. The region and year filters are the sidebar's
(bound to the URL); the ranking table and the chart export exactly what they show."""

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components.assessment import lost_by_criterion, scored, too_many
from components.i18n import t
from components.page import chart, guarded, page_body, table
from gongkai.assess import config_from_env

LIST_LIMIT = 2000  # rows in the ranking (a country has ~100,000 agency-years a year)

with guarded():
    ctx = page_body("page.assessment")
    if ctx is not None:
        config = config_from_env()
        st.caption(t("assess.intro", full=f"{config.full_marks:g}"))
        frame, threshold = (None, None) if too_many(ctx.reports) else scored(ctx.params())
        if frame is None:
            pass
        elif frame.empty:
            st.info(t("assess.none"))
        else:
            cols = st.columns(4)
            cols[0].metric(t("assess.kpi_assessed"), f"{len(frame):,}")
            cols[1].metric(t("assess.kpi_mean"), f"{frame['score'].mean():.1f}")
            cols[2].metric(t("assess.kpi_full"), f"{int((frame['score'] >= config.full_marks).sum()):,}")
            cols[3].metric(t("assess.kpi_missing"), f"{int(frame['report_id'].isna().sum()):,}")
            chart(t("assess.lost_chart"), lost_by_criterion(frame), ctx=ctx, query="assess_agency_years",
                  key="assess_lost")
            st.subheader(t("assess.ranking"))
            only_lost = st.toggle(t("assess.only_lost"), value=False, key="assess_only_lost")
            shown = frame[frame["score"] < config.full_marks] if only_lost else frame
            if len(shown) > LIST_LIMIT:
                st.caption(t("assess.limited", n=f"{LIST_LIMIT:,}"))
                shown = shown.head(LIST_LIMIT)
            region = [" ".join(str(x) for x in (r.province, r.city, r.county) if isinstance(x, str))
                      for r in shown.itertuples()]
            listed = pd.DataFrame({
                t("col.agency"): shown["agency"],
                t("col.region"): region,
                t("col.year"): shown["year"],
                t("col.score"): shown["score"],
                t("col.points_lost"): shown["lost"],
                t("col.reasons"): ["；".join(r) for r in shown["reasons"]],
                t("col.similarity"): (shown["similarity"] * 100).round(1),
                t("col.prev_year"): shown["prev_year"],
                t("col.link"): [
                    None if pd.isna(r) else "report?" + urlencode(ctx.url_params(report=[str(int(r))]), doseq=True)
                    for r in shown["report_id"]
                ],
            })
            table(listed, ctx=ctx, query="assess_agency_years", key="assess_ranking", name=t("page.assessment"),
                  config={t("col.link"): st.column_config.LinkColumn(t("col.link"), display_text=t("quality.link")),
                          t("col.year"): st.column_config.NumberColumn(t("col.year"), format="%d"),
                          t("col.prev_year"): st.column_config.NumberColumn(t("col.prev_year"), format="%d"),
                          t("col.reasons"): st.column_config.TextColumn(t("col.reasons"), width="large")})
