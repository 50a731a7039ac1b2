"""When a report had to be published, and whether it was (条例 第四十九条).

Pure functions of (agency kind, report year, publication date): the store writes their findings, the
assessment and the 数据质量 page read them. The 条例 (2019 revision) sets two deadlines for the report on year Y:
- a government department (政府部门) publishes its report by 1月31日 of Y+1;
- a people's government (县级以上地方人民政府, and by the same reading the governments of zones and towns that
  publish their own report) publishes its own report by 3月31日 of Y+1.
The kind comes from gongkai.regions.agency_kind ("人民政府" or "部门").
"""

from __future__ import annotations

import re
from datetime import date, datetime

from gongkai.report import Finding

LATE_PUBLICATION = "late_publication"

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def publication_deadline(kind: str, year: int) -> date:
    """The last day on which the report on `year` may be published (inclusive)."""
    return date(year + 1, 3, 31) if kind == "人民政府" else date(year + 1, 1, 31)


def parse_date(text: str | None) -> date | None:
    """A publication date as portals and manifests print it: 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日,
    with or without a time after it. None for an empty text; ValueError (Chinese) for one that is not a date."""
    text = (text or "").strip()
    if not text:
        return None
    m = _DATE.search(text)
    if not m:
        raise ValueError(f"“{text}”不是日期（应写作 2024-01-31 或 2024年1月31日）")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"“{text}”不是有效日期") from None


def late_publication(kind: str, year: int, published_on: date | datetime | None) -> Finding | None:
    """A warning when the report was published after its deadline; None when on time or the date is unknown."""
    if published_on is None:
        return None
    if isinstance(published_on, datetime):
        published_on = published_on.date()
    deadline = publication_deadline(kind, year)
    if published_on <= deadline:
        return None
    days = (published_on - deadline).days
    who = "人民政府" if kind == "人民政府" else "政府部门"
    return Finding(
        LATE_PUBLICATION, "warning",
        f"{year}年度报告于 {published_on.isoformat()} 发布，晚于条例第四十九条规定的{who}发布期限"
        f" {deadline.isoformat()}（逾期 {days} 天）",
        printed=published_on.isoformat(), expected=deadline.isoformat(),
    )
