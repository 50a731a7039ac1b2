"""The assessment on the dashboard: scores of the agency-years in scope (cached per database version and
filters), the chart of points lost, and the side-by-side narrative view with the shared sentences marked.

Document text is untrusted: the side-by-side view escapes every segment with html.escape before wrapping it
in <mark>, so a narrative holding "<script>" or Markdown shows as the characters it is."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import db
from components.i18n import t
from gongkai import assess, similarity


# Scoring reads every narrative in scope and compares it with the previous one (~0.4 ms a pair, plus the
# query): a city's few thousand reports take a second or two on a first visit, a province's or the country's
# far longer, so above this many reports the pages ask for narrower filters instead.
MAX_ASSESS_REPORTS = 5000


def too_many(reports: int) -> bool:
    """Say so (in words) when the scope is too large to score here; True then."""
    if reports > MAX_ASSESS_REPORTS:
        st.info(t("assess.too_many", n=f"{reports:,}", limit=f"{MAX_ASSESS_REPORTS:,}"))
        return True
    return False


@st.cache_data(max_entries=64, show_spinner=False)
def _scored(params: tuple, path: str, version: tuple[int, int] | None) -> tuple[pd.DataFrame, float]:
    config = assess.config_from_env()
    facts = db.query("assess_agency_years", dict(params))
    return assess.score_frame(facts, config), config.narrative_similarity


def scored(params: dict[str, Any]) -> tuple[pd.DataFrame, float]:
    """(scored agency-years, the similarity threshold in force) for the filters `params`."""
    path = db.db_path()
    return _scored(tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items())),
                   str(path), db.db_version(path))


def lost_by_criterion(frame: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """How many agency-years lost points on each criterion (bars, criteria in the assessment's order)."""
    counts = {c: 0 for c in assess.CRITERIA}
    for criteria in frame["criteria"]:
        for c in criteria:
            counts[c] += 1
    drawn = pd.DataFrame({
        t("col.criterion"): [assess.CRITERIA_ZH[c] for c in assess.CRITERIA],
        t("col.agency_years"): [counts[c] for c in assess.CRITERIA],
    })
    drawn = drawn[drawn[t("col.agency_years")] > 0].reset_index(drop=True)
    fig = go.Figure(go.Bar(x=drawn[t("col.agency_years")], y=drawn[t("col.criterion")], orientation="h",
                           marker_color="#c0392b"))
    fig.update_layout(height=max(220, 36 * len(drawn) + 80), margin=dict(l=10, r=10, t=10, b=10),
                      yaxis=dict(autorange="reversed"), xaxis_title=t("col.agency_years"))
    return fig, drawn


SIDE_BY_SIDE_STYLE = """<style>
.gk-pair{display:flex;gap:1rem;align-items:flex-start}
.gk-pair>div{flex:1;min-width:0;white-space:pre-wrap;font-size:0.9rem;line-height:1.6;
  border:1px solid #ddd;border-radius:4px;padding:0.6rem;max-height:36rem;overflow-y:auto}
.gk-pair mark{background:#fde68a;color:inherit}
.gk-pair h5{margin:0 0 0.4rem 0}
</style>"""


def _segments_html(segments: list[similarity.Segment]) -> str:
    return "".join(f"<mark>{html.escape(s.text)}</mark>" if s.shared else html.escape(s.text) for s in segments)


def side_by_side_html(this_year: str, last_year: str, this_label: str, last_label: str) -> str:
    """Two columns, this year's narrative and last year's, every shared sentence in <mark> (text escaped)."""
    a, b = similarity.shared_passages(this_year or "", last_year or "")
    return (f'{SIDE_BY_SIDE_STYLE}<div class="gk-pair"><div><h5>{html.escape(this_label)}</h5>{_segments_html(a)}'
            f'</div><div><h5>{html.escape(last_label)}</h5>{_segments_html(b)}</div></div>')
