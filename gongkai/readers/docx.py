"""DOCX: the body of word/document.xml, walked in document order, as paragraphs and tables.

The XML is read with lxml directly rather than through python-docx's object layer: one report
then takes a few milliseconds instead of tens, and the walk can do what python-docx does not —
keep paragraphs and tables interleaved, resolve vertical merges into row spans, and print the
automatic list numbers ("三、", "（一）") that Word generates from numbering.xml and that the
mapper needs to find section headings and row labels.

Merged cells: a horizontal merge (w:gridSpan, or legacy w:hMerge) is one Cell with a colspan; a
vertical merge (w:vMerge restart … continue) is one Cell at the restart row with a rowspan, and
the continuation cells are omitted.  A table that holds other tables is a layout frame: its
content is walked as if it were body text, so only leaf tables come out as tables.

Pictures (a table pasted as a screenshot, a scanned page) are recognised by `gongkai.readers.ocr`
where they stand, so the OCR'd table comes after the heading above it like any other table.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

from lxml import etree

from gongkai.document import Cell, Document, Paragraph, ReadError, Table, clean_text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = "{%s}" % W
_STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"

# A real report's document.xml is well under 10 MB; parts declaring more than this in all are a zip bomb
# or not a report.  The cost is in parsing, not inflating: 20 MB of paragraphs takes 6.5 s and 420 MB of
# memory, so the former 200 MB limit let a 600 KB file cost a minute and 4 GB in each parse worker.
MAX_XML_BYTES = 50 * 1024 * 1024

# Never fetch DTDs or expand entities from a file we did not write.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)


def read(data: bytes) -> Document:
    parts = _read_parts(data)
    try:
        body_root = etree.fromstring(parts["word/document.xml"], _PARSER)
    except etree.XMLSyntaxError as err:
        raise ReadError("DOCX 文件内容已损坏（word/document.xml 无法解析），无法读取") from err
    numbering = _Numbering(parts.get("word/numbering.xml"), parts.get("word/styles.xml"))
    body = body_root.find(f"{_W}body")
    doc = Document()
    if body is not None:
        doc.blocks.extend(_Walker(numbering, _Pictures(data, parts.get(_RELS))).blocks(body))
    return doc


_RELS = "word/_rels/document.xml.rels"
_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
# A picture larger than this is no screenshot of a table (and would cost minutes to recognise).
MAX_PICTURE_BYTES = 20 * 1024 * 1024


class _Pictures:
    """The document's pictures by relationship id, read from the zip only when a paragraph shows one."""

    def __init__(self, data: bytes, rels_xml: bytes | None) -> None:
        self.data = data
        self.targets: dict[str, str] = {}
        if rels_xml:
            try:
                root = etree.fromstring(rels_xml, _PARSER)
            except etree.XMLSyntaxError:
                root = None
            for rel in root if root is not None else []:
                target, rid = rel.get("Target") or "", rel.get("Id") or ""
                if rel.get("TargetMode") != "External" and target and rel.get("Type", "").endswith("/image"):
                    self.targets[rid] = target.lstrip("/") if target.startswith("/") else "word/" + target

    def blocks(self, paragraph: etree._Element) -> list[Paragraph | Table]:
        out: list[Paragraph | Table] = []
        for blip in paragraph.iter(_A_BLIP):
            name = self.targets.get(blip.get(_R_EMBED, ""))
            if name is None or next(blip.iterancestors(_FALLBACK), None) is not None:
                continue
            try:
                with zipfile.ZipFile(BytesIO(self.data)) as zf:
                    if zf.getinfo(name).file_size > MAX_PICTURE_BYTES:
                        continue
                    picture = zf.read(name)
            except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
                    NotImplementedError):
                continue  # a broken picture must not lose the text around it
            from gongkai.readers import ocr

            out.extend(ocr.read_embedded(picture))
        return out


