"""Word 97–2003 (.doc) and Kingsoft WPS (.wps) binary files: paragraphs and tables, without a converter.

Both are an OLE2 compound file (read with olefile) holding a `WordDocument` stream in the MS-DOC format
([MS-DOC], the published Word binary specification); WPS Office writes its .wps files in the same format.
The walk:

1. The FIB (file information block, at the start of `WordDocument`) gives the flags (encrypted or
   obfuscated files are refused by name), which table stream holds the structures (`0Table`/`1Table`),
   the main text's length in characters (ccpText) and where the piece table (CLX) and the paragraph
   property bin table (PlcfBtePapx) are.
2. The piece table maps character positions to bytes of `WordDocument`: each piece is either UTF-16LE or
   "compressed" (one cp1252 byte a character).  The main document is characters 0 … ccpText.
3. Each paragraph ends with a mark: `\\r`, or `\\x07` in a table cell.  Its properties (PAPX, in 512-byte
   FKP pages found through the bin table) say whether it is in a table (sprmPFInTable, sprmPItap for
   the nesting depth) and whether it ends a table row (sprmPFTtp, or sprmPFInnerTtp and
   sprmPFInnerTableCell inside a nested table).  The row-end paragraph carries the row's table
   properties: sprmTDefTable gives each cell's left and right edge and its merge flags.
4. Cells become `Cell`s with spans: a cell's columns are the grid columns (all rows' cell edges, in
   order) between its edges; a cell flagged as the first of a vertical merge gets a row span over the
   continuation cells below it, which are then left out (as the DOCX and HTML readers do); the legacy
   horizontal-merge flags join a cell with the ones after it.  A table that holds another table is a
   layout frame: its content is read as body text, so only leaf tables come out as tables.
5. Field codes (`\\x13 code \\x14 result \\x15`) keep only their result; object anchors, footnote marks
   and other control characters are dropped; a line break (`\\x0b`) stays inside its paragraph.
6. Automatic list numbers ("三、", "（一）"), which Word keeps in its list tables (PlfLst with the LVLs
   after it, PlfLfo) rather than in the text, are printed before the paragraph as Word shows them, from the
   paragraph's sprmPIlfo/sprmPIlvl or its style's (the stylesheet, STSH, with each style's base styles), in
   the DOCX reader's number formats.

Not read: headers, footers, footnotes, comments and text boxes; tracked deletions are read as if they were
still there.  Word 6.0/95 files (an older FIB without a piece table of this form) and OLE files that are not
Word documents (Excel, PowerPoint, Microsoft Works .wps, the pre-2001 WPS formats) are refused with a line
naming the format.
"""

from __future__ import annotations

import re
import struct
from bisect import bisect_right
from dataclasses import dataclass, field
from io import BytesIO

from gongkai.document import Cell, Document, Paragraph, ReadError, Table, clean_text
from gongkai.readers.docx import _format_number  # Word's number formats, one implementation for both readers

# Word and Excel save a password-protected .docx/.xlsx as an OLE compound file holding the encrypted zip in
# a stream named EncryptedPackage (names are UTF-16 in the directory).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

# A real report's WordDocument stream is well under 10 MB (text is two bytes a character); a file that
# declares more text than this is not a report, and walking it character by character would cost minutes.
MAX_CHARACTERS = 5_000_000

ENCRYPTED = "文件已加密（需要密码才能打开），无法读取，请提供未加密的文件"
CORRUPT = "Word 文档（.doc/.wps）已损坏，无法读取（{what}）"

# FIB offsets ([MS-DOC] 2.5.1, 2.5.2): FibBase is 32 bytes, then csw and FibRgW97, cslw and FibRgLw97,
# cbRgFcLcb and the fc/lcb pairs.
_F_ENCRYPTED = 0x0100
_F_WHICH_TABLE = 0x0200
_F_OBFUSCATED = 0x8000
# Word 6.0 and 95 wrote nFib 101–105 (0x65–0x69), Word 97 and later 0x00C1 (a few early writers 0x00C0 or so).
_NFIB_LAST_WORD95 = 0x0069
_PAIR_STSHF = 1
_PAIR_PLCF_BTE_PAPX = 13
_PAIR_CLX = 33
_PAIR_PLF_LST = 73
_PAIR_PLF_LFO = 74

# Paragraph and table sprms ([MS-DOC] 2.6.2, 2.6.4).
_SPRM_P_IN_TABLE = 0x2416
_SPRM_P_TTP = 0x2417
_SPRM_P_ITAP = 0x6649
_SPRM_P_DTAP = 0x664A
_SPRM_P_INNER_CELL = 0x244B
_SPRM_P_INNER_TTP = 0x244C
_SPRM_P_CHG_TABS = 0xC615
_SPRM_P_HUGE_PAPX = 0x6646
_SPRM_P_ILVL = 0x260A
_SPRM_P_ILFO = 0x460B
_SPRM_T_DEF_TABLE = 0xD608
_SPRM_T_VERT_MERGE = 0xD62B
_SPRM_T_MERGE = 0x5624
_SPRM_T_SPLIT = 0x5625

