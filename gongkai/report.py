"""What parsing one report produces: figures, metadata and findings (the figures contract)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Value = int | float | None

# Every report gongkai generates prints this phrase (gongkai.demo.generate.DEMO_NOTICE), so a demo file
# ingested without --demo or a manifest is still stored as 模拟数据: invented numbers are never shown as real.
DEMO_MARKER = "gongkai 演示用模拟数据"


@dataclass(slots=True)
class Finding:
    rule: str  # t3_balance, t3_outcomes, t3_columns, t4_rows, blank_cells, missing_table, …
    severity: str  # "error" | "warning"
    message: str  # Chinese, for a supervisor
    table: str | None = None
    row: str | None = None
    column: str | None = None
    cells: list[str] = field(default_factory=list)  # figure keys involved, "t3/new_received/total"
    printed: Any = None  # what the report prints (e.g. the printed total)
    expected: Any = None  # what the rule expects (e.g. the sum of the parts)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Report:
    file: str
    agency: str | None
    year: int | None
    template: str | None  # "2019" | "2021"
    figures: dict[str, Value]  # "t3/new_received/total" → value; None = printed blank
    findings: list[Finding] = field(default_factory=list)
    format: str = ""  # the reader that read it: text, markdown, html, docx, pdf
    narrative: str = ""  # the report's paragraphs, for text-vs-table checks
    # Figures read by OCR: key → the recogniser's confidence (None when it gave none).  A figure not
    # listed was read from the file's own text.
    ocr: dict[str, float | None] = field(default_factory=dict)
    # OCR'd figures the recogniser itself offered other readings of (one digit changed each).
    ocr_alternatives: dict[str, list[int]] = field(default_factory=dict)

    def source(self, key: str) -> str:
        """Where a figure came from: "ocr" (recognised from a picture) or "text"."""
        return "ocr" if key in self.ocr else "text"

    def to_json(self) -> dict[str, Any]:
        """Exactly the object of `gongkai parse FILE --json` (spec/README.md), plus one extra key per
        figure, `source` ("text" or "ocr"; for OCR also `confidence`): the six top-level keys and the
        four contract keys of a figure stay as the contract has them."""
        figures = []
        for key, value in self.figures.items():
            table, row, column = key.split("/")
            figure: dict[str, Any] = {"table": table, "row": row, "column": column, "value": value}
            figure["source"] = self.source(key)
            if key in self.ocr:
                figure["confidence"] = self.ocr[key]
            figures.append(figure)
        return {
            "file": self.file,
            "agency": self.agency,
            "year": self.year,
            "template": self.template,
            "figures": figures,
            "findings": [f.to_json() for f in self.findings],
        }
