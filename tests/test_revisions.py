"""changed_after_publication: a pure rule of the two versions' figures and the dates each was seen."""

from datetime import date

from gongkai.revisions import changed_after_publication, changed_figures


def test_same_figures_are_no_finding():
    figures = {"t3/new_received/total": 12.0, "t2/license/decisions": None}
    assert changed_after_publication(figures, dict(figures), date(2024, 2, 1), date(2024, 5, 1), 2023) is None


def test_changed_figures_are_named_with_both_dates():
    old = {"t3/new_received/total": 12.0, "t2/license/decisions": None, "t4/review/total": 3.0}
    new = {"t3/new_received/total": 13.0, "t2/license/decisions": 2.0, "t4/review/total": 3.0}
    assert changed_figures(old, new) == ["t2/license/decisions", "t3/new_received/total"]  # template order
    f = changed_after_publication(old, new, date(2024, 2, 1), date(2024, 5, 1), 2023)
    assert (f.rule, f.severity) == ("changed_after_publication", "warning")
    assert f.message.startswith("2023年度报告发布后被修改：2024-02-01 获取的版本与 2024-05-01 获取的版本数字不同（共 2 项）：")
    assert "：空白 → 2；" in f.message and f.message.endswith("：12 → 13")  # blank is not 0
    assert f.expected == {"date": "2024-02-01", "values": {"t2/license/decisions": None, "t3/new_received/total": 12.0}}


def test_a_figure_present_in_one_version_only_counts():
    assert changed_figures({"t4/review/total": 1.0}, {}) == ["t4/review/total"]
