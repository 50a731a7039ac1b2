"""The demo corpus: report *files* for a fictional city, with a few planted errors and their answer key.

青岚市 (fictional, placed in a real province) has six districts and counties, each with its 人民政府 and
fifteen departments; each agency publishes one report a year for 2019–2025, in the 2019 format for
2019–2020 and the 2021 format after.  The numbers come from a small model of each agency, so they
look like a real series rather than independent draws:

- request volume is heavy-tailed and depends on the kind of agency (a 人民政府, 自然资源/住建/公安 receive
  far more than 司法局 or 应急管理局), on the district (urban districts more than counties) and on a
  per-agency factor; it drifts from year to year;
- 上年结转 is last year's 结转下年度继续办理, column by column;
- outcome shares (予以公开, 不予公开, 无法提供, …) are the agency's own, stable across years;
- 表二 stocks carry over too (现行有效件数 = last year's + 制发 − 废止; 2019 format 上一年项目数量 + 本年增/减);
- the narrative (一、总体情况) states the counts of the tables (收到…申请N件, 行政复议N件, 行政诉讼N件).

Then errors are planted at a low rate, each one the kind real reports have, and each listed in the
answer key (`answer_key.json`) with the rule that must report it:
- a sum that does not add up (`render.break_rule`: t3_balance, t3_outcomes, t3_columns, t4_rows);
- a broken carry chain (this year's 上年结转 ≠ last year's 结转下年度, rule carry_chain);
- a missing year (no file for an agency-year inside its series, rule missing_year);
- a narrative count that contradicts the table (rule text_vs_table);
- a report published after the 条例 第四十九条 deadline (rule late_publication: every demo file has a 发布日期,
  written to `published.csv`, which `gongkai demo build` passes to ingest as the manifest).

and defects only the assessment (gongkai.assess) reports, in the answer key's "assessment" list: a narrative
copied from last year with its figures changed, a required section left out, no word on 信息处理费.

Everything is drawn from `random.Random` seeded with strings (seeded by SHA-512 of the string, so
independent of PYTHONHASHSEED) and every renderer writes fixed timestamps: the same seed gives
byte-identical files on every run.  Each agency gets its own generator, so changing one agency's
model does not reshuffle every other agency's numbers.
"""

from __future__ import annotations

import json
import math
import os
import random
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Callable

from gongkai import defaults
from gongkai import template as T
from gongkai.demo import render as R
from gongkai.report import DEMO_MARKER, Value
from gongkai.timeliness import publication_deadline

DEFAULT_SEED = defaults.DEMO_SEED
DEFAULT_OUT = defaults.DEMO_OUT
ANSWER_KEY = "answer_key.json"
MANIFEST = "manifest.csv"
DATES = "published.csv"
YEARS = tuple(range(2019, 2026))

# The fictional area.  The city is fictional; the province is real, so that province-level views
# (and anything keyed by province) behave as with real data.  The district names were checked not to be
# real place names: region inference (cpca) must never put a demo agency somewhere real — and the
# ingest is given the region explicitly anyway (manifest.csv), so nothing depends on inference.
PROVINCE = "江西省"
CITY = R.DEMO_CITY  # 青岚市
# Division codes for the fictional area: 江西省 is 36, and its real cities are 3601–3611, so 3699 is free.
PROVINCE_ADCODE = "360000"
CITY_ADCODE = "369900"
# Printed in 六、其他需要报告的事项 of every demo report: whoever opens a file sees it is invented.
DEMO_NOTICE = f"说明：本报告为 {DEMO_MARKER}，单位名称和全部数字均为虚构，不是任何机关发布的报告。"


@dataclass(frozen=True)
class District:
    name: str
    urban: bool  # 区 (urban, more requests) or 县
    adcode: str  # fictional, under CITY_ADCODE


DISTRICTS: tuple[District, ...] = (
    District("澄溪区", True, "369901"),
    District("望岭区", True, "369902"),
    District("青渚区", True, "369903"),
    District("桐湾县", False, "369921"),
    District("枫浦县", False, "369922"),
    District("岚桥县", False, "369923"),
)


@dataclass(frozen=True)
class Department:
    """A kind of agency and what its work makes of its reports."""

    suffix: str  # printed after the district name; "{}" is replaced by 分局 / 局 (公安 in a 区 is a 分局)
    requests: float  # median new applications a year, in an urban district
    license: float  # median 行政许可 decisions a year (0: the agency issues none)
    penalty: float  # median 行政处罚 decisions a year
    coercion: float  # median 行政强制 decisions a year
    normative: float  # mean 行政规范性文件 issued a year
    not_held: float  # weight of 本机关不掌握相关政府信息 among outcomes (relative to 予以公开 = 1)
    fee: float = 0.0  # chance of collecting 行政事业性收费 in a year