_PARAGRAPH_END = {"\r", "\x07", "\x0c", "\x0e"}  # paragraph mark, cell/row mark, page/section break, column break
_MARKS = re.compile("[\r\x07\x0c\x0e]")
# A paragraph's characters as text: a line break (\x0b) is a newline, a non-breaking hyphen (\x1e) a
# hyphen; other control characters carry no text (object and picture anchors, footnote and comment
# references, soft hyphens, the \x00 that stands for a hidden field code).
_TEXT = {c: None for c in range(0x20) if chr(c) not in "\t\n"} | {0x0B: "\n", 0x1E: "-"}


def read(data: bytes) -> Document:
    import olefile  # imported here: only .doc files need it

    try:
        ole = olefile.OleFileIO(BytesIO(data))
    except Exception as err:  # olefile raises OSError, but also struct errors and others on damaged headers
        if _ENCRYPTED_PACKAGE in data[:1 << 20]:
            raise ReadError(ENCRYPTED) from err  # the directory names it, though the container is damaged
        raise ReadError(CORRUPT.format(what="复合文档结构无法解析")) from err
    try:
        names = {"/".join(entry).lower() for entry in ole.listdir()}
        if "encryptedpackage" in names:
            raise ReadError(ENCRYPTED)  # a password-protected .docx/.xlsx, wrapped in OLE
        if "worddocument" not in names:
            if (len(data) - 512) % ole.sectorsize:
                # Cut short (a download that stopped): the directory that names the streams is lost with
                # the tail, so the file is damaged rather than of another kind.
                raise ReadError(CORRUPT.format(what="文件不完整"))
            raise ReadError(_not_word(names))
        word = _stream(ole, "WordDocument")
        try:
            fib = _Fib(word)
        except struct.error as err:  # counts in the FIB that point past its end
            raise ReadError(CORRUPT.format(what="文件头不完整")) from err
        table_name = "1Table" if fib.flags & _F_WHICH_TABLE else "0Table"
        if table_name.lower() not in names:
            raise ReadError(CORRUPT.format(what=f"缺少 {table_name} 流"))
        table_stream = _stream(ole, table_name)
        # Paragraph properties too long for an FKP page (a wide table's row end) are kept in the Data stream.
        data_stream = _stream(ole, "Data") if "data" in names else b""
    finally:
        ole.close()
    try:
        return _Reader(word, table_stream, data_stream, fib).document()
    except ReadError:
        raise
    except (struct.error, IndexError, ValueError, KeyError, OverflowError, RecursionError) as err:
        raise ReadError(CORRUPT.format(what="文件结构不完整")) from err


def _not_word(names: set[str]) -> str:
    """Why an OLE file without a WordDocument stream is refused, naming its format where it is known."""
    if "workbook" in names or "book" in names:
        return "这是 Excel 表格（.xls）文件，不是 Word 文档，无法读取，请另存为 .docx 或 PDF 后再导入"
    if "powerpoint document" in names:
        return "这是 PowerPoint 演示文稿（.ppt）文件，不是 Word 文档，无法读取"
    if "matost" in names or ("contents" in names and "quill" not in names):
        # Microsoft Works' word processor (.wps) and the old Kingsoft WPS formats keep their text in a
        # CONTENTS stream of their own layout, not in the Word format (Publisher's has a Quill storage too).
        return "这是旧版 WPS/Works 文字处理格式（非 Word 97–2003 格式），暂不支持，请用 WPS 或 Word 另存为 .docx 或 .doc 后再导入"
    return "这是 OLE 复合文档，但其中没有 Word 正文（WordDocument 流），不是可读取的 Word 文档"


def _stream(ole, name: str) -> bytes:
    try:
        return ole.openstream(name).read()
    except Exception as err:  # a FAT chain that loops or points outside the file
        raise ReadError(CORRUPT.format(what=f"{name} 流无法读取")) from err


