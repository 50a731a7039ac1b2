"""The KPI row of 总览: the latest year inside the filters, with the change on the year before."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import fmt
from components.i18n import t

# (label key, column, kind, numerator, denominator, colour of a rise): a rate shows its counts in the help
# text; a rise in disputes, corrections or findings is bad news, so it is drawn red ("inverse").
KPIS = (
    ("kpi.reports", "reports", "count", None, None, "normal"),
    ("kpi.agencies", "agencies", "count", None, None, "normal"),
    ("kpi.new_received", "new_received", "count", None, None, "off"),
    ("kpi.disclosure_rate", "disclosure_rate", "rate", "disclosed", "handled", "normal"),
    ("kpi.review_total", "review_total", "count", None, None, "inverse"),
    ("kpi.review_correction_rate", "review_correction_rate", "rate", "review_corrected", "review_total", "inverse"),
    ("kpi.suit_total", "suit_total", "count", None, None, "inverse"),
    ("kpi.suit_correction_rate", "suit_correction_rate", "rate", "suit_corrected", "suit_total", "inverse"),
    ("kpi.findings", "findings", "count", None, None, "inverse"),
)


def kpi_values(by_year: pd.DataFrame, year: int) -> list[dict]:
    """What each card shows, from overview_by_year rows covering `year` (and `year` − 1 when present).

    Kept apart from drawing so a test can compare the cards with the SQL."""
    frame = by_year.assign(findings=by_year["errors"] + by_year["warnings"]).set_index("year")
    now = frame.loc[year] if year in frame.index else None
    before = frame.loc[year - 1] if (year - 1) in frame.index else None
    cards = []
    for label, col, kind, num, den, colour in KPIS:
        value = None if now is None else now[col]
        previous = None if before is None else before[col]
        change = None if fmt.missing(value) or fmt.missing(previous) else float(value) - float(previous)
        if kind == "rate":
            shown, delta = fmt.pct(value), (None if change is None else fmt.signed_points(change))
            help_text = None if now is None else f"{fmt.num(now[num])} / {fmt.num(now[den])}"
        else:
            shown, delta = fmt.num(value), (None if change is None else fmt.signed(change))
            help_text = None
        cards.append({"label": t(label), "value": shown, "delta": delta, "help": help_text, "raw": value,
                      "colour": "off" if change == 0 else colour, "arrow": "off" if change == 0 else "auto"})
    return cards


def kpi_row(by_year: pd.DataFrame, year: int) -> None:
    st.caption(t("kpi.year", year=year))
    cards = kpi_values(by_year, year)
    for start in range(0, len(cards), 5):
        columns = st.columns(5)
        for column, card in zip(columns, cards[start:start + 5]):
            column.metric(card["label"], card["value"], card["delta"], help=card["help"],
                          delta_color=card["colour"], delta_arrow=card["arrow"], border=True)
