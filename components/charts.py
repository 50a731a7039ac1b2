"""Charts. Each chart is one function: query result in, (figure, dataframe drawn) out.

The dataframe returned is the one the figure is built from, with the column names the user reads, so the
export under a chart is exactly what the chart shows. Rates are carried as percentages (0–100, columns
suffixed （%）) because that is how they are drawn and read.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.i18n import rule_label, t
from gongkai import template as T

# CJK fonts first: the browser picks the first one installed (Noto on Linux, PingFang on macOS, YaHei on Windows).
CJK_FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'
OUTCOME_KEYS = ("granted", "partial", "denied", "unable", "refused", "other")


def pct_col(key: str) -> str:
    return f"{t(key)}（%）"


# plotly.express is avoided on purpose: it takes 0.3–0.9 s per figure here (it rebuilds the data through
# narwhals), graph_objects a few milliseconds, and every page must answer within 300 ms.
def _values(series: pd.Series) -> list:
    """Plain Python values for plotly (NaN/NA → None: a gap, not a zero)."""
    return [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in series]


def _bars(df: pd.DataFrame, x: str, y: str, color: str | None = None, *, horizontal: bool = False,
          order: list[str] | None = None, hover: str | None = None, colors: list[str] | None = None,
          customdata: str | None = None) -> list[go.Bar]:
    """One bar trace per value of `color` (or one trace), from a long frame."""
    groups = [(None, df)] if color is None else [
        (name, df[df[color] == name]) for name in (order or list(dict.fromkeys(df[color])))
    ]
    traces = []
    for i, (name, part) in enumerate(groups):
        if part.empty:
            continue
        cat, val = _values(part[x]), _values(part[y])
        traces.append(go.Bar(
            x=val if horizontal else cat, y=cat if horizontal else val, name=name,
            orientation="h" if horizontal else "v", hovertemplate=hover,
            customdata=_values(part[customdata]) if customdata else None,
            marker_color=colors[i % len(colors)] if colors else None,
        ))
    return traces


def _lines(df: pd.DataFrame, x: str, y: str, color: str | None = None, text: pd.Series | None = None,
           hover: str | None = None) -> list[go.Scatter]:
    groups = [(None, df)] if color is None else [(name, df[df[color] == name]) for name in dict.fromkeys(df[color])]
    return [
        go.Scatter(x=_values(part[x]), y=_values(part[y]), name=name, mode="lines+markers+text" if text is not None
                   else "lines+markers", text=None if text is None else list(text[part.index]),
                   textposition="top center", hovertemplate=hover)
        for name, part in groups if not part.empty
    ]


def _plain(values):
    """Strings escaped for plotly, which reads <b>, <a href>, <br> and entities in every label and hover."""
    if isinstance(values, str):
        return escape(values, quote=False)
    if isinstance(values, (list, tuple)):
        return [_plain(v) for v in values]
    return values


def plain_labels(fig: go.Figure) -> go.Figure:
    """Show names from report files (agencies, regions) as written: category values, trace names, texts and
    panel titles are escaped, so `<b>区</b>` reads as typed and no markup of theirs is interpreted. Hover
    templates are ours and keep their <br>. Points keep their positions, so selections are unchanged."""
    for trace in fig.data:
        for attr in ("x", "y", "text", "name"):
            value = getattr(trace, attr, None)
            if value is not None:
                trace[attr] = _plain(list(value) if not isinstance(value, str) else value)
    for annotation in fig.layout.annotations or ():
        annotation.text = _plain(annotation.text)
    return fig


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


# ---------------------------------------------------------------- 总览
def requests_trend(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """overview_by_year → line of 本年新收 by year, with 公开率 in the hover."""
    drawn = pd.DataFrame({
        t("col.year"): df["year"].astype(int).astype(str),
        t("col.new_received"): df["new_received"],
        t("col.reports"): df["reports"],
        pct_col("col.disclosure_rate"): _as_pct(df["disclosure_rate"]),
    })
    fig = go.Figure(go.Scatter(
        x=_values(drawn[t("col.year")]), y=_values(drawn[t("col.new_received")]), mode="lines+markers",
        customdata=list(zip(_values(drawn[t("col.reports")]), _values(drawn[pct_col("col.disclosure_rate")]))),
        hovertemplate="%{x}<br>" + t("col.new_received") + ": %{y:,}<br>" + t("col.reports")
        + ": %{customdata[0]:,}<br>" + t("col.disclosure_rate") + ": %{customdata[1]:.1f}%<extra></extra>",
    ))
    fig.update_yaxes(tickformat=",", rangemode="tozero", title_text=t("col.new_received"))
    return _years_axis(_layout(fig, legend=False)), drawn


def region_bars(df: pd.DataFrame, level: str) -> tuple[go.Figure, pd.DataFrame]:
    """drill.regions_at(district_comparison) → one bar per province, city or county: 本年新收 summed."""
    drawn = pd.DataFrame({
        t("col.region"): df["name"],
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
    drawn = drawn.drop(columns=[t(f"col.{lv}") for lv in ("city", "county")[("province", "city", "county").index(level):]])
    fig = go.Figure(go.Bar(
        x=_values(drawn[t("col.region")]), y=_values(drawn[t("col.new_received")]),
        customdata=list(zip(_values(drawn[t("col.agencies")]), _values(drawn[pct_col("col.disclosure_rate")]))),
        hovertemplate="%{x}<br>" + t("col.new_received") + ": %{y:,}<br>" + t("col.agencies")
        + ": %{customdata[0]:,}<br>" + t("col.disclosure_rate") + ": %{customdata[1]:.1f}%<extra></extra>",
    ))
    fig.update_layout(clickmode="event+select", dragmode=False)
    fig.update_yaxes(tickformat=",", title_text=t("col.new_received"))
    fig.update_xaxes(title_text="", type="category")
    return _layout(fig, legend=False), drawn


# ---------------------------------------------------------------- 申请办理
def _grouped_by_year(drawn: pd.DataFrame, series: list[str], barmode: str = "group") -> go.Figure:
    year = t("col.year")
    long = drawn.melt(id_vars=year, value_vars=series, var_name="series", value_name="value")
    fig = go.Figure(_bars(long, year, "value", "series", order=series,
                          hover="%{x} %{fullData.name}: %{y:,}<extra></extra>"))
    fig.update_layout(barmode=barmode)
    fig.update_yaxes(tickformat=",")
    return _years_axis(_layout(fig))


def requests_handled(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """requests_by_year → grouped bars: 新收, 上年结转, 办理总计, 结转下年度."""
    cols = ["new_received", "carried_over", "handled", "carried_forward"]
    drawn = pd.DataFrame({t("col.year"): df["year"].astype(int).astype(str)})
    for c in cols:
        drawn[t(f"col.{c}")] = df[c]
    return _grouped_by_year(drawn, [t(f"col.{c}") for c in cols]), drawn


def outcome_mix(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """outcome_mix_by_year → 100% stacked bars of the outcome groups."""
    drawn = pd.DataFrame({
        t("col.year"): df["year"].astype(int).astype(str),
        t("col.outcome"): [t(f"outcome.{k}") for k in df["outcome_key"]],
        t("col.requests"): df["requests"],
        pct_col("col.share"): _as_pct(df["share"]),
    })
    order = [t(f"outcome.{k}") for k in OUTCOME_KEYS]
    fig = go.Figure(_bars(drawn, t("col.year"), pct_col("col.share"), t("col.outcome"), order=order,
                          customdata=t("col.requests"),
                          hover="%{x}<br>%{fullData.name}: %{y:.1f}%<br>" + t("col.requests")
                          + ": %{customdata:,}<extra></extra>"))
    fig.update_layout(barmode="stack")
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
    fig = go.Figure(_bars(drawn, t("col.reason"), t("col.requests"), t("col.group"), horizontal=True,
                          hover="%{y}: %{x:,}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title_text="", type="category")
    fig.update_xaxes(tickformat=",")
    return _layout(fig, height=480), drawn


def applicant_types(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """requests_by_year → stacked bars of 本年新收 by applicant type."""
    drawn = pd.DataFrame({t("col.year"): df["year"].astype(int).astype(str)})
    labels = []
    for key, label in T.T3_COLUMNS:
        if key != "total":
            drawn[label] = df[key]
            labels.append(label)
    return _grouped_by_year(drawn, labels, barmode="stack"), drawn


def carried(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """requests_by_year → 上年结转 and 结转下年度 by year, 结转率 in the table."""
    drawn = pd.DataFrame({
        t("col.year"): df["year"].astype(int).astype(str),
        t("col.carried_over"): df["carried_over"],
        t("col.carried_forward"): df["carried_forward"],
        pct_col("col.carry_forward_rate"): _as_pct(df["carry_forward_rate"]),
    })
    return _grouped_by_year(drawn, [t("col.carried_over"), t("col.carried_forward")]), drawn


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
    cases = [t("case.review"), t("case.suit")]
    horizontal = by != "year"
    fig = make_subplots(rows=1, cols=2, subplot_titles=cases, shared_yaxes=horizontal, horizontal_spacing=0.06)
    colors = ["#4c78a8", "#d94a57", "#9d9d9d", "#e0a32b"]
    for col, case in enumerate(cases, start=1):
        part = drawn[drawn[t("col.case")] == case]
        long = part.melt(id_vars=[axis], value_vars=parts, var_name="outcome", value_name="value")
        for trace in _bars(long, axis, "value", "outcome", order=parts, horizontal=horizontal, colors=colors,
                           hover=("%{y}" if horizontal else "%{x}") + " %{fullData.name}: "
                           + ("%{x:,}" if horizontal else "%{y:,}") + "<extra></extra>"):
            trace.update(legendgroup=trace.name, showlegend=col == 1)
            fig.add_trace(trace, row=1, col=col)
    fig.update_layout(barmode="stack")
    if horizontal:
        fig.update_yaxes(autorange="reversed", title_text="", type="category")
        height = max(320, 26 * drawn[axis].nunique() + 120)
    else:
        fig.update_xaxes(type="category")
        height = 380
    fig = _layout(fig, height=height)
    # the panel titles sit where the legend would: the legend goes under the panels
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.08, x=0), margin_t=40)
    return fig, drawn


def correction_rates(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """review_litigation_by_year → 纠错率 by year per case type, each point labelled with its counts."""
    drawn = _case_frame(df, "year")[[t("col.year"), t("col.case"), t("col.corrected"), t("col.total"),
                                     pct_col("col.correction_rate")]]
    counts = drawn[t("col.corrected")].map(lambda v: "—" if pd.isna(v) else f"{v:,.0f}") + "/" + \
        drawn[t("col.total")].map(lambda v: "—" if pd.isna(v) else f"{v:,.0f}")
    fig = go.Figure(_lines(drawn, t("col.year"), pct_col("col.correction_rate"), t("col.case"), text=counts,
                           hover="%{x} %{fullData.name}: %{y:.1f}% (%{text})<extra></extra>"))
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    return _years_axis(_layout(fig)), drawn


# ---------------------------------------------------------------- 主动公开
def decisions_by_year(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """proactive_disclosure_by_year → 行政许可/处罚/强制 处理决定数量 by year (comparable across formats)."""
    cols = ["license_decisions", "penalty_decisions", "coercion_decisions"]
    drawn = pd.DataFrame({t("col.year"): df["year"].astype(int).astype(str), t("col.reports"): df["reports"]})
    for c in cols:
        drawn[t(f"col.{c}")] = df[c]
    return _grouped_by_year(drawn, [t(f"col.{c}") for c in cols]), drawn


def documents_and_fees(df: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """proactive_disclosure_by_year → 2021-format 规章/规范性文件 制发/废止/现行有效 by year (收费金额 in the table)."""
    cols = ["regulation_issued", "regulation_in_force", "normative_issued", "normative_repealed",
            "normative_in_force", "fee_amount_wan"]
    drawn = pd.DataFrame({t("col.year"): df["year"].astype(int).astype(str),
                          t("col.reports_2021_format"): df["reports_2021_format"]})
    for c in cols:
        drawn[t(f"col.{c}")] = df[c]
    shown = drawn[drawn[t("col.reports_2021_format")] > 0]
    return _grouped_by_year(shown, [t(f"col.{c}") for c in cols[:-1]]), drawn


def disclosure_by_agency(df: pd.DataFrame, top: int = 30) -> tuple[go.Figure, pd.DataFrame]:
    """app_proactive_disclosure_by_agency → decisions per agency (the `top` agencies by 行政许可)."""
    cols = ["license_decisions", "penalty_decisions", "coercion_decisions"]
    head = df.head(top)
    drawn = pd.DataFrame({t("col.agency"): head["agency"], t("col.reports"): head["reports"]})
    for c in cols + ["normative_issued", "normative_in_force", "fee_amount_wan"]:
        drawn[t(f"col.{c}")] = head[c]
    series = [t(f"col.{c}") for c in cols]
    long = drawn.melt(id_vars=[t("col.agency")], value_vars=series, var_name="series", value_name="value")
    fig = go.Figure(_bars(long, t("col.agency"), "value", "series", order=series, horizontal=True,
                          hover="%{y} %{fullData.name}: %{x:,}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", title_text="", type="category")
    fig.update_xaxes(tickformat=",")
    return _layout(fig, height=max(320, 24 * len(head) + 100)), drawn


# ---------------------------------------------------------------- 单位对比
def ranking(df: pd.DataFrame, top: int = 50) -> tuple[go.Figure, pd.DataFrame]:
    """agency_ranking → bars of 本年新收 per agency (the first `top`), the change on last year in the hover."""
    df = df.head(top)
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
    fig = go.Figure(go.Bar(
        y=_values(drawn[t("col.agency")]), x=_values(drawn[t("col.new_received")]), orientation="h",
        customdata=list(zip(_values(drawn[t("col.change")]), _values(drawn[pct_col("col.change_rate")]))),
        hovertemplate="%{y}: %{x:,}<br>" + t("col.change") + ": %{customdata[0]:+,} (%{customdata[1]:+.1f}%)"
        "<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", title_text="", type="category")
    fig.update_xaxes(tickformat=",", title_text=t("col.new_received"))
    return _layout(fig, height=max(300, 24 * len(drawn) + 80), legend=False), drawn


def outcome_heatmap(df: pd.DataFrame, top: int = 60) -> tuple[go.Figure, pd.DataFrame]:
    """agency_outcome_heatmap → agency × outcome share (%), the `top` agencies by requests handled."""
    order = [k for k in OUTCOME_KEYS if k in set(df["outcome_key"])]
    wide = df.pivot_table(index="agency", columns="outcome_key", values="share", aggfunc="sum")
    volume = df.groupby("agency")["requests"].sum().sort_values(ascending=False)
    wide = wide.reindex(index=list(volume.index[:top]), columns=order) * 100
    drawn = wide.rename(columns={k: f"{t(f'outcome.{k}')}（%）" for k in order}).reset_index()
    drawn = drawn.rename(columns={"agency": t("col.agency")})
    fig = go.Figure(go.Heatmap(
        z=wide.to_numpy(), x=[t(f"outcome.{k}") for k in order], y=list(wide.index),
        colorscale="Blues", zmin=0, zmax=100, texttemplate="%{z:.1f}%",
        hovertemplate="%{y}<br>%{x}: %{z:.1f}%<extra></extra>", colorbar=dict(ticksuffix="%"),
    ))
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(fig, height=max(300, 28 * len(wide) + 100), legend=False), drawn


def _panel_grid(titles: list[str], wrap: int, rows: int, h_gap: float = 0.05) -> dict:
    """The layout of a grid of small panels, one per title: what plotly's make_subplots builds, written
    directly because make_subplots alone took ~75 ms for 24 panels (most of the page's time at national scale)."""
    v_gap = min(0.08, 0.5 / rows)
    width = (1 - (wrap - 1) * h_gap) / wrap
    height = (1 - (rows - 1) * v_gap) / rows
    layout: dict = {"annotations": []}
    for i, title in enumerate(titles):
        row, col = divmod(i, wrap)
        n = "" if i == 0 else str(i + 1)
        x0 = col * (width + h_gap)
        y1 = 1 - row * (height + v_gap)
        # clamped: float rounding gives -5e-17 for the bottom row, which plotly rejects
        layout[f"xaxis{n}"] = {"domain": [max(0.0, x0), min(1.0, x0 + width)], "anchor": f"y{n}", "type": "category"}
        layout[f"yaxis{n}"] = {"domain": [max(0.0, y1 - height), min(1.0, y1)], "anchor": f"x{n}",
                               "tickformat": ",", "rangemode": "tozero", "automargin": True}
        layout["annotations"].append({"text": title, "x": x0 + width / 2, "y": y1, "xref": "paper", "yref": "paper",
                                      "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                                      "font": {"size": 12}})
    return layout


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
    rows = max(1, -(-len(keep) // wrap))
    traces = []
    for i, agency in enumerate(keep):
        part = drawn[drawn[t("col.agency")] == agency]
        axis = "" if i == 0 else str(i + 1)
        traces.append(go.Scatter(x=_values(part[t("col.year")]), y=_values(part[t("col.new_received")]),
                                 mode="lines+markers", name=agency, showlegend=False, xaxis=f"x{axis}", yaxis=f"y{axis}",
                                 # the name as data, not spliced into the template ("%{…}" in a name)
                                 hovertemplate="%{fullData.name} %{x}: %{y:,}<extra></extra>"))
    fig = go.Figure(data=traces, layout=_panel_grid(keep, wrap, rows))
    return _layout(fig, height=170 * rows + 60, legend=False), drawn


# ---------------------------------------------------------------- 数据质量
def findings_by(df: pd.DataFrame, by: str) -> tuple[go.Figure, pd.DataFrame]:
    """app_findings_by_rule (by="rule") or app_findings_by_agency (by="agency") → findings per rule or
    agency, split by severity (counted in SQL)."""
    if by == "rule":
        df = df.assign(rule=df["rule"].map(rule_label))
    counts = (df.pivot_table(index=by, columns="severity", values="findings", aggfunc="sum", fill_value=0)
              .reindex(columns=["error", "warning"], fill_value=0))
    counts["total"] = counts.sum(axis=1)
    counts = counts.sort_values("total", ascending=False)
    drawn = pd.DataFrame({
        t(f"col.{by}"): counts.index,
        t("col.errors"): counts["error"].to_numpy(),
        t("col.warnings"): counts["warning"].to_numpy(),
        t("col.findings"): counts["total"].to_numpy(),
    })
    series = [t("col.errors"), t("col.warnings")]
    long = drawn.melt(id_vars=[t(f"col.{by}")], value_vars=series, var_name="severity", value_name="value")
    fig = go.Figure(_bars(long, t(f"col.{by}"), "value", "severity", order=series, horizontal=True,
                          colors=["#d94a57", "#e0a32b"], hover="%{y} %{fullData.name}: %{x:,}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", title_text="", type="category")
    fig.update_xaxes(title_text=t("col.findings"))
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
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(fig, height=max(260, 24 * len(wide) + 100), legend=False), drawn
