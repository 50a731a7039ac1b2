"""What every page shares: its context (filters, what they select), header with the 模拟数据 badge, a guard
that turns any error into a Chinese message instead of a traceback, and the chart/table panels with their
export buttons."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from components.export import export_buttons
from components.filters import Filters
from components.fmt import md_text
from components.i18n import t

log = logging.getLogger("gongkai.app")
CONTEXT_KEY = "_page_context"


@dataclass(frozen=True)
class PageContext:
    filters: Filters
    reports: int  # reports inside the filters
    demo_reports: int  # of which 模拟数据
    agencies: int = 0  # agencies inside the filters

    @property
    def demo(self) -> bool:
        return self.demo_reports > 0

    def params(self, **extra: Any) -> dict[str, Any]:
        return self.filters.params(**extra)

    def url_params(self, **extra: str) -> dict[str, Any]:
        """The current filters as query parameters (for links to another page), plus `extra`."""
        out: dict[str, Any] = dict(self.filters.url())
        if st.session_state.get("lang") == "en":
            out["lang"] = ["en"]
        out.update(extra)
        return out


def context() -> PageContext | None:
    """Set by app.py before the page runs; None when there is nothing to show (the reason is already on screen)."""
    return st.session_state.get(CONTEXT_KEY)


def header(title_key: str, ctx: PageContext | None, badge: bool = True) -> None:
    if badge and ctx is not None and ctx.demo:
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.title(t(title_key))
        right.badge(t("demo.badge"), icon=":material/science:", color="orange")
        st.caption(t("demo.note", n=f"{ctx.demo_reports:,}"))
    else:
        st.title(t(title_key))


@contextmanager
def guarded() -> Iterator[None]:
    """No traceback ever reaches the page: log it for the maintainer, show the user one Chinese line."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 — st.rerun/st.stop are BaseExceptions and pass through
        log.error("page failed: %s\n%s", exc, traceback.format_exc())
        st.error(t("error.page", error=md_text((str(exc)[:200] or type(exc).__name__).rstrip("。."))))


def page_body(title_key: str, badge: bool = True) -> PageContext | None:
    """The page header; returns the context, or None after saying (in words) why there is nothing to show.

    `badge=False` for a page that shows one report and badges it itself."""
    ctx = context()
    header(title_key, ctx, badge)
    if ctx is None:
        return None
    if ctx.reports == 0:
        st.info(t("empty.scope"))
        return None
    return ctx


def column_config(df: pd.DataFrame) -> dict[str, Any]:
    """Counts with thousands separators, percentages (columns suffixed （%）) with one decimal."""
    config: dict[str, Any] = {}
    for col in df.columns:
        if str(col).endswith("（%）"):
            config[col] = st.column_config.NumberColumn(col, format="%.1f%%")
        elif pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col]):
            config[col] = st.column_config.NumberColumn(col, format="localized")
    return config


def table(df: pd.DataFrame, *, ctx: PageContext, query: str, key: str, name: str,
          config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A table and its export buttons; returns what st.dataframe returns (the selection, when asked for)."""
    shown = st.dataframe(df, hide_index=True, column_config={**column_config(df), **(config or {})},
                         key=f"table_{key}", **kwargs)
    export_buttons(df, name=name, query=query, filters=ctx.filters, demo=ctx.demo, key=key)
    return shown


def chart(title: str, drawn: tuple[Any, pd.DataFrame], *, ctx: PageContext, query: str, key: str,
          select: bool = False, show_table: bool = True, table_open: bool = False) -> Any:
    """A chart under its title, the data it draws (folded) and the export of exactly that data.

    With `select`, clicking a bar reruns the page and the selection is returned."""
    fig, df = drawn
    if title:
        st.subheader(title)
    if df.empty:
        st.info(t("empty.chart"))
        return None
    kwargs: dict[str, Any] = {"on_select": "rerun", "selection_mode": "points"} if select else {}
    from components.charts import plain_labels  # noqa: PLC0415 — plotly is loaded by the pages that draw

    event = st.plotly_chart(plain_labels(fig), key=f"chart_{key}", config={"displaylogo": False}, **kwargs)
    if show_table:
        with st.expander(t("export.data"), expanded=table_open):
            st.dataframe(df, hide_index=True, column_config=column_config(df), key=f"data_{key}")
    export_buttons(df, name=title or query, query=query, filters=ctx.filters, demo=ctx.demo, key=key)
    return event
