"""RTF: what portals often serve under a .doc name (Word's and WPS's "save as RTF", web editors' exports).

RTF is text: groups in braces, control words (`\\par`, `\\cellx1200`), and the document's characters, the
non-ASCII ones as `\\'hh` bytes in the current font's code page (GBK for a Chinese font, `\\fcharset134`)
or as `\\uN` with an ASCII fallback that is skipped.  The walk keeps a stack of group states (the font,
whether the group's text is shown, `\\ucN`).  Groups that are not document text are skipped: the font,
colour and style tables, document info, pictures, headers and footers, footnotes, field instructions
(a field's result is kept), the plain-text fallback of nested tables, and every `{\\*\\…}` destination;
hidden text (`\\v`) and tracked deletions (`\\deleted`) are not read.  List numbers are read from
`{\\listtext}`, the number as text that writers put there for readers without lists.

Tables: `\\trowd` starts a row's definition — each cell's right edge (`\\cellxN`), merge flags (`\\clvmgf`
first and `\\clvmrg` continued vertically, `\\clmgf`/`\\clmrg` horizontally); `\\intbl` paragraphs are in a
cell, `\\cell` ends a cell and `\\row` the row.  Rows become a `Table` by the same geometry as the .doc
reader (gongkai.readers.doc.table_from_layout).  Nested tables (`\\itapN` paragraphs, `\\nestcell`, and the
row's definition and `\\nestrow` in `{\\*\\nesttableprops}`) are read as the .doc and HTML readers read them:
a table holding a table is a layout frame, read as body text, and the inner table is the table.
"""

from __future__ import annotations

import codecs
import re

from gongkai.document import Document, Paragraph, ReadError, clean_text
from gongkai.readers.doc import table_from_layout

# Groups whose content is not the document's text.
_SKIP = {
    "fonttbl", "colortbl", "stylesheet", "info", "pict", "header", "headerl", "headerr", "headerf", "footer",
    "footerl", "footerr", "footerf", "footnote", "annotation", "fldinst", "object", "objdata", "listtable",
    "listoverridetable", "nonesttables", "rsidtbl", "generator", "xmlnstbl", "themedata", "colorschememapping", "datastore",
    "latentstyles", "pgdsctbl", "revtbl", "mmathPr", "shp", "shpinst", "nonshppict", "template", "filetbl",
    "bkmkstart", "bkmkend", "atnid", "atnauthor", "comment", "xe", "tc", "txe", "pnseclvl", "operator", "author", "title", "keywords", "doccomm", "company", "userprops",
}
# \fcharset → Python codec for the font's \'hh bytes.
_CHARSETS = {0: "cp1252", 134: "gb18030", 136: "big5", 128: "cp932", 129: "cp949", 161: "cp1253", 162: "cp1254",
             177: "cp1255", 178: "cp1256", 186: "cp1257", 204: "cp1251", 222: "cp874", 238: "cp1250"}
_SYMBOLS = {"par": "\n", "line": "\x0b", "tab": "\t", "emdash": "—", "endash": "–", "bullet": "•",
            "lquote": "‘", "rquote": "’", "ldblquote": "“", "rdblquote": "”", "emspace": " ", "enspace": " ",
            "qmspace": " ", "sect": "\n", "page": "\n", "column": "\n"}
# Every control word the walk acts on; the rest (fonts, sizes, borders, spacing …) are passed over.
_HANDLED = {w.encode() for w in _SKIP | set(_SYMBOLS) | {
    "f", "fcharset", "v", "deleted", "plain", "listtext", "pntext", "ansicpg", "uc", "u", "trowd", "trleft", "clvmgf", "clvmrg", "clmgf",
    "clmrg", "cellx", "pard", "intbl", "itap", "nestcell", "nestrow", "nesttableprops", "cell", "row", "fldrslt"}}
_HANDLED.add(b"bin")
# Runs of control words the walk passes over are one token (most of an RTF file is formatting: one token
# a word made Python the bottleneck); the first group is then None and the match is skipped whole.
_NOISE = rb"(?:\\(?!(?:" + b"|".join(sorted(_HANDLED, key=len, reverse=True)) + rb")(?![a-zA-Z]))[a-zA-Z]{1,32}-?\d{0,10} ?)+"
_TOKEN = re.compile(_NOISE + rb"|\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+",
                    re.S)
