"""The annual assessment (政务公开考核 / 第三方评估): a score per agency-year, with the reason for every point lost.

Pure functions: `assess(facts, config)` scores one agency-year from its `Facts` (what the store holds about it:
whether a report exists, its template, its findings (late_publication among them), narrative and last report's narrative);
`load_config` reads the points and thresholds from gongkai/assess_default.toml, overlaid by an office's own
file. `assess_store` reads the facts from the store (queries/assess_agency_years.sql) and scores them all.

Criteria (each loses its points once, whatever the number of problems; the reason lists each problem):
- present: a year the agency should have reported has no report (expected years: from the agency's first
  report to the last year any agency of its city reported — see the query's header);
- on_time: a late_publication finding (only where the 发布日期 is known);
- current_template: a year ≥ current_template_from printed in the 2019 format;
- tables / template_rules / cross_year / text_vs_table: findings of the rules the TOML lists for each;
- sections: the narrative has the six parts of the template, found by their numbered headings (一、…六、 or
  第一部分…, with the label variants real reports print), never by words anywhere in the text (every report's
  introduction names all six parts);
- fee_statement: a 2021-format report says whether it collected 信息处理费;
- narrative_changed: the share of this year's narrative already in the agency's previous report
  (gongkai.similarity) is below the threshold.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from gongkai import similarity

CRITERIA = ("present", "on_time", "current_template", "tables", "template_rules", "cross_year", "text_vs_table",
            "sections", "fee_statement", "narrative_changed")
CRITERIA_ZH = {
    "present": "按时发布年报", "on_time": "按期发布", "current_template": "使用现行格式", "tables": "三张表格齐全",
    "template_rules": "表内勾稽关系", "cross_year": "跨年度衔接", "text_vs_table": "正文与表格一致",
    "sections": "正文六个部分齐全", "fee_statement": "说明信息处理费", "narrative_changed": "正文不照搬上年",
}
RULE_CRITERIA = ("on_time", "tables", "template_rules", "cross_year", "text_vs_table")


class ConfigError(ValueError):
    """An assessment configuration that cannot be used (Chinese message naming the file and the key)."""


@dataclass(frozen=True)
class Config:
    full_marks: float
    points: dict[str, float]
    narrative_similarity: float
    current_template_from: int
    rules: dict[str, tuple[str, ...]]


def _default_text() -> str:
    return resources.files("gongkai").joinpath("assess_default.toml").read_text(encoding="utf-8")


def load_config(path: str | Path | None = None) -> Config:
    """The shipped defaults, overlaid key by key by the TOML file at `path` (an office's own rules)."""
    data = tomllib.loads(_default_text())
    if path is not None:
        name = Path(path).name
        try:
            own = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"评估配置文件 {path} 不存在") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"评估配置文件 {name} 格式错误：{exc}") from None
        for key, value in own.items():
            if key not in data:
                raise ConfigError(f"评估配置文件 {name}：未知的项“{key}”（可用：{'、'.join(data)}）")
            if isinstance(data[key], dict):
                if not isinstance(value, dict):
                    raise ConfigError(f"评估配置文件 {name}：“{key}”应为一节（[{key}]）")
                unknown = [k for k in value if k not in data[key]]
                if unknown:
                    raise ConfigError(f"评估配置文件 {name}：[{key}] 中未知的项“{unknown[0]}”"
                                      f"（可用：{'、'.join(data[key])}）")
                data[key] = {**data[key], **value}
            else:
                data[key] = value
    where = Path(path).name if path is not None else "assess_default.toml"
    try:
        points = {k: float(data["points"][k]) for k in CRITERIA}
        full = float(data["full_marks"])
        threshold = float(data["thresholds"]["narrative_similarity"])
        from_year = int(data["thresholds"]["current_template_from"])
        rules = {k: tuple(str(r) for r in data["rules"][k]) for k in RULE_CRITERIA}
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"评估配置文件 {where}：取值无效（{exc}）") from None
    if any(p < 0 for p in points.values()) or full <= 0:
        raise ConfigError(f"评估配置文件 {where}：分值不能为负，满分应大于 0")
    if not 0 < threshold <= 1:
        raise ConfigError(f"评估配置文件 {where}：narrative_similarity 应在 0 到 1 之间")
    return Config(full, points, threshold, from_year, rules)


# ---------------------------------------------------------------- the narrative's sections
@dataclass(frozen=True)
class Section:
    key: str
    title: str  # as the template prints it
    words: tuple[str, ...]  # any of these in a numbered heading names this section


