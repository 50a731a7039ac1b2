"""Markdown: pipe tables (| a | b |) among paragraphs.  Merged cells cannot be written in
Markdown, so a label that spans rows is either repeated or left empty — the mapper accepts both."""

from __future__ import annotations

import re

from gongkai.document import Cell, Document, Paragraph, Table, clean_text
from gongkai.readers.encoding import decode_text

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_SPLIT = re.compile(r"(?<!\\)\|")
_BR = re.compile(r"<br\s*/?>", re.I)


def read(data: bytes) -> Document:
    doc = Document()
    rows: list[list[Cell]] = []
    for line in decode_text(data).splitlines():
        s = line.strip()
        if s.startswith("|"):
            if _SEPARATOR.match(s):
                continue
            parts = _SPLIT.split(s.strip().strip("|") if s.endswith("|") and len(s) > 1 else s[1:])
            rows.append([Cell(clean_text(_BR.sub("\n", p).replace("\\|", "|"))) for p in parts])
            continue
        if rows:
            doc.blocks.append(Table(rows))
            rows = []
        if s:
            text = clean_text(re.sub(r"^#+\s*", "", s))
            if text:
                doc.blocks.append(Paragraph(text))
    if rows:
        doc.blocks.append(Table(rows))
    return doc
