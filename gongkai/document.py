"""The plain data type between readers and the mapper.

A reader turns bytes into a `Document`: the report's blocks in reading order, each either a
paragraph of text or a table.  A table is a list of rows; a row holds only the cells that *start*
there (a cell merged over several rows or columns appears once, at its top-left position, with its
span recorded).  Readers know nothing about the annual-report template: they only say what the file
prints, so that one mapper can read every format the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(slots=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    # Where the text came from: "text" (the file's own characters) or "ocr" (recognised from a picture),
    # and for OCR the recogniser's confidence (0–1, the lowest of the cell's text boxes).
    source: str = "text"
    confidence: float | None = None
    # OCR of a number: other readings the recogniser itself found likely (one digit changed each).
    alternatives: tuple[str, ...] = ()


@dataclass(slots=True)
class Table:
    rows: list[list[Cell]]


@dataclass(slots=True)
class Paragraph:
    text: str
    source: str = "text"  # "ocr" when recognised from a picture (see Cell)


Block = Paragraph | Table


@dataclass(slots=True)
class Document:
    blocks: list[Block] = field(default_factory=list)
    # The format the reader recognised from the content ("text", "markdown", "html", "docx", "pdf").
    format: str = ""
    # A title found outside the body, e.g. HTML <title>; used only for metadata.
    title: str = ""

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, Paragraph)]


class ReadError(Exception):
    """A file that cannot be read as a report; the message is shown to the user as is (Chinese)."""


_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
# CJK Radicals Supplement (U+2E80–U+2EF3) → the unified ideograph drawn by the same glyph, after
# Unicode's EquivalentUnifiedIdeograph.txt.  A font that shares one glyph between a radical and an
# ideograph can list the radical first in its cmap, and a PDF producer then writes "⻓江" for 长江;
# NFKC folds the Kangxi radicals (U+2F00–U+2FD5) but, except ⺟ and ⻳, not these.  Radicals whose
# equivalent lies outside the basic and Extension A blocks are left as they are.
_RADICALS = str.maketrans({
    "⺁": "厂", "⺂": "乛", "⺃": "乚", "⺅": "亻", "⺆": "冂", "⺉": "刂", "⺊": "卜", "⺋": "㔾",
    "⺎": "兀", "⺏": "尣", "⺐": "尢", "⺒": "巳", "⺓": "幺", "⺔": "彑", "⺕": "彐", "⺖": "忄",
    "⺗": "㣺", "⺘": "扌", "⺙": "攵", "⺛": "旡", "⺝": "月", "⺞": "歺", "⺟": "母", "⺠": "民",
    "⺡": "氵", "⺢": "氺", "⺣": "灬", "⺤": "爫", "⺦": "丬", "⺨": "犭", "⺩": "王", "⺬": "示",
    "⺭": "礻", "⺯": "糸", "⺰": "纟", "⺹": "耂", "⺺": "肀", "⺾": "艹", "⺿": "艹", "⻀": "艹",
    "⻁": "虎", "⻂": "衤", "⻃": "覀", "⻄": "西", "⻅": "见", "⻆": "角", "⻈": "讠", "⻉": "贝",
    "⻋": "车", "⻌": "辶", "⻍": "辶", "⻎": "辶", "⻏": "阝", "⻐": "钅", "⻑": "長", "⻒": "镸",
    "⻓": "长", "⻔": "门", "⻖": "阝", "⻘": "青", "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞",
    "⻝": "食", "⻟": "飠", "⻠": "饣", "⻢": "马", "⻣": "骨", "⻤": "鬼", "⻥": "鱼", "⻦": "鸟",
    "⻧": "卤", "⻨": "麦", "⻩": "黄", "⻪": "黾", "⻫": "斉", "⻬": "齐", "⻭": "歯", "⻮": "齿",
    "⻯": "竜", "⻰": "龙", "⻱": "龜", "⻲": "亀", "⻳": "龟",
})
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


def clean_text(text: str) -> str:
    """NFKC-normalise (folds Kangxi radicals such as ⼀ to 一 and full-width digits to ASCII), map
    CJK Radicals Supplement characters such as ⻓ to their ideographs (长), drop Word bookmark artifacts and collapse runs of whitespace to one space.

    Every reader passes its cell and paragraph text through here, so the mapper sees one alphabet."""
    # Cells repeat ("0", "—", the template's labels) within and across reports: short texts are cached;
    # long ones (paragraphs) are not, so a big file cannot fill memory with the cache.
    return _clean_short(text) if len(text) <= 256 else _clean(text)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text.translate(_RADICALS))
    text = _BOOKMARK.sub("", text)
    return _SPACES.sub(" ", text).strip()


_clean_short = lru_cache(maxsize=1 << 16)(_clean)
