"""Plain text: what a user gets copying a report out of Word (or saving it as .txt).

Word writes each table cell on its own line, indented by a tab, and a blank line after each table
row; a cell that wraps continues on the next, unindented, line.  Some tools instead write one row per
line with tab-separated cells; both are read here.  Everything else is a paragraph.
"""

from __future__ import annotations

from gongkai.document import Cell, Document, Paragraph, Table, clean_text
from gongkai.readers.encoding import decode_text


def read(data: bytes) -> Document:
    return read_text(decode_text(data))


def read_text(text: str) -> Document:
    doc = Document()
    rows: list[list[Cell]] = []
    raw_cells: list[str] = []  # the current row's cell texts before cleaning
    last_was_cell = False

    def flush_row() -> None:
        nonlocal raw_cells
        if raw_cells:
            rows.append([Cell(clean_text(c)) for c in raw_cells])
        raw_cells = []

    def flush_table() -> None:
        nonlocal rows
        flush_row()
        if rows:
            doc.blocks.append(Table(rows))
        rows = []

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        body = line.strip("\t")
        if line.startswith("\t") and "\t" not in body.rstrip():
            # One cell a line (Word's copy of a table).
            raw_cells.append(body)
            last_was_cell = True
        elif "\t" in line.strip():
            # A whole row on one line, cells separated by tabs.
            flush_row()
            raw_cells = line.strip("\n").split("\t")
            if raw_cells and raw_cells[0] == "":
                raw_cells = raw_cells[1:]
            flush_row()
            last_was_cell = False
        elif not line.strip():
            flush_row()
            last_was_cell = False
        elif last_was_cell and raw_cells:
            # A wrapped cell: the line belongs to the cell above it.
            raw_cells[-1] += "\n" + line
        else:
            flush_table()
            doc.blocks.append(Paragraph(clean_text(line)))
            last_was_cell = False
    flush_table()
    return doc
