"""Checks on figures read by OCR: pure functions of the figures and their OCR confidences.

- `ocr_low_confidence` (warning): the recogniser was unsure of a figure; the cell is named so a person
  compares it with the picture.
- `ocr_ambiguous` (warning): the template's arithmetic fails, and reading one or two OCR'd cells another
  way — a runner-up digit the recogniser itself found likely at that position, or a digit recognisers
  commonly confuse with the printed one (0/8/6/9, 1/7, 5/6, 3/8) — would make *every* equation hold.  The cell is reported with its candidate readings; the figure itself is never changed
  (the equation's own error stays too): a person decides from the picture.
"""

from __future__ import annotations

from itertools import combinations

from gongkai.report import Finding, Value
from gongkai.rules import Equation, cell_name, equations

# Below this the recogniser's reading of a figure is a warning.  PP-OCR scores a clean printed digit
# 0.9–1.0, a lone "0" in a thin font 0.6–0.9; a smudged or misread digit scores 0.3–0.6.
LOW_CONFIDENCE = 0.6
# Digits PP-OCR (and any recogniser) reads for one another on scans and low-resolution pictures.
CONFUSABLE: dict[str, str] = {
    "0": "869", "8": "0639", "6": "0859", "9": "068", "1": "7", "7": "1", "5": "6", "3": "8",
}
# Bounds the search: a table with more broken equations than this is not a misread digit or two.
_MAX_FAILING = 12
_MAX_CANDIDATE_CELLS = 80


def check(
    figures: dict[str, Value], ocr: dict[str, float | None], recognised: dict[str, list[int]] | None = None
) -> list[Finding]:
    """Both OCR rules for one report; `ocr` maps the OCR'd figure keys to their confidence, `recognised`
    to the other readings the recogniser offered (see gongkai.readers.ocr._digit_alternatives)."""
    if not ocr:
        return []
    return low_confidence(figures, ocr) + ambiguous(figures, ocr, recognised)


def low_confidence(figures: dict[str, Value], ocr: dict[str, float | None], threshold: float = LOW_CONFIDENCE) -> list[Finding]:
    out = []
    for key, conf in ocr.items():
        if conf is None or conf >= threshold or key not in figures:
            continue
        table, row, column = key.split("/")
        value = figures[key]
        shown = "空白" if value is None else _text(value)
        out.append(
            Finding(
                rule="ocr_low_confidence",
                severity="warning",
                table=table,
                row=row,
                column=column,
                cells=[key],
                printed=value,
                expected=None,
                message=(
                    f"{cell_name(key)}由文字识别（OCR）读作“{shown}”，识别置信度 {conf:.2f}，"
                    f"低于 {threshold:.2f}，请对照原件核对"
                ),
            )
        )
    return out


def _text(value: Value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def alternatives(value: Value) -> list[int]:
    """Readings of an integer figure that differ in one confusable digit."""
    if value is None or isinstance(value, float) and not value.is_integer():
        return []
    digits = str(int(value))
    out = []
    for i, ch in enumerate(digits):
        for alt in CONFUSABLE.get(ch, ""):
            candidate = digits[:i] + alt + digits[i + 1 :]
            if len(candidate) > 1 and candidate[0] == "0":
                continue  # "08" is not how a figure is printed
            out.append(int(candidate))
    return out


def _holds(eq: Equation, figures: dict[str, Value]) -> bool | None:
    """True/False when every cell of the equation is printed; None when a blank leaves it open."""
    values = [figures.get(k) for k in eq.left + eq.right]
    if any(v is None for v in values):
        return None
    return abs(sum(figures[k] for k in eq.left) - sum(figures[k] for k in eq.right)) < 1e-6  # type: ignore[misc]


def ambiguous(
    figures: dict[str, Value], ocr: dict[str, float | None], recognised: dict[str, list[int]] | None = None
) -> list[Finding]:
    eqs = equations(figures)
    failing = [eq for eq in eqs if _holds(eq, figures) is False]
    if not failing or len(failing) > _MAX_FAILING:
        return []
    # Only an OCR'd cell in a failing equation can be the misreading.
    suspects = sorted({k for eq in failing for k in eq.left + eq.right if k in ocr})
    if len(suspects) > _MAX_CANDIDATE_CELLS:
        return []
    touching: dict[str, list[Equation]] = {k: [eq for eq in eqs if k in eq.left or k in eq.right] for k in suspects}
    # The recogniser's own runner-ups first, then the usual confusions.
    readings = {k: list(dict.fromkeys((recognised or {}).get(k, []) + alternatives(figures[k]))) for k in suspects}

    def all_hold(changed: dict[str, int]) -> bool:
        trial = {**figures, **changed}
        # Every failing equation must involve a changed cell, and no equation may break.
        if any(not (set(changed) & set(eq.left + eq.right)) for eq in failing):
            return False
        affected = {id(eq): eq for k in changed for eq in touching[k]}
        return all(_holds(eq, trial) is not False for eq in affected.values())

    solutions: list[dict[str, int]] = []
    for key in suspects:
        for alt in readings[key]:
            if all_hold({key: alt}):
                solutions.append({key: alt})
    if not solutions:
        for a, b in combinations(suspects, 2):
            for alt_a in readings[a]:
                for alt_b in readings[b]:
                    if all_hold({a: alt_a, b: alt_b}):
                        solutions.append({a: alt_a, b: alt_b})
    # One finding per cell for one-cell readings (its candidates together); one per pair otherwise,
    # naming both cells, since neither reading alone makes the table add up.
    by_cell: dict[str, list[int]] = {}
    pairs: list[dict[str, int]] = []
    for sol in solutions:
        if len(sol) == 1:
            (key, alt), = sol.items()
            by_cell.setdefault(key, []).append(alt)
        else:
            pairs.append(sol)
    out = [_ambiguous_finding({key: alts}, figures, ocr) for key, alts in by_cell.items()]
    out += [_ambiguous_finding({k: [v] for k, v in sol.items()}, figures, ocr) for sol in pairs]
    return out


def _ambiguous_finding(readings: dict[str, list[int]], figures: dict[str, Value], ocr: dict[str, float | None]) -> Finding:
    parts = []
    for key, alts in readings.items():
        conf = ocr.get(key)
        conf_text = f"（识别置信度 {conf:.2f}）" if conf is not None else ""
        parts.append(
            f"{cell_name(key)}由文字识别读作“{_text(figures[key])}”{conf_text}，可能实为“{'”或“'.join(str(a) for a in alts)}”"
        )
    together = "两处同时改读后" if len(readings) > 1 else "改读后"
    first = next(iter(readings))
    table, row, column = first.split("/")
    return Finding(
        rule="ocr_ambiguous",
        severity="warning",
        table=table,
        row=row if len(readings) == 1 else None,
        column=column if len(readings) == 1 else None,
        cells=list(readings),
        printed=[figures[k] for k in readings] if len(readings) > 1 else figures[first],
        expected=[readings[k][0] for k in readings] if len(readings) > 1 else readings[first],
        message="；".join(parts) + f"：{together}表格的全部勾稽关系成立。请对照原件核对，系统未改动这些数字",
    )
