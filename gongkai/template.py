"""The national annual-report template as data: both formats, every figure key, the labels printed.

Two formats exist:
- "2019": the first format of the revised 条例 (reports for 2019 and 2020);
- "2021": 国办公开办函〔2021〕30号 (reports for 2021 on).

Every figure has a key `table/row/column` (the keys of the figures contract, spec/figures.csv).
The mapper never matches a label literally: it matches *phrases* against the normalised label
(see `normalize_label`), so that line breaks, spaces, quote styles, 规范性文件 vs 行政规范性文件
and the typos real reports print all land on the same row.  Where a row is numbered inside a group
(（三）不予公开 / 2.…), the group and the number identify it even when the wording is garbled.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

FORMATS = ("2019", "2021")


_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_IGNORED = re.compile(r"[\s\u3000\u200b\ufeff\"'“”‘’「」『』]+")


def normalize_label(text: str) -> str:
    """The form labels are compared in: NFKC, no whitespace, no quotes of any style, no bookmarks.

    NFKC turns （一） into (一) and full-width digits into ASCII; quotes are dropped because reports
    print “三安全一稳定”, "三安全一稳定", '三安全一稳定' and 三安全一稳定 alike."""
    # The same few hundred labels and numbers recur in every report and this runs per cell: short
    # texts are cached, long ones (paragraphs) are not, so a big file cannot fill memory.
    return _normalize_short(text) if len(text) <= 256 else _normalize(text)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _BOOKMARK.sub("", text)
    return _IGNORED.sub("", text)


_normalize_short = lru_cache(maxsize=1 << 16)(_normalize)


# ---------------------------------------------------------------- 表二 主动公开 (Article 20)
@dataclass(frozen=True)
class T2Row:
    key: str
    label_2021: str  # "" when the 2021 format has no such row
    label_2019: str
    phrases: tuple[str, ...]  # any one identifies the row label (normalised)


@dataclass(frozen=True)
class T2Column:
    key: str
    label: str
    phrases: tuple[str, ...]


T2_ROWS: tuple[T2Row, ...] = (
    T2Row("regulation", "规章", "规章", ("规章",)),
    # 2021 prints 行政规范性文件, 2019 规范性文件; both contain the phrase.
    T2Row("normative_doc", "行政规范性文件", "规范性文件", ("规范性文件",)),
    T2Row("license", "行政许可", "行政许可", ("行政许可",)),
    T2Row("other_service", "", "其他对外管理服务事项", ("其他对外管理服务事项", "对外管理服务")),
    T2Row("penalty", "行政处罚", "行政处罚", ("行政处罚",)),
    T2Row("coercion", "行政强制", "行政强制", ("行政强制",)),
    T2Row("fee", "行政事业性收费", "行政事业性收费", ("行政事业性收费", "事业性收费")),
    T2Row("procurement", "", "政府集中采购", ("政府集中采购", "集中采购")),
)

T2_COLUMNS: tuple[T2Column, ...] = (
    T2Column("issued", "本年制发件数", ("制发",)),
    T2Column("repealed", "本年废止件数", ("废止",)),
    T2Column("in_force", "现行有效件数", ("现行有效",)),
    T2Column("made", "本年新制作数量", ("新制作",)),
    T2Column("published", "本年新公开数量", ("新公开",)),
    T2Column("total_published", "对外公开总数量", ("对外公开总",)),
    T2Column("prev_items", "上一年项目数量", ("上一年项目",)),
    T2Column("change", "本年增/减", ("增/减", "增减", "增(减)")),
    T2Column("amount", "", ("收费金额", "采购总金额", "总金额")),
    T2Column("items", "采购项目数量", ("采购项目数量", "采购项目")),
    T2Column("decisions", "处理决定数量", ("处理决定",)),
)

# (row, column) → (label_2021 column text, label_2019 column text); "" = not in that format.
T2_CELLS: dict[tuple[str, str], tuple[str, str]] = {
    ("regulation", "issued"): ("本年制发件数", ""),
    ("regulation", "repealed"): ("本年废止件数", ""),
    ("regulation", "in_force"): ("现行有效件数", ""),
    ("regulation", "made"): ("", "本年新制作数量"),
    ("regulation", "published"): ("", "本年新公开数量"),
    ("regulation", "total_published"): ("", "对外公开总数量"),
    ("normative_doc", "issued"): ("本年制发件数", ""),
    ("normative_doc", "repealed"): ("本年废止件数", ""),
    ("normative_doc", "in_force"): ("现行有效件数", ""),
    ("normative_doc", "made"): ("", "本年新制作数量"),
    ("normative_doc", "published"): ("", "本年新公开数量"),
    ("normative_doc", "total_published"): ("", "对外公开总数量"),
    ("license", "prev_items"): ("", "上一年项目数量"),
    ("license", "change"): ("", "本年增/减"),
    ("license", "decisions"): ("本年处理决定数量", "处理决定数量"),
    ("other_service", "prev_items"): ("", "上一年项目数量"),
    ("other_service", "change"): ("", "本年增/减"),
    ("other_service", "decisions"): ("", "处理决定数量"),
    ("penalty", "prev_items"): ("", "上一年项目数量"),
    ("penalty", "change"): ("", "本年增/减"),
    ("penalty", "decisions"): ("本年处理决定数量", "处理决定数量"),
    ("coercion", "prev_items"): ("", "上一年项目数量"),
    ("coercion", "change"): ("", "本年增/减"),
    ("coercion", "decisions"): ("本年处理决定数量", "处理决定数量"),
    ("fee", "prev_items"): ("", "上一年项目数量"),
    ("fee", "change"): ("", "本年增/减"),
    ("fee", "amount"): ("本年收费金额（单位：万元）", ""),
    ("procurement", "items"): ("", "采购项目数量"),
    ("procurement", "amount"): ("", "采购总金额"),
}

# The printed groups of 表二 (第二十条第（N）项): which rows and columns each block holds, per format.
# Renderers lay the table out from this; the mapper reads the header of each block instead.
T2_BLOCKS: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = {
    "2021": (
        ("第二十条第（一）项", ("regulation", "normative_doc"), ("issued", "repealed", "in_force")),
        ("第二十条第（五）项", ("license",), ("decisions",)),
        ("第二十条第（六）项", ("penalty", "coercion"), ("decisions",)),
        ("第二十条第（八）项", ("fee",), ("amount",)),
    ),
    "2019": (
        ("第二十条第（一）项", ("regulation", "normative_doc"), ("made", "published", "total_published")),
        ("第二十条第（五）项", ("license", "other_service"), ("prev_items", "change", "decisions")),
        ("第二十条第（六）项", ("penalty", "coercion"), ("prev_items", "change", "decisions")),
        ("第二十条第（八）项", ("fee",), ("prev_items", "change")),
        ("第二十条第（九）项", ("procurement",), ("items", "amount")),
    ),
}

# Figures that may carry decimals (money); every other figure is a whole number.
DECIMAL_FIGURES = {("t2", "fee", "amount"), ("t2", "procurement", "amount")}

# ---------------------------------------------------------------- 表三 申请办理
T3_COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social_org", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)
T3_COLUMN_KEYS = tuple(k for k, _ in T3_COLUMNS)
T3_APPLICANT_COLUMNS = tuple(k for k in T3_COLUMN_KEYS if k != "total")


@dataclass(frozen=True)
class T3Row:
    key: str
    label: str  # as the template prints it
    section: str  # 一 二 三 四: the top-level item of 表三
    group: str = ""  # （一）…（七） inside 三、本年度办理结果
    item: int = 0  # the number inside a group: 1.属于国家秘密 → 1
    phrases: tuple[str, ...] = ()
    formats: tuple[str, ...] = FORMATS


T3_SECTIONS = {
    "一": "一、本年新收政府信息公开申请数量",
    "二": "二、上年结转政府信息公开申请数量",
    "三": "三、本年度办理结果",
    "四": "四、结转下年度继续办理",
}
T3_GROUPS = {
    "一": "（一）予以公开",
    "二": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "三": "（三）不予公开",
    "四": "（四）无法提供",
    "五": "（五）不予处理",
    "六": "（六）其他处理",
    "七": "（七）总计",
}
# Phrases that identify a group heading when its （N） numbering is missing or garbled.
T3_GROUP_PHRASES = {
    "一": ("予以公开",),
    "二": ("部分公开",),
    "三": ("不予公开",),
    "四": ("无法提供",),
    "五": ("不予处理",),
    "六": ("其他处理",),
    "七": ("总计",),
}

T3_ROWS: tuple[T3Row, ...] = (
    T3Row("new_received", T3_SECTIONS["一"], "一", phrases=("本年新收",)),
    T3Row("carried_over", T3_SECTIONS["二"], "二", phrases=("上年结转",)),
    T3Row("granted", T3_GROUPS["一"], "三", "一"),
    T3Row("partial", T3_GROUPS["二"], "三", "二"),
    T3Row("denied_secret", "1.属于国家秘密", "三", "三", 1, ("国家秘密",)),
    # One real PDF prints "2.其他法律行政止公开": 禁止公开 is not a safe phrase, 其他法律 is.
    T3Row("denied_law", "2.其他法律行政法规禁止公开", "三", "三", 2, ("其他法律", "禁止公开", "行政法规")),
    T3Row("denied_safety", "3.危及“三安全一稳定”", "三", "三", 3, ("三安全一稳定", "三安全")),
    T3Row("denied_third_party", "4.保护第三方合法权益", "三", "三", 4, ("第三方",)),
    T3Row("denied_internal", "5.属于三类内部事务信息", "三", "三", 5, ("内部事务",)),
    T3Row("denied_process", "6.属于四类过程性信息", "三", "三", 6, ("过程性",)),
    T3Row("denied_case_file", "7.属于行政执法案卷", "三", "三", 7, ("执法案卷",)),
    T3Row("denied_query", "8.属于行政查询事项", "三", "三", 8, ("查询事项",)),
    T3Row("unable_not_held", "1.本机关不掌握相关政府信息", "三", "四", 1, ("不掌握",)),
    T3Row("unable_need_create", "2.没有现成信息需要另行制作", "三", "四", 2, ("另行制作", "没有现成")),
    T3Row("unable_unclear", "3.补正后申请内容仍不明确", "三", "四", 3, ("仍不明确", "补正后")),
    T3Row("refused_petition", "1.信访举报投诉类申请", "三", "五", 1, ("信访", "举报投诉")),
    T3Row("refused_repeat", "2.重复申请", "三", "五", 2, ("重复申请",)),
    T3Row("refused_publication", "3.要求提供公开出版物", "三", "五", 3, ("出版物",)),
    T3Row("refused_mass", "4.无正当理由大量反复申请", "三", "五", 4, ("大量反复",)),
    T3Row("refused_confirm", "5.要求行政机关确认或重新出具已获取信息", "三", "五", 5, ("确认或重新", "重新出具", "已获取")),
    T3Row("other", T3_GROUPS["六"], "三", "六"),
    T3Row(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "三", "六", 1, ("不补正",), ("2021",),
    ),
    T3Row(
        "other_fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "三", "六", 2, ("缴纳费用", "收费通知"), ("2021",),
    ),
    T3Row("other_other", "3.其他", "三", "六", 3, ("其他",), ("2021",)),
    T3Row("total", T3_GROUPS["七"], "三", "七"),
    T3Row("carried_forward", T3_SECTIONS["四"], "四", phrases=("结转下年度", "继续办理")),
)
T3_ROW_BY_KEY = {r.key: r for r in T3_ROWS}
# The outcome rows whose sum is （七）总计, by how （六）其他处理 is printed.
T3_OUTCOME_ROWS = tuple(r.key for r in T3_ROWS if r.section == "三" and r.group != "七")
T3_OTHER_SPLIT = ("other_no_correction", "other_fee_unpaid", "other_other")

# ---------------------------------------------------------------- 表四 复议诉讼
T4_ROWS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("suit_direct", "行政诉讼 / 未经复议直接起诉"),
    ("suit_after_review", "行政诉讼 / 复议后起诉"),
)
T4_COLUMNS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
T4_COLUMN_KEYS = tuple(k for k, _ in T4_COLUMNS)

# The headings of the three tables, as printed, and phrases that recognise them.
TABLE_TITLES = {
    "t2": "二、主动公开政府信息情况",
    "t3": "三、收到和处理政府信息公开申请情况",
    "t4": "四、政府信息公开行政复议、行政诉讼情况",
}
TABLE_NAMES_ZH = {"t2": "表二（主动公开）", "t3": "表三（收到和处理申请）", "t4": "表四（行政复议、行政诉讼）"}


# ---------------------------------------------------------------- the figure list
@dataclass(frozen=True)
class Figure:
    table: str
    row: str
    column: str
    label_2021: str
    label_2019: str
    unit: str

    @property
    def key(self) -> str:
        return f"{self.table}/{self.row}/{self.column}"

    def in_format(self, fmt: str) -> bool:
        return bool(self.label_2021 if fmt == "2021" else self.label_2019)


_T3_ORG = "法人或其他组织 / "


def _t3_column_label(col: str, label: str) -> str:
    return label if col in ("natural_person", "total") else _T3_ORG + label


def _t3_row_label(row: T3Row) -> str:
    if row.section != "三":
        return row.label
    if row.item:
        return f"{T3_GROUPS[row.group]} / {row.label}"
    if row.group in ("一", "二"):
        return f"{T3_SECTIONS['三']} / {row.label}"
    return row.label


def _build_figures() -> tuple[Figure, ...]:
    out: list[Figure] = []
    row_label = {r.key: r for r in T2_ROWS}
    for (row_key, col_key), (l21, l19) in T2_CELLS.items():
            unit = "件"
            if col_key in ("prev_items", "change", "items"):
                unit = "项"
            if (row_key, col_key) == ("fee", "amount"):
                unit = "万元"
            if (row_key, col_key) == ("procurement", "amount"):
                unit = "as printed"
            out.append(
                Figure(
                    "t2", row_key, col_key,
                    f"{row_label[row_key].label_2021} / {l21}" if l21 else "",
                    f"{row_label[row_key].label_2019} / {l19}" if l19 else "",
                    unit,
                )
            )
    for row in T3_ROWS:
        for col, clabel in T3_COLUMNS:
            label = f"{_t3_row_label(row)} × {_t3_column_label(col, clabel)}"
            l21 = label if "2021" in row.formats else ""
            l19 = label if "2019" in row.formats else ""
            if row.key == "other":
                l21 = label + " (when printed as one row)"
            out.append(Figure("t3", row.key, col, l21, l19, "件"))
    for row, rlabel in T4_ROWS:
        for col, clabel in T4_COLUMNS:
            label = f"{rlabel} / {clabel}"
            out.append(Figure("t4", row, col, label, label, "件"))
    return tuple(out)


FIGURES: tuple[Figure, ...] = _build_figures()
FIGURE_BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}


def figure_keys(fmt: str, other_split: bool | None = None) -> list[str]:
    """Every figure key a complete report of format `fmt` prints.

    For the 2021 format, `other_split` says whether （六）其他处理 is printed as three rows
    (the template's own layout, the default) or as one."""
    return list(_figure_keys(fmt, other_split))


@lru_cache(maxsize=None)  # called for every parsed report; the answer depends on two flags only
def _figure_keys(fmt: str, other_split: bool | None) -> tuple[str, ...]:
    if other_split is None:
        other_split = fmt == "2021"
    keys = []
    for f in FIGURES:
        if f.table == "t3" and f.row == "other":
            if other_split:
                continue
            keys.append(f.key)
            continue
        if f.table == "t3" and f.row in T3_OTHER_SPLIT:
            if other_split:
                keys.append(f.key)
            continue
        if f.in_format(fmt):
            keys.append(f.key)
    return tuple(keys)
