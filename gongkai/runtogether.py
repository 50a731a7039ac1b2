"""Tables whose cells ran together: text a crawler saved with no separator between cells.

"一、本年新收政府信息公开申请数量713000074二、上年结转…" holds the seven cells 71|3|0|0|0|0|74, but
nothing in the text says where one ends.  The template does: the labels come in a fixed order, each
表三 row is six applicant columns and their 总计, each 表四 group four results and their 总计, and the
columns of 表三 balance (一+二 = （七）+四; （一）…（六） = （七）).  We enumerate every split of each
row's digits that its own sum allows, then keep the combinations the column equations allow.

A cell is recovered only when every surviving combination gives it the same value.  Where more than
one split fits (a 表二 row such as "行政规范性文件8855698" has no arithmetic at all), the cells are left
out and an `ambiguous_cells` warning names the row, the digits and the candidate splits: we say so
instead of guessing.  Whitespace inside a run is taken as a cell boundary (crawlers keep some).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from gongkai import rules
from gongkai import template as T
from gongkai.report import Finding, Value

_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
_RUN = re.compile(r"[\d\s.,]*\d(?:\.\d+)?")
MAX_COMBINATIONS = 20_000  # beyond this the cross-row search is skipped and rows stay ambiguous
MAX_CELL = 10**9


@dataclass
class Recovered:
    figures: dict[str, Value] = field(default_factory=dict)
    tables_found: set[str] = field(default_factory=set)
    other_split: bool | None = None
    template_votes: dict[str, int] = field(default_factory=lambda: {"2019": 0, "2021": 0})
    findings: list[Finding] = field(default_factory=list)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _QUOTES.sub("", text)
    return re.sub(r"[ \t\u3000\u00a0]+", " ", text)


# ---------------------------------------------------------------- splitting digits
def _numbers(chunk: str, k: int, decimals: bool) -> list[list[Value]]:
    """Every way to read `chunk` (digits, maybe one '.') as k numbers without leading zeros."""
    if k == 0:
        return [[]] if not chunk else []
    if not chunk:
        return []
    out = []
    for cut in range(1, len(chunk) + 1):
        head, tail = chunk[:cut], chunk[cut:]
        if not _is_number(head, decimals) or (tail and tail[0] == "."):
            continue
        if k == 1 and tail:
            continue
        for rest in _numbers(tail, k - 1, decimals):
            out.append([_value(head)] + rest)
    return out


def _is_number(s: str, decimals: bool) -> bool:
    if s.count(".") > (1 if decimals else 0) or s.endswith(".") or s.startswith("."):
        return False
    whole = s.split(".")[0]
    if len(whole) > 1 and whole[0] == "0":
        return False
    return float(s) < MAX_CELL


def _value(s: str) -> Value:
    return float(s) if "." in s else int(s)


def splits(run: str, n: int, decimals: bool = False) -> list[list[Value]]:
    """Every reading of a run of digits as n cells; whitespace is a certain boundary."""
    chunks = [c for c in re.split(r"\s+", run.replace(",", "").strip()) if c]
    if not chunks:
        return []
    results: list[list[Value]] = []

    def go(i: int, left: int, acc: list[Value]) -> None:
        if i == len(chunks):
            if left == 0:
                results.append(list(acc))
            return
        remaining = len(chunks) - i - 1
        for k in range(1, left - remaining + 1):
            for nums in _numbers(chunks[i], k, decimals):
                go(i + 1, left - k, acc + nums)

    go(0, n, [])
    return results


# ---------------------------------------------------------------- locating rows by their labels
@dataclass
class _Found:
    key: str
    start: int  # where the label starts (its number, e.g. "2.", or its group mark)
    end: int  # where the label ends: the first digit after the label's words


def _find_label(text: str, pos: int, phrases: tuple[str, ...], prefix: str, limit: int) -> tuple[int, int] | None:
    best = best_end = None
    for phrase in phrases:
        i = text.find(phrase, pos, limit)
        if i >= 0 and (best is None or i < best):
            best, best_end = i, i + len(phrase)
    if best is None or best_end is None:
        return None
    start = best
    if prefix:
        j = text.rfind(prefix, max(pos, best - 40), best)
        if j >= 0:
            start = j
    m = re.compile(r"\d").search(text, best_end)
    end = m.start() if m else len(text)
    return start, end


def _t3_labels(fmt_split: bool) -> list[tuple[str, tuple[str, ...], str]]:
    rows = []
    for r in T.T3_ROWS:
        if r.key == "other" and fmt_split:
            continue
        if r.key in T.T3_OTHER_SPLIT and not fmt_split:
            continue
        if r.item:
            phrases = (f"{r.item}.其他",) if r.key == "other_other" else r.phrases
            rows.append((r.key, phrases, f"{r.item}."))
        elif r.section == "三":
            rows.append((r.key, T.T3_GROUP_PHRASES[r.group], f"({r.group})"))
        else:
            rows.append((r.key, r.phrases, f"{r.section}、"))
    return rows


def _runs(text: str, found: list[_Found], stop: int) -> list[str]:
    """The digits printed after each label, cut where the next label (or its number) starts."""
    out = []
    for i, f in enumerate(found):
        nxt = found[i + 1].start if i + 1 < len(found) else stop
        m = _RUN.match(text, f.end, nxt)
        out.append(m.group(0) if m else "")
    return out


# ---------------------------------------------------------------- the tables
def recover(paragraphs: list[str]) -> Recovered:
    text = _normalize("".join(paragraphs))
    out = Recovered()
    t3_start = text.find("本年新收")
    t4_start = -1
    for marker in ("行政复议、行政诉讼情况", "行政复议、行政诉讼", "复议、行政诉讼情况"):
        t4_start = text.find(marker, t3_start if t3_start >= 0 else 0)
        if t4_start >= 0:
            break
    if t3_start >= 0:
        t2_end = text.rfind("三、", 0, t3_start)
        _recover_t2(text, text.find("主动公开政府信息情况"), t2_end if t2_end >= 0 else t3_start, out)
        _recover_t3(text, t3_start, t4_start if t4_start >= 0 else len(text), out)
    if t4_start >= 0:
        _recover_t4(text, t4_start, out)
    return out


def _ambiguous(out: Recovered, table: str, what: str, run: str, options: list[list[Value]], keys: list[str]) -> None:
    shown = "；".join("|".join(_fmt(v) for v in o) for o in options[:4])
    more = f" 等 {len(options)} 种" if len(options) > 4 else ""
    reason = "可以有多种拆分" if options else "无法按模板拆分"
    out.findings.append(
        Finding(
            rule="ambiguous_cells",
            severity="warning",
            table=table,
            cells=keys,
            message=(
                f"{T.TABLE_NAMES_ZH[table]}“{what}”的数字连在一起（{run.strip()}），{reason}"
                + (f"：{shown}{more}" if options else "")
                + "；这些单元格未读取，请核对原文"
            ),
        )
    )


def _fmt(v: Value) -> str:
    return "空" if v is None else str(v)


def _recover_t2(text: str, start: int, end: int, out: Recovered) -> None:
    if start < 0 or end <= start:
        return
    region = text[start:end]
    # Header words and row labels in the order printed; a row's values run until the next label.
    marks: list[tuple[int, int, str, str]] = []  # (pos, end, kind, key)
    for col in T.T2_COLUMNS:
        for phrase in col.phrases:
            for m in re.finditer(re.escape(phrase), region):
                marks.append((m.start(), m.end(), "col", col.key))
    for row in T.T2_ROWS:
        for m in re.finditer(re.escape(row.phrases[0]), region):
            marks.append((m.start(), m.end(), "row", row.key))
    marks.sort()
    # Drop marks inside another mark (规范性文件 within 行政规范性文件; a column word inside a longer one).
    kept: list[tuple[int, int, str, str]] = []
    for mk in marks:
        if kept and mk[0] < kept[-1][1]:
            continue
        kept.append(mk)
    columns: list[str] = []
    new_header = True
    for i, (pos, mend, kind, key) in enumerate(kept):
        if kind == "col":
            if new_header:
                columns = []
                new_header = False
            if key not in columns:
                columns.append(key)
            if key in ("issued", "repealed", "in_force"):
                out.template_votes["2021"] += 1
            elif key in ("made", "published", "total_published", "prev_items", "change", "items"):
                out.template_votes["2019"] += 1
            continue
        new_header = True
        nxt = kept[i + 1][0] if i + 1 < len(kept) else len(region)
        digits = re.match(r"[^\d]*?([\d\s.,]*\d(?:\.\d+)?)", region[mend:nxt])
        if not columns or not digits:
            continue
        run = digits.group(1)
        # The item number of the next block ("第二十条第(五)项") never follows directly: it starts with 第.
        cols = [c for c in columns]
        options = splits(run, len(cols), decimals=key in ("fee", "procurement"))
        options = [o for o in options if all(_integral_ok(key, c, v) for c, v in zip(cols, o))]
        keys = [f"t2/{key}/{c}" for c in cols if (key, c) in T.T2_CELLS]
        spec = next(r for r in T.T2_ROWS if r.key == key)
        older = out.template_votes["2019"] > out.template_votes["2021"]
        label = (spec.label_2019 if older else spec.label_2021) or spec.label_2019
        _resolve(out, "t2", label, run, options, [f"t2/{key}/{c}" for c in cols], keys)


def _integral_ok(row: str, col: str, v: Value) -> bool:
    return ("t2", row, col) in T.DECIMAL_FIGURES or not isinstance(v, float)


def _resolve(out: Recovered, table: str, what: str, run: str, options: list[list[Value]],
             all_keys: list[str], keep_keys: list[str]) -> None:
    """Store the cells every option agrees on; report the row when options disagree."""
    out.tables_found.add(table)
    if len(options) == 1:
        for k, v in zip(all_keys, options[0]):
            if k in keep_keys:
                out.figures[k] = v
        return
    agreed = [k for i, k in enumerate(all_keys) if options and len({o[i] for o in options}) == 1]
    for i, k in enumerate(all_keys):
        if k in agreed and k in keep_keys:
            out.figures[k] = options[0][i]
    _ambiguous(out, table, what, run, options, [k for k in keep_keys if k not in agreed])


def _recover_t3(text: str, start: int, stop: int, out: Recovered) -> None:
    split = "不补正" in text[start:stop]
    out.other_split = split
    if split:
        out.template_votes["2021"] += 1
    found: list[_Found] = []
    pos = start
    for key, phrases, prefix in _t3_labels(split):
        hit = _find_label(text, pos, phrases, prefix, stop)
        if hit is None:
            continue
        found.append(_Found(key, hit[0], hit[1]))
        pos = hit[1]
    runs = _runs(text, found, stop)
    # A label with no digits after it is a row not read (a stray label, or a row whose cells did not
    # come through), not a row of run-together cells: it stays absent and the mapper reports it.
    kept = [(f, run) for f, run in zip(found, runs) if run.strip()]
    if not kept:
        return
    found, runs = [f for f, _ in kept], [run for _, run in kept]
    cols = T.T3_COLUMN_KEYS
    candidates: dict[str, list[list[Value]]] = {}
    for f, run in zip(found, runs):
        opts = [o for o in splits(run, 7) if sum(o[:6]) == o[6]]
        candidates[f.key] = opts
    solutions = _solve_t3(candidates)
    out.tables_found.add("t3")
    for f, run in zip(found, runs):
        keys = [f"t3/{f.key}/{c}" for c in cols]
        opts = [s[f.key] for s in solutions] if solutions else candidates[f.key]
        unique = [list(o) for o in dict.fromkeys(tuple(o) for o in opts)]
        label = T.T3_ROW_BY_KEY[f.key].label.split("（区分处理")[0]
        _resolve(out, "t3", label, run, unique, keys, keys)


def _solve_t3(candidates: dict[str, list[list[Value]]]) -> list[dict[str, list[Value]]]:
    """Combinations of row readings that satisfy 表三's column equations (empty if none does or
    the search is too large; the caller then falls back to each row's own options)."""
    keys = [k for k, v in candidates.items() if v]
    if len(keys) != len(candidates):
        return []
    size = 1
    for k in keys:
        size *= len(candidates[k])
    if size > MAX_COMBINATIONS:
        return []
    # The column equations are the rules' own (t3_balance, t3_outcomes), over the rows that were found.
    checks = _equations({f"t3/{k}/{c}": 0 for k in keys for c in T.T3_COLUMN_KEYS}, ("t3_balance", "t3_outcomes"))
    solutions = []
    for combo in itertools.product(*(candidates[k] for k in keys)):
        values = {f"t3/{k}/{c}": v for k, row in zip(keys, combo) for c, v in zip(T.T3_COLUMN_KEYS, row)}
        if _holds(checks, values):
            solutions.append(dict(zip(keys, combo)))
    return solutions


def _equations(figures: dict[str, Value], names: tuple[str, ...]) -> list[rules.Equation]:
    """The rules' equations of these kinds whose every cell is among `figures` (a missing row is unknown,
    so an equation touching it constrains nothing)."""
    return [e for e in rules.equations(figures) if e.rule in names and all(k in figures for k in e.left + e.right)]


def _holds(checks: list[rules.Equation], values: dict[str, Value]) -> bool:
    return all(sum(values[k] for k in e.left) == sum(values[k] for k in e.right) for e in checks)


def _recover_t4(text: str, start: int, out: Recovered) -> None:
    region = text[start:]
    last_label = region.rfind("总计", 0, 600)
    if last_label < 0:
        return
    m = _RUN.match(region, last_label + 2)
    if not m:
        return
    run = m.group(0)
    keys = [f"t4/{r}/{c}" for r, _ in T.T4_ROWS for c in T.T4_COLUMN_KEYS]
    checks = _equations(dict.fromkeys(keys, 0), ("t4_rows",))
    options = [o for o in splits(run, 15) if _holds(checks, dict(zip(keys, o)))]
    _resolve(out, "t4", "数值行", run, options, keys, keys)
