"""National-scale 模拟数据 written straight into the store: no files, no parsing.

`synthesize(db, reports=600_000)` builds a database with the shape of the real national corpus: the 31
provinces of the mainland, their cities and counties with the adcodes of `cpca`'s bundled division code, about
30 bodies per county (the 人民政府 and its departments) plus the bodies of every city and province, reports for
2019–2025 in the format of their year (2019 format for 2019–2020, 2021 format after). Every report is marked
is_demo (模拟数据).

Figures follow the template's arithmetic exactly (表三 balance, outcomes and applicant columns, 表四 groups), as
`gongkai.demo.render.random_report` does, but are generated a column at a time with numpy over a whole chunk
of reports, and written with a few bulk inserts from Arrow — never row by row — so that 600,000 reports take
minutes, not hours. Counts are heavy-tailed (lognormal, many zeros) with an agency effect (a province's 公安厅
receives far more requests than a county's 档案局) and a yearly trend; an agency's series is consistent from
year to year (二、上年结转 = last year's 四、结转下年度, 现行有效 carried forward), except for a few planted
breaks so the cross-year rules have something to find, as in real data.

The tables filled are the ones ingest fills (regions, agencies, agency_names, reports, figures, report_texts,
ingested_files, findings, report_wide): every query and page works on the result. report_wide is built by
the store's own SQL (`store.fill_wide_from`) from figure columns written straight from the same arrays as the
long figures, rather than by pivoting 120 million long rows back (`store.refresh_wide`, minutes at national
scale); tests/test_synth.py checks that the two give the same table.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from gongkai import crossyear, defaults, regions, store
from gongkai import template as T

DEFAULT_SEED = defaults.SYNTH_SEED
DEFAULT_REPORTS = defaults.SYNTH_REPORTS
YEARS = tuple(range(2019, 2026))
# Hong Kong, Macao and Taiwan are in cpca's division code but publish no reports under the 条例.
_NOT_MAINLAND = ("71", "81", "82")
# cpca's pseudo-cities (the districts of a 直辖市, counties directly under a province): not bodies of their own.
_PSEUDO_CITIES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
SYNTH_FORMAT = "synth"  # reports.format: no file was read
CHUNK_AGENCIES = 12_000  # ~80,000 reports per chunk: a few hundred MB of arrays at most

# The bodies of a county, most common first: every county has a 人民政府; a county has the first 24–36 of these
# (about 30), so the rarer departments exist in some counties only, as in reality.
COUNTY_BODIES = (
    "人民政府", "人民政府办公室", "发展和改革局", "教育局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局",
    "文化广电和旅游局", "卫生健康局", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局",
    "医疗保障局", "城市管理局", "林业局", "信访局", "科学技术局", "工业和信息化局", "民族宗教事务局", "体育局",
    "行政审批局", "数据局", "乡村振兴局", "粮食和物资储备局", "机关事务管理局", "人民防空办公室",
    "生态环境分局", "档案局", "国有资产监督管理局", "地方金融监督管理局", "住房公积金管理中心", "公共资源交易中心",
)
CITY_BODIES = (
    "人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "民族宗教事务委员会",
    "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局",
    "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会",
    "退役军人事务局", "应急管理局", "审计局", "外事办公室", "国有资产监督管理委员会", "市场监督管理局", "统计局",
    "医疗保障局", "城市管理局", "林业局", "信访局", "机关事务管理局", "地方金融监督管理局", "大数据管理局",
    "行政审批局", "体育局", "人民防空办公室", "住房公积金管理中心", "公共资源交易中心",
)
PROVINCE_BODIES = (
    "人民政府", "人民政府办公厅", "发展和改革委员会", "教育厅", "科学技术厅", "工业和信息化厅", "民族宗教事务委员会",
    "公安厅", "民政厅", "司法厅", "财政厅", "人力资源和社会保障厅", "自然资源厅", "生态环境厅", "住房和城乡建设厅",
    "交通运输厅", "水利厅", "农业农村厅", "商务厅", "文化和旅游厅", "卫生健康委员会", "退役军人事务厅", "应急管理厅",
    "审计厅", "外事办公室", "人民政府国有资产监督管理委员会", "市场监督管理局", "广播电视局", "体育局", "统计局",
    "医疗保障局", "林业局", "地方金融监督管理局", "信访局", "机关事务管理局", "粮食和物资储备局", "能源局",
    "药品监督管理局", "知识产权局", "数据局",
)
# Bodies that receive many more applications than the rest (land, housing, policing, social security).
_BUSY = ("公安", "自然资源", "住房和城乡建设", "人力资源和社会保障", "市场监督管理", "农业农村", "人民政府")

_LEVEL_PROVINCE, _LEVEL_CITY, _LEVEL_COUNTY = 0, 1, 2
# Median 本年新收 of a body, by level (a county's department, a city's, a province's) before its own effect.
_LEVEL_MEDIAN = {_LEVEL_COUNTY: 6.0, _LEVEL_CITY: 18.0, _LEVEL_PROVINCE: 45.0}


class SynthError(Exception):
    """Chinese message for the user."""


@dataclass(slots=True)
class SynthSummary:
    db_path: Path
    reports: int
    agencies: int
    provinces: int
    counties: int
    figures: int
    findings: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step

    def lines(self) -> list[str]:
        return [
            f"已生成模拟数据库 {self.db_path}：{self.reports:,} 份报告（全部标记为模拟数据），{self.agencies:,} 个单位，"
            f"{self.provinces} 个省级行政区，{self.counties:,} 个区县，{YEARS[0]}–{YEARS[-1]} 年；",
            f"数字 {self.figures:,} 个，跨年度检查提示 {self.findings:,} 条；用时 {self.seconds:.1f} 秒。",
        ]


# ---------------------------------------------------------------- the administrative shape
@lru_cache(maxsize=1)
def division_code() -> pd.DataFrame:
    """Every mainland province, city and county of cpca's division code: adcode, name, rank (0/1/2)."""
    import cpca

    rows = [
        (a.adcode, a.name, a.rank)
        for a in cpca.ad_2_addr_dict.values()
        if a.adcode[:2] not in _NOT_MAINLAND
    ]
    frame = pd.DataFrame(rows, columns=["adcode", "name", "rank"]).sort_values("adcode", ignore_index=True)
    real = ~((frame["rank"] > 0) & frame["name"].isin(_PSEUDO_CITIES))
    return frame[real].reset_index(drop=True)


