"""The OCR checks (gongkai.ocr_rules) on a real report's figures: 洪泽区 2024 as printed, and as an OCR
misreading of it would come out (a 9 read as a 6, the confusion PP-OCR's direction classifier caused on
this very report before it was switched off)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gongkai import ocr_rules, rules

FIXTURES = Path(__file__).parent / "fixtures"
HONGZE = json.loads((FIXTURES / "hongze_2024.truth.json").read_text(encoding="utf-8"))["figures"]
PARTIAL = "表三“（二）部分公开（区分处理的，只计这一情形，不计其他情形）”行"


def all_ocr(figures: dict, confidence: float = 0.99) -> dict:
    return {key: confidence for key in figures}


def test_text_figures_get_no_ocr_findings():
    misread = {**HONGZE, "t3/partial/total": 6}
    assert ocr_rules.check(misread, {}) == []


def test_exact_reading_gives_no_ocr_findings():
    assert ocr_rules.check(HONGZE, all_ocr(HONGZE)) == []


def test_one_misread_digit_is_reported_ambiguous_with_its_candidate_and_left_unchanged():
    misread = {**HONGZE, "t3/partial/total": 6}
    broken = {f.rule for f in rules.check(misread)}
    assert broken == {"t3_outcomes", "t3_columns"}
    [finding] = ocr_rules.check(misread, all_ocr(misread))
    assert (finding.rule, finding.severity, finding.cells, finding.printed, finding.expected) == (
        "ocr_ambiguous", "warning", ["t3/partial/total"], 6, [9])
    assert finding.message == (
        f"{PARTIAL}“总计”列由文字识别读作“6”（识别置信度 0.99），可能实为“9”："
        "改读后表格的全部勾稽关系成立。请对照原件核对，系统未改动这些数字"
    )
    assert misread["t3/partial/total"] == 6  # never silently changed


def test_two_misread_digits_are_reported_together():
    misread = {**HONGZE, "t3/partial/total": 6, "t3/partial/natural_person": 6}
    [finding] = ocr_rules.check(misread, all_ocr(misread))
    assert finding.cells == ["t3/partial/natural_person", "t3/partial/total"]
    assert (finding.printed, finding.expected) == ([6, 6], [9, 9])
    assert finding.message.endswith("两处同时改读后表格的全部勾稽关系成立。请对照原件核对，系统未改动这些数字")


def test_a_misread_text_cell_is_not_offered_as_ocr_candidate():
    """Only OCR'd cells can be misreadings: with the broken cell read from text, nothing is suggested."""
    misread = {**HONGZE, "t3/partial/total": 6}
    ocr = {k: 0.99 for k in misread if k != "t3/partial/total"}
    assert [f.cells for f in ocr_rules.check(misread, ocr)] == []


def test_a_sum_no_confusable_digit_repairs_gets_no_candidates():
    misread = {**HONGZE, "t3/total/total": 13}  # 95 printed: no one- or two-digit confusion turns it back
    assert ocr_rules.ambiguous(misread, all_ocr(misread)) == []


def test_low_confidence_names_the_cell():
    ocr = all_ocr(HONGZE)
    ocr["t4/suit_direct/upheld"] = 0.37
    [finding] = ocr_rules.check(HONGZE, ocr)
    assert (finding.rule, finding.severity, finding.cells, finding.printed) == (
        "ocr_low_confidence", "warning", ["t4/suit_direct/upheld"], 1)
    assert finding.message == (
        "表四“行政诉讼 / 未经复议直接起诉”“结果维持”由文字识别（OCR）读作“1”，识别置信度 0.37，低于 0.60，请对照原件核对"
    )


def test_alternatives_are_one_confusable_digit_away():
    assert ocr_rules.alternatives(0) == [8, 6, 9]
    assert ocr_rules.alternatives(16) == [76, 10, 18, 15, 19]
    assert ocr_rules.alternatives(None) == []
    assert ocr_rules.alternatives(7545.5) == []


def test_the_recognisers_own_runner_up_is_a_candidate_too():
    """表四 复议 总计 printed 2, read 7: no usual confusion turns 7 into 2, the recogniser's runner-up does."""
    misread = {**HONGZE, "t4/review/total": 7}
    assert ocr_rules.ambiguous(misread, all_ocr(misread)) == []
    [finding] = ocr_rules.ambiguous(misread, all_ocr(misread), {"t4/review/total": [2]})
    assert (finding.cells, finding.printed, finding.expected) == (["t4/review/total"], 7, [2])
    assert finding.message.startswith("表四“行政复议”“总计”由文字识别读作“7”（识别置信度 0.99），可能实为“2”")


def test_opencv_that_cannot_load_refuses_the_picture_in_chinese(monkeypatch):
    """Without the system's libGL (a fresh machine before .ci/run's apt step) OpenCV's import fails: a picture is
    then refused with a line that names what to install, and a batch goes on."""
    import builtins

    from gongkai.document import ReadError
    from gongkai.readers import ocr

    real_import = builtins.__import__

    def no_cv2(name, *args, **kwargs):
        if name == "cv2":
            raise ImportError("libGL.so.1: cannot open shared object file: No such file or directory")
        return real_import(name, *args, **kwargs)

    ocr._cv2.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_cv2)
    try:
        with pytest.raises(ReadError, match="libgl1 与 libglib2.0-0"):
            ocr._cv2()
    finally:
        monkeypatch.undo()
        ocr._cv2.cache_clear()
