"""A report edited after it was published (changed_after_publication): a pure rule of two figure dicts.

Evaluators note reports whose content changed after publication. `gongkai fetch` keeps both versions when a
re-fetch finds new content; when ingest then replaces the stored report by the new version, this rule says
which figures changed and when each version was seen. A new version with the same figures (a narrative
edit, a new file format) is not a finding: the figures are what the store holds.
"""

from __future__ import annotations

from datetime import date

from gongkai.report import Finding
from gongkai.template import FIGURE_BY_KEY, TABLE_NAMES_ZH

CHANGED_AFTER_PUBLICATION = "changed_after_publication"
SHOWN = 5  # figures named in the message; all of them are in `cells`


def _value(v: float | None) -> str:
    if v is None:
        return "空白"
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"


def _label(key: str) -> str:
    figure = FIGURE_BY_KEY.get(key)
    label = (figure.label_2021 or figure.label_2019) if figure else key
    return f"{TABLE_NAMES_ZH.get(key.split('/', 1)[0], '')} {label}"


def changed_figures(old: dict[str, float | None], new: dict[str, float | None]) -> list[str]:
    """The figure keys whose value differs (a figure present in one version only counts), template order."""
    keys = set(old) | set(new)
    changed = [k for k in keys if old.get(k) != new.get(k)]
    order = {k: i for i, k in enumerate(FIGURE_BY_KEY)}
    return sorted(changed, key=lambda k: (order.get(k, len(order)), k))


def changed_after_publication(old: dict[str, float | None], new: dict[str, float | None],
                              first_seen: date | None, changed_seen: date | None, year: int) -> Finding | None:
    """A warning naming the figures that differ between the version first published (seen on `first_seen`)
    and the one found later (`changed_seen`); None when no figure changed."""
    keys = changed_figures(old, new)
    if not keys:
        return None
    first = first_seen.isoformat() if first_seen else "日期不详"
    later = changed_seen.isoformat() if changed_seen else "日期不详"
    shown = "；".join(f"{_label(k)}：{_value(old.get(k))} → {_value(new.get(k))}" for k in keys[:SHOWN])
    more = f"等 {len(keys)} 项" if len(keys) > SHOWN else f"共 {len(keys)} 项"
    return Finding(
        CHANGED_AFTER_PUBLICATION, "warning",
        f"{year}年度报告发布后被修改：{first} 获取的版本与 {later} 获取的版本数字不同（{more}）：{shown}",
        cells=keys, printed={"date": later, "values": {k: new.get(k) for k in keys}},
        expected={"date": first, "values": {k: old.get(k) for k in keys}},
    )
