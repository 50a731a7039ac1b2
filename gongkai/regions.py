"""Where an agency sits (省/市/县 with adcodes) and which agency a printed name is.

The region comes, in order of precedence, from a manifest CSV row for the file, the `--region 省/市/区` option,
or the agency's own name read by `cpca` (which knows every 省/市/县 and its adcode).  The same agency prints
its name differently across years (淮安市洪泽区人民政府 in 2024, 洪泽区人民政府 in 2023): within one region
its identity is the name with the province/city prefix that cpca recognised stripped off (`name_key`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from gongkai.timeliness import parse_date

# cpca names these pseudo-cities; they are not cities a supervisor would filter by.
_MUNICIPAL_DISTRICTS = "市辖区"  # the districts of a 直辖市 (北京, 上海, 天津, 重庆)
_PROVINCE_DIRECT = "省直辖县级行政区划"  # 仙桃市, 济源市…: counties directly under the province
# cpca strips these suffixes when it matches a short name (淮安 for 淮安市); so do we when stripping prefixes.
_SHORT_SUFFIX = re.compile(r"(省|市|特别行政区|自治区)$")

# Zone governments that are not in the administrative division code but cover exactly one county, so their
# reports belong to that county.  Only well-established, co-extensive cases: anything else needs --region.
ZONE_COUNTIES = {
    "平潭综合实验区": "350128",  # 福建省福州市平潭县: the zone is the whole 平潭县 (administered by the province)
}

# A name ending like this is a government (人民政府 or a zone's government); anything else is a 部门.
_GOVERNMENT_SUFFIX = re.compile(r"(人民政府|综合实验区|新区|开发区|示范区|高新区|区管理委员会|区管委会)$")

SOURCE_NAME = "名称识别"
SOURCE_OPTION = "命令行 --region"
SOURCE_MANIFEST = "清单"
SOURCE_UNKNOWN = "未识别"


class RegionError(ValueError):
    """A region given by the user that does not exist; the message is Chinese, for the user."""


@dataclass(frozen=True, slots=True)
class Region:
    adcode: str  # the finest level known, 6 digits
    province: str
    city: str | None
    county: str | None
    province_adcode: str
    city_adcode: str | None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a printed agency name belongs and which agency it is."""

    region: Region | None
    name_key: str  # identity within the region
    source: str  # 名称识别 / 命令行 --region / 清单 / 未识别
    ambiguous: bool = False  # the name names a county that exists in several places


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    region: Region | None
    agency: str | None
    is_demo: bool | None
    published_on: date | None = None  # 发布日期 as the portal shows it: the timeliness rule's input
    # Written by `gongkai fetch`: when this file was fetched and, for a report whose content changed since an
    # earlier fetch, when that earlier version was fetched (the changed_after_publication rule's dates).
    fetched_on: date | None = None
    previous_fetched_on: date | None = None


def agency_kind(name: str) -> str:
    """人民政府 for a government (including a zone's government such as 平潭综合实验区), else 部门."""
    return "人民政府" if _GOVERNMENT_SUFFIX.search(name.strip()) else "部门"


# ---------------------------------------------------------------- the division code (from cpca's data)
@dataclass(frozen=True, slots=True)
class _Division:
    name: str
    adcode: str
    rank: int  # 0 province, 1 city, 2 county


@lru_cache(maxsize=1)
def _divisions() -> dict[str, _Division]:
    import cpca  # imported lazily: loading its matcher takes half a second

    return {a.adcode: _Division(a.name, a.adcode, a.rank) for a in cpca.ad_2_addr_dict.values()}


@lru_cache(maxsize=1)
def _county_name_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in _divisions().values():
        if d.rank == 2 and d.name != _MUNICIPAL_DISTRICTS:
            counts[d.name] = counts.get(d.name, 0) + 1
    return counts


def region_for_adcode(adcode: str) -> Region:
    """The Region of a 6-digit adcode, with its province and city filled in from the division code."""
    divisions = _divisions()
    division = divisions.get(adcode)
    if division is None:
        raise RegionError(f"行政区划代码 {adcode} 不存在")
    province_code = adcode[:2] + "0000"
    province = divisions[province_code].name
    if division.rank == 0:
        # a province-level body; a 直辖市's own bodies also belong to the municipality as a city
        city = province if province.endswith("市") else None
        return Region(adcode, province, city, None, province_code, None)
    city_code = adcode[:4] + "00"
    city_division = divisions.get(city_code)
    city_name = city_division.name if city_division else None
    if city_name == _MUNICIPAL_DISTRICTS:
        city_name = province  # 上海市/上海市/黄浦区, as supervisors name it
    elif city_name == _PROVINCE_DIRECT:
        city_name, city_code = None, None
    county = division.name if division.rank == 2 else None
    return Region(adcode, province, city_name, county, province_code, city_code if city_name else None)