# A real report is well under this many tokens; a file past it is not a report (and would take minutes).
MAX_TOKENS = 20_000_000


class _State:
    """What a group inherits: whether its text is shown, the font, \\ucN, whether it is the font table."""

    __slots__ = ("skip", "font", "uc", "fonttbl", "number", "hidden")

    def __init__(self, skip: bool = False, font: int = -1, uc: int = 1, fonttbl: bool = False,
                 number: bool = False, hidden: bool = False) -> None:
        self.skip, self.font, self.uc, self.fonttbl, self.number = skip, font, uc, fonttbl, number
        self.hidden = hidden  # \v: hidden text (and \deleted: a tracked deletion), not shown

    def copy(self) -> _State:
        return _State(self.skip, self.font, self.uc, self.fonttbl, self.number, self.hidden)


def read(data: bytes) -> Document:
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ReadError("这不是 RTF 文件（缺少 {\\rtf 开头）")
    walker = _Walker()
    at, count = 0, 0
    while at < len(data):
        match = _TOKEN.match(data, at)
        if match is None:  # a lone backslash at the end
            break
        at = match.end()
        count += 1
        if count > MAX_TOKENS:
            raise ReadError("文件内容过多，疑似异常文件，已拒绝读取")
        if match.group(1) == b"bin":
            # \binN: N bytes of raw binary (a picture) follow; they may hold braces, so they are jumped over
            at += max(0, int(match.group(2) or 0))
            continue
        walker.token(match)
    walker.flush_paragraph(force=True)
    walker.end_table()
    return walker.doc