GOVERNMENT = "人民政府"
DEPARTMENTS: tuple[Department, ...] = (
    Department(GOVERNMENT, 70, 0, 0, 0, 6.0, 0.35),
    Department("发展和改革局", 5, 60, 2, 0, 0.8, 0.5),
    Department("教育局", 7, 40, 1, 0, 0.8, 0.4),
    Department("公安{}", 22, 900, 2500, 300, 0.3, 0.6),
    Department("民政局", 4, 30, 0, 0, 0.5, 0.4),
    Department("司法局", 2, 5, 0, 0, 0.2, 0.3),
    Department("财政局", 4, 0, 1, 0, 0.6, 0.4),
    Department("人力资源和社会保障局", 10, 200, 10, 1, 0.6, 0.5),
    Department("自然资源局", 45, 300, 40, 5, 0.8, 0.9, 0.5),
    Department("住房和城乡建设局", 30, 500, 50, 3, 0.8, 0.7, 0.3),
    Department("交通运输局", 6, 400, 300, 20, 0.4, 0.4),
    Department("农业农村局", 8, 150, 20, 2, 0.5, 0.6),
    Department("卫生健康局", 5, 250, 40, 2, 0.4, 0.4),
    Department("应急管理局", 2, 20, 30, 3, 0.3, 0.3),
    Department("市场监督管理局", 10, 3000, 400, 40, 0.4, 0.5, 0.2),
    Department("生态环境分局", 6, 30, 25, 5, 0.2, 0.5),
)

# Applicant columns: typical share of applications (natural persons dominate everywhere).
APPLICANT_SHARES = {
    "natural_person": 0.86, "commercial": 0.08, "research": 0.004,
    "social_org": 0.008, "legal_service": 0.03, "other_org": 0.018,
}
# Outcome rows (the 2021 split of （六）), typical weight relative to 予以公开 = 1.
OUTCOME_WEIGHTS = {
    "granted": 1.0, "partial": 0.12, "denied_secret": 0.004, "denied_law": 0.01, "denied_safety": 0.004,
    "denied_third_party": 0.03, "denied_internal": 0.02, "denied_process": 0.04, "denied_case_file": 0.02,
    "denied_query": 0.03, "unable_not_held": 0.5, "unable_need_create": 0.08, "unable_unclear": 0.05,
    "refused_petition": 0.08, "refused_repeat": 0.06, "refused_publication": 0.01, "refused_mass": 0.01,
    "refused_confirm": 0.01, "other_no_correction": 0.05, "other_fee_unpaid": 0.002, "other_other": 0.06,
}
# How a 表四 group ends, typically.
T4_SHARES = {"upheld": 0.62, "corrected": 0.12, "other": 0.16, "pending": 0.10}

# The file formats, with how many agencies publish in each (the rest publish HTML pages).  PDF and
# DOCX are the slow ones to write and read, hence few; every reader gets some.
FORMAT_QUOTA = {"pdf": 4, "docx": 9, "markdown": 12, "html-gbk": 14, "text": 20}
FORMAT_EXTENSION = {"text": ".txt", "markdown": ".md", "html": ".html", "html-gbk": ".html", "docx": ".docx", "pdf": ".pdf"}

# How many errors of each kind to plant (about 3% of reports carry one; real sets have more).
PLANTED = {
    "t3_balance": 3, "t3_outcomes": 3, "t3_columns": 2, "t4_rows": 2,
    "carry_chain": 4, "missing_year": 4, "text_vs_table": 4, "late_publication": 4,
}
# Defects no rule reports but the assessment (gongkai.assess) must find, planted the same way and listed in
# the answer key's "assessment" list: a narrative copied from last year with its figures changed, a required
# narrative section left out, a 2021-format report that does not state 信息处理费.
ASSESSMENT_PLANTED = {"copied_narrative": 4, "missing_section": 3, "no_fee_statement": 2}
ASSESSMENT_DESCRIPTIONS_ZH = {
    "copied_narrative": "正文照搬上年报告，只改了数字",
    "missing_section": "正文缺少规定的部分",
    "no_fee_statement": "2021 年版报告未说明信息处理费收取情况",
}
# Publication dates (manifest column 发布日期): on time, a few days to seven weeks before the deadline of
# 条例 第四十九条; a planted late_publication is 1–90 days after it.
# Agencies that leave the zero cells of 表四 blank instead of printing 0, as some real reports do: not an
# error, but every check that involves a blank cannot be completed (rule blank_cells, a warning).
BLANK_AGENCIES = 2
RULE_DESCRIPTIONS_ZH = {
    "t3_balance": "表三某列“第一项加第二项之和等于第三项加第四项之和”不成立",
    "t3_outcomes": "表三某列办理结果（一）至（六）之和不等于（七）总计",
    "t3_columns": "表三某行各类申请人之和不等于总计",
    "t4_rows": "表四某组维持+纠正+其他+尚未审结不等于总计",
    "carry_chain": "本年“上年结转”不等于上年报告的“结转下年度继续办理”",
    "missing_year": "该单位这一年没有报告",
    "text_vs_table": "正文所述数字与表格不一致",
    "late_publication": "晚于条例第四十九条规定的期限发布",
    "blank_cells": "表四中为 0 的单元格印为空白，相关等式无法完整核对",
}


# The severity each rule reports with (gongkai.rules and gongkai.crossyear): warnings are things a
# supervisor should look at that may be legitimate (a count of something else in the text, a year not published).
RULE_SEVERITY = {
    "t3_balance": "error", "t3_outcomes": "error", "t3_columns": "error", "t4_rows": "error",
    "carry_chain": "error", "missing_year": "warning", "text_vs_table": "warning", "blank_cells": "warning",
    "late_publication": "warning",
}