class _Fib:
    """The parts of the FIB this reader needs."""

    def __init__(self, word: bytes) -> None:
        if len(word) < 34:
            raise ReadError(CORRUPT.format(what="文件头不完整"))
        ident, nfib = struct.unpack_from("<HH", word, 0)
        if ident != 0xA5EC:
            if ident == 0xA5DC:
                raise ReadError("这是 Word 6.0/95 格式的 .doc 文件，暂不支持，请用 Word 或 WPS 另存为 .docx 后再导入")
            raise ReadError(CORRUPT.format(what="文件头标识不正确"))
        self.flags = struct.unpack_from("<H", word, 0x0A)[0]
        if self.flags & (_F_ENCRYPTED | _F_OBFUSCATED):
            raise ReadError(ENCRYPTED)
        if nfib <= _NFIB_LAST_WORD95:
            raise ReadError("这是 Word 6.0/95 格式的 .doc 文件，暂不支持，请用 Word 或 WPS 另存为 .docx 后再导入")
        at = 32
        csw = struct.unpack_from("<H", word, at)[0]
        at += 2 + 2 * csw
        cslw = struct.unpack_from("<H", word, at)[0]
        lw = at + 2
        if cslw < 4:
            raise ReadError(CORRUPT.format(what="文件头不完整"))
        self.ccp_text = struct.unpack_from("<i", word, lw + 12)[0]
        at = lw + 4 * cslw
        cb_fclcb = struct.unpack_from("<H", word, at)[0]
        pairs = at + 2
        if cb_fclcb <= _PAIR_CLX:
            raise ReadError(CORRUPT.format(what="文件头不完整"))
        self.fc_clx, self.lcb_clx = struct.unpack_from("<II", word, pairs + 8 * _PAIR_CLX)
        self.fc_bte_papx, self.lcb_bte_papx = struct.unpack_from("<II", word, pairs + 8 * _PAIR_PLCF_BTE_PAPX)
        self.fc_stshf, self.lcb_stshf = struct.unpack_from("<II", word, pairs + 8 * _PAIR_STSHF)
        self.fc_lst = self.lcb_lst = self.fc_lfo = self.lcb_lfo = 0
        if cb_fclcb > _PAIR_PLF_LFO:  # lists came with Word 97; the pairs are there in every Word 97 FIB
            self.fc_lst, self.lcb_lst = struct.unpack_from("<II", word, pairs + 8 * _PAIR_PLF_LST)
            self.fc_lfo, self.lcb_lfo = struct.unpack_from("<II", word, pairs + 8 * _PAIR_PLF_LFO)


@dataclass(slots=True)
class _Piece:
    cp_start: int
    cp_end: int
    fc: int  # byte offset in WordDocument of the piece's first character
    compressed: bool
    grpprl: bytes  # sprms the piece's Prm applies to paragraphs ending in it


@dataclass(slots=True)
class _Para:
    """One paragraph of the main text: its characters (without the mark), mark and properties."""
    text: str
    mark: str
    depth: int = 0  # table nesting depth: 0 body text, 1 a table, 2 a table in a table cell …
    cell_end: bool = False
    row_end: bool = False
    grpprl: bytes = b""
    ilfo: int = 0  # the list (1-based LFO index) the paragraph is numbered in; 0 none
    ilvl: int = 0  # its level in that list


@dataclass(slots=True)
class _Row:
    cells: list[list] = field(default_factory=list)  # each cell: its blocks (str paragraphs, Table)
    grpprl: bytes = b""