def catalogue(rng: np.random.Generator, county_bodies: float = 30.0) -> pd.DataFrame:
    """Every body of the country: level, adcode, name, name_key, kind, busy (a heavy-request department).

    A county has round(county_bodies ± 6) bodies, the first of COUNTY_BODIES; a city all of CITY_BODIES, a
    province all of PROVINCE_BODIES (a 直辖市 names its bodies as a city does: 北京市教育局)."""
    divisions = division_code()
    region = {code: regions.region_for_adcode(code) for code in divisions["adcode"]}
    rows: list[tuple[int, str, str, str]] = []  # level, adcode, name, name_key
    for code, name, rank in divisions.itertuples(index=False):
        r = region[code]
        if rank == 0:
            bodies = CITY_BODIES if name.endswith("市") else PROVINCE_BODIES
            rows.extend((_LEVEL_PROVINCE, code, name + b, name + b) for b in bodies)
        elif rank == 1:
            rows.extend((_LEVEL_CITY, code, name + b, name + b) for b in CITY_BODIES)
        else:
            count = int(np.clip(round(county_bodies + rng.integers(-6, 7)), 1, len(COUNTY_BODIES)))
            # 淮安市洪泽区教育局: the city prefix as reports print it; the identity is 洪泽区教育局 (as regions.place)
            prefix = r.city if r.city and r.city not in _PSEUDO_CITIES else ""
            rows.extend((_LEVEL_COUNTY, code, prefix + name + b, name + b) for b in COUNTY_BODIES[:count])
    frame = pd.DataFrame(rows, columns=["level", "adcode", "name", "name_key"])
    frame["kind"] = np.where(frame["name"].str.endswith("人民政府"), "人民政府", "部门")
    frame["busy"] = frame["name_key"].str.contains("|".join(_BUSY))
    frame["province_adcode"] = frame["adcode"].str[:2] + "0000"
    return frame


