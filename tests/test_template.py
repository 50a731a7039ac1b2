"""The template in code is the figures contract: same keys, same labels, same order."""

import csv
from pathlib import Path

from gongkai.template import FIGURES, figure_keys

SPEC = Path(__file__).parent / "fixtures" / "spec_figures.csv"


def test_figures_equal_the_contract_row_for_row():
    with SPEC.open(encoding="utf-8") as fh:
        spec = [tuple(r.values()) for r in csv.DictReader(fh)]
    mine = [(f.table, f.row, f.column, f.label_2021, f.label_2019, f.unit) for f in FIGURES]
    assert mine == spec


def test_figure_counts_per_layout():
    assert len(figure_keys("2021")) == 200  # （六）其他处理 in three rows
    assert len(figure_keys("2021", other_split=False)) == 186  # printed as one row (hongze 2024)
    assert len(figure_keys("2019")) == 198
    assert "t3/other/total" in figure_keys("2019")
    assert "t3/other_other/total" not in figure_keys("2019")