class _Reader:
    def __init__(self, word: bytes, table_stream: bytes, data_stream: bytes, fib: _Fib) -> None:
        self.word = word
        self.table = table_stream
        self.data = data_stream
        self.fib = fib
        self.pieces = self._pieces()
        self.piece_starts = [p.cp_start for p in self.pieces]
        # grpprl and mark → (depth, cell end, row end, list, list level)
        self._props: dict[bytes, tuple[int, bool, bool, int, int]] = {}
        self.lists = _Lists(table_stream, fib)
        self.styles = _Styles(table_stream, fib)
        self.papx_fcs, self.papx_runs = self._papx_runs()
        self._resolved: dict[bytes, bytes] = {}  # an FKP run's sprms → the same, sprmPHugePapx resolved

    # --- the piece table ------------------------------------------------------------------------
    def _pieces(self) -> list[_Piece]:
        clx = self.table[self.fib.fc_clx: self.fib.fc_clx + self.fib.lcb_clx]
        if len(clx) != self.fib.lcb_clx or not clx:
            raise ReadError(CORRUPT.format(what="分段表（CLX）超出文件范围"))
        prcs: list[bytes] = []
        at = 0
        while at < len(clx) and clx[at] == 0x01:  # Prc: sprms pieces may refer to
            size = struct.unpack_from("<h", clx, at + 1)[0]
            if size < 0:
                raise ReadError(CORRUPT.format(what="分段表（CLX）格式不正确"))
            prcs.append(clx[at + 3: at + 3 + size])
            at += 3 + size
        if at >= len(clx) or clx[at] != 0x02:
            raise ReadError(CORRUPT.format(what="分段表（CLX）格式不正确"))
        lcb = struct.unpack_from("<I", clx, at + 1)[0]
        plc = clx[at + 5: at + 5 + lcb]
        if len(plc) != lcb or lcb < 16 or (lcb - 4) % 12:
            raise ReadError(CORRUPT.format(what="分段表（CLX）格式不正确"))
        n = (lcb - 4) // 12
        cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
        pieces = []
        for i in range(n):
            _, fc, prm = struct.unpack_from("<HIH", plc, 4 * (n + 1) + 8 * i)
            compressed = bool(fc & 0x40000000)
            fc &= 0x3FFFFFFF
            if compressed:
                fc //= 2
            grpprl = b""
            if prm & 1:  # Prm1: an index into the Prc list
                index = prm >> 1
                if index < len(prcs):
                    grpprl = prcs[index]
            if cps[i + 1] < cps[i]:
                raise ReadError(CORRUPT.format(what="分段表（CLX）顺序错误"))
            pieces.append(_Piece(cps[i], cps[i + 1], fc, compressed, grpprl))
        return pieces

    def _text(self) -> str:
        """The main document's characters (pieces in character order)."""
        if self.fib.ccp_text > MAX_CHARACTERS:
            raise ReadError("文件文字过多，疑似异常文件，已拒绝读取")
        end = self.fib.ccp_text
        parts: list[str] = []
        for piece in self.pieces:
            if piece.cp_start >= end:
                break
            count = min(piece.cp_end, end) - piece.cp_start
            width = 1 if piece.compressed else 2
            raw = self.word[piece.fc: piece.fc + count * width]
            if len(raw) != count * width:
                raise ReadError(CORRUPT.format(what="正文超出文件范围"))
            parts.append(raw.decode("cp1252", errors="replace") if piece.compressed else raw.decode("utf-16-le", errors="replace"))
        return "".join(parts)

    def _piece_at(self, cp: int) -> _Piece | None:
        i = bisect_right(self.piece_starts, cp) - 1
        if i >= 0 and cp < self.pieces[i].cp_end:
            return self.pieces[i]
        return None

    # --- paragraph properties -----------------------------------------------------------------
    def _papx_runs(self) -> tuple[list[int], list[tuple[int, bytes]]]:
        """Every paragraph run of the FKP pages, as (start fc list, [(end fc, grpprl)]), sorted by fc."""
        plc = self.table[self.fib.fc_bte_papx: self.fib.fc_bte_papx + self.fib.lcb_bte_papx]
        runs: list[tuple[int, int, bytes]] = []
        if len(plc) >= 12 and (len(plc) - 4) % 8 == 0:
            n = (len(plc) - 4) // 8
            for i in range(n):
                pn = struct.unpack_from("<I", plc, 4 * (n + 1) + 4 * i)[0] & 0x3FFFFF
                page = self.word[pn * 512: pn * 512 + 512]
                if len(page) != 512:
                    continue
                crun = page[511]
                if crun == 0 or 4 * (crun + 1) + 13 * crun > 511:
                    continue
                fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
                for j in range(crun):
                    b_offset = page[4 * (crun + 1) + 13 * j] * 2
                    grpprl = b""
                    if b_offset:
                        cb = page[b_offset]
                        if cb:
                            body = page[b_offset + 1: b_offset + 1 + 2 * cb - 1]
                        else:
                            cb2 = page[b_offset + 1] if b_offset + 1 < 512 else 0
                            body = page[b_offset + 2: b_offset + 2 + 2 * cb2]
                        grpprl = body  # the style index (istd), then the sprms
                    runs.append((fcs[j], fcs[j + 1], grpprl))
        runs.sort(key=lambda r: r[0])
        return [r[0] for r in runs], [(r[1], r[2]) for r in runs]

    def _papx(self, fc: int) -> bytes:
        """The sprms of the paragraph whose mark is at byte `fc` of WordDocument: its style's, then its own
        (a later sprm overrides an earlier one)."""
        i = bisect_right(self.papx_fcs, fc) - 1
        if i < 0 or fc >= self.papx_runs[i][0]:
            return self.styles.papx(0)  # no run: the Normal style
        papx = self.papx_runs[i][1]
        resolved = self._resolved.get(papx)
        if resolved is None:
            istd = struct.unpack_from("<H", papx)[0] if len(papx) >= 2 else 0
            resolved = self._resolved[papx] = self.styles.papx(istd) + self._huge(papx[2:])
        return resolved

    def _huge(self, grpprl: bytes) -> bytes:
        """Paragraph properties too long for an FKP page are a PrcData in the Data stream (sprmPHugePapx)."""
        for sprm, operand in _sprms(grpprl):
            if sprm == _SPRM_P_HUGE_PAPX:
                at = struct.unpack("<I", operand)[0]
                if at + 2 <= len(self.data):
                    size = struct.unpack_from("<h", self.data, at)[0]
                    if size > 0:
                        return self.data[at + 2: at + 2 + size]
        return grpprl

    # --- paragraphs ---------------------------------------------------------------------------
    def paragraphs(self) -> list[_Para]:
        text = _without_field_codes(self._text())
        paras: list[_Para] = []
        at = 0
        for match in _MARKS.finditer(text):
            cp, mark = match.start(), match.group()
            piece = self._piece_at(cp)
            grpprl = b""
            if piece is not None:
                fc = piece.fc + (cp - piece.cp_start) * (1 if piece.compressed else 2)
                grpprl = self._papx(fc) + piece.grpprl
            para = _Para(text[at:cp].translate(_TEXT), mark, grpprl=grpprl)
            key = grpprl + mark.encode()
            props = self._props.get(key)
            if props is None:
                _apply_paragraph_sprms(para)
                props = self._props[key] = (para.depth, para.cell_end, para.row_end, para.ilfo, para.ilvl)
            para.depth, para.cell_end, para.row_end, para.ilfo, para.ilvl = props
            if para.ilfo and not para.row_end:
                # Word's automatic list number ("三、", "（一）") is not in the text: print it, as Word shows it.
                para.text = self.lists.prefix(para.ilfo, para.ilvl) + para.text
            paras.append(para)
            at = cp + 1
        tail = text[at:].translate(_TEXT)
        if tail.strip():
            paras.append(_Para(tail, "\r"))
        return paras

    # --- blocks -------------------------------------------------------------------------------
    def document(self) -> Document:
        doc = Document()
        stack: list[_Row | None] = []  # per open table: its rows so far are in `tables`, its current row here
        tables: list[list[_Row]] = []
        cell: list[list] = []  # per open table: the blocks of the cell being read

        def close_table() -> list:
            rows = tables.pop()
            current = stack.pop()
            cell.pop()
            if current is not None and current.cells:
                rows.append(current)  # a row whose end mark is missing
            return _blocks_of(rows)

        def emit(blocks: list) -> None:
            if cell:
                cell[-1].extend(blocks)
            else:
                doc.blocks.extend(Paragraph(b) if isinstance(b, str) else b for b in blocks)

        for para in self.paragraphs():
            depth = para.depth
            while len(stack) > depth:
                emit(close_table())
            while len(stack) < depth:
                tables.append([])
                stack.append(_Row())
                cell.append([])
            text = clean_text(para.text)
            if depth == 0:
                if text:
                    doc.blocks.append(Paragraph(text))
                continue
            row = stack[-1]
            if para.row_end:
                row.grpprl = para.grpprl
                if cell[-1]:  # text after the last cell mark: keep it in a cell of its own
                    row.cells.append(cell[-1])
                tables[-1].append(row)
                stack[-1] = _Row()
                cell[-1] = []
                continue
            if text:
                cell[-1].append(text)
            if para.cell_end:
                row.cells.append(cell[-1])
                cell[-1] = []
        while stack:
            emit(close_table())
        return doc


