"""The filter bar shared by every page, bound to the URL query string.

?province=江苏省&city=淮安市&county=洪泽区&agency=A&agency=B&kind=部门&year_from=2022&year_to=2024&lang=en

The URL is read when a session starts and whenever the user edits the address (or presses back); every
widget change writes the URL back, so copying the address reproduces the view. Every value read from the
URL is checked against what the database holds (a region, agency or year that does not exist is dropped with
a notice), so nothing a URL carries reaches SQL except values the database itself produced — and those are
bound as parameters anyway.

Switching pages in the sidebar clears the query string in the browser; the widget state survives (the widgets
live in app.py, the entrypoint), so the URL is written back from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from components import db
from components.fmt import md_text
from components.i18n import LANG_KEY, t
from gongkai.store import KINDS

URL_KEYS = ("province", "city", "county", "agency", "kind", "year_from", "year_to", "lang")
MAX_AGENCY_OPTIONS = 2000
ALL = ""  # the "全部" option of a selectbox

_K_PROVINCE, _K_CITY, _K_COUNTY = "f_province", "f_city", "f_county"
_K_AGENCIES, _K_KIND, _K_EN = "f_agencies", "f_kind", "f_english"
_K_YEAR_FROM, _K_YEAR_TO = "f_year_from", "f_year_to"
_K_LAST_URL = "_filters_url"


@dataclass(frozen=True)
class Filters:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    agencies: tuple[str, ...] = ()
    kind: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    all_years: tuple[int, ...] = field(default=(), compare=False)

    def params(self, **extra: Any) -> dict[str, Any]:
        """The SQL parameters every query in queries/ understands (NULL = no filter)."""
        return {
            "province": self.province,
            "city": self.city,
            "county": self.county,
            "agencies": list(self.agencies) or None,
            "kind": self.kind,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "include_demo": None,
            **extra,
        }

    def url(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key in ("province", "city", "county", "kind"):
            if getattr(self, key):
                out[key] = [getattr(self, key)]
        if self.agencies:
            out["agency"] = list(self.agencies)
        if self.all_years and (self.year_from, self.year_to) != (self.all_years[0], self.all_years[-1]):
            out["year_from"] = [str(self.year_from)]
            out["year_to"] = [str(self.year_to)]
        return out

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) of each filter, for the 说明 sheet of an export."""
        years = (
            f"{self.year_from}–{self.year_to}" if self.year_from is not None and self.year_to is not None
            else t("filter.all")
        )
        return [
            (t("filter.province"), self.province or t("filter.all")),
            (t("filter.city"), self.city or t("filter.all")),
            (t("filter.county"), self.county or t("filter.all")),
            (t("filter.agency"), "、".join(self.agencies) or t("filter.all")),
            (t("filter.kind"), self.kind or t("filter.all")),
            (t("filter.years"), years),
        ]

    def region_label(self) -> str:
        return " ".join(x for x in (self.province, self.city, self.county) if x) or t("filter.all")


def _read_url() -> dict[str, list[str]]:
    out = {}
    for key in URL_KEYS:
        values = [v for v in st.query_params.get_all(key) if v != ""]
        if values:
            out[key] = values
    return out


def _write_url(wanted: dict[str, list[str]]) -> None:
    for key in URL_KEYS:
        current = st.query_params.get_all(key)
        new = wanted.get(key, [])
        if current == new:
            continue
        if new:
            st.query_params[key] = new if len(new) > 1 else new[0]
        elif key in st.query_params:
            del st.query_params[key]


def _cities(regions: pd.DataFrame, province: str) -> list[tuple[str, str]]:
    rows = regions[regions.city.notna()]
    if province:
        rows = rows[rows.province == province]
    return list(dict.fromkeys(zip(rows.province, rows.city)))


def _counties(regions: pd.DataFrame, province: str, city: tuple[str, str] | str) -> list[tuple[str, str, str]]:
    rows = regions[regions.county.notna()]
    if province:
        rows = rows[rows.province == province]
    if city:
        rows = rows[rows.city == city[1]]
    return list(dict.fromkeys(zip(rows.province, rows.city, rows.county)))