def _regions_frame(adcodes: pd.Series) -> pd.DataFrame:
    out = [regions.region_for_adcode(code) for code in sorted(set(adcodes))]
    return pd.DataFrame(
        [(r.adcode, r.province, r.city, r.county, r.province_adcode, r.city_adcode) for r in out],
        columns=["adcode", "province", "city", "county", "province_adcode", "city_adcode"],
    )


def _series(rng: np.random.Generator, n: int) -> np.ndarray:
    """Which years each of n agencies reports (n × len(YEARS) bool): most from 2019 on; some start later (bodies
    created by the 2019 institutional reform, sites that went online later); a few skip one year."""
    start = np.where(rng.random(n) < 0.88, 0, rng.integers(1, 5, n))
    years = np.arange(len(YEARS))[None, :] >= start[:, None]
    gap = (rng.random(n) < 0.03) & (start <= len(YEARS) - 3)
    gap_year = rng.integers(start + 1, len(YEARS) - 1)  # strictly inside the series
    years[np.flatnonzero(gap), gap_year[gap]] = False
    return years


def choose_agencies(rng: np.random.Generator, reports: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The agencies that report and their years, totalling exactly `reports`.

    The provincial governments come first, so even a small database has all 31 provinces; the rest are taken
    in random order (each province in proportion to its bodies)."""
    bodies = 30.0
    while True:
        cat = catalogue(np.random.default_rng(rng.integers(1 << 62)), bodies)
        years = _series(rng, len(cat))
        if years.sum() >= reports:
            break
        if bodies >= len(COUNTY_BODIES) - 6:
            raise SynthError(f"报告数 {reports:,} 超过可模拟的上限（约 {int(years.sum()):,} 份）")
        bodies = min(len(COUNTY_BODIES) - 6, bodies * reports / years.sum() * 1.05)
    first = (cat["level"] == _LEVEL_PROVINCE) & (cat["kind"] == "人民政府")
    order = np.concatenate([np.flatnonzero(first), rng.permutation(np.flatnonzero(~first))])
    cat, years = cat.iloc[order].reset_index(drop=True), years[order]
    cumulative = np.cumsum(years.sum(axis=1))
    last = int(np.searchsorted(cumulative, reports))  # the agency that reaches `reports`
    cat, years = cat.iloc[: last + 1].copy(), years[: last + 1].copy()
    surplus = int(cumulative[last] - reports)
    if surplus:  # its latest years are dropped: it has not published them yet
        kept = np.flatnonzero(years[-1])
        years[-1, kept[len(kept) - surplus:]] = False
    # Stored in region order, as an ingest of a national collection would number them.
    order = np.lexsort((cat["name_key"].to_numpy(), cat["adcode"].to_numpy()))
    cat, years = cat.iloc[order].reset_index(drop=True), years[order]
    cat.insert(0, "agency_id", np.arange(1, len(cat) + 1, dtype=np.int32))
    return cat, years


# ---------------------------------------------------------------- figures, vectorised
_KEYS = [f.key for f in T.FIGURES]
_COL = {k: i for i, k in enumerate(_KEYS)}
_APPLICANTS = T.T3_APPLICANT_COLUMNS
_T3_ALL_COLUMNS = [c for c, _ in T.T3_COLUMNS]
_OUTCOMES = T.T3_OUTCOME_ROWS  # （一）…（六）, with both the one-row and the three-row （六）
# Variants of what a report prints: 0 = 2019 format, 1 = 2021 with （六） in three rows, 2 = 2021 with one row.
_VARIANTS = (("2019", False), ("2021", True), ("2021", False))
_PRINTED = np.array([[k in set(T.figure_keys(fmt, split)) for k in _KEYS] for fmt, split in _VARIANTS])

# How often a report prints anything in an outcome row, and per applicant column the chance it has any
# applications and its typical share: as gongkai.demo.render (from what real reports show).
from gongkai.demo.render import _APPLICANT_ODDS, _OUTCOME_ODDS  # noqa: E402

_OUTCOME_P = np.array([_OUTCOME_ODDS[r] for r in _OUTCOMES])
_APPLICANT_P = np.array([_APPLICANT_ODDS[c][0] for c in _APPLICANTS])
_APPLICANT_SHARE = np.array([_APPLICANT_ODDS[c][1] for c in _APPLICANTS])
_SPLIT_ROWS = np.array([r in T.T3_OTHER_SPLIT for r in _OUTCOMES])
_ONE_ROW = np.array([r == "other" for r in _OUTCOMES])


def _apportion(rng: np.random.Generator, total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split each `total` into whole parts proportional to `weights` along the last axis — largest remainder,
    ties broken at random (gongkai.demo.render._apportion, for whole arrays). Zero weights get nothing."""
    weights = weights + (weights.sum(axis=-1, keepdims=True) == 0) * np.eye(weights.shape[-1])[0]
    exact = total[..., None] * (weights / weights.sum(axis=-1, keepdims=True))
    parts = np.floor(exact)
    remainder = (total - parts.sum(axis=-1)).astype(np.int64)
    fraction = exact - parts + rng.random(exact.shape) * 1e-9 * (weights > 0)
    fraction[weights == 0] = -1.0
    rank = np.argsort(np.argsort(-fraction, axis=-1), axis=-1)
    return (parts + (rank < remainder[..., None])).astype(np.int64)


def _heavy(rng: np.random.Generator, n: int | tuple, median: float | np.ndarray, cap: int,
           sigma: float = 1.4) -> np.ndarray:
    """Heavy-tailed counts (lognormal): most small, a few very large."""
    return np.minimum(cap, np.floor(rng.lognormal(np.log(median), sigma, n))).astype(np.int64)


def _maybe(rng: np.random.Generator, n: int, p: float | np.ndarray, median: float, cap: int) -> np.ndarray:
    return np.where(rng.random(n) < p, _heavy(rng, n, median, cap), 0)


def figures_for(rng: np.random.Generator, agencies: pd.DataFrame, years: np.ndarray) -> dict[str, np.ndarray]:
    """The figures of every report of `agencies` (rows of `years` say which years each reports).

    Returns, per report in (agency, year) order: agency (index into `agencies`), year, variant, values
    (reports × figures, NaN where the report prints nothing or prints a blank) and printed (reports × figures)."""
    agency_index, year_index = np.nonzero(years)
    n = len(agency_index)
    year = np.asarray(YEARS)[year_index]
    # Index of the same agency's report of the year before (-1 when it has none): the series runs by agency.
    has_prev = np.zeros(n, bool)
    has_prev[1:] = (agency_index[1:] == agency_index[:-1]) & (year_index[1:] == year_index[:-1] + 1)
    prev = np.where(has_prev, np.arange(n) - 1, -1)

    # The 2021 format mostly prints （六） in the template's three rows; some reports keep the one row.
    variant = np.where(year <= 2020, 0, np.where(rng.random(n) < 0.8, 1, 2))
    v = np.zeros((n, len(_KEYS)))

    # ---- 表三: volume, by applicant, carried over from last year, outcomes
    level = agencies["level"].to_numpy()[agency_index]
    government = (agencies["kind"].to_numpy() == "人民政府")[agency_index]
    busy = agencies["busy"].to_numpy()[agency_index]
    effect = rng.normal(0.0, 0.9, len(agencies))[agency_index]  # the same body is big every year
    median = np.select([level == _LEVEL_COUNTY, level == _LEVEL_CITY], [_LEVEL_MEDIAN[2], _LEVEL_MEDIAN[1]],
                       _LEVEL_MEDIAN[0]) * np.where(busy, 2.5, 1.0) * np.where(government, 2.0, 1.0)
    trend = 1.07 ** (year - YEARS[0])  # applications grew year on year
    quiet = rng.random(len(agencies))[agency_index] < 0.12  # bodies that rarely receive any application
    zero = rng.random(n) < np.where(quiet, 0.7, 0.05)
    volume = np.where(zero, 0, np.minimum(50_000, np.floor(median * trend * np.exp(effect + rng.normal(0, 0.5, n)))))
    weights = np.where(rng.random((n, len(_APPLICANTS))) < _APPLICANT_P,
                       _APPLICANT_SHARE * rng.uniform(0.3, 1.7, (n, len(_APPLICANTS))), 0.0)
    handled = _apportion(rng, volume, weights)  # (n, 6): （七）总计 per applicant column, before carry-over

    forward_share = np.where(rng.random((n, 6)) < 0.4, rng.uniform(0.02, 0.2, (n, 6)), 0.0)
    over = np.zeros((n, 6), np.int64)
    forward = np.zeros((n, 6), np.int64)
    first_over = np.where(rng.random((n, 6)) < 0.4, rng.random((n, 6)), 0.0)
    chain_break = (prev >= 0) & (rng.random(n) < 0.01)  # a report that does not carry last year's figure over
    break_column = rng.integers(0, 6, n)
    break_by = rng.integers(1, 6, n)
    # 二 上年结转 of year Y is 四 结转下年度 of year Y−1: solved year by year, every agency at once.
    for y in YEARS:
        now = np.flatnonzero(year == y)
        chained = now[prev[now] >= 0]
        fresh = now[prev[now] < 0]
        over[chained] = forward[prev[chained]]
        broken = chained[chain_break[chained]]
        over[broken, break_column[broken]] += break_by[broken]
        handled[now] = np.maximum(handled[now], over[now])  # what was carried over is handled this year
        forward[now] = np.floor(handled[now] * forward_share[now]).astype(np.int64)
        ceiling = handled[fresh] + forward[fresh]
        over[fresh] = np.floor(first_over[fresh] * (ceiling // 5 + 1)).astype(np.int64)
        over[fresh] = np.minimum(over[fresh], ceiling)
    new_received = handled + forward - over  # 一 + 二 = （七） + 四

    outcome_weights = np.where(rng.random((n, 6, len(_OUTCOMES))) < _OUTCOME_P, rng.pareto(1.0, (n, 6, len(_OUTCOMES))) + 1, 0.0)
    unused = np.where((variant == 1)[:, None], _ONE_ROW[None, :], _SPLIT_ROWS[None, :])  # (n, rows)
    outcome_weights[np.broadcast_to(unused[:, None, :], outcome_weights.shape)] = 0.0
    outcomes = _apportion(rng, handled, outcome_weights)  # (n, 6, rows)

    def put_t3(row: str, values: np.ndarray) -> None:  # values: (n, 6) applicant columns; 总计 is their sum
        cols = [_COL[f"t3/{row}/{c}"] for c in _T3_ALL_COLUMNS]
        v[:, cols] = np.concatenate([values, values.sum(axis=1, keepdims=True)], axis=1)

    put_t3("new_received", new_received)
    put_t3("carried_over", over)
    for i, row in enumerate(_OUTCOMES):
        put_t3(row, outcomes[:, :, i])
    put_t3("total", handled)
    put_t3("carried_forward", forward)

    # ---- 表四: more applications, more reviews and suits; most decisions are upheld (结果维持), about one in
    # eight corrected, as national reports print
    reach = np.clip(0.4 + 0.3 * np.log10(1 + volume), 0.2, 2.0)
    outcome_odds = np.array([1.0, 0.5, 0.45, 0.4])  # upheld, corrected, other, pending: how often printed
    outcome_median = np.array([3.0, 1.0, 1.0, 1.0])
    for row, base in (("review", 0.35), ("suit_direct", 0.2), ("suit_after_review", 0.1)):
        present = rng.random((n, 4)) < (base * reach)[:, None] * outcome_odds
        parts = np.where(present, _heavy(rng, (n, 4), outcome_median, 500), 0)
        for j, col in enumerate(("upheld", "corrected", "other", "pending")):
            v[:, _COL[f"t4/{row}/{col}"]] = parts[:, j]
        v[:, _COL[f"t4/{row}/total"]] = parts.sum(axis=1)

    # ---- 表二, 2021 format: 现行有效 carried forward year to year (规章 only for province and city governments)
    rule_maker = government & (level != _LEVEL_COUNTY)
    for row, p in (("regulation", np.where(rule_maker, 0.6, 0.0)), ("normative_doc", np.full(n, 0.6))):
        issued = _maybe(rng, n, p, 4, 500)
        repealed = _maybe(rng, n, p / 2, 2, 200)
        base = issued + _maybe(rng, n, p + 0.2, 30, 5000)
        in_force = np.zeros(n, np.int64)
        slip = (rng.random(n) < 0.005) * rng.integers(1, 6, n)  # a miscounted 现行有效: in_force_chain finds it
        for y in YEARS[2:]:
            now = np.flatnonzero(year == y)
            chained = now[(prev[now] >= 0) & (year[now] > 2021)]
            fresh = now[~((prev[now] >= 0) & (year[now] > 2021))]
            repealed[chained] = np.minimum(repealed[chained], in_force[prev[chained]] + issued[chained])
            in_force[chained] = in_force[prev[chained]] + issued[chained] - repealed[chained] + slip[chained]
            in_force[fresh] = base[fresh]
        for col, values in (("issued", issued), ("repealed", repealed), ("in_force", in_force)):
            v[:, _COL[f"t2/{row}/{col}"]] = values
    decisions_scale = np.where(busy, 3.0, 1.0)
    v[:, _COL["t2/license/decisions"]] = np.where(rng.random(n) < 0.6, _heavy(rng, n, 300 * decisions_scale, 2_000_000), 0)
    v[:, _COL["t2/penalty/decisions"]] = np.where(rng.random(n) < 0.5, _heavy(rng, n, 80 * decisions_scale, 500_000), 0)
    v[:, _COL["t2/coercion/decisions"]] = _maybe(rng, n, 0.3, 10, 50_000)
    v[:, _COL["t2/fee/amount"]] = np.where(rng.random(n) < 0.25, np.round(rng.lognormal(math.log(40), 1.5, n), 2), 0)

    # ---- 表二, 2019 format (the same columns are simply not printed by the other format)
    for row, p in (("regulation", np.where(rule_maker, 0.6, 0.0)), ("normative_doc", np.full(n, 0.6))):
        made = _maybe(rng, n, p, 4, 500)
        v[:, _COL[f"t2/{row}/made"]] = made
        v[:, _COL[f"t2/{row}/published"]] = made
        v[:, _COL[f"t2/{row}/total_published"]] = made + _maybe(rng, n, p + 0.2, 30, 5000)
    for row in ("license", "other_service", "penalty", "coercion", "fee"):
        prev_items = _maybe(rng, n, 0.6, 20, 3000)
        v[:, _COL[f"t2/{row}/prev_items"]] = prev_items
        v[:, _COL[f"t2/{row}/change"]] = np.where(rng.random(n) < 0.4, np.maximum(-prev_items, rng.integers(-3, 6, n)), 0)
    v[:, _COL["t2/other_service/decisions"]] = _maybe(rng, n, 0.5, 80, 500_000)
    items = _maybe(rng, n, 0.5, 10, 2000)
    v[:, _COL["t2/procurement/items"]] = items
    v[:, _COL["t2/procurement/amount"]] = np.where(items > 0, np.round(rng.lognormal(math.log(500_000), 1.5, n), 2), 0)
    # 2019 prints 处理决定数量 for 许可/处罚/强制 with the same key as 2021: already set above.

    printed = _PRINTED[variant]
    # Some reports print 表二's zeros as blanks (which is not 0: NULL in the store). 表二 has no sum rules, so a
    # blank there costs no check — unlike a blank in 表三, which the ingest path would flag.
    blank_printer = rng.random(n) < 0.05
    t2 = np.array([k.startswith("t2/") for k in _KEYS])
    blank = blank_printer[:, None] & t2[None, :] & (v == 0) & (rng.random(v.shape) < 0.5)
    v[~printed | blank] = np.nan
    return {"agency": agency_index, "year": year, "variant": variant, "values": v, "printed": printed}


# ---------------------------------------------------------------- writing
def _arrow(frame: dict[str, np.ndarray | list]) -> pa.Table:
    return pa.table({k: (pa.array(x, mask=np.isnan(x)) if isinstance(x, np.ndarray) and x.dtype.kind == "f"
                         else pa.array(x, from_pandas=True)) for k, x in frame.items()})


def _advance_sequence(con: duckdb.DuckDBPyConnection, sequence: str, to: int) -> None:
    """Move a sequence past ids written explicitly, so a later ingest into this database numbers on from there."""
    if to > 0:
        con.execute(f"SELECT max(nextval('{sequence}')) FROM range({int(to)})")


def _write_chunk(con, agencies: pd.DataFrame, region: pd.DataFrame, chunk: dict, first_report_id: int,
                 seed: int, ingested_at: datetime) -> int:
    n = len(chunk["year"])
    report_id = np.arange(first_report_id, first_report_id + n, dtype=np.int32)
    agency = agencies.iloc[chunk["agency"]]
    names = agency["name"].to_numpy()
    template = np.where(chunk["variant"] == 0, "2019", "2021")
    source = [f"{a}{y}年政府信息公开工作年度报告（模拟数据）" for a, y in zip(names, chunk["year"])]
    reports = pa.table({
        "report_id": report_id, "agency_id": agency["agency_id"].to_numpy(), "year": chunk["year"].astype(np.int16),
        "template": template, "agency_printed": names, "source_file": source,
    })
    con.register("synth_reports", reports)
    con.execute(
        "INSERT INTO reports BY NAME SELECT *, sha256('gongkai-synth/' || $seed || '/' || report_id::VARCHAR)"
        " AS sha256, $format AS format, $at AS ingested_at, true AS is_demo FROM synth_reports",
        {"seed": str(seed), "format": SYNTH_FORMAT, "at": ingested_at},
    )
    con.execute("INSERT INTO ingested_files BY NAME SELECT sha256, source_file, report_id, ingested_at FROM reports"
                " WHERE report_id BETWEEN $a AND $b", {"a": int(report_id[0]), "b": int(report_id[-1])})
    con.unregister("synth_reports")

    # The long figures: one row per printed cell, in report order (report_figures reads one report by id).
    printed, values = chunk["printed"], chunk["values"]
    long = pa.table({
        "report_id": np.repeat(report_id, printed.sum(axis=1)),
        "figure": np.nonzero(printed)[1].astype(np.int16),
        "value": pa.array(values[printed], mask=np.isnan(values[printed])),
    })
    con.register("synth_long", long)
    con.execute('INSERT INTO figures BY NAME SELECT l.report_id, k."table", k."row", k."column", l.value'
                " FROM synth_long l JOIN synth_keys k USING (figure)")
    con.unregister("synth_long")

    # The figure columns of report_wide straight from the same arrays (what store.refresh_wide would pivot
    # back out of the long rows — at 120 million rows, minutes): staged, then completed in one statement.
    staged = {"report_id": report_id}
    for i, key in enumerate(_KEYS):
        staged[store.wide_column(key)] = values[:, i]
    con.register("synth_wide", _arrow(staged))
    con.execute("INSERT INTO synth_wide_figures SELECT * FROM synth_wide")
    con.unregister("synth_wide")
    return n


_NARRATIVE_SQL = """
INSERT INTO report_texts BY NAME
SELECT report_id,
       year || '年，' || agency || '认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外。'
       || '全年新收政府信息公开申请' || coalesce(t3_new_received_total, 0)::BIGINT || '件，上年结转'
       || coalesce(t3_carried_over_total, 0)::BIGINT || '件；办结' || coalesce(t3_total_total, 0)::BIGINT
       || '件，结转下年度继续办理' || coalesce(t3_carried_forward_total, 0)::BIGINT || '件。'
       || '全年因政府信息公开被申请行政复议' || coalesce(t4_review_total, 0)::BIGINT || '件、提起行政诉讼'
       || (coalesce(t4_suit_direct_total, 0) + coalesce(t4_suit_after_review_total, 0))::BIGINT || '件。'
       AS narrative
FROM report_wide
"""


def synthesize(db_path: str | os.PathLike[str], reports: int = DEFAULT_REPORTS, seed: int = DEFAULT_SEED, *,
               replace: bool = False, progress: Callable[[float, str], None] | None = None) -> SynthSummary:
    """Write a national-scale 模拟数据 database of exactly `reports` reports at `db_path`.

    Written into `<db>.synth-tmp` and swapped in at the end (as ingest does), so a dashboard reading the old file
    never sees half a database. An existing database is replaced only with `replace=True`."""
    import time

    started = time.perf_counter()
    db_path = Path(db_path)
    if reports < 1:
        raise SynthError("报告数必须是正整数")
    if db_path.exists() and not replace:
        raise SynthError(f"数据库 {db_path} 已存在：模拟数据会整个替换它，请确认后加 --replace，或换一个文件名")
    say = progress or (lambda fraction, message: None)
    timings: dict[str, float] = {}
    mark = [started]

    def lap(step: str) -> None:
        now = time.perf_counter()
        timings[step] = now - mark[0]
        mark[0] = now
    rng = np.random.default_rng(seed)
    say(0.0, "确定全国单位与报告年度")
    agencies, years = choose_agencies(rng, reports)
    region = _regions_frame(agencies["adcode"]).set_index("adcode", drop=False)

    work = Path(str(db_path) + ".synth-tmp")
    for leftover in (work, Path(str(work) + ".wal")):
        leftover.unlink(missing_ok=True)
    con = store.connect(work)
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        con.register("synth_regions", region.reset_index(drop=True))
        con.execute("INSERT INTO regions BY NAME SELECT * FROM synth_regions")
        con.unregister("synth_regions")
        con.register("synth_agencies", agencies[["agency_id", "name", "name_key", "adcode", "kind"]])
        con.execute("INSERT INTO agencies BY NAME SELECT agency_id, name, name_key, adcode, kind,"
                    " $source AS region_source FROM synth_agencies",
                    {"source": regions.SOURCE_NAME})
        con.execute("INSERT INTO agency_names BY NAME SELECT agency_id, name FROM synth_agencies")
        con.unregister("synth_agencies")
        keys = pd.DataFrame({"figure": np.arange(len(_KEYS), dtype=np.int16),
                             "table": [k.split("/")[0] for k in _KEYS], "row": [k.split("/")[1] for k in _KEYS],
                             "column": [k.split("/")[2] for k in _KEYS]})
        con.execute('CREATE TEMP TABLE synth_keys (figure SMALLINT, "table" figure_table, "row" figure_row,'
                    ' "column" figure_column)')
        con.register("synth_key_frame", keys)
        con.execute("INSERT INTO synth_keys SELECT * FROM synth_key_frame")
        con.unregister("synth_key_frame")
        figure_columns = ", ".join(f"{store.wide_column(k)} DOUBLE" for k in _KEYS)
        con.execute(f"CREATE TEMP TABLE synth_wide_figures (report_id INTEGER, {figure_columns})")
        lap("agencies")

        ingested_at = datetime.now().replace(microsecond=0)
        written = 0
        def generate(start: int) -> dict:
            stop = min(start + CHUNK_AGENCIES, len(agencies))
            # One generator per chunk from the seed: the same seed gives the same database.
            chunk_rng = np.random.default_rng([seed, start])
            chunk = figures_for(chunk_rng, agencies.iloc[start:stop].reset_index(drop=True), years[start:stop])
            chunk["agency"] = chunk["agency"] + start
            return chunk

        # The next chunk is generated (numpy, mostly outside the GIL) while DuckDB writes this one.
        starts = list(range(0, len(agencies), CHUNK_AGENCIES))
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(generate, starts[0])
            for i in range(len(starts)):
                chunk = pending.result()
                if i + 1 < len(starts):
                    pending = pool.submit(generate, starts[i + 1])
                written += _write_chunk(con, agencies, region, chunk, written + 1, seed, ingested_at)
                say(0.8 * written / reports, f"已写入 {written:,} / {reports:,} 份报告")
        _advance_sequence(con, "report_ids", written)
        _advance_sequence(con, "agency_ids", len(agencies))
        say(0.8, "生成宽表")
        lap("reports and figures")
        store.fill_wide_from(con, "synth_wide_figures")
        con.execute("DROP TABLE synth_wide_figures")
        lap("report_wide")
        say(0.82, "生成报告正文")
        con.execute(_NARRATIVE_SQL)
        say(0.85, "跨年度检查")
        lap("texts")
        findings = crossyear.recompute(con)
        store.refresh_finding_counts(con)
        lap("cross-year findings")
        say(0.92, "按地区和年度排序宽表")
        store.sort_wide(con)
        lap("sort")
        con.execute("INSERT INTO meta VALUES ('synth', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [f"seed={seed} reports={reports}"])
        figures = con.execute("SELECT count(*) FROM figures").fetchone()[0]
        con.execute("CHECKPOINT")
        con.close()
        os.replace(work, db_path)
        lap("checkpoint")
    except BaseException:
        con.close()
        for leftover in (work, Path(str(work) + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    say(1.0, "完成")
    return SynthSummary(db_path, written, len(agencies), region["province"].nunique(),
                        int(region["county"].notna().sum()), figures, findings, time.perf_counter() - started,
                        timings)
