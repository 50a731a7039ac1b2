"""数据质量: findings by rule and by agency, the list of findings each linking to its report, the
missing-report matrix (agency × year), and the reports not published in their portal column (gongkai fetch)."""

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components import charts, db
from components.assessment import scored, too_many
from components.i18n import rule_label, t
from components.page import chart, guarded, page_body, table

TOP_AGENCIES = 30
LIST_LIMIT = 1000  # findings listed (a country has tens of thousands: the charts above count them all)
MATRIX_LIMIT = 200  # agencies in the missing-report matrix

with guarded():
    ctx = page_body("page.quality")
    if ctx is not None:
        by_rule = db.query("app_findings_by_rule", ctx.params())
        if by_rule.empty:
            st.info(t("quality.no_findings"))
        else:
            left, right = st.columns(2)
            with left:
                chart(t("chart.findings_by_rule"), charts.findings_by(by_rule, "rule"), ctx=ctx,
                      query="app_findings_by_rule", key="findings_by_rule", show_table=False)
            with right:
                by_agency = db.query("app_findings_by_agency", ctx.params(top=TOP_AGENCIES))
                chart(t("chart.findings_by_agency"), charts.findings_by(by_agency, "agency"), ctx=ctx,
                      query="app_findings_by_agency", key="findings_by_agency", show_table=False)
        st.subheader(t("chart.findings_list"))
        if not by_rule.empty:
            findings = db.query("findings_list", ctx.params(limit=LIST_LIMIT))
            if len(findings) >= LIST_LIMIT:
                st.caption(t("quality.list_limited", n=f"{LIST_LIMIT:,}"))
            listed = pd.DataFrame({
                t("col.agency"): findings["agency"],
                t("col.year"): findings["year"],
                t("col.severity"): [t(f"severity.{s}") for s in findings["severity"]],
                t("col.rule"): findings["rule"].map(rule_label),
                t("col.message"): findings["message"],
                t("col.source_file"): findings["source_file"],
                t("col.report_id"): findings["report_id"].astype("Int64"),
                t("col.link"): [
                    None if pd.isna(r) else "report?" + urlencode(ctx.url_params(report=[str(int(r))]), doseq=True)
                    for r in findings["report_id"]
                ],
            })
            table(listed, ctx=ctx, query="findings_list", key="findings_list", name=t("chart.findings_list"),
                  config={t("col.link"): st.column_config.LinkColumn(t("col.link"), display_text=t("quality.link")),
                          t("col.year"): st.column_config.NumberColumn(t("col.year"), format="%d")})
        st.subheader(t("chart.missing"))
        missing = db.query("missing_reports", ctx.params(limit=MATRIX_LIMIT))
        if missing["agency_id"].nunique() >= MATRIX_LIMIT:
            st.caption(t("quality.matrix_limited", n=f"{MATRIX_LIMIT:,}"))
        gaps = int((~missing["has_report"].astype(bool)).sum()) if not missing.empty else 0
        chart("", charts.missing_matrix(missing), ctx=ctx, query="missing_reports", key="missing")
        st.caption(t("quality.missing_count", n=gaps) if gaps else t("quality.missing_none"))
        not_published = db.query("not_published", ctx.params(limit=LIST_LIMIT))
        if not not_published.empty:  # only databases filled by `gongkai fetch` have these
            st.subheader(t("chart.not_published"))
            st.caption(t("quality.not_published_note"))
            table(pd.DataFrame({
                t("col.agency"): not_published["agency"],
                t("col.year"): not_published["year"],
                t("col.column_url"): not_published["column_url"],
            }), ctx=ctx, query="not_published", key="not_published", name=t("chart.not_published"),
                config={t("col.year"): st.column_config.NumberColumn(t("col.year"), format="%d")})

        # Agencies whose narrative barely changed: this year's text mostly last year's (gongkai.similarity).
        st.subheader(t("quality.copied"))
        if not too_many(ctx.reports):
            assessed, threshold = scored(ctx.params())
            copied = assessed[assessed["similarity"].notna() & (assessed["similarity"] >= threshold)] \
                if not assessed.empty else assessed
            st.caption(t("quality.copied_caption", threshold=f"{threshold:.0%}"))
            if copied.empty:
                st.info(t("quality.copied_none"))
            else:
                copied = copied.sort_values(["similarity", "year"], ascending=[False, False], kind="stable")
                listed = pd.DataFrame({
                    t("col.agency"): copied["agency"],
                    t("col.year"): copied["year"],
                    t("col.prev_year"): copied["prev_year"],
                    t("col.similarity"): (copied["similarity"] * 100).round(1),
                    t("col.link"): ["report?" + urlencode(ctx.url_params(report=[str(int(r))]), doseq=True)
                                    for r in copied["report_id"]],
                })
                table(listed, ctx=ctx, query="assess_agency_years", key="copied_narratives", name=t("quality.copied"),
                      config={t("col.link"): st.column_config.LinkColumn(t("col.link"), display_text=t("quality.link")),
                              t("col.year"): st.column_config.NumberColumn(t("col.year"), format="%d"),
                              t("col.prev_year"): st.column_config.NumberColumn(t("col.prev_year"), format="%d")})