def _without_field_codes(text: str) -> str:
    """The text with every field's code (between \\x13 and \\x14, or to \\x15 if there is no separator)
    and the three field marks replaced by \\x00, so that positions still match the piece table."""
    if "\x13" not in text:
        return text
    out: list[str] = []
    # One entry per open field: whether its code is still being read (before the separator).  Between two
    # field marks the text is hidden or shown as a whole: hidden while any open field is in its code.
    open_fields: list[bool] = []
    at = 0
    for match in _FIELD_MARKS.finditer(text):
        segment = text[at: match.start()]
        # Paragraph marks stay whatever the field: they end paragraphs.
        out.append(_NOT_MARK.sub("\x00", segment) if any(open_fields) else segment)
        ch = match.group()
        if ch == "\x13":
            open_fields.append(True)
        elif ch == "\x14" and open_fields:
            open_fields[-1] = False
        elif ch == "\x15" and open_fields:
            open_fields.pop()
        out.append("\x00")
        at = match.end()
    segment = text[at:]
    out.append(_NOT_MARK.sub("\x00", segment) if any(open_fields) else segment)
    return "".join(out)


_FIELD_MARKS = re.compile("[\x13\x14\x15]")
_NOT_MARK = re.compile("[^\r\x07\x0c\x0e]")


# --- paragraph styles --------------------------------------------------------------------------------
class _Styles:
    """Each paragraph style's sprms from the stylesheet (STSH), its base styles' first: a heading numbered by
    its style (Word's 标题 1 with a list) has the list only there.  A damaged stylesheet only costs the
    styles' properties."""

    def __init__(self, table: bytes, fib: _Fib) -> None:
        self.own: dict[int, tuple[int, bytes]] = {}  # istd → (base istd, the style's own paragraph sprms)
        self._resolved: dict[int, bytes] = {}
        try:
            self._load(table[fib.fc_stshf: fib.fc_stshf + fib.lcb_stshf])
        except (struct.error, IndexError, ValueError):
            self.own = {}

    def _load(self, stsh: bytes) -> None:
        if len(stsh) < 6:
            return
        cb_stshi = struct.unpack_from("<H", stsh, 0)[0]
        cstd, cb_base = struct.unpack_from("<HH", stsh, 2)
        at = 2 + cb_stshi
        for istd in range(cstd):
            if at + 2 > len(stsh):
                break
            cb_std = struct.unpack_from("<H", stsh, at)[0]
            std = stsh[at + 2: at + 2 + cb_std]
            at += 2 + cb_std
            if len(std) < max(cb_base, 10) + 2:
                continue  # an empty slot
            stk_base, cupx_next = struct.unpack_from("<HH", std, 2)
            if stk_base & 0x0F != 1 or cupx_next & 0x0F < 1:
                continue  # not a paragraph style
            cch = struct.unpack_from("<H", std, cb_base)[0]
            upx = cb_base + 2 + 2 * cch + 2  # after the name and its terminating zero
            cb_upx = struct.unpack_from("<H", std, upx)[0]
            papx = std[upx + 2: upx + 2 + cb_upx]
            if len(papx) < 2:
                continue
            self.own[istd] = (stk_base >> 4, papx[2:])  # the UpxPapx's istd repeats this style's

    def papx(self, istd: int) -> bytes:
        """The paragraph sprms style `istd` gives, its base styles' first."""
        resolved = self._resolved.get(istd)
        if resolved is None:
            chain: list[bytes] = []
            seen: set[int] = set()
            at = istd
            while at in self.own and at not in seen:  # a loop of bases is damage: stop at the repeat
                seen.add(at)
                base, own = self.own[at]
                chain.append(own)
                at = base
            resolved = self._resolved[istd] = b"".join(reversed(chain))
        return resolved