@dataclass(frozen=True)
class DemoAgency:
    name: str  # as its reports print it: 澄溪区教育局
    district: District
    department: Department
    file_format: str  # text, markdown, html, html-gbk, docx, pdf

    @property
    def kind(self) -> str:
        return "人民政府" if self.department.suffix == GOVERNMENT else "部门"


@dataclass
class PlantedError:
    agency: str
    year: int
    rule: str
    detail: str  # Chinese: what was changed

    def to_json(self) -> dict[str, object]:
        return {"agency": self.agency, "year": self.year, "rule": self.rule, "severity": RULE_SEVERITY[self.rule],
                "detail": self.detail}


@dataclass
class PlantedDefect:
    """A defect of the assessment's (not a rule's): see ASSESSMENT_PLANTED."""

    agency: str
    year: int
    defect: str
    detail: str

    def to_json(self) -> dict[str, object]:
        return {"agency": self.agency, "year": self.year, "defect": self.defect, "detail": self.detail}


@dataclass
class DemoReport:
    agency: DemoAgency
    spec: R.ReportSpec
    path: str  # relative to the output folder, "/"-separated
    published_on: date | None = None

    @property
    def file_format(self) -> str:
        return self.agency.file_format


@dataclass
class DemoCorpus:
    seed: int
    reports: list[DemoReport] = field(default_factory=list)
    errors: list[PlantedError] = field(default_factory=list)
    defects: list[PlantedDefect] = field(default_factory=list)

    def answer_key(self) -> dict[str, object]:
        return {
            "说明": "模拟数据：本目录中的单位、报告和数字均为 gongkai demo generate 虚构生成，不是任何机关发布的报告。",
            "seed": self.seed,
            "province": PROVINCE,
            "city": CITY,
            "districts": [d.name for d in DISTRICTS],
            "years": list(YEARS),
            "planted_rules": sorted([*PLANTED, "blank_cells"]),
            "errors": [e.to_json() for e in self.errors],
            "assessment": [d.to_json() for d in self.defects],
            "reports": [
                {
                    "file": r.path, "agency": r.spec.agency, "year": r.spec.year, "template": r.spec.template,
                    "format": r.file_format, "district": r.agency.district.name, "kind": r.agency.kind,
                    "published_on": r.published_on.isoformat() if r.published_on else None,
                }
                for r in self.reports
            ],
        }


# ---------------------------------------------------------------- small random helpers
def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 60:  # the normal approximation is exact enough for counts this large
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(1 for _ in range(n) if rng.random() < p)


def _multinomial(rng: random.Random, n: int, weights: dict[str, float]) -> dict[str, int]:
    counts = Counter(rng.choices(list(weights), list(weights.values()), k=n)) if n else Counter()
    return {k: counts.get(k, 0) for k in weights}


def _jitter(rng: random.Random, weights: dict[str, float], sigma: float) -> dict[str, float]:
    """Each weight times a log-normal factor: the agency's own shares around the typical ones."""
    return {k: w * rng.lognormvariate(0, sigma) for k, w in weights.items()}