def _read_parts(data: bytes) -> dict[str, bytes]:
    """document.xml (required), numbering.xml and styles.xml (optional), with size guards."""
    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as err:
        raise ReadError("DOCX 文件已损坏，无法打开（不是完整的压缩包）") from err
    with zf:
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            raise ReadError("这不是 Word 文档（.docx）：文件中没有正文部分 word/document.xml")
        parts = {}
        wanted = [name for name in ("word/document.xml", "word/numbering.xml", "word/styles.xml", _RELS) if name in names]
        # zipfile stops at the declared size, so checking it bounds what we inflate.
        if sum(zf.getinfo(name).file_size for name in wanted) > MAX_XML_BYTES:
            raise ReadError("文件解压后过大，疑似异常文件，已拒绝读取")
        for name in wanted:
            try:
                # "Strict Open XML" files use other namespace URIs for the same vocabulary.
                parts[name] = zf.read(name).replace(_STRICT_W, W.encode())
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as err:
                raise ReadError("DOCX 文件已损坏，无法打开（内容解压失败，文件可能不完整）") from err
            except (RuntimeError, NotImplementedError) as err:  # encrypted entry, unknown compression
                raise ReadError("DOCX 文件已加密或使用了不支持的压缩方式，无法读取") from err
    return parts


# --- automatic numbering ------------------------------------------------------------------------

_CHINESE_DIGITS = "〇一二三四五六七八九"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def _chinese_counting(n: int, digits: str = _CHINESE_DIGITS, ten: str = "十") -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (Word's chineseCounting for the numbers a report uses)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + ten + (digits[ones] if ones else "")
    return "".join(digits[int(d)] for d in str(n))


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else ""


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "taiwaneseCountingThousand",
               "japaneseCounting"):
        return _chinese_counting(n)
    if fmt == "chineseLegalSimplified":
        return _chinese_counting(n, _LEGAL_DIGITS, "拾")
    if fmt in ("ideographDigital", "taiwaneseDigital"):
        return "".join(_CHINESE_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt in ("decimalFullWidth", "decimalFullWidth2", "decimalHalfWidth"):
        return str(n)  # clean_text folds full width anyway
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)  # decimal and anything exotic