class _Walker:
    def __init__(self) -> None:
        self.doc = Document()
        self.stack: list[_State] = [_State()]
        self.fonts: dict[int, str] = {}  # \fN → codec, from the font table
        self.default_codec = "cp1252"
        self.text: list[str] = []  # the paragraph being read
        self.pending: bytearray = bytearray()  # \'hh bytes not yet decoded
        self.skip_chars = 0  # fallback characters still to skip after a \uN
        self.in_table = False  # the paragraph has \intbl
        self.itap = 1  # its table depth when in a table (\itapN: 2 is a table in a table's cell)
        self.levels: list[_Level] = []  # the open tables, outermost first
        self.defs: dict[int, _RowDef] = {}  # per depth: the last row definition (\trowd … \cellx)
        self.font_table_font: int | None = None  # inside the font table: the \fN being defined

    # --- characters ------------------------------------------------------------------------------
    def codec(self) -> str:
        return self.fonts.get(self.stack[-1].font, self.default_codec)

    def decode_pending(self) -> None:
        if self.pending:
            self.text.append(bytes(self.pending).decode(self.codec(), errors="replace"))
            self.pending.clear()

    def put(self, chars: str) -> None:
        self.decode_pending()
        if not self.stack[-1].hidden:
            self.text.append(chars)

    # --- tokens ----------------------------------------------------------------------------------
    def token(self, match: re.Match) -> None:
        word, arg, hexbyte, symbol, brace, text = match.groups()
        state = self.stack[-1]
        if brace is not None:
            self.decode_pending()
            if brace == b"{":
                self.stack.append(state.copy())
            elif len(self.stack) > 1:
                self.stack.pop()
            return
        if hexbyte is not None:
            if self.skip_chars:
                self.skip_chars -= 1
            elif not state.skip and not state.hidden:
                self.pending.append(int(hexbyte, 16))
            return
        if text is not None:
            if state.skip:
                return
            chars = text.decode("latin-1")
            if self.skip_chars:
                dropped = min(self.skip_chars, len(chars))
                chars = chars[dropped:]
                self.skip_chars -= dropped
            if chars:
                self.put(chars)
            return
        if symbol is not None:
            self.control_symbol(symbol.decode("latin-1"), state)
            return
        if word is not None:
            if word in _HANDLED:  # most control words only format: no need to look at them
                self.control_word(word.decode("ascii"), int(arg) if arg is not None else None, state)
            return
        # a line break in the file itself: no text

    def control_symbol(self, symbol: str, state: _State) -> None:
        if symbol == "*":
            state.skip = True  # an optional destination this reader does not know
        elif state.skip:
            return
        elif symbol in "\r\n":
            self.flush_paragraph()  # a backslash before a line break is \par
        elif symbol in "\\{}":
            self.put(symbol)
        elif symbol == "~":
            self.put("\u00a0")
        elif symbol == "_":
            self.put("-")
        # \- (optional hyphen), \| and others: no text

    def control_word(self, word: str, arg: int | None, state: _State) -> None:
        if word == "nesttableprops":
            state.skip = False  # {\*\nesttableprops …}: a nested row's definition and end (\nestrow), read
            return
        if state.fonttbl:  # the font table: which code page each font's \'hh bytes are in
            if word == "f" and arg is not None:
                self.font_table_font = arg
            elif word == "fcharset" and arg is not None and self.font_table_font is not None:
                self.fonts[self.font_table_font] = _CHARSETS.get(arg, self.default_codec)
            return
        if word in ("listtext", "pntext"):
            # The list number as text ("三、"), written for readers that do not number lists themselves
            state.number = True
            return
        if word in _SKIP:
            state.skip = True
            state.fonttbl = word == "fonttbl"
            return
        if word == "ansicpg" and arg:
            codec = {936: "gb18030"}.get(arg, f"cp{arg}")
            try:
                self.default_codec = codecs.lookup(codec).name
            except LookupError:
                pass
            return
        if word == "uc" and arg is not None:
            state.uc = max(0, arg)
            return
        if word == "u" and arg is not None:
            code = arg + 0x10000 if arg < 0 else arg  # written as a signed 16-bit number
            if not state.skip and 0 <= code < 0x110000:
                self.put(chr(code))
            self.skip_chars = state.uc  # the fallback for readers without Unicode
            return
        if state.skip:
            return  # (a skipped group's \trowd, as in {\*\nesttableprops}, describes no row of ours)
        if word == "f" and arg is not None:
            self.decode_pending()
            state.font = arg
            return
        if word in ("v", "deleted"):
            self.decode_pending()
            state.hidden = arg != 0  # \v0 ends it
            return
        if word == "plain":
            self.decode_pending()
            state.hidden = False  # character formatting back to the default
        # The row definition: \trowd, then per cell its merge flags and its right edge (\cellx).
        # (A nested row's definition comes after its cells, in {\*\nesttableprops}, while the paragraph
        # state is still the nested cells': the depth says whose row it is.)
        if word == "trowd":
            self.defs[self.depth() or 1] = _RowDef()
        elif word in ("trleft", "clvmgf", "clvmrg", "clmgf", "clmrg", "cellx"):
            self.defs.setdefault(self.depth() or 1, _RowDef()).word(word, arg)
        elif word == "pard":
            self.in_table, self.itap = False, 1
        elif word == "intbl":
            self.in_table = True
        elif word == "itap" and arg is not None:
            self.itap = max(0, min(arg, 64))
            self.in_table = self.itap > 0
        elif word in ("par", "sect", "page"):
            self.flush_paragraph()
        elif word == "tab" and state.number:
            pass  # the tab between a list number and the text: the DOCX reader prints "三、总体情况" too
        elif word in ("line", "tab", "emdash", "endash", "bullet", "lquote", "rquote", "ldblquote", "rdblquote",
                      "emspace", "enspace", "qmspace"):
            self.put(_SYMBOLS[word])
        elif word in ("cell", "nestcell"):
            depth = 1 if word == "cell" else max(2, self.depth())
            level = self.open_to(depth)
            level.cell.append(self.take_text())
            level.row.append(level.cell)
            level.cell = []
        elif word in ("row", "nestrow"):
            depth = 1 if word == "row" else max(2, self.depth())
            self.open_to(depth).end_row(self.defs.get(depth))

    # --- blocks ----------------------------------------------------------------------------------
    def take_text(self) -> str:
        self.decode_pending()
        text = "".join(self.text).replace("\x0b", "\n")
        self.text = []
        if any("\ud800" <= ch <= "\udfff" for ch in text):
            # \uN writes a character beyond U+FFFF as two surrogates: join the pairs, replace any left alone
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return text

    def depth(self) -> int:
        return self.itap if self.in_table else 0

    def open_to(self, depth: int) -> _Level:
        """The table at `depth`, closing deeper ones and opening the levels up to it; its level."""
        self.close_to(depth)
        while len(self.levels) < depth:
            self.levels.append(_Level())
        return self.levels[depth - 1]

    def close_to(self, depth: int) -> None:
        """Close the tables deeper than `depth`: each becomes blocks of the cell around it, or of the body."""
        while len(self.levels) > depth:
            blocks = self.levels.pop().blocks()
            if self.levels:
                self.levels[-1].cell.extend(blocks)
            else:
                self.doc.blocks.extend(Paragraph(clean_text(b)) if isinstance(b, str) else b for b in blocks)

    def flush_paragraph(self, force: bool = False) -> None:
        text = self.take_text()
        depth = 0 if force else self.depth()
        if depth:
            self.open_to(depth).cell.append(text)  # a paragraph inside a cell
            return
        self.close_to(0)
        text = clean_text(text)
        if text:
            self.doc.blocks.append(Paragraph(text))

    def end_table(self) -> None:
        self.close_to(0)