# --- automatic list numbers ------------------------------------------------------------------------
# The number formats (nfc) in the order of [MS-DOC]'s MSONFC, named as WordprocessingML names them, so that the
# DOCX reader's formatting serves both.
_NFC = ["decimal", "upperRoman", "lowerRoman", "upperLetter", "lowerLetter", "ordinal", "cardinalText", "ordinalText",
        "hex", "chicago", "ideographDigital", "japaneseCounting", "aiueo", "iroha", "decimalFullWidth",
        "decimalHalfWidth", "japaneseLegal", "japaneseDigitalTenThousand", "decimalEnclosedCircle",
        "decimalFullWidth2", "aiueoFullWidth", "irohaFullWidth", "decimalZero", "bullet", "ganada", "chosung",
        "decimalEnclosedFullstop", "decimalEnclosedParen", "decimalEnclosedCircleChinese", "ideographEnclosedCircle",
        "ideographTraditional", "ideographZodiac", "ideographZodiacTraditional", "taiwaneseCounting",
        "ideographLegalTraditional", "taiwaneseCountingThousand", "taiwaneseDigital", "chineseCounting",
        "chineseLegalSimplified", "chineseCountingThousand"]


@dataclass(slots=True)
class _Lvl:
    start: int
    fmt: str
    text: str  # the number text; characters \x00 … \x08 stand for the number of that level


class _Lists:
    """The list definitions (PlfLst and the LVLs after it) and list instances (PlfLfo), and running counters.

    Damaged list tables only cost the numbers: anything unreadable leaves the lists empty."""

    def __init__(self, table: bytes, fib: _Fib) -> None:
        self.levels: dict[int, list[_Lvl]] = {}  # lsid → its levels
        self.lfo_lsid: list[int] = []  # LFO index - 1 → lsid
        self.start_at: dict[tuple[int, int], int] = {}  # (LFO index, level) → a start-at override
        self.counters: dict[int, dict[int, int]] = {}  # lsid → level → last number
        try:
            self._load(table, fib)
        except (struct.error, IndexError, ValueError):
            self.levels, self.lfo_lsid, self.start_at = {}, [], {}

    def _load(self, table: bytes, fib: _Fib) -> None:
        if not fib.lcb_lst or not fib.lcb_lfo:
            return
        at = fib.fc_lst
        count = struct.unpack_from("<h", table, at)[0]
        if count <= 0 or at + 2 + 28 * count > len(table):
            return
        lstfs = [(struct.unpack_from("<I", table, at + 2 + 28 * i)[0], table[at + 2 + 28 * i + 26] & 1) for i in range(count)]
        at = fib.fc_lst + fib.lcb_lst  # the LVLs follow the PlfLst, list by list
        for lsid, simple in lstfs:
            levels = []
            for _ in range(1 if simple else 9):
                level, at = _read_lvl(table, at)
                levels.append(level)
            self.levels[lsid] = levels
        at = fib.fc_lfo
        lfo_count = struct.unpack_from("<I", table, at)[0]
        if lfo_count > 0xFFFF or at + 4 + 16 * lfo_count > len(table):
            return
        overrides = []
        for i in range(lfo_count):
            lsid = struct.unpack_from("<I", table, at + 4 + 16 * i)[0]
            self.lfo_lsid.append(lsid)
            overrides.append(table[at + 4 + 16 * i + 12])
        at += 4 + 16 * lfo_count
        for i, n in enumerate(overrides):  # LFOData: a cp, then each LFOLVL (with an LVL if it replaces the level)
            at += 4
            for _ in range(n):
                start, flags = struct.unpack_from("<iI", table, at)
                at += 8
                if flags & 0x10:
                    self.start_at[(i + 1, flags & 0x0F)] = start
                if flags & 0x20:
                    _, at = _read_lvl(table, at)

    def prefix(self, ilfo: int, ilvl: int) -> str:
        """The number Word shows before a paragraph of list `ilfo` at level `ilvl`, advancing the counters."""
        if not 0 < ilfo <= len(self.lfo_lsid):
            return ""
        lsid = self.lfo_lsid[ilfo - 1]
        levels = self.levels.get(lsid)
        if not levels or ilvl >= len(levels) or levels[ilvl].fmt in ("bullet", "none"):
            return ""  # a bullet is a symbol-font glyph, not text
        counters = self.counters.setdefault(lsid, {})
        start = self.start_at.get((ilfo, ilvl), levels[ilvl].start)
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a new item restarts the sub-lists under it
        out = []
        for ch in levels[ilvl].text:
            k = ord(ch)
            if k < 9:
                level = levels[k] if k < len(levels) else _Lvl(1, "decimal", "")
                out.append(_format_number(counters.get(k, level.start), level.fmt))
            else:
                out.append(ch)
        return "".join(out)