def _apply_url(url: dict[str, list[str]], regions: pd.DataFrame, years: list[int]) -> list[str]:
    """Set the widget state from the URL; returns a notice per value that was ignored."""
    notices: list[str] = []

    def bad(key: str, value: str) -> None:
        # shown in st.warning (Markdown): a crafted link must not turn into a link or an image
        notices.append(t("filter.invalid", key=key, value=md_text(value[:80])))

    def one(key: str) -> str:
        values = url.get(key, [])
        for extra in values[1:]:
            bad(key, extra)
        return values[0] if values else ""

    lang = one("lang")
    if lang and lang not in ("zh", "en"):
        bad("lang", lang)
        lang = ""
    st.session_state[_K_EN] = lang == "en"
    st.session_state[LANG_KEY] = "en" if lang == "en" else "zh"

    province, city, county = one("province"), one("city"), one("county")
    if province and province not in set(regions.province):
        bad("province", province)
        province = ""
    city_choice: tuple[str, str] | str = ALL
    if city:
        matches = [c for c in _cities(regions, province) if c[1] == city]
        if len(matches) == 1:
            city_choice = matches[0]
            province = matches[0][0]
        else:
            bad("city", city)
    county_choice: tuple[str, str, str] | str = ALL
    if county:
        matches = [c for c in _counties(regions, province, city_choice) if c[2] == county]
        if len(matches) == 1:
            county_choice = matches[0]
            province, city_choice = matches[0][0], matches[0][:2]
        else:  # unknown, or the same name in several cities with no city given
            bad("county", county)
    st.session_state[_K_PROVINCE] = province
    st.session_state[_K_CITY] = city_choice
    st.session_state[_K_COUNTY] = county_choice

    kind = one("kind")
    if kind and kind not in KINDS:
        bad("kind", kind)
        kind = ""
    st.session_state[_K_KIND] = kind

    agencies = url.get("agency", [])
    if agencies:
        known = set(db.query(
            "app_filter_agencies",
            {**_region_params(province, city_choice, county_choice, kind), "agencies": agencies},
        ).agency)
        for name in agencies:
            if name not in known:
                bad("agency", name)
        agencies = [a for a in dict.fromkeys(agencies) if a in known]
    st.session_state[_K_AGENCIES] = agencies

    span = (years[0], years[-1]) if years else None
    chosen = span
    raw_from, raw_to = one("year_from"), one("year_to")
    if span and (raw_from or raw_to):
        try:
            y_from = int(raw_from) if raw_from else span[0]
            y_to = int(raw_to) if raw_to else span[1]
            if not (span[0] <= y_from <= y_to <= span[1]):
                raise ValueError
            chosen = (y_from, y_to)
        except ValueError:
            bad("year_from/year_to", f"{raw_from}–{raw_to}")
    st.session_state[_K_YEAR_FROM], st.session_state[_K_YEAR_TO] = chosen or (None, None)
    return notices


def _region_params(province: str, city: Any, county: Any, kind: str) -> dict[str, Any]:
    return {
        "province": province or None,
        "city": city[1] if city else None,
        "county": county[2] if county else None,
        "kind": kind or None,
    }


def _on_city_change() -> None:
    city = st.session_state.get(_K_CITY)
    if city:  # picking a city picks its province (cascading upward)
        st.session_state[_K_PROVINCE] = city[0]


def _on_county_change() -> None:
    county = st.session_state.get(_K_COUNTY)
    if county:
        st.session_state[_K_PROVINCE] = county[0]
        st.session_state[_K_CITY] = county[:2]


def _on_language_change() -> None:
    """The browser keeps a selectbox's choice as its *shown* text, which the language changes ("全部" → "All");
    setting the values again from Python makes them survive the switch."""
    for key in (_K_PROVINCE, _K_CITY, _K_COUNTY, _K_KIND):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _keep_valid(key: str, options: list, default: Any) -> None:
    """A lower level must stay inside the options the upper levels leave (set before its widget is drawn)."""
    if st.session_state.get(key, default) not in options:
        st.session_state[key] = default