# Checked in this order: a heading "因政府信息公开申请提起行政复议、行政诉讼的情况" names the requests too,
# so 复议/诉讼 is tried before 申请; 总体 last, since other headings rarely contain it.
SECTIONS = (
    Section("overview", "总体情况", ("总体情况", "总体", "概述", "概况", "基本情况")),
    Section("proactive", "主动公开政府信息情况", ("主动公开",)),
    Section("requests", "收到和处理政府信息公开申请情况", ("依申请", "收到和处理", "政府信息公开申请", "申请情况")),
    Section("review", "政府信息公开行政复议、行政诉讼情况", ("复议", "诉讼")),
    Section("problems", "存在的主要问题及改进情况", ("存在的主要问题", "存在问题", "主要问题", "问题及改进", "改进情况",
                                                   "不足")),
    Section("other", "其他需要报告的事项", ("其他需要报告", "其他需报告", "其他事项", "其他需要说明")),
)
_MATCH_ORDER = ("other", "problems", "review", "requests", "proactive", "overview")
_BY_KEY = {s.key: s for s in SECTIONS}
# A top-level heading: 一、 (or 一. 一．) or 第一部分 at the start of a line; its label is read from the next
# few characters only, so a heading run into its first sentence ("一、总体情况。2024年，…") still counts,
# while "（一）" sub-headings and sentences that merely mention a section do not.
_HEADING = re.compile(r"^\s*(?:#+\s*)?(?:第([一二三四五六七八九十])部分|([一二三四五六七八九十])\s*[、.．])\s*(.*)$")
_LABEL_CHARS = 24


def find_sections(narrative: str | None) -> dict[str, tuple[int, int]]:
    """The sections the narrative's headings name: key → (first line, end line) of the section's text
    (line numbers of the narrative split at line ends). A section named twice keeps its first heading."""
    lines = (narrative or "").split("\n")
    starts: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if not m:
            continue
        label = m.group(3)[:_LABEL_CHARS]
        for key in _MATCH_ORDER:
            if any(w in label for w in _BY_KEY[key].words):
                starts.append((i, key))
                break
    found: dict[str, tuple[int, int]] = {}
    for n, (i, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        found.setdefault(key, (i + 1, end))
    return found


_FEE = re.compile(r"信息处理费|(?:收取|收缴|收)\S{0,8}费用?")


def states_fee(narrative: str | None, sections: dict[str, tuple[int, int]] | None = None) -> bool:
    """Whether the narrative says anything about 信息处理费: the word anywhere, or a 收…费 in 六、其他需要报告的事项."""
    text = narrative or ""
    if "信息处理费" in text:
        return True
    sections = find_sections(text) if sections is None else sections
    if "other" in sections:
        start, end = sections["other"]
        return bool(_FEE.search("\n".join(text.split("\n")[start:end])))
    return False


# ---------------------------------------------------------------- one agency-year
@dataclass
class Facts:
    agency: str
    year: int
    has_report: bool
    template: str | None = None
    first_year: int | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)  # {rule, severity, message}
    narrative: str | None = None
    prev_year: int | None = None
    prev_narrative: str | None = None


@dataclass
class Lost:
    criterion: str
    points: float
    reasons: list[str]


@dataclass
class Assessment:
    agency: str
    year: int
    score: float
    lost: list[Lost]
    similarity: float | None = None  # share of the narrative already in the previous report

    @property
    def reasons(self) -> list[str]:
        """Every point lost, in Chinese: "（−15）…" per problem."""
        return [f"{reason}（扣 {_points(item.points)} 分）" if i == 0 else reason
                for item in self.lost for i, reason in enumerate(item.reasons)]

    def to_json(self) -> dict[str, Any]:
        return {"agency": self.agency, "year": self.year, "score": _number(self.score), "reasons": self.reasons}


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 2)


def _points(x: float) -> str:
    return str(_number(x))