def _money(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- the area
def agencies(seed: int = DEFAULT_SEED) -> list[DemoAgency]:
    """Every agency of the area, with the format it publishes in (assigned by quota, at random)."""
    names: list[tuple[str, District, Department]] = []
    for district in DISTRICTS:
        for dept in DEPARTMENTS:
            suffix = dept.suffix.format("分局" if district.urban else "局")
            names.append((district.name + suffix, district, dept))
    rng = random.Random(f"{seed}:formats")
    formats: list[str] = []
    for fmt, n in FORMAT_QUOTA.items():
        formats += [fmt] * n
    formats += ["html"] * (len(names) - len(formats))
    rng.shuffle(formats)
    return [DemoAgency(name, district, dept, fmt) for (name, district, dept), fmt in zip(names, formats)]


# ---------------------------------------------------------------- one agency's series
@dataclass
class _AgencyModel:
    """The hidden state of one agency, advanced one year at a time."""

    agency: DemoAgency
    rng: random.Random
    level: float = 0.0  # expected new applications this year
    applicants: dict[str, float] = field(default_factory=dict)
    outcomes: dict[str, float] = field(default_factory=dict)
    carry_rate: float = 0.0
    review_rate: float = 0.0
    suit_rate: float = 0.0
    other_split: bool = True  # how it prints （六）其他处理 in the 2021 format
    carried: dict[str, int] = field(default_factory=dict)  # 结转下年度 of the last year, per applicant column
    normative_in_force: int = 0
    items: dict[str, int] = field(default_factory=dict)  # 2019 format: 上一年项目数量 per 表二 row

    @classmethod
    def start(cls, agency: DemoAgency, seed: int) -> _AgencyModel:
        rng = random.Random(f"{seed}:agency:{agency.name}")
        dept = agency.department
        m = cls(agency, rng)
        district_factor = 1.0 if agency.district.urban else 0.55
        # The heavy tail: a log-normal factor per agency on top of the kind's median.
        m.level = dept.requests * district_factor * rng.lognormvariate(0, 0.7)
        m.applicants = _jitter(rng, APPLICANT_SHARES, 0.6)
        typical = dict(OUTCOME_WEIGHTS, unable_not_held=dept.not_held)
        m.outcomes = _jitter(rng, typical, 0.7)
        # Some agencies never use a reason at all (their rows print 0 year after year).
        for key in list(m.outcomes):
            if key != "granted" and rng.random() < 0.3:
                m.outcomes[key] = 0.0
        m.carry_rate = rng.choice((0.0, 0.0, 0.02, 0.05, 0.1))
        m.review_rate = rng.uniform(0.01, 0.06)
        m.suit_rate = rng.uniform(0.005, 0.03)
        m.other_split = rng.random() < 0.85
        m.carried = _multinomial(rng, _poisson(rng, m.level * m.carry_rate), m.applicants)
        m.normative_in_force = _poisson(rng, dept.normative * 8)
        m.items = {
            row: (_poisson(rng, median_items) if median_items else 0)
            for row, median_items in (
                ("license", 30 if dept.license else 0), ("other_service", 12), ("penalty", 60 if dept.penalty else 0),
                ("coercion", 8 if dept.coercion else 0), ("fee", 3 if dept.fee else 0),
            )
        }
        return m

    def year(self, year: int, carry_error: int = 0) -> tuple[R.ReportSpec, str]:
        """This year's report (figures consistent with every rule), and what a planted carry error changed.

        `carry_error` ≠ 0 plants a broken carry chain: the report prints a 上年结转 that differs from
        last year's 结转下年度 in one applicant column, and is otherwise consistent (the agency copied
        the wrong number and then balanced its table around it)."""
        rng = self.rng
        fmt = "2019" if year <= 2020 else "2021"
        other_split = fmt == "2021" and self.other_split
        # Year-to-year drift; 2020 saw fewer applications almost everywhere.
        self.level *= rng.lognormvariate(0.05, 0.18) * (0.85 if year == 2020 else 1.0)
        figures: dict[str, Value] = {}
        figures.update(self._t2(year, fmt))
        t3, note = self._t3(other_split, carry_error)
        figures.update(t3)
        figures.update(self._t4(int(t3["t3/new_received/total"])))
        keys = T.figure_keys(fmt, other_split)
        spec = R.ReportSpec(self.agency.name, year, fmt, {k: figures[k] for k in keys}, other_split=other_split)
        return spec, note

    def _t3(self, other_split: bool, carry_error: int) -> tuple[dict[str, Value], str]:
        rng = self.rng
        cols = list(APPLICANT_SHARES)
        new = _multinomial(rng, _poisson(rng, self.level), self.applicants)
        over = dict(self.carried)
        note = ""
        if carry_error:
            # Prefer the column with the most carried applications, so that −d stays non-negative.
            col = max(cols, key=lambda c: (over[c], c == "natural_person"))
            d = carry_error if over[col] < carry_error else -carry_error if rng.random() < 0.5 else carry_error
            note = f"“{dict(T.T3_COLUMNS)[col]}”列上年结转印为 {over[col] + d}，上年报告结转下年度为 {over[col]}"
            over[col] += d
        outcome_keys = [r for r in T.T3_OUTCOME_ROWS if r != "other"]  # the split rows; merged below if needed
        f: dict[str, Value] = {}
        forward: dict[str, int] = {}
        for col in cols:
            workload = new[col] + over[col]
            forward[col] = _binomial(rng, workload, self.carry_rate)
            handled = workload - forward[col]
            split = _multinomial(rng, handled, {k: self.outcomes[k] for k in outcome_keys})
            for key, n in split.items():
                f[f"t3/{key}/{col}"] = n
            if not other_split:
                f[f"t3/other/{col}"] = sum(split[k] for k in T.T3_OTHER_SPLIT)
                for k in T.T3_OTHER_SPLIT:
                    del f[f"t3/{k}/{col}"]
            f[f"t3/new_received/{col}"] = new[col]
            f[f"t3/carried_over/{col}"] = over[col]
            f[f"t3/total/{col}"] = handled
            f[f"t3/carried_forward/{col}"] = forward[col]
        rows = {k.split("/")[1] for k in f}
        for row in rows:
            f[f"t3/{row}/total"] = sum(f[f"t3/{row}/{c}"] for c in cols)  # type: ignore[misc]
        self.carried = forward
        return f, note

    def _t4(self, new_total: int) -> dict[str, Value]:
        rng = self.rng
        f: dict[str, Value] = {}
        volumes = {
            "review": _poisson(rng, new_total * self.review_rate),
            "suit_direct": _poisson(rng, new_total * self.suit_rate),
            "suit_after_review": _poisson(rng, new_total * self.suit_rate * 0.3),
        }
        for row, n in volumes.items():
            parts = _multinomial(rng, n, T4_SHARES)
            for col, v in parts.items():
                f[f"t4/{row}/{col}"] = v
            f[f"t4/{row}/total"] = n
        return f

    def _t2(self, year: int, fmt: str) -> dict[str, Value]:
        rng = self.rng
        dept = self.agency.department
        issued = _poisson(rng, dept.normative)
        repealed = min(self.normative_in_force, _poisson(rng, 0.3 * dept.normative + 0.04 * self.normative_in_force))
        self.normative_in_force += issued - repealed
        scale = 1.0 if self.agency.district.urban else 0.6

        def decisions(median: float) -> int:
            return _poisson(rng, median * scale * rng.lognormvariate(0, 0.3)) if median else 0

        license_n, penalty_n, coercion_n = decisions(dept.license), decisions(dept.penalty), decisions(dept.coercion)
        charged = rng.random() < dept.fee
        f: dict[str, Value] = {}
        if fmt == "2021":
            # A 区/县 has no power to make 规章: its reports print 0 for them.
            f.update({"t2/regulation/issued": 0, "t2/regulation/repealed": 0, "t2/regulation/in_force": 0})
            f["t2/normative_doc/issued"] = issued
            f["t2/normative_doc/repealed"] = repealed
            f["t2/normative_doc/in_force"] = self.normative_in_force
            f["t2/license/decisions"] = license_n
            f["t2/penalty/decisions"] = penalty_n
            f["t2/coercion/decisions"] = coercion_n
            f["t2/fee/amount"] = _money(rng.lognormvariate(math.log(30), 1.0)) if charged else 0
            return f
        f.update({"t2/regulation/made": 0, "t2/regulation/published": 0, "t2/regulation/total_published": 0})
        f["t2/normative_doc/made"] = issued
        f["t2/normative_doc/published"] = issued
        f["t2/normative_doc/total_published"] = self.normative_in_force
        for row, n in (("license", license_n), ("other_service", decisions(20)), ("penalty", penalty_n),
                       ("coercion", coercion_n), ("fee", None)):
            prev = self.items[row]
            change = max(-prev, rng.randint(-2, 3)) if prev and rng.random() < 0.4 else 0
            self.items[row] = prev + change
            f[f"t2/{row}/prev_items"] = prev
            f[f"t2/{row}/change"] = change
            if n is not None:
                f[f"t2/{row}/decisions"] = n if prev + change else 0
        items = _poisson(rng, 3 + 6 * rng.random())
        f["t2/procurement/items"] = items
        # 采购总金额 in 万元, as most reports print it.
        f["t2/procurement/amount"] = _money(items * rng.lognormvariate(math.log(25), 0.8)) if items else 0
        return f


# ---------------------------------------------------------------- the narrative
# Sentence pools: each year's narrative draws its own wording (`Wording`), as an agency that writes its
# report afresh does, so that two clean years of one agency are recognisably different texts (similarity
# 0.5–0.8, gongkai.similarity) and a report copied from last year (the same wording, new figures) stands out.
_OPENINGS = (
    "{y}年，{who}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "坚持以公开为常态、不公开为例外，推进决策、执行、管理、服务、结果公开。",
    "{y}年，{who}按照上级政务公开工作要点部署，把政府信息公开作为转变作风、接受监督的重要抓手，"
    "围绕中心工作细化任务清单，逐项落实到科室和责任人。",
    "{y}年，{who}深入贯彻党中央、国务院关于全面推进政务公开的决策部署，以群众需求为导向，"
    "持续提升政务公开的标准化、规范化水平。",
    "{y}年，在区委、区政府的领导下，{who}紧扣法治政府建设目标，健全公开制度，畅通公开渠道，"
    "政府信息公开工作取得新的进展。",
    "{y}年，{who}对照年度政务公开考核指标查漏补缺，领导班子专题研究政务公开工作两次，"
    "明确分管领导和联络员，形成上下联动的工作格局。",
)
_PROACTIVE = (
    "（一）主动公开。依托{platform}，及时公开{topics}等信息，主动回应社会关切。",
    "（一）主动公开。全年通过{platform}发布{topics}等信息，重要政策文件同步发布解读材料。",
    "（一）主动公开。围绕{topics}等重点领域，在{platform}集中发布信息，做到应公开尽公开。",
    "（一）主动公开。结合部门职责梳理主动公开事项清单，{topics}等信息均在{platform}按时更新。",
)
_PLATFORMS = ("政府门户网站", "政府信息公开专栏", "政务新媒体和政府网站", "政务服务网和政府网站")
_TOPICS = ("机构职能、政策文件、财政预决算", "规划计划、重点项目、财政资金", "行政许可、行政处罚、民生保障",
           "人事信息、招标采购、公共服务", "统计数据、督查检查、应急管理")
_REQUESTS = (
    "（二）依申请公开。全年共收到政府信息公开申请{received}件，均在法定期限内答复，未发生因答复不规范引发的投诉。",
    "（二）依申请公开。严格执行受理、审查、答复流程，全年共收到政府信息公开申请{received}件，答复文书统一规范。",
    "（二）依申请公开。全年共收到政府信息公开申请{received}件，对疑难申请会同法律顾问研判，按时办结。",
)
_MEASURES = (
    "（三）政府信息管理。严格落实公开前保密审查制度，动态更新政府信息公开目录和指南。",
    "（三）政府信息管理。开展政策文件清理，对失效文件及时标注，确保公开内容准确有效。",
    "（三）政府信息管理。建立信息发布三级审核机制，杜绝泄露个人隐私等问题。",
    "（三）政府信息管理。按季度检查栏目更新情况，对空白栏目和长期未更新栏目限期整改。",
    "（三）政府信息管理。完善依申请公开档案管理，做到一件一档、过程留痕。",
)
_PLATFORM_WORK = (
    "（四）平台建设。优化政府信息公开专栏，规范栏目设置，提升检索和浏览体验。",
    "（四）平台建设。推进政务新媒体规范运维，关停整合长期不更新的账号，增强互动回应功能。",
    "（四）平台建设。完成网站适老化和无障碍改造，上线智能问答，方便群众查找信息。",
    "（四）平台建设。在办事大厅设置政府信息查阅点，配备查阅设备和引导人员。",
)
_OVERSIGHT = (
    "（五）监督保障。全年因政府信息公开引发行政复议{review}件、行政诉讼{suit}件。",
    "（五）监督保障。将政务公开纳入年度绩效考核，组织业务培训；全年因政府信息公开引发行政复议{review}件、行政诉讼{suit}件。",
    "（五）监督保障。主动接受社会评议和群众监督，全年因政府信息公开引发行政复议{review}件、行政诉讼{suit}件。",
)
_PROBLEMS = (
    "主动公开的深度和广度还需拓展", "政策解读形式较为单一", "工作人员业务能力有待提升",
    "部分栏目更新不够及时", "依申请公开答复的说理性有待加强", "政务新媒体互动回应不够",
    "基层政务公开标准化建设仍有差距", "公开信息的可读性不强",
)
_IMPROVEMENTS = (
    "加强统筹，细化公开目录，及时更新公开内容", "丰富图文、音视频等解读形式", "加强业务培训，提升依法公开水平",
    "建立栏目更新台账，实行定期通报", "规范答复文书，逐件说明理由和依据", "完善留言办理机制，提升回应时效",
    "对照标准目录逐项完善基层公开事项", "推行简明版、图解版信息，方便群众阅读",
)
_ORDINALS = "一二三四五"


@dataclass(frozen=True)
class Wording:
    """The sentence choices of one narrative (indices into the pools). A report copied from last year reuses
    last year's wording — the same sentences around this year's figures."""

    opening: int
    proactive: int
    platform: int
    topics: int
    requests: int
    measure: int
    platform_work: int
    oversight: int
    problems: tuple[int, ...]
    improvements: tuple[int, ...]


def draw_wording(rng: random.Random) -> Wording:
    return Wording(
        rng.randrange(len(_OPENINGS)), rng.randrange(len(_PROACTIVE)), rng.randrange(len(_PLATFORMS)),
        rng.randrange(len(_TOPICS)), rng.randrange(len(_REQUESTS)), rng.randrange(len(_MEASURES)),
        rng.randrange(len(_PLATFORM_WORK)), rng.randrange(len(_OVERSIGHT)),
        tuple(rng.sample(range(len(_PROBLEMS)), 3)), tuple(rng.sample(range(len(_IMPROVEMENTS)), 3)),
    )


def narrative(spec: R.ReportSpec, wording: Wording, overrides: dict[str, int] | None = None) -> list[str]:
    """一、总体情况: the counts it states are the table's, unless `overrides` says otherwise (a planted
    text_vs_table error): keys "received", "review", "suit"."""
    f = spec.figures

    def n(key: str) -> int:
        v = f.get(key)
        return int(v) if isinstance(v, (int, float)) else 0

    stated = {
        "received": n("t3/new_received/total"),
        "review": n("t4/review/total"),
        "suit": n("t4/suit_direct/total") + n("t4/suit_after_review/total"),
    }
    stated.update(overrides or {})
    w = wording
    return [
        _OPENINGS[w.opening].format(y=spec.year, who=spec.agency),
        _PROACTIVE[w.proactive].format(platform=_PLATFORMS[w.platform], topics=_TOPICS[w.topics]),
        _REQUESTS[w.requests].format(received=stated["received"]),
        _MEASURES[w.measure],
        _PLATFORM_WORK[w.platform_work],
        _OVERSIGHT[w.oversight].format(review=stated["review"], suit=stated["suit"]),
    ]


def problems(wording: Wording) -> list[str]:
    """五、存在的主要问题及改进情况, in the wording's choice of problems and measures."""
    listed = "；".join(f"{_ORDINALS[i]}是{_PROBLEMS[k]}" for i, k in enumerate(wording.problems))
    done = "；".join(f"{_ORDINALS[i]}是{_IMPROVEMENTS[k]}" for i, k in enumerate(wording.improvements))
    return [f"（一）存在问题。{listed}。", f"（二）改进情况。{done}。"]


# ---------------------------------------------------------------- planting
def _plan(seed: int, names: list[str]) -> tuple[dict[tuple[str, int], str], set[str]]:
    """Which agency-year carries which planted error.  At most one per agency, so that each error is
    unambiguous, with the constraints each kind needs:
    - missing_year inside the series (2020–2024), so it is a gap;
    - carry_chain from 2020 on (it needs last year's report);
    - t3_columns only in 2025: `break_rule` changes a 结转下年度 cell, which next year's report would
      otherwise have to carry (or break the chain again);
    - copied_narrative from 2020 on (it copies last year's), no_fee_statement from 2021 on (2021 format).
    Also which agencies print blanks for zeros in 表四 (none of them carries a planted error, so that
    `break_rule` always finds a complete group)."""
    rng = random.Random(f"{seed}:plan")
    free = list(names)
    rng.shuffle(free)
    plan: dict[tuple[str, int], str] = {}
    # The kinds added with the assessment (issue 13) are placed after the blank agencies are chosen, so that
    # the earlier kinds and the blank agencies stay where they were (other tests name them).
    later = ("late_publication", *ASSESSMENT_PLANTED)
    kinds = [(r, n) for r, n in PLANTED.items() if r not in later]
    added = [(r, PLANTED.get(r) or ASSESSMENT_PLANTED[r]) for r in later]
    blank: set[str] = set()
    for rule, count in [*kinds, ("", 0), *added]:
        if not rule:
            blank = {free.pop() for _ in range(BLANK_AGENCIES)}
            continue
        for _ in range(count):
            agency = free.pop()
            if rule == "missing_year":
                year = rng.randint(2020, 2024)
            elif rule == "t3_columns":
                year = 2025
            elif rule in ("carry_chain", "copied_narrative"):  # both need last year's report
                year = rng.randint(2020, 2025)
            elif rule == "no_fee_statement":  # the 2021 format asks for it
                year = rng.randint(2021, 2025)
            else:
                year = rng.choice(YEARS)
            plan[(agency, year)] = rule
    return plan, blank


def _renderer(file_format: str) -> Callable[[R.ReportSpec], bytes]:
    return {
        "text": R.render_text,
        "markdown": R.render_markdown,
        "html": R.render_html,
        "html-gbk": lambda spec: R.render_html(spec, encoding="gbk"),
        "docx": R.render_docx,
        "pdf": R.render_pdf,
    }[file_format]


def build_corpus(seed: int = DEFAULT_SEED) -> DemoCorpus:
    """The demo corpus in memory: every report's spec and every planted error (no files written)."""
    corpus = DemoCorpus(seed)
    area = agencies(seed)
    plan, blank_agencies = _plan(seed, [a.name for a in area])
    for agency in area:
        model = _AgencyModel.start(agency, seed)
        text_rng = random.Random(f"{seed}:text:{agency.name}")
        plant_rng = random.Random(f"{seed}:plant:{agency.name}")
        date_rng = random.Random(f"{seed}:published:{agency.name}")
        last_wording: Wording | None = None
        for year in YEARS:
            rule = plan.get((agency.name, year))
            carry_error = plant_rng.randint(1, 5) if rule == "carry_chain" else 0
            spec, detail = model.year(year, carry_error)
            overrides: dict[str, int] = {}
            if rule in R.BREAKABLE_RULES:
                before = dict(spec.figures)
                spec = R.break_rule(spec, rule, plant_rng)
                changed = [k for k in spec.figures if spec.figures[k] != before[k]]
                detail = "改动了 " + "、".join(f"{k}（{before[k]}→{spec.figures[k]}）" for k in changed)
            elif rule == "text_vs_table":
                what = plant_rng.choice(("received", "received", "review", "suit"))
                overrides, detail = _contradiction(spec, what, plant_rng)
            wording = draw_wording(text_rng)  # drawn every year, so a planted copy leaves later years as they were
            if rule == "copied_narrative" and last_wording is not None:
                wording = last_wording
                detail = f"正文照搬 {year - 1} 年报告，只改了数字"
            spec.paragraphs = narrative(spec, wording, overrides)
            spec.problems = problems(wording)
            last_wording = wording
            if rule == "no_fee_statement":
                spec.other_matters = [m for m in spec.other_matters if "信息处理费" not in m]
                detail = "六、其他需要报告的事项未说明信息处理费收取情况"
            spec.other_matters = [*spec.other_matters, DEMO_NOTICE]
            if rule == "missing_section":
                omitted = plant_rng.choice((0, 4, 5))
                spec.omit_sections = (omitted,)
                detail = f"正文缺少“{R.SECTION_HEADINGS[omitted]}”"
            deadline = publication_deadline(agency.kind, year)
            published_on = deadline - timedelta(days=date_rng.randint(3, 50))
            if rule == "late_publication":
                days = plant_rng.randint(1, 90)
                published_on = deadline + timedelta(days=days)
                detail = f"{published_on.isoformat()} 发布，期限 {deadline.isoformat()}，逾期 {days} 天"
            if agency.name in blank_agencies:
                blanked = [k for k, v in spec.figures.items() if k.startswith("t4/") and not k.endswith("/total")
                           and v == 0]
                for k in blanked:
                    spec.figures[k] = None
                if blanked and rule != "missing_year":
                    corpus.errors.append(PlantedError(agency.name, year, "blank_cells",
                                                      f"表四 {len(blanked)} 个为 0 的单元格印为空白"))
            if rule in ASSESSMENT_PLANTED:
                corpus.defects.append(PlantedDefect(agency.name, year, rule, detail))
            elif rule:
                corpus.errors.append(PlantedError(agency.name, year, rule, detail or RULE_DESCRIPTIONS_ZH[rule]))
            if rule == "missing_year":
                continue  # the model still advanced: the agency worked that year, its report is missing
            path = f"{agency.district.name}/{agency.name}_{year}{FORMAT_EXTENSION[agency.file_format]}"
            corpus.reports.append(DemoReport(agency, spec, path, published_on))
    return corpus


def _contradiction(spec: R.ReportSpec, what: str, rng: random.Random) -> tuple[dict[str, int], str]:
    """A narrative count that no reading of the table gives (neither 新收 nor 新收 + 上年结转)."""
    f = spec.figures
    table = {
        "received": int(f["t3/new_received/total"] or 0),
        "review": int(f["t4/review/total"] or 0),
        "suit": int((f["t4/suit_direct/total"] or 0) + (f["t4/suit_after_review/total"] or 0)),
    }[what]
    avoid = {table}
    if what == "received":
        avoid.add(table + int(f["t3/carried_over/total"] or 0))
    stated = table
    while stated in avoid:
        stated = max(0, table + rng.choice((-1, 1)) * rng.randint(1, max(3, table // 5)))
    label = {"received": "收到申请", "review": "行政复议", "suit": "行政诉讼"}[what]
    return {what: stated}, f"正文称{label}{stated}件，表格为{table}件"


# ---------------------------------------------------------------- writing files
def _render(job: tuple[str, R.ReportSpec]) -> bytes:
    file_format, spec = job
    return _renderer(file_format)(spec)


# Below this many reports, starting worker processes costs more than it saves.
PARALLEL_MIN_REPORTS = 40


def write_corpus(
    corpus: DemoCorpus,
    out: str | Path = DEFAULT_OUT,
    progress: Callable[[int, int, str], None] | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Write every report file, `answer_key.json` and `manifest.csv` under `out`.

    Files a previous run listed in its answer key are removed first, and nothing else: `out` may be
    a folder that holds other files.  Rendering (DOCX and PDF above all) runs in `workers` processes;
    each file's bytes depend on its spec only, so the result is the same with any number of workers."""
    out = Path(out)
    _remove_previous(out)
    written: list[Path] = []
    total = len(corpus.reports)
    jobs = [(r.file_format, r.spec) for r in corpus.reports]
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 and total >= PARALLEL_MIN_REPORTS else None
    try:
        rendered = pool.map(_render, jobs, chunksize=8) if pool else map(_render, jobs)
        for i, (report, data) in enumerate(zip(corpus.reports, rendered)):
            path = out / report.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
            if progress:
                progress(i + 1, total, report.path)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    key = json.dumps(corpus.answer_key(), ensure_ascii=False, indent=1) + "\n"
    (out / ANSWER_KEY).write_text(key, encoding="utf-8")
    (out / MANIFEST).write_text(manifest_csv(corpus), encoding="utf-8")
    (out / DATES).write_text(dates_csv(corpus), encoding="utf-8")
    return written


def manifest_csv(corpus: DemoCorpus) -> str:
    """file,province,is_demo,发布日期 — for `gongkai ingest DIR --manifest DIR/manifest.csv`: every file 模拟数据.

    Only the province: the region manifest accepts real divisions only, and 青岚市 is fictional.
    `gongkai demo build` places each district precisely (see `demo.build.district_region`)."""
    lines = ["file,province,is_demo,发布日期"]
    for r in corpus.reports:
        lines.append(f"{r.path},{PROVINCE},1,{r.published_on.isoformat() if r.published_on else ''}")
    return "\n".join(lines) + "\n"


def dates_csv(corpus: DemoCorpus) -> str:
    """file,发布日期 — the manifest `gongkai demo build` passes with each district's --region: no region
    column, so the district given wins (a manifest's region would), and each file gets its 发布日期."""
    lines = ["file,发布日期"]
    for r in corpus.reports:
        # the file name alone: ingest matches a manifest row by the name when files are given one by one
        lines.append(f"{Path(r.path).name},{r.published_on.isoformat() if r.published_on else ''}")
    return "\n".join(lines) + "\n"


def _remove_previous(out: Path) -> None:
    key = out / ANSWER_KEY
    if not key.is_file():
        return
    try:
        previous = json.loads(key.read_text(encoding="utf-8"))
        files = [r["file"] for r in previous.get("reports", [])]
    except (ValueError, KeyError, TypeError):
        return  # not our answer key: touch nothing
    for name in files:
        path = (out / name).resolve()
        if out.resolve() in path.parents and path.is_file():
            path.unlink()
    for district in {Path(n).parent for n in files}:
        d = out / district
        if d.is_dir() and d != out and not any(d.iterdir()):
            d.rmdir()


def generate(
    out: str | Path = DEFAULT_OUT,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, int, str], None] | None = None,
    workers: int | None = None,
) -> DemoCorpus:
    """Build the corpus for `seed` and write it under `out`; returns it (its answer key included)."""
    corpus = build_corpus(seed)
    write_corpus(corpus, out, progress, workers)
    return corpus


def load_answer_key(out: str | Path = DEFAULT_OUT) -> dict[str, object]:
    return json.loads((Path(out) / ANSWER_KEY).read_text(encoding="utf-8"))


def planted_defects(answer_key: dict[str, object]) -> set[tuple[str, int, str]]:
    """(agency, year, defect) of every planted assessment defect (ASSESSMENT_PLANTED)."""
    return {(d["agency"], int(d["year"]), d["defect"]) for d in answer_key.get("assessment", [])}  # type: ignore[index,union-attr]


def planted(answer_key: dict[str, object]) -> set[tuple[str, int, str]]:
    """(agency, year, rule) of every planted error."""
    return {(e["agency"], int(e["year"]), e["rule"]) for e in answer_key["errors"]}  # type: ignore[index,union-attr]