def parse_region(text: str) -> Region:
    """`--region 福建省/福州市/平潭县` (or 省/市, or 省) → Region; RegionError (Chinese) when unknown."""
    parts = [p.strip() for p in re.split(r"[/／]", text) if p.strip()]
    if not parts or len(parts) > 3:
        raise RegionError(f"地区格式应为“省/市/区县”，例如“江苏省/淮安市/洪泽区”，收到：{text}")
    divisions = _divisions()
    provinces = [d for d in divisions.values() if d.rank == 0 and d.name == parts[0]]
    if not provinces:
        raise RegionError(f"找不到省份“{parts[0]}”（请写全称，如“江苏省”“上海市”）")
    province = provinces[0]
    if len(parts) == 1:
        return region_for_adcode(province.adcode)
    city_name = parts[1]
    prefix = province.adcode[:2]
    if city_name == province.name:  # 直辖市: 上海市/上海市/黄浦区
        city_prefix = prefix
    else:
        cities = [d for d in divisions.values() if d.rank == 1 and d.name == city_name and d.adcode.startswith(prefix)]
        if not cities:
            raise RegionError(f"{province.name}下找不到城市“{city_name}”")
        city_prefix = cities[0].adcode[:4]
        if len(parts) == 2:
            return region_for_adcode(cities[0].adcode)
    if len(parts) == 2:
        return region_for_adcode(province.adcode)
    counties = [
        d for d in divisions.values() if d.rank == 2 and d.name == parts[2] and d.adcode.startswith(city_prefix)
    ]
    if not counties:
        raise RegionError(f"{province.name}{'' if city_name == province.name else city_name}下找不到区县“{parts[2]}”")
    return region_for_adcode(counties[0].adcode)


# ---------------------------------------------------------------- reading a printed agency name
def _strip_prefix(prefix: str, names: list[str]) -> str:
    """Remove the region names (full or short form) from the start of `prefix`, in order."""
    for name in names:
        for form in (name, _SHORT_SUFFIX.sub("", name)):
            if form and prefix.startswith(form):
                prefix = prefix[len(form):]
                break
    return prefix


@lru_cache(maxsize=65536)
def infer(name: str) -> Placement:
    """Region and identity read from a printed agency name alone (cached: names repeat across years)."""
    import cpca

    name = name.strip()
    zone = ZONE_COUNTIES.get(name)
    row = cpca.transform([name], pos_sensitive=True).iloc[0]
    found: Region | None = None
    ambiguous = False
    name_key = name
    # cpca lists 重庆市's former county group as a city named just "县", so any unknown "某某县…" would
    # land in 重庆市; a one-character match is never a real place name, so it counts as not found.
    one_char = any(isinstance(row[k], str) and len(row[k]) < 2 and int(row[f"{k}_pos"]) >= 0 for k in ("省", "市", "区"))
    if isinstance(row["adcode"], str) and row["adcode"] and not one_char:
        found = region_for_adcode(row["adcode"])
        # the finest level the name itself prints, and the region names printed before it
        levels = [(row["省_pos"], row["省"]), (row["市_pos"], row["市"]), (row["区_pos"], row["区"])]
        printed = [(int(pos), n) for pos, n in levels if isinstance(n, str) and int(pos) >= 0]
        if printed:
            finest_pos = max(pos for pos, _ in printed)
            before = [n for pos, n in sorted(printed) if pos < finest_pos]
            if finest_pos and _strip_prefix(name[:finest_pos], before) == "":
                name_key = name[finest_pos:]
            # a county named without its city (鼓楼区人民政府) that several cities have: cpca had to guess
            county_pos = int(row["区_pos"])
            if county_pos >= 0 and int(row["市_pos"]) < 0 and _county_name_counts().get(row["区"], 0) > 1:
                ambiguous = True
    if zone:
        return Placement(region_for_adcode(zone), name_key, SOURCE_NAME)
    if found is None:
        return Placement(None, name_key, SOURCE_UNKNOWN)
    return Placement(found, name_key, SOURCE_NAME, ambiguous)


