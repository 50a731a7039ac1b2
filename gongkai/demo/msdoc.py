"""A small Word 97–2003 (.doc) writer, to the published formats: [MS-CFB] for the compound file and
[MS-DOC] for the WordDocument stream.

It exists so that tests can make .doc (and WPS .wps, the same format) files of random reports without a
word processor: the round trip through the .doc reader then covers the structures real writers use — a
piece table (one UTF-16 piece, or many with the ASCII ones compressed, in or out of stream order),
paragraph properties in FKP pages (sprmPFInTable, sprmPItap, sprmPFTtp), table rows described by
sprmTDefTable (merged cells as wide cells with TC80 vertMerge flags, or as Word 97's horzMerge flags with
sprmTVertMerge), line breaks inside cells (\\x0b), a stylesheet and list tables (headings numbered by
their style, on request) and, on request, the FIB's encryption flag.  Field codes are not written (a real
field needs its characters marked special and a field table; the LibreOffice fixtures in
tests/fixtures/word97 hold real ones).  It writes what the reader needs and what LibreOffice needs to open
the file (character runs, a section, styles); no fonts or document properties.  LibreOffice opens its
files and reads the same figures and numbered headings from them (checked by hand: the tests do not run
LibreOffice).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from gongkai.demo.render import Grid, ReportSpec, _blocks

# [MS-CFB] constants
_SECTOR = 512
_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NO_STREAM = 0xFFFFFFFF
_MINI_CUTOFF = 4096

_TWIPS_PER_MM = 56.6929


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file (version 3, 512-byte sectors) holding `streams` under the root storage.

    Streams shorter than the mini-stream cutoff are padded with zeros up to it, so that every stream lives
    in ordinary sectors (no mini stream to write)."""
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # the directory's order of names
    datas = [streams[n].ljust(_MINI_CUTOFF, b"\0") for n in names]
    chains: list[tuple[int, int]] = []  # (first sector, sector count) of each stream
    sector = 0
    for data in datas:
        count = -(-len(data) // _SECTOR)
        chains.append((sector, count))
        sector += count
    entries = 1 + len(names)
    dir_sectors = -(-entries * 128 // _SECTOR)
    dir_start = sector
    sector += dir_sectors
    fat_sectors = 1
    while (sector + fat_sectors) > fat_sectors * (_SECTOR // 4):
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("compound file too large for a header-only DIFAT")
    fat_start = sector
    total = sector + fat_sectors
    fat = [_FREE] * (fat_sectors * (_SECTOR // 4))
    for first, count in chains + [(dir_start, dir_sectors)]:
        for i in range(count):
            fat[first + i] = first + i + 1 if i + 1 < count else _END
    for i in range(fat_sectors):
        fat[fat_start + i] = _FAT

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, _NO_STREAM, right, child)
                + bytes(16 + 4 + 16) + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, 1 if names else _NO_STREAM, _NO_STREAM, _END, 0)
    for i, (name, data, (first, _)) in enumerate(zip(names, datas, chains)):
        # Every entry black, each the right sibling of the one before: a valid (if unbalanced) tree.
        right = i + 2 if i + 1 < len(names) else _NO_STREAM
        directory += entry(name, 2, _NO_STREAM, right, first, len(data))
    directory = directory.ljust(dir_sectors * _SECTOR, b"\0")
    # Unused directory slots are empty entries whose siblings and child say "none".
    for at in range(entries * 128, len(directory), 128):
        directory = directory[:at + 68] + struct.pack("<III", _NO_STREAM, _NO_STREAM, _NO_STREAM) + directory[at + 80:]

    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, fat_sectors, dir_start, 0, _MINI_CUTOFF, _END, 0, _END, 0))
    difat = [fat_start + i for i in range(fat_sectors)] + [_FREE] * (109 - fat_sectors)
    header += struct.pack("<109I", *difat)
    body = b"".join(d.ljust(c * _SECTOR, b"\0") for d, (_, c) in zip(datas, chains))
    out = header + body + directory + struct.pack(f"<{len(fat)}I", *fat)
    assert len(out) == _SECTOR * (1 + total)
    return out


# ---------------------------------------------------------------- [MS-DOC]
def _sprm(code: int, operand: bytes) -> bytes:
    return struct.pack("<H", code) + operand


_IN_TABLE = _sprm(0x2416, b"\x01") + _sprm(0x6649, struct.pack("<i", 1))  # sprmPFInTable, sprmPItap 1
_ROW_END = _IN_TABLE + _sprm(0x2417, b"\x01")  # sprmPFTtp


def _def_table(edges: list[int], vert: list[int], horz: list[int]) -> bytes:
    """sprmTDefTable: the row's cell edges (twips) and one TC80 per cell with its horzMerge and vertMerge flags."""
    count = len(edges) - 1
    body = bytes([count]) + struct.pack(f"<{count + 1}h", *edges)
    for h, v in zip(horz, vert):
        body += struct.pack("<HH", h | v << 5, 0) + bytes(16)  # tcgrf, wWidth, four nil borders
    return _sprm(0xD608, struct.pack("<H", len(body) + 1) + body)


@dataclass
class _Paragraph:
    text: str  # without its mark
    mark: str  # "\r" or "\x07"
    grpprl: bytes = b""
    istd: int = 0  # its paragraph style: 0 Normal, 1 the numbered heading style

    @property
    def papx(self) -> bytes:
        return struct.pack("<H", self.istd) + self.grpprl


_HEADING_NUMBER = re.compile(r"^[一二三四五六七八九十]+、")


def _paragraphs(blocks: list[tuple[str, object]], numbered_headings: bool, merges: str) -> list[_Paragraph]:
    out: list[_Paragraph] = []
    for kind, content in blocks:
        if kind == "heading" and numbered_headings and _HEADING_NUMBER.match(str(content)):
            # "二、" left to the heading style's list, as Word writes a heading numbered by 标题 1
            out.append(_Paragraph(_HEADING_NUMBER.sub("", str(content)), "\r", istd=1))
            continue
        if kind != "table":
            out.append(_Paragraph(str(content), "\r"))
            continue
        grid: Grid = content  # type: ignore[assignment]
        edges_all = [0]
        for width in grid.widths_mm:
            edges_all.append(edges_all[-1] + round(width * _TWIPS_PER_MM))
        for r in range(grid.nrows):
            edges = [0]
            vert: list[int] = []
            horz: list[int] = []
            c = 0
            while c < grid.ncols:
                cell = grid.owner[r][c]
                assert cell is not None
                end = cell.col + cell.colspan
                text = cell.text.replace("\n", "\x0b") if cell.row == r else ""
                # "edges": a cell as wide as the columns it spans (Word 2000 on); "flags": one cell a column,
                # the ones after the first flagged as merged into it (Word 97's horzMerge)
                widths = [end] if merges == "edges" else range(c + 1, end + 1)
                for i, edge in enumerate(widths):
                    out.append(_Paragraph(text if i == 0 else "", "\x07", _IN_TABLE))
                    vert.append(0 if cell.rowspan == 1 else 3 if cell.row == r else 1)
                    horz.append(0 if len(widths) == 1 else 1 if i == 0 else 2)
                    edges.append(edges_all[edge])
                c = end
            tap = _def_table(edges, [0] * len(vert), horz) if merges == "flags" else _def_table(edges, vert, horz)
            if merges == "flags":
                # vertical merges as sprmTVertMerge, one per merged cell, after the table definition
                tap += b"".join(_sprm(0xD62B, bytes([2, i, v])) for i, v in enumerate(vert) if v)
            out.append(_Paragraph("", "\x07", _ROW_END + tap))
        out.append(_Paragraph("", "\r"))  # Word ends a table with a paragraph outside it
    out.append(_Paragraph("", "\r"))
    return out


def _papx_in_fkp(body: bytes) -> bytes:
    """PapxInFkp: the style index and the sprms, with the size byte(s) [MS-DOC] 2.9.175."""
    if len(body) % 2:
        return bytes([(len(body) + 1) // 2]) + body
    return b"\0" + bytes([len(body) // 2]) + body


def _papx_pages(runs: list[tuple[int, int, bytes]], first_page: int) -> tuple[bytes, bytes]:
    """FKP pages for paragraph runs (start fc, end fc, grpprl) and the PlcBtePapx that finds them."""
    pages: list[bytes] = []
    starts: list[int] = []
    i = 0
    while i < len(runs):
        taken: list[tuple[int, int, bytes]] = []
        blobs: dict[bytes, int] = {}
        free_end = 511  # PapxInFkp are placed from the end of the page down, on even offsets
        while i < len(runs):
            grpprl = runs[i][2]
            blob = _papx_in_fkp(grpprl)
            need = 0 if grpprl in blobs else len(blob) + 1
            header = 4 * (len(taken) + 2) + 13 * (len(taken) + 1)
            if header > free_end - need:
                break
            if grpprl not in blobs:
                free_end = (free_end - len(blob)) & ~1
                blobs[grpprl] = free_end
            taken.append(runs[i])
            i += 1
        if not taken:
            raise ValueError("paragraph properties too long for one FKP page")
        page = bytearray(_SECTOR)
        fcs = [r[0] for r in taken] + [taken[-1][1]]
        struct.pack_into(f"<{len(fcs)}I", page, 0, *fcs)
        for j, run in enumerate(taken):
            page[4 * len(fcs) + 13 * j] = blobs[run[2]] // 2
        for grpprl, at in blobs.items():
            blob = _papx_in_fkp(grpprl)
            page[at: at + len(blob)] = blob
        page[511] = len(taken)
        pages.append(bytes(page))
        starts.append(taken[0][0])
    plc = struct.pack(f"<{len(starts) + 1}I", *starts, runs[-1][1])
    plc += struct.pack(f"<{len(pages)}I", *range(first_page, first_page + len(pages)))
    return b"".join(pages), plc


def _chpx_page(fc_start: int, fc_end: int) -> bytes:
    """One CHPX FKP page: a single character run with default properties over all the text."""
    page = bytearray(_SECTOR)
    struct.pack_into("<II", page, 0, fc_start, fc_end)
    page[511] = 1
    return bytes(page)


def _stylesheet() -> bytes:
    """STSH: Normal (istd 0) and a heading style (istd 1) numbered by list 1 at level 0; the other
    fixed slots (up to istd 14) empty."""
    fixed = 15
    stshi = struct.pack("<HHHHHH", fixed, 10, 1, 0x5B, fixed, 0) + bytes(6) + b"\0\0"  # Stshif, ftcBi

    def std(sti: int, base: int, name: str, sprms: bytes, istd: int) -> bytes:
        encoded = name.encode("utf-16-le")
        upx_papx = struct.pack("<H", istd) + sprms
        body = (struct.pack("<HHHHH", sti, 1 | base << 4, 2 | istd << 4, 0, 0)  # StdfBase: stk 1, cupx 2
                + struct.pack("<H", len(name)) + encoded + b"\0\0"
                + struct.pack("<H", len(upx_papx)) + upx_papx + (b"\0" if len(upx_papx) % 2 else b"")
                + struct.pack("<H", 0))  # an empty UpxChpx
        body = body[:6] + struct.pack("<H", len(body)) + body[8:]  # bchUpe: the STD's size
        return struct.pack("<H", len(body)) + body

    styles = std(0, 0x0FFF, "Normal", b"", 0)
    styles += std(1, 0, "heading 1", _sprm(0x460B, struct.pack("<H", 1)) + _sprm(0x260A, b"\0"), 1)
    styles += b"\0\0" * (fixed - 2)
    return struct.pack("<H", len(stshi)) + stshi + styles


_LSID = 0x4E4B4F47


def _lists() -> tuple[bytes, bytes, bytes]:
    """(PlfLst, the LVLs that follow it, PlfLfo): one list whose level 0 prints 一、 二、 … (chineseCounting)
    and level 1 （一） （二） …; one list instance (LFO 1) of it."""
    lst = struct.pack("<h", 1) + struct.pack("<Ii", _LSID, 0) + struct.pack("<9H", *[0x0FFF] * 9) + b"\0\0"
    lvls = b""
    for level in range(9):
        text = {0: "\x00、", 1: "（\x01）"}.get(level, chr(level) + ".")
        nfc = 37 if level < 2 else 0
        nums = bytes([text.index(chr(level)) + 1]) + bytes(8)
        lvls += (struct.pack("<iBB", 1, nfc, 0) + nums + struct.pack("<BiiBBBB", 2, 0, 0, 0, 0, 0, 0)
                 + struct.pack("<H", len(text)) + text.encode("utf-16-le"))
    lfo = struct.pack("<I", 1) + struct.pack("<IIIBBBB", _LSID, 0, 0, 0, 0, 0, 0) + struct.pack("<I", 0)
    return lst, lvls, lfo


def _layout(paragraphs: list[_Paragraph], text_fc: int, pieces: str):
    """Where the text goes in WordDocument: (the text bytes, the Pcds as (cp start, cp end, fc field),
    the paragraph runs (start fc, end fc, papx) sorted by fc).

    pieces "one": one UTF-16 piece.  "mixed": a piece per stretch of paragraphs of one kind, those of
    ASCII only "compressed" (a byte a character, as Word writes them), the rest UTF-16.  "reversed": the
    same pieces stored in the stream last first, as Word's fast save leaves them."""
    groups: list[list[_Paragraph]] = []
    for p in paragraphs:
        narrow = pieces != "one" and (p.text + p.mark).isascii()
        if groups and (pieces == "one" or ((groups[-1][0].text + groups[-1][0].mark).isascii() == narrow)):
            groups[-1].append(p)
        else:
            groups.append([p])
    order = list(range(len(groups)))
    if pieces == "reversed":
        order.reverse()
    body = bytearray()
    placed: dict[int, int] = {}  # group → its byte offset in WordDocument
    for g in order:
        chars = "".join(p.text + p.mark for p in groups[g])
        narrow = pieces != "one" and chars.isascii()
        placed[g] = text_fc + len(body)
        body += chars.encode("ascii") if narrow else chars.encode("utf-16-le")
    pcds, runs = [], []
    cp = 0
    for g, group in enumerate(groups):
        chars = "".join(p.text + p.mark for p in group)
        narrow = pieces != "one" and chars.isascii()
        fc = placed[g]
        pcds.append((cp, cp + len(chars), (fc * 2) | 0x40000000 if narrow else fc))
        for p in group:
            end = fc + (len(p.text) + 1) * (1 if narrow else 2)
            runs.append((fc, end, p.papx))
            fc = end
        cp += len(chars)
    # The pieces lie back to back (no padding: LibreOffice loses its place in a table when a paragraph run
    # covers bytes outside every piece), so the runs, in stream order, are contiguous as FKPs require.
    runs.sort(key=lambda r: r[0])
    return bytes(body), pcds, runs


def write_doc(blocks: list[tuple[str, object]], *, encrypted: bool = False, numbered_headings: bool = False,
              pieces: str = "one", merges: str = "edges") -> bytes:
    """A .doc of ("title"|"heading"|"para", text) and ("table", Grid) blocks.

    `encrypted` sets the FIB's fEncrypted flag (the text stays readable: the reader must refuse by the
    flag, not by failing); `numbered_headings` leaves the "二、" of the section headings to a heading style
    numbered by a list (the stylesheet and list tables are written either way); `pieces` is how the text
    is cut into pieces (see _layout); `merges` "edges" writes a merged cell as one wide cell with its
    vertical merge in the TC80, "flags" as one cell a column joined by horzMerge flags, with its vertical
    merge as sprmTVertMerge."""
    paragraphs = _paragraphs(blocks, numbered_headings, merges)
    text = "".join(p.text + p.mark for p in paragraphs)
    fib_size = 32 + 2 + 28 + 2 + 88 + 2 + 93 * 8 + 2
    text_fc = 1024
    encoded, pcds, runs = _layout(paragraphs, text_fc, pieces)
    text_end = text_fc + len(encoded)
    chpx_page_no = -(-text_end // _SECTOR)
    papx_pages, plc_papx = _papx_pages(runs, chpx_page_no + 1)
    word_tail = _chpx_page(text_fc, text_end) + papx_pages
    word_size = (chpx_page_no * _SECTOR) + len(word_tail)

    # 1Table: the piece table, the two bin tables, the stylesheet, the lists and one section.
    table = b""
    pairs: dict[int, tuple[int, int]] = {}

    def put(index: int, data: bytes) -> None:
        nonlocal table
        pairs[index] = (len(table), len(data))
        table += data

    ccp = len(text)
    plc_pcd = struct.pack(f"<{len(pcds) + 1}I", *[p[0] for p in pcds], ccp)
    plc_pcd += b"".join(struct.pack("<HIH", 0, fc, 0) for _, _, fc in pcds)
    put(33, b"\x02" + struct.pack("<I", len(plc_pcd)) + plc_pcd)
    put(12, struct.pack("<III", text_fc, text_end, chpx_page_no))  # PlcBteChpx
    put(13, plc_papx)  # PlcBtePapx
    put(1, _stylesheet())
    lst, lvls, lfo = _lists()
    put(73, lst)
    table += lvls  # the LVLs follow the PlfLst, outside its fc/lcb
    put(74, lfo)
    put(6, struct.pack("<II", 0, ccp) + struct.pack("<HIHI", 0, 0xFFFFFFFF, 0, 0xFFFFFFFF))  # PlcfSed: one section, no SEPX

    fib = bytearray(fib_size)
    flags = 0x0200 | 0x1000 | (0x0100 if encrypted else 0) | (0x0004 if pieces != "one" else 0)  # fWhichTblStm (1Table), fExtChar, fEncrypted, fComplex
    struct.pack_into("<HHHHHH", fib, 0, 0xA5EC, 0x00C1, 0, 0x0804, 0, flags)
    struct.pack_into("<H", fib, 0x0C, 0x00BF)  # nFibBack
    struct.pack_into("<H", fib, 32, 14)
    struct.pack_into("<H", fib, 62, 22)
    struct.pack_into("<ii", fib, 64, word_size, 0)  # cbMac
    struct.pack_into("<i", fib, 64 + 12, ccp)  # ccpText
    struct.pack_into("<H", fib, 152, 93)
    for index, (at, size) in pairs.items():
        struct.pack_into("<II", fib, 154 + 8 * index, at, size)
    word = bytes(fib).ljust(text_fc, b"\0") + encoded
    word = word.ljust(chpx_page_no * _SECTOR, b"\0") + word_tail
    return compound_file({"WordDocument": word, "1Table": table})


def render_doc(spec: ReportSpec, **options) -> bytes:  # options: see write_doc
    """The report as a Word 97–2003 document (the same blocks as render_docx)."""
    return write_doc(_blocks(spec), **options)