def _read_lvl(table: bytes, at: int) -> tuple[_Lvl, int]:
    """One LVL: its LVLF (28 bytes), the paragraph and character sprms, then the number text (an Xst)."""
    start, nfc = struct.unpack_from("<iB", table, at)
    cb_chpx, cb_papx = table[at + 24], table[at + 25]
    at += 28 + cb_papx + cb_chpx
    cch = struct.unpack_from("<H", table, at)[0]
    raw = table[at + 2: at + 2 + 2 * cch]
    if len(raw) != 2 * cch:
        raise ValueError("LVL past the end of the table stream")
    fmt = "none" if nfc == 255 else _NFC[nfc] if nfc < len(_NFC) else "decimal"
    return _Lvl(start, fmt, raw.decode("utf-16-le", errors="replace")), at + 2 + 2 * cch


# --- sprms ------------------------------------------------------------------------------------------
def _sprms(grpprl: bytes):
    """(sprm, operand) for each property modifier in `grpprl`; stops at a truncated one."""
    at = 0
    n = len(grpprl)
    while at + 2 <= n:
        sprm = grpprl[at] | grpprl[at + 1] << 8
        at += 2
        spra = sprm >> 13
        if spra in (0, 1):
            size = 1
        elif spra in (2, 4, 5):
            size = 2
        elif spra == 3:
            size = 4
        elif spra == 7:
            size = 3
        elif sprm == _SPRM_T_DEF_TABLE:
            if at + 2 > n:
                return
            size = (grpprl[at] | grpprl[at + 1] << 8) + 1
        elif sprm == _SPRM_P_CHG_TABS and at < n and grpprl[at] == 255:
            size = _chg_tabs_size(grpprl, at)
        else:
            if at >= n:
                return
            size = grpprl[at] + 1
        if at + size > n:
            return
        yield sprm, grpprl[at: at + size]
        at += size


def _chg_tabs_size(grpprl: bytes, at: int) -> int:
    """sprmPChgTabs with cb 255: PChgTabsDelClose then PChgTabsAdd, each counted ([MS-DOC] 2.6.2)."""
    pos = at + 1
    deleted = grpprl[pos] if pos < len(grpprl) else 0
    pos += 1 + 4 * deleted
    added = grpprl[pos] if pos < len(grpprl) else 0
    pos += 1 + 3 * added
    return pos - at


def _apply_paragraph_sprms(para: _Para) -> None:
    in_table = False
    ttp = inner_cell = inner_ttp = False
    itap = None
    for sprm, operand in _sprms(para.grpprl):
        if sprm == _SPRM_P_ILFO:
            para.ilfo = struct.unpack("<h", operand)[0]
        elif sprm == _SPRM_P_ILVL:
            para.ilvl = operand[0]
        elif sprm == _SPRM_P_IN_TABLE:
            in_table = bool(operand[0])
        elif sprm == _SPRM_P_TTP:
            ttp = bool(operand[0])
        elif sprm == _SPRM_P_ITAP:
            itap = struct.unpack("<i", operand)[0]
        elif sprm == _SPRM_P_DTAP:
            itap = (itap if itap is not None else int(in_table)) + struct.unpack("<i", operand)[0]
        elif sprm == _SPRM_P_INNER_CELL:
            inner_cell = bool(operand[0])
        elif sprm == _SPRM_P_INNER_TTP:
            inner_ttp = bool(operand[0])
    depth = itap if itap is not None else int(in_table)
    # A mark outside a table has no depth; a depth past any real nesting is damage.
    para.depth = max(0, min(depth if (in_table or itap) else 0, 64))
    if para.depth == 1:
        para.row_end = ttp and para.mark == "\x07"
        para.cell_end = para.mark == "\x07" and not para.row_end
    elif para.depth > 1:
        para.row_end = inner_ttp
        para.cell_end = inner_cell and not inner_ttp


# --- table geometry -----------------------------------------------------------------------------------
@dataclass(slots=True)
class _Tap:
    edges: list[int]  # itcMac + 1 cell boundaries, in twips
    horz: list[int]  # per cell: 0 not merged, 1 first of a horizontal merge, 2/3 merged into the cell before
    vert: list[int]  # per cell: 0 not merged, 3 first of a vertical merge, 1 (or 2) continues the cell above