def with_override(inferred: Placement, override: Region | None, source: str = SOURCE_OPTION) -> Placement:
    """An inferred placement with the region the user gave (--region, manifest), which wins."""
    if override is None:
        return inferred
    return Placement(override, inferred.name_key, source)


def place(name: str, override: Region | None = None, source: str = SOURCE_OPTION) -> Placement:
    """Region and identity of a printed agency name; `override` (from --region or a manifest) wins."""
    return with_override(infer(name), override, source)


# ---------------------------------------------------------------- manifest
_HEADERS = {
    "file": ("file", "文件", "文件名"),
    "province": ("province", "省", "省份"),
    "city": ("city", "市", "城市"),
    "county": ("county", "县", "区", "区县", "县区"),
    "agency": ("agency", "单位", "机关", "单位名称"),
    "is_demo": ("is_demo", "模拟数据", "demo"),
    # not "published": PROVENANCE.csv uses that header for where a report was published (a sentence, not a date)
    "published_on": ("published_on", "发布日期", "发布时间", "公开日期"),
    "fetched_on": ("fetched_at", "获取时间"),
    "previous_fetched_on": ("previous_fetched_at", "前一版本获取时间"),
}
_TRUE = {"1", "true", "yes", "是", "y", "模拟数据"}


def load_manifest(path: str | Path) -> dict[str, ManifestEntry]:
    """A CSV naming, per report file, its region (and optionally the agency name and the 模拟数据 flag).

    Columns (English or Chinese headers): file/文件, province/省, city/市, county/区县, agency/单位, is_demo/模拟数据,
    published_on/发布日期 (the date the report was published, for the timeliness rule), fetched_at/获取时间 and
    previous_fetched_at/前一版本获取时间 (written by `gongkai fetch`, for the changed_after_publication rule).
    Keys are the file names as written (matched against the file's name and its path)."""
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8-sig") if not raw.startswith(b"\xff\xfe") else raw.decode("utf-16")
    reader = csv.DictReader(io.StringIO(text))
    columns: dict[str, str] = {}
    for header in reader.fieldnames or []:
        for key, names in _HEADERS.items():
            if header.strip().lower() in names:
                columns[key] = header
    if "file" not in columns:
        raise RegionError(f"清单 {Path(path).name} 缺少“文件”（file）列")
    entries: dict[str, ManifestEntry] = {}
    for line_no, record in enumerate(reader, start=2):
        def get(key: str) -> str:
            return (record.get(columns.get(key, ""), "") or "").strip()

        file = get("file")
        if not file:
            continue
        region_parts = [p for p in (get("province"), get("city"), get("county")) if p]
        try:
            region = parse_region("/".join(region_parts)) if region_parts else None
        except RegionError as exc:
            raise RegionError(f"清单 {Path(path).name} 第 {line_no} 行：{exc}") from None
        demo = get("is_demo")
        try:
            published_on = parse_date(get("published_on"))
        except ValueError as exc:
            raise RegionError(f"清单 {Path(path).name} 第 {line_no} 行“发布日期”：{exc}") from None
        dates = {}
        for key, header in (("fetched_on", "获取时间"), ("previous_fetched_on", "前一版本获取时间")):
            try:
                dates[key] = parse_date(get(key))
            except ValueError as exc:
                raise RegionError(f"清单 {Path(path).name} 第 {line_no} 行“{header}”：{exc}") from None
        entries[file] = ManifestEntry(region, get("agency") or None, (demo.lower() in _TRUE) if demo else None,
                                      published_on, **dates)
    # A row written as a path inside the manifest's folder (`gongkai fetch` writes 单位/2024_x_1a2b3c4d.pdf) must
    # still match when that folder's parent is what gets ingested: its file name is an alias, when unique.
    names: dict[str, list[str]] = {}
    for key in entries:
        if "/" in key:
            names.setdefault(key.rsplit("/", 1)[1], []).append(key)
    for name, keys in names.items():
        if len(keys) == 1 and name not in entries:
            entries[name] = entries[keys[0]]
    return entries


def manifest_entry(entries: dict[str, ManifestEntry], file: Path, root: Path | None = None) -> ManifestEntry | None:
    """The manifest row of `file`: by path relative to the folder given, by path as given, or by file name."""
    candidates = [str(file), file.as_posix(), file.name]
    if root is not None:
        try:
            candidates.insert(0, file.relative_to(root).as_posix())
        except ValueError:
            pass
    for key in candidates:
        if key in entries:
            return entries[key]
    return None