def filter_bar() -> tuple[Filters, list[str]]:
    """Draw the filters in the sidebar; return them and the notices about ignored URL values."""
    regions = db.query("app_filter_regions")
    summary = db.query("app_database_summary")
    first, last = summary.loc[0, "first_year"], summary.loc[0, "last_year"]
    years = list(range(int(first), int(last) + 1)) if pd.notna(first) else []

    url = _read_url()
    last_url = st.session_state.get(_K_LAST_URL)
    notices: list[str] = []
    if last_url is None or (url and url != last_url):
        # A new session, or an address the user typed: the URL is the truth. An empty URL within a
        # session is a page switch, which keeps the widget state.
        notices = _apply_url(url, regions, years)

    sb = st.sidebar
    sb.toggle(t("filter.language"), key=_K_EN, on_change=_on_language_change)
    st.session_state[LANG_KEY] = "en" if st.session_state.get(_K_EN) else "zh"
    sb.header(t("filter.header"))

    provinces = [ALL] + sorted(set(regions.province))
    _keep_valid(_K_PROVINCE, provinces, ALL)
    province = sb.selectbox(
        t("filter.province"), provinces, key=_K_PROVINCE,
        format_func=lambda p, every=t("filter.all"): p or every,
    )
    cities = [ALL] + _cities(regions, province)
    _keep_valid(_K_CITY, cities, ALL)
    city = sb.selectbox(
        t("filter.city"), cities, key=_K_CITY, on_change=_on_city_change,
        format_func=lambda c, every=t("filter.all"): c[1] if c else every,
    )
    counties = [ALL] + _counties(regions, province, city)
    _keep_valid(_K_COUNTY, counties, ALL)
    county = sb.selectbox(
        t("filter.county"), counties, key=_K_COUNTY, on_change=_on_county_change,
        format_func=lambda c, every=t("filter.all"), short=bool(city): (c[2] if short else f"{c[2]}（{c[1]}）") if c else every,
    )
    kinds = [ALL, *KINDS]
    _keep_valid(_K_KIND, kinds, ALL)
    kind = sb.selectbox(
        t("filter.kind"), kinds, key=_K_KIND,
        format_func=lambda k, names={k: t(f"kind.{k}") for k in KINDS}, every=t("filter.all"): names.get(k, every),
    )

    region = _region_params(province, city, county, kind)
    # A national list has ~100,000 agencies: offer the first ones and ask for a region (one row more tells).
    agency_rows = db.query("app_filter_agencies", {**region, "limit": MAX_AGENCY_OPTIONS + 1})
    options = list(agency_rows.agency[:MAX_AGENCY_OPTIONS])
    chosen = list(st.session_state.get(_K_AGENCIES, []))
    if chosen:  # keep only the chosen agencies that the region (and kind) still holds
        chosen = list(db.query("app_filter_agencies", {**region, "agencies": chosen}).agency)
    options += [a for a in chosen if a not in options]
    st.session_state[_K_AGENCIES] = chosen
    agencies = sb.multiselect(
        t("filter.agency"), options, key=_K_AGENCIES, placeholder=t("filter.agency_placeholder"),
    )
    if len(agency_rows) > MAX_AGENCY_OPTIONS:
        sb.caption(t("filter.agency_limited", n=f"{MAX_AGENCY_OPTIONS:,}"))

    year_from = year_to = None
    if years:
        _keep_valid(_K_YEAR_FROM, years, years[0])
        _keep_valid(_K_YEAR_TO, years, years[-1])
        sb.caption(t("filter.years"))
        left, right = sb.columns(2)
        year_from = left.selectbox(t("filter.year_from"), years, key=_K_YEAR_FROM)
        year_to = right.selectbox(t("filter.year_to"), years, key=_K_YEAR_TO)
        if year_from > year_to:  # a reversed range means the same span
            year_from, year_to = year_to, year_from

    filters = Filters(
        province=province or None,
        city=city[1] if city else None,
        county=county[2] if county else None,
        agencies=tuple(agencies),
        kind=kind or None,
        year_from=year_from,
        year_to=year_to,
        all_years=tuple(years),
    )
    wanted = filters.url()
    if st.session_state[LANG_KEY] == "en":
        wanted["lang"] = ["en"]
    _write_url(wanted)
    st.session_state[_K_LAST_URL] = wanted
    return filters, notices