def _tap(grpprl: bytes) -> _Tap | None:
    tap: _Tap | None = None
    for sprm, operand in _sprms(grpprl):
        if sprm == _SPRM_T_DEF_TABLE and len(operand) >= 3:
            count = operand[2]
            if len(operand) < 3 + 2 * (count + 1):
                continue
            edges = list(struct.unpack_from(f"<{count + 1}h", operand, 3))
            horz, vert = [0] * count, [0] * count
            at = 3 + 2 * (count + 1)
            for i in range(count):
                if at + 20 > len(operand):
                    break  # fewer TC80s than cells: the rest are plain
                flags = operand[at] | operand[at + 1] << 8
                horz[i] = flags & 3
                vert[i] = (flags >> 5) & 3
                at += 20
            tap = _Tap(edges, horz, vert)
        elif sprm == _SPRM_T_VERT_MERGE and tap is not None and len(operand) >= 3:
            itc, how = operand[1], operand[2]
            if itc < len(tap.vert):
                tap.vert[itc] = how
        elif sprm == _SPRM_T_MERGE and tap is not None and len(operand) >= 2:
            first, last = operand[0], operand[1]
            for i in range(first, min(last, len(tap.horz))):
                tap.horz[i] = 1 if i == first else 2
        elif sprm == _SPRM_T_SPLIT and tap is not None and len(operand) >= 2:
            for i in range(operand[0], min(operand[1], len(tap.horz))):
                tap.horz[i] = 0
    return tap


# Cell edges of different rows closer than this (twips; 20 a point) are one grid line: a converter
# rounds the same column's width differently from row to row.
_EDGE_TOLERANCE = 30


def _blocks_of(rows: list[_Row]) -> list:
    """A finished table as blocks: one Table, or, for a layout frame holding tables, its content."""
    if any(isinstance(b, Table) for row in rows for c in row.cells for b in c):
        out: list = []
        for row in rows:
            for c in row.cells:
                out.extend(c)
        return out
    if not rows:
        return []
    return [_table(rows)]


def _cell_text(blocks: list) -> str:
    return clean_text("\n".join(b for b in blocks if isinstance(b, str)))


def _table(rows: list[_Row]) -> Table:
    taps = [_tap(row.grpprl) for row in rows]
    # Each row's cells: (text, left edge, right edge, horizontal flag, vertical flag); edges None if unknown.
    laid: list[list[list]] = []
    for row, tap in zip(rows, taps):
        cells = []
        usable = tap is not None and len(tap.edges) == len(row.cells) + 1 and all(
            tap.edges[i] < tap.edges[i + 1] for i in range(len(row.cells)))
        for i, blocks in enumerate(row.cells):
            if usable:
                cells.append([_cell_text(blocks), tap.edges[i], tap.edges[i + 1], tap.horz[i], tap.vert[i]])
            else:
                cells.append([_cell_text(blocks), None, None, 0, 0])
        laid.append(cells)
    return table_from_layout(laid)


def table_from_layout(laid: list[list[list]]) -> Table:
    """A Table from rows of cells given as [text, left edge, right edge, horizontal merge flag, vertical
    merge flag] (edges None when unknown; flags as Word's TC: horizontal 1 first, 2/3 joined to the cell
    before; vertical 3 first, 1/2 continues the cell above).  Shared with the RTF reader, whose \\cellx,
    \\clmgf/\\clmrg and \\clvmgf/\\clvmrg say the same."""
    laid = [_join_horizontal(row) for row in laid]
    lines = _grid_lines([c for row in laid for c in row if c[1] is not None])
    columns: dict[int, int] = {}

    def column(edge: int) -> int:
        """The grid line nearest to a cell edge."""
        if edge not in columns:
            k = bisect_right(lines, edge)
            columns[edge] = min((j for j in (k - 1, k) if 0 <= j < len(lines)), key=lambda j: abs(lines[j] - edge))
        return columns[edge]

    out_rows: list[list[Cell]] = []
    for r, row in enumerate(laid):
        out: list[Cell] = []
        if row and row[0][1] is not None and column(row[0][1]) > 0:
            # The row starts right of the table's left edge (Word's gridBefore): the columns it skips are
            # an empty cell, as the DOCX reader reads w:gridBefore, so the cells after stay in their columns.
            out.append(Cell("", 1, column(row[0][1])))
        for cell in row:
            text, left, right, _, vert = cell
            if left is None:
                out.append(Cell(text))
                continue
            if vert in (1, 2) and r > 0:
                continue  # continues the cell above: that cell has the row span
            colspan = max(1, column(right) - column(left))
            rowspan = 1
            if vert == 3:
                for below in laid[r + 1:]:
                    if any(c[1] is not None and c[4] in (1, 2) and column(c[1]) == column(left) for c in below):
                        rowspan += 1
                    else:
                        break
            out.append(Cell(text, rowspan, colspan))
        out_rows.append(out)
    return Table(out_rows)


def _join_horizontal(cells: list[list]) -> list[list]:
    """Cells of one row with the legacy horizontal merges joined: the first cell takes the others' width."""
    out: list[list] = []
    for cell in cells:
        if cell[3] in (2, 3) and out and out[-1][1] is not None and cell[1] is not None:
            out[-1][2] = cell[2]
            if cell[0]:
                out[-1][0] = clean_text(out[-1][0] + "\n" + cell[0])
        else:
            out.append(cell)
    return out


def _grid_lines(cells: list[list]) -> list[int]:
    """The table's column boundaries: every cell edge, with edges within the tolerance taken as one."""
    edges = sorted({e for c in cells for e in (c[1], c[2])})
    lines: list[int] = []
    for edge in edges:
        if lines and edge - lines[-1] <= _EDGE_TOLERANCE:
            continue
        lines.append(edge)
    return lines