class _RowDef:
    """A row's definition: each cell's right edge (\\cellx) and merge flags, the row's left edge (\\trleft)."""

    def __init__(self) -> None:
        self.left = 0
        self.edges: list[int] = []
        self.horz: list[int] = []
        self.vert: list[int] = []
        self.next_horz = self.next_vert = 0

    def word(self, word: str, arg: int | None) -> None:
        if word == "trleft" and arg is not None:
            self.left = arg
        elif word == "clvmgf":
            self.next_vert = 3
        elif word == "clvmrg":
            self.next_vert = 1
        elif word == "clmgf":
            self.next_horz = 1
        elif word == "clmrg":
            self.next_horz = 2
        elif word == "cellx" and arg is not None:
            self.edges.append(arg)
            self.horz.append(self.next_horz)
            self.vert.append(self.next_vert)
            self.next_horz = self.next_vert = 0


class _Level:
    """An open table: its finished rows (each cell's blocks, with the row's definition), the row and the cell
    being read (a cell's blocks are its paragraphs' texts and the tables inside it)."""

    def __init__(self) -> None:
        self.rows: list[tuple[list[list], _RowDef | None]] = []
        self.row: list[list] = []
        self.cell: list = []

    def end_row(self, definition: _RowDef | None) -> None:
        if self.cell:
            self.row.append(self.cell)  # text after the last cell mark: a cell of its own
            self.cell = []
        self.rows.append((self.row, definition))
        self.row = []

    def blocks(self) -> list:
        if self.row or self.cell:
            self.end_row(None)
        cells = [c for row, _ in self.rows for c in row]
        if any(not isinstance(b, str) for c in cells for b in c):
            # A table holding a table is a layout frame: its content is read as body text, as the HTML
            # and .doc readers read one.
            return [b for c in cells for b in c if not isinstance(b, str) or clean_text(b)]
        laid = []
        for row, definition in self.rows:
            texts = [clean_text("\n".join(b for b in c if b)) for c in row]
            laid.append(_lay(texts, definition))
        return [table_from_layout(laid)] if laid else []


def _lay(texts: list[str], definition: _RowDef | None) -> list[list]:
    """A row's cells as table_from_layout takes them: with their edges when the definition fits the row."""
    if definition is not None and len(definition.edges) == len(texts):
        cells, left = [], definition.left
        for text, right, horz, vert in zip(texts, definition.edges, definition.horz, definition.vert):
            if right <= left:
                break
            cells.append([text, left, right, horz, vert])
            left = right
        else:
            return cells
    return [[text, None, None, 0, 0] for text in texts]