@dataclass(slots=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""


class _Numbering:
    """Word's list numbers: numbering.xml definitions, list styles from styles.xml, and running
    counters.  Only the visible prefix text is produced (no indents, no bullets)."""

    def __init__(self, numbering_xml: bytes | None, styles_xml: bytes | None) -> None:
        self.levels: dict[str, dict[int, _Level]] = {}  # numId → level → definition
        self.counters: dict[str, dict[int, int]] = {}
        self.style_num: dict[str, tuple[str | None, int | None]] = {}
        self.style_based_on: dict[str, str] = {}
        if numbering_xml:
            try:
                self._load_numbering(etree.fromstring(numbering_xml, _PARSER))
            except etree.XMLSyntaxError:
                pass  # numbering is cosmetic: a broken part loses list numbers, not the report
        # styles.xml is often the largest part (hundreds of KB of latent styles); it matters only
        # for list styles, so it is parsed on first need, and only if some style is numbered.
        self._styles_xml = styles_xml if styles_xml and self.levels and b"numPr" in styles_xml else None

    def _load_numbering(self, root: etree._Element) -> None:
        abstract: dict[str, dict[int, _Level]] = {}
        for node in root.iterfind(f"{_W}abstractNum"):
            abstract[node.get(f"{_W}abstractNumId")] = {
                int(lvl.get(f"{_W}ilvl", "0")): _parse_level(lvl) for lvl in node.iterfind(f"{_W}lvl")
            }
        for num in root.iterfind(f"{_W}num"):
            abstract_id = num.find(f"{_W}abstractNumId")
            levels = dict(abstract.get(abstract_id.get(f"{_W}val") if abstract_id is not None else "", {}))
            for override in num.iterfind(f"{_W}lvlOverride"):
                ilvl = int(override.get(f"{_W}ilvl", "0"))
                lvl = override.find(f"{_W}lvl")
                if lvl is not None:
                    levels[ilvl] = _parse_level(lvl)
                start = override.find(f"{_W}startOverride")
                if start is not None and ilvl in levels:
                    base = levels[ilvl]
                    levels[ilvl] = _Level(_int(start.get(f"{_W}val"), 1), base.fmt, base.text)
            self.levels[num.get(f"{_W}numId")] = levels

    def _load_styles(self, root: etree._Element) -> None:
        for style in root.iterfind(f"{_W}style"):
            style_id = style.get(f"{_W}styleId")
            based = style.find(f"{_W}basedOn")
            if based is not None:
                self.style_based_on[style_id] = based.get(f"{_W}val")
            num_pr = style.find(f"{_W}pPr/{_W}numPr")
            if num_pr is not None:
                self.style_num[style_id] = _num_pr(num_pr)

    def prefix(self, paragraph: etree._Element) -> str:
        """The list number Word shows before this paragraph ("" if none), advancing the counters."""
        num_id, ilvl = None, None
        ppr = paragraph.find(f"{_W}pPr")
        if ppr is not None:
            num_pr = ppr.find(f"{_W}numPr")
            if num_pr is not None:
                num_id, ilvl = _num_pr(num_pr)
            style = ppr.find(f"{_W}pStyle")
            if style is not None and self._styles_xml is not None:
                styles_xml, self._styles_xml = self._styles_xml, None
                try:
                    self._load_styles(etree.fromstring(styles_xml, _PARSER))
                except etree.XMLSyntaxError:
                    pass
            seen: set[str] = set()
            style_id = style.get(f"{_W}val") if style is not None else None
            while (num_id is None or ilvl is None) and style_id and style_id not in seen:
                seen.add(style_id)
                s_num, s_lvl = self.style_num.get(style_id, (None, None))
                num_id = num_id if num_id is not None else s_num
                ilvl = ilvl if ilvl is not None else s_lvl
                style_id = self.style_based_on.get(style_id)
        if not num_id or num_id == "0" or num_id not in self.levels:
            return ""
        ilvl = ilvl or 0
        levels = self.levels[num_id]
        if ilvl not in levels or levels[ilvl].fmt == "bullet":
            return ""  # a bullet is a symbol-font glyph, not text
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a new item restarts the sub-lists under it
        text = levels[ilvl].text
        for k in range(9):
            placeholder = f"%{k + 1}"
            if placeholder in text:
                level = levels.get(k, _Level())
                value = counters.get(k, level.start)
                text = text.replace(placeholder, _format_number(value, level.fmt))
        return text


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _parse_level(lvl: etree._Element) -> _Level:
    start = lvl.find(f"{_W}start")
    fmt = lvl.find(f"{_W}numFmt")
    text = lvl.find(f"{_W}lvlText")
    return _Level(
        _int(start.get(f"{_W}val") if start is not None else None, 1),
        fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
        text.get(f"{_W}val", "") if text is not None else "",
    )


def _num_pr(num_pr: etree._Element) -> tuple[str | None, int | None]:
    num_id = num_pr.find(f"{_W}numId")
    ilvl = num_pr.find(f"{_W}ilvl")
    return (
        num_id.get(f"{_W}val") if num_id is not None else None,
        _int(ilvl.get(f"{_W}val"), 0) if ilvl is not None else None,
    )


# --- body walk ----------------------------------------------------------------------------------

_P, _TBL, _TR, _TC = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_SDT, _SDT_CONTENT, _CUSTOM_XML = f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"
_FALLBACK = f"{{{MC}}}Fallback"
_MOVE_FROM = f"{_W}moveFrom"
_TEXT_TAGS = {f"{_W}t": None, f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n",
              f"{_W}noBreakHyphen": "-", f"{_W}softHyphen": ""}


def _children(parent: etree._Element) -> Iterator[etree._Element]:
    """Block-level children, looking through content controls and custom-XML wrappers."""
    for child in parent:
        if child.tag in (_SDT, _CUSTOM_XML):
            inner = child.find(_SDT_CONTENT) if child.tag == _SDT else child
            if inner is not None:
                yield from _children(inner)
        else:
            yield child


def _val(parent: etree._Element | None, path: str) -> str | None:
    if parent is None:
        return None
    node = parent.find(path)
    if node is None:
        return None
    return node.get(f"{_W}val", "")


@dataclass(slots=True)
class _GridCell:
    column: int
    colspan: int
    vmerge: str | None  # None, "restart" or "continue"
    text: str


class _Walker:
    def __init__(self, numbering: _Numbering, pictures: _Pictures | None = None) -> None:
        self.numbering = numbering
        self.pictures = pictures

    def blocks(self, container: etree._Element) -> Iterator[Paragraph | Table]:
        for child in _children(container):
            if child.tag == _P:
                text = clean_text(self.paragraph_text(child))
                if text:
                    yield Paragraph(text)
                if self.pictures is not None:
                    yield from self.pictures.blocks(child)
            elif child.tag == _TBL:
                if child.find(f".//{_TBL}") is not None:
                    # A layout frame around the report (or around a table): its cells are body text.
                    for row in _children(child):
                        if row.tag == _TR:
                            for cell in _children(row):
                                if cell.tag == _TC:
                                    yield from self.blocks(cell)
                else:
                    yield self.table(child)

    def paragraph_text(self, paragraph: etree._Element) -> str:
        parts = [self.numbering.prefix(paragraph)]
        for node in paragraph.iter(*_TEXT_TAGS):
            # Drawings come twice, as DrawingML and as a VML fallback: read only the first.  Text
            # moved with change tracking on is in the document twice too: keep where it went.
            if next(node.iterancestors(_FALLBACK, _MOVE_FROM), None) is not None:
                continue
            fixed = _TEXT_TAGS[node.tag]
            parts.append(node.text or "" if fixed is None else fixed)
        return "".join(parts)

    def cell_text(self, cell: etree._Element) -> str:
        paragraphs = [self.paragraph_text(p) for p in _children(cell) if p.tag == _P]
        return clean_text("\n".join(paragraphs))

    def table(self, tbl: etree._Element) -> Table:
        grid_rows: list[list[_GridCell]] = []
        for row in _children(tbl):
            if row.tag != _TR:
                continue
            tr_pr = row.find(f"{_W}trPr")
            column = _int(_val(tr_pr, f"{_W}gridBefore"), 0)
            cells: list[_GridCell] = []
            if column > 0:
                # Grid columns the row skips at its start: an empty cell keeps the cells after it
                # at their printed positions.
                cells.append(_GridCell(0, column, None, ""))
            for tc in _children(row):
                if tc.tag != _TC:
                    continue
                tc_pr = tc.find(f"{_W}tcPr")
                span = max(1, _int(_val(tc_pr, f"{_W}gridSpan"), 1))
                h_merge = _val(tc_pr, f"{_W}hMerge")
                if h_merge is not None and h_merge != "restart" and cells:
                    # Legacy horizontal merge: this cell widens the one to its left.
                    cells[-1].colspan += span
                    column += span
                    continue
                v_merge = _val(tc_pr, f"{_W}vMerge")
                state = None if v_merge is None else ("restart" if v_merge == "restart" else "continue")
                cells.append(_GridCell(column, span, state, self.cell_text(tc)))
                column += span
            grid_rows.append(cells)

        # Per row, the grid columns where a cell starts and where a vMerge continuation starts: set
        # lookups keep the walk linear in the number of cells (scanning the rows below for every cell
        # took 15 s on a table of 500 × 200 cells).
        starts = [{c.column for c in cells} for cells in grid_rows]
        continuations = [{c.column for c in cells if c.vmerge == "continue"} for cells in grid_rows]
        rows: list[list[Cell]] = []
        for r, cells in enumerate(grid_rows):
            out: list[Cell] = []
            for cell in cells:
                # A continuation is covered by the restart cell above; one with no cell above (the table
                # starts mid-merge, e.g. after a split) is kept as a cell of its own so the positions of
                # the cells right of it stay right.
                if cell.vmerge == "continue" and r > 0 and cell.column in starts[r - 1]:
                    continue
                rowspan = 1
                while r + rowspan < len(grid_rows) and cell.column in continuations[r + rowspan]:
                    rowspan += 1
                out.append(Cell(cell.text, rowspan=rowspan, colspan=cell.colspan))
            rows.append(out)
        return Table(rows)

