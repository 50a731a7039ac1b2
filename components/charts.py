"""Charts. Each chart is one function: query result in, (figure, dataframe drawn) out.

The dataframe returned is the one the figure is built from, with the column names the user reads, so the
export under a chart is exactly what the chart shows. Rates are carried as percentages (0–100, columns
suffixed （%）) because that is how they are drawn and read.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from components.i18n import rule_label, t
from gongkai import template as T

# CJK fonts first: the browser picks the first one installed (Noto on Linux, PingFang on macOS, YaHei on Windows).
CJK_FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'
OUTCOME_KEYS = ("granted", "partial", "denied", "unable", "refused", "other")


def pct_col(key: str) -> str:
    return f"{t(key)}（%）"


def _layout(fig: go.Figure, height: int = 360, legend: bool = True) -> go.Figure:
    fig.update_layout(
        font_family=CJK_FONTS, height=height, margin=dict(l=10, r=10, t=30, b=10),
        legend_title_text="", showlegend=legend, separators=".,",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
    )
    return fig


def _years_axis(fig: go.Figure) -> go.Figure:
    fig.update_xaxes(type="category", title_text="")
    return fig


def _as_pct(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce") * 100


def _region_label(row: pd.Series) -> str:
    if pd.notna(row.get("county")):
        return str(row["county"])
    if pd.notna(row.get("city")) and row.get("city") != row.get("province"):
        return f"{row['city']}（市本级）"
    return f"{row['province']}（省本级）" if pd.notna(row.get("province")) else "（地区未识别）"


# ---------------------------------------------------------------- 总览
def requests_trend(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """overview_by_year → line of 本年新收 by year, with 公开率 in the hover."""
    drawn = pd.DataFrame({
        t("col.year"): df["year"].astype(int).astype(str),
        t("col.new_received"): df["new_received"],
        t("col.reports"): df["reports"],
        pct_col("col.disclosure_rate"): _as_pct(df["disclosure_rate"]),
    })
    fig = px.line(drawn, x=t("col.year"), y=t("col.new_received"), markers=True,
                  hover_data={t("col.reports"): ":,", pct_col("col.disclosure_rate"): ":.1f"})
    fig.update_traces(hovertemplate=None)
    fig.update_yaxes(tickformat=",", rangemode="tozero")
    return _years_axis(_layout(fig)), drawn


def district_bars(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """district_comparison → one bar per region (county, or city/province-level bodies), 本年新收 summed."""
    drawn = pd.DataFrame({
        t("col.region"): df.apply(_region_label, axis=1),
        t("col.province"): df["province"],
        t("col.city"): df["city"],
        t("col.county"): df["county"],
        t("col.reports"): df["reports"],
        t("col.agencies"): df["agencies"],
        t("col.new_received"): df["new_received"],
        pct_col("col.disclosure_rate"): _as_pct(df["disclosure_rate"]),
        t("col.review_total"): df["review_total"],
        t("col.suit_total"): df["suit_total"],
    })
    fig = px.bar(drawn, x=t("col.region"), y=t("col.new_received"),
                 hover_data={t("col.agencies"): True, pct_col("col.disclosure_rate"): ":.1f"})
    fig.update_layout(clickmode="event+select", dragmode=False)
    fig.update_yaxes(tickformat=",")
    fig.update_xaxes(title_text="")
    return _layout(fig), drawn


# ---------------------------------------------------------------- 申请办理
def requests_handled(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """requests_by_year → grouped bars: 新收, 上年结转, 办理总计, 结转下年度."""
    cols = ["new_received", "carried_over", "handled", "carried_forward"]
    drawn = pd.DataFrame({t("col.year"): df["year"].astype(int).astype(str)})
    for c in cols:
        drawn[t(f"col.{c}")] = df[c]
    long = drawn.melt(id_vars=t("col.year"), var_name=t("col.series"), value_name=t("col.requests"))
    fig = px.bar(long, x=t("col.year"), y=t("col.requests"), color=t("col.series"), barmode="group")
    fig.update_yaxes(tickformat=",")
    return _years_axis(_layout(fig)), drawn


def outcome_mix(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """outcome_mix_by_year → 100% stacked bars of the outcome groups."""
    drawn = pd.DataFrame({
        t("col.year"): df["year"].astype(int).astype(str),
        t("col.outcome"): [t(f"outcome.{k}") for k in df["outcome_key"]],
        t("col.requests"): df["requests"],
        pct_col("col.share"): _as_pct(df["share"]),
    })
    order = [t(f"outcome.{k}") for k in OUTCOME_KEYS]
    fig = px.bar(drawn, x=t("col.year"), y=pct_col("col.share"), color=t("col.outcome"),
                 category_orders={t("col.outcome"): order}, hover_data={t("col.requests"): ":,"})
    fig.update_traces(hovertemplate="%{x}<br>%{fullData.name}: %{y:.1f}%<br>"
                      + t("col.requests") + ": %{customdata[0]:,}<extra></extra>")
    fig.update_yaxes(range=[0, 100], ticksuffix="%")
    return _years_axis(_layout(fig)), drawn


def refusal_reasons(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """refusal_reasons → one horizontal bar per reason, summed over the years in scope, coloured by group."""
    summed = (df.groupby(["position", "group_key", "group_label", "reason"], as_index=False)["requests"].sum()
              .sort_values("position"))
    drawn = pd.DataFrame({
        t("col.group"): [t(f"outcome.{k}") for k in summed["group_key"]],
        t("col.reason"): summed["reason"].to_numpy(),
        t("col.requests"): summed["requests"].to_numpy(),
    })
    fig = px.bar(drawn, y=t("col.reason"), x=t("col.requests"), color=t("col.group"), orientation="h")
    fig.update_yaxes(autorange="reversed", title_text="")
    fig.update_xaxes(tickformat=",")
    return _layout(fig, height=480), drawn


def applicant_types(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """requests_by_year → stacked bars of 本年新收 by applicant type."""
    drawn = pd.DataFrame({t("col.year"): df["year"].astype(int).astype(str)})
    for key, label in T.T3_COLUMNS:
        if key != "total":
            drawn[label] = df[key]
    long = drawn.melt(id_vars=t("col.year"), var_name=t("col.applicant"), value_name=t("col.requests"))
    fig = px.bar(long, x=t("col.year"), y=t("col.requests"), color=t("col.applicant"))
    fig.update_yaxes(tickformat=",")
    return _years_axis(_layout(fig)), drawn


def carried(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """requests_by_year → 上年结转 and 结转下年度 by year, 结转率 in the table."""
    drawn = pd.DataFrame({
        t("col.year"): df["year"].astype(int).astype(str),
        t("col.carried_over"): df["carried_over"],
        t("col.carried_forward"): df["carried_forward"],
        pct_col("col.carry_forward_rate"): _as_pct(df["carry_forward_rate"]),
    })
    long = drawn.drop(columns=[pct_col("col.carry_forward_rate")]).melt(
        id_vars=t("col.year"), var_name=t("col.series"), value_name=t("col.requests"))
    fig = px.bar(long, x=t("col.year"), y=t("col.requests"), color=t("col.series"), barmode="group")
    fig.update_yaxes(tickformat=",")
    return _years_axis(_layout(fig)), drawn


# ---------------------------------------------------------------- 复议诉讼
def _case_frame(df: pd.DataFrame, by: str) -> pd.DataFrame:
    label = t("col.year") if by == "year" else t("col.agency")
    key = df[by].astype(int).astype(str) if by == "year" else df[by]
    return pd.DataFrame({
        label: key,
        t("col.case"): [t(f"case.{c}") for c in df["case_type"]],
        t("col.upheld"): df["upheld"],
        t("col.corrected"): df["corrected"],
        t("col.other"): df["other"],
        t("col.pending"): df["pending"],
        t("col.total"): df["total"],
        pct_col("col.correction_rate"): _as_pct(df["correction_rate"]),
    })


def review_outcomes(df: pd.DataFrame, by: str = "year") -> tuple[go.Figure, pd.DataFrame]:
    """review_litigation_by_year (by="year") or app_review_litigation_by_agency (by="agency") → stacked
    outcome bars, one panel per case type."""
    drawn = _case_frame(df, by)
    axis = drawn.columns[0]
    parts = [t("col.upheld"), t("col.corrected"), t("col.other"), t("col.pending")]
    long = drawn.melt(id_vars=[axis, t("col.case")], value_vars=parts, var_name=t("col.outcome"),
                      value_name=t("col.requests"))
    if by == "year":
        fig = px.bar(long, x=axis, y=t("col.requests"), color=t("col.outcome"), facet_col=t("col.case"))
        _years_axis(fig)
        height = 360
    else:
        fig = px.bar(long, y=axis, x=t("col.requests"), color=t("col.outcome"), facet_col=t("col.case"),
                     orientation="h")
        fig.update_yaxes(autorange="reversed", title_text="")
        height = max(320, 26 * drawn[axis].nunique() + 120)
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    return _layout(fig, height=height), drawn


def correction_rates(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """review_litigation_by_year → 纠错率 by year per case type, each point labelled with its counts."""
    drawn = _case_frame(df, "year")[[t("col.year"), t("col.case"), t("col.corrected"), t("col.total"),
                                     pct_col("col.correction_rate")]]
    counts = drawn[t("col.corrected")].map(lambda v: "—" if pd.isna(v) else f"{v:,.0f}") + "/" + \
        drawn[t("col.total")].map(lambda v: "—" if pd.isna(v) else f"{v:,.0f}")
    fig = px.line(drawn, x=t("col.year"), y=pct_col("col.correction_rate"), color=t("col.case"), markers=True,
                  text=counts)
    fig.update_traces(textposition="top center")
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    return _years_axis(_layout(fig)), drawn


# ---------------------------------------------------------------- 主动公开
def decisions_by_year(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """proactive_disclosure_by_year → 行政许可/处罚/强制 处理决定数量 by year (comparable across formats)."""
    cols = ["license_decisions", "penalty_decisions", "coercion_decisions"]
    drawn = pd.DataFrame({t("col.year"): df["year"].astype(int).astype(str), t("col.reports"): df["reports"]})
    for c in cols:
        drawn[t(f"col.{c}")] = df[c]
    long = drawn.melt(id_vars=[t("col.year")], value_vars=[t(f"col.{c}") for c in cols],
                      var_name=t("col.series"), value_name=t("col.value"))
    fig = px.bar(long, x=t("col.year"), y=t("col.value"), color=t("col.series"), barmode="group")
    fig.update_yaxes(tickformat=",")
    return _years_axis(_layout(fig)), drawn


def documents_and_fees(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """proactive_disclosure_by_year → 2021-format 规章/规范性文件 制发/废止/现行有效 and 收费金额 by year."""
    cols = ["regulation_issued", "regulation_in_force", "normative_issued", "normative_repealed",
            "normative_in_force", "fee_amount_wan"]
    drawn = pd.DataFrame({t("col.year"): df["year"].astype(int).astype(str),
                          t("col.reports_2021_format"): df["reports_2021_format"]})
    for c in cols:
        drawn[t(f"col.{c}")] = df[c]
    docs = [t(f"col.{c}") for c in cols[:-1]]
    long = drawn.melt(id_vars=[t("col.year")], value_vars=docs, var_name=t("col.series"),
                      value_name=t("col.value"))
    fig = px.bar(long.dropna(subset=[t("col.value")]), x=t("col.year"), y=t("col.value"),
                 color=t("col.series"), barmode="group")
    fig.update_yaxes(tickformat=",")
    return _years_axis(_layout(fig)), drawn


def disclosure_by_agency(df: pd.DataFrame, top: int = 30) -> tuple[go.Figure, pd.DataFrame]:
    """app_proactive_disclosure_by_agency → decisions per agency (the `top` agencies by 行政许可)."""
    cols = ["license_decisions", "penalty_decisions", "coercion_decisions"]
    head = df.head(top)
    drawn = pd.DataFrame({t("col.agency"): head["agency"], t("col.reports"): head["reports"]})
    for c in cols + ["normative_issued", "normative_in_force", "fee_amount_wan"]:
        drawn[t(f"col.{c}")] = head[c]
    long = drawn.melt(id_vars=[t("col.agency")], value_vars=[t(f"col.{c}") for c in cols],
                      var_name=t("col.series"), value_name=t("col.value"))
    fig = px.bar(long, y=t("col.agency"), x=t("col.value"), color=t("col.series"), orientation="h")
    fig.update_yaxes(autorange="reversed", title_text="")
    fig.update_xaxes(tickformat=",")
    return _layout(fig, height=max(320, 24 * len(head) + 100)), drawn


# ---------------------------------------------------------------- 单位对比
def ranking(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """agency_ranking → bars of 本年新收 per agency with the change on last year in the hover."""
    drawn = pd.DataFrame({
        t("col.rank"): df["rank"],
        t("col.agency"): df["agency"],
        t("col.county"): df["county"],
        t("col.year"): df["year"],
        t("col.new_received"): df["new_received"],
        t("col.previous_new_received"): df["previous_new_received"],
        t("col.change"): df["change"],
        pct_col("col.change_rate"): _as_pct(df["change_rate"]),
        pct_col("col.disclosure_rate"): _as_pct(df["disclosure_rate"]),
        t("col.review_total"): df["review_total"],
        t("col.suit_total"): df["suit_total"],
    })
    fig = px.bar(drawn, y=t("col.agency"), x=t("col.new_received"), orientation="h",
                 hover_data={t("col.change"): ":+,", pct_col("col.change_rate"): ":+.1f"})
    fig.update_yaxes(autorange="reversed", title_text="")
    fig.update_xaxes(tickformat=",")
    return _layout(fig, height=max(300, 24 * len(drawn) + 80), legend=False), drawn


def outcome_heatmap(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """agency_outcome_heatmap → agency × outcome share (%)."""
    order = [k for k in OUTCOME_KEYS if k in set(df["outcome_key"])]
    wide = df.pivot_table(index="agency", columns="outcome_key", values="share", aggfunc="sum")
    wide = wide.reindex(columns=order) * 100
    drawn = wide.rename(columns={k: f"{t(f'outcome.{k}')}（%）" for k in order}).reset_index()
    drawn = drawn.rename(columns={"agency": t("col.agency")})
    fig = go.Figure(go.Heatmap(
        z=wide.to_numpy(), x=[t(f"outcome.{k}") for k in order], y=list(wide.index),
        colorscale="Blues", zmin=0, zmax=100, texttemplate="%{z:.1f}%",
        hovertemplate="%{y}<br>%{x}: %{z:.1f}%<extra></extra>", colorbar=dict(ticksuffix="%"),
    ))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height=max(300, 28 * len(wide) + 100), legend=False), drawn


def small_multiples(df: pd.DataFrame, top: int = 24) -> tuple[go.Figure, pd.DataFrame]:
    """app_agency_trends → one small line chart of 本年新收 per agency (the `top` agencies by total)."""
    totals = df.groupby("agency")["new_received"].sum(min_count=1).sort_values(ascending=False)
    keep = list(totals.index[:top])
    sub = df[df["agency"].isin(keep)]
    drawn = pd.DataFrame({
        t("col.agency"): sub["agency"],
        t("col.year"): sub["year"].astype(int).astype(str),
        t("col.new_received"): sub["new_received"],
        pct_col("col.disclosure_rate"): _as_pct(sub["disclosure_rate"]),
    })
    wrap = 4
    fig = px.line(drawn, x=t("col.year"), y=t("col.new_received"), facet_col=t("col.agency"),
                  facet_col_wrap=wrap, markers=True, category_orders={t("col.agency"): keep},
                  facet_row_spacing=0.08 if len(keep) > wrap else 0.03)
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    fig.update_xaxes(type="category", title_text="")
    fig.update_yaxes(matches=None, tickformat=",", title_text="")
    rows = max(1, -(-len(keep) // wrap))
    return _layout(fig, height=170 * rows + 60, legend=False), drawn


# ---------------------------------------------------------------- 数据质量
def findings_by(df: pd.DataFrame, by: str, top: int = 30) -> tuple[go.Figure, pd.DataFrame]:
    """findings_list → counts per rule (by="rule") or per agency (by="agency"), split by severity."""
    if by == "rule":
        df = df.assign(rule=df["rule"].map(rule_label))
    counts = (df.groupby([by, "severity"]).size().unstack(fill_value=0)
              .reindex(columns=["error", "warning"], fill_value=0))
    counts["total"] = counts.sum(axis=1)
    counts = counts.sort_values("total", ascending=False).head(top)
    drawn = pd.DataFrame({
        t(f"col.{by}"): counts.index,
        t("col.errors"): counts["error"].to_numpy(),
        t("col.warnings"): counts["warning"].to_numpy(),
        t("col.findings"): counts["total"].to_numpy(),
    })
    long = drawn.drop(columns=[t("col.findings")]).melt(
        id_vars=[t(f"col.{by}")], var_name=t("col.severity"), value_name=t("col.findings"))
    fig = px.bar(long, y=t(f"col.{by}"), x=t("col.findings"), color=t("col.severity"), orientation="h",
                 color_discrete_sequence=["#d94a57", "#e0a32b"])
    fig.update_yaxes(autorange="reversed", title_text="")
    return _layout(fig, height=max(260, 26 * len(drawn) + 100)), drawn


def missing_matrix(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """missing_reports → agency × year, 1 = a report, 0 = missing."""
    wide = df.pivot_table(index="agency", columns="year", values="has_report", aggfunc="max").astype(float)
    wide.columns = [str(int(c)) for c in wide.columns]
    drawn = wide.reset_index().rename(columns={"agency": t("col.agency")})
    fig = go.Figure(go.Heatmap(
        z=wide.to_numpy(), x=list(wide.columns), y=list(wide.index), zmin=0, zmax=1,
        colorscale=[[0, "#d94a57"], [1, "#7fb77e"]], showscale=False, xgap=2, ygap=2,
        hovertemplate="%{y} %{x}: %{z}<extra></extra>",
    ))
    fig.update_xaxes(type="category")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height=max(260, 24 * len(wide) + 100), legend=False), drawn
