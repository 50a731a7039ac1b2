"""Formatting for the dashboard: thousands separators, percentages with one decimal, blank as a dash; text
from report files escaped for the elements that render Markdown.

A blank figure (NULL: the report printed nothing) is shown as "—", never as 0."""

from __future__ import annotations

import re

import pandas as pd

BLANK = "—"


def missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array is a value, not a blank
        return False


def num(value: object, decimals: int | None = None) -> str:
    """1234 → "1,234"; 12.5 → "12.50" (money is printed with decimals); blank → "—"."""
    if missing(value):
        return BLANK
    v = float(value)  # type: ignore[arg-type]
    if decimals is None:
        decimals = 0 if v.is_integer() else 2
    return f"{v:,.{decimals}f}"


def pct(value: object) -> str:
    """A fraction as a percentage with one decimal: 0.1234 → "12.3%"."""
    if missing(value):
        return BLANK
    return f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]


def signed(value: object) -> str:
    if missing(value):
        return BLANK
    v = float(value)  # type: ignore[arg-type]
    if v == 0:
        return "0"
    return ("+" if v > 0 else "-") + num(abs(v))


def signed_points(value: object) -> str:
    """A change of a rate in percentage points: 0.012 → "+1.2pp"."""
    if missing(value):
        return BLANK
    v = float(value) * 100  # type: ignore[arg-type]
    if round(v, 1) == 0:
        return "0.0pp"
    return f"{'+' if v > 0 else '-'}{abs(v):.1f}pp"


# Markdown that Streamlit would act on inside text: emphasis, links and images, raw HTML (dropped unless
# escaped, so `<img …>局` would show as just "局"), KaTeX ($), colour and icon directives (:red[…], :material/…:),
# entities (&lt;). Mid-line "#", "-", "+", "." and "=" are plain; at the start of a line they make headings
# and lists, so they are escaped there.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]()<>|~:$^&!])")
_MD_LINE_START = re.compile(r"^(\s*)(#|>|\+|-|=|\d+(?=[.)]))", re.MULTILINE)


def md_text(value: object) -> str:
    """`value` (a name or message from a report file or a URL) for an element that renders Markdown
    (st.markdown, st.header, st.warning …), escaped so that it is shown exactly as written."""
    text = _MD_INLINE.sub(r"\\\1", str(value))
    return _MD_LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match) -> str:
    lead, mark = match.groups()
    # "1." is escaped after the number ("1\."), the other marks before themselves
    return f"{lead}{mark}\\" if mark[0].isdigit() else f"{lead}\\{mark}"