def assess(f: Facts, config: Config) -> Assessment:
    """Score one agency-year (pure: the same facts and config give the same result)."""
    lost: list[Lost] = []

    def lose(criterion: str, reasons: list[str]) -> None:
        points = config.points[criterion]
        if points > 0 and reasons:
            lost.append(Lost(criterion, points, reasons))

    if not f.has_report:
        since = f"（该单位自 {f.first_year} 年度起有报告）" if f.first_year and f.first_year < f.year else ""
        lose("present", [f"未发布 {f.year} 年度政府信息公开工作年度报告{since}"])
        return _scored(f, lost, config, None)

    by_rule: dict[str, list[str]] = {}
    for finding in f.findings:
        by_rule.setdefault(finding["rule"], []).append(finding["message"])
    for criterion in RULE_CRITERIA:
        messages = [m for rule in config.rules[criterion] for m in by_rule.get(rule, [])]
        if messages:
            head = {"on_time": "未按期发布：", "tables": "表格不全：", "template_rules": "表内勾稽关系不成立：",
                    "cross_year": "跨年度衔接不成立：", "text_vs_table": "正文与表格不一致："}[criterion]
            lose(criterion, [head + m for m in messages])

    if f.year >= config.current_template_from and f.template == "2019":
        lose("current_template", [f"{f.year} 年度报告仍使用 2019 年版格式，应使用国办公开办函〔2021〕30号格式"])

    sections = find_sections(f.narrative)
    missing = [s.title for s in SECTIONS if s.key not in sections]
    if missing:
        lose("sections", [f"正文缺少“{t}”部分（未找到该部分的标题）" for t in missing])
    if f.template == "2021" and not states_fee(f.narrative, sections):
        lose("fee_statement", ["正文未说明信息处理费收取情况（2021 年版格式要求在“其他需要报告的事项”中说明）"])

    share = similarity.similarity(f.narrative, f.prev_narrative) if f.prev_narrative is not None else None
    if share is not None and share >= config.narrative_similarity:
        lose("narrative_changed", [f"正文与 {f.prev_year} 年度报告基本相同：{share:.0%} 的文字（数字除外）"
                                   f"与上年相同，达到阈值 {config.narrative_similarity:.0%}"])
    return _scored(f, lost, config, share)


def _scored(f: Facts, lost: list[Lost], config: Config, share: float | None) -> Assessment:
    score = max(0.0, config.full_marks - sum(item.points for item in lost))
    return Assessment(f.agency, f.year, score, lost, share)


# ---------------------------------------------------------------- the store
def _given(value: Any) -> Any:
    """None for SQL NULL as pandas hands it over (None, NaN, NA, NaT); the value otherwise."""
    if value is None or (hasattr(value, "__iter__") and not isinstance(value, str)):
        return value  # a list (numpy array) column: findings
    try:
        return None if value != value or str(value) in ("<NA>", "NaT") else value  # NaN ≠ NaN
    except (TypeError, ValueError):  # pandas.NA refuses comparison
        return None


def facts_from_row(row: dict[str, Any]) -> Facts:
    """Facts from one row of queries/assess_agency_years.sql."""
    def number(key: str) -> int | None:
        v = _given(row.get(key))
        return None if v is None else int(v)

    findings = _given(row.get("findings"))
    return Facts(
        agency=row["agency"], year=int(row["year"]), has_report=_given(row.get("report_id")) is not None,
        template=_given(row.get("template")), first_year=number("first_year"),
        findings=list(findings) if findings is not None else [],
        narrative=_given(row.get("narrative")), prev_year=number("prev_year"),
        prev_narrative=_given(row.get("prev_narrative")),
    )


def config_from_env() -> Config:
    """The dashboard's rules: the TOML named by GONGKAI_ASSESS_CONFIG, else the defaults."""
    import os

    return load_config(os.environ.get("GONGKAI_ASSESS_CONFIG") or None)


SCORED_COLUMNS = ["agency_id", "agency", "kind", "province", "city", "county", "year", "is_demo", "report_id",
                  "template", "score", "lost", "reasons", "criteria", "similarity", "prev_year"]


def score_frame(facts, config: Config):
    """Score every row of queries/assess_agency_years.sql's result: a DataFrame of SCORED_COLUMNS (lost = points
    lost; reasons a list of Chinese strings; criteria the keys of the criteria that lost points; similarity the
    share of the narrative already in the previous report), lowest score first, then latest year, region, agency."""
    import pandas as pd

    rows = []
    for row in facts.to_dict("records"):
        result = assess(facts_from_row(row), config)
        prev_year = row.get("prev_year")
        rows.append({
            "agency_id": row["agency_id"], "agency": row["agency"], "kind": row["kind"],
            "province": row["province"], "city": row["city"], "county": row["county"], "year": int(row["year"]),
            "is_demo": bool(row["is_demo"]), "report_id": row["report_id"], "template": row["template"],
            "score": result.score, "lost": config.full_marks - result.score,
            "reasons": result.reasons, "criteria": [item.criterion for item in result.lost],
            "similarity": result.similarity, "prev_year": None if pd.isna(prev_year) else int(prev_year),
        })
    frame = pd.DataFrame(rows, columns=SCORED_COLUMNS)
    if not frame.empty:
        frame["report_id"] = frame["report_id"].astype("Int64")
        frame["prev_year"] = frame["prev_year"].astype("Int64")
        frame = frame.sort_values(["score", "year", "province", "city", "county", "agency"],
                                  ascending=[True, False, True, True, True, True], na_position="first",
                                  kind="stable").reset_index(drop=True)
    return frame


def assess_store(con, params: dict[str, Any] | None = None, config: Config | None = None):
    """Every expected agency-year inside `params` (the queries' common filters), scored (see score_frame)."""
    from gongkai import store

    return score_frame(store.run_query(con, "assess_agency_years", params), config or load_config())
