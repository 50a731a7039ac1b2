"""PDF with a text layer: ruled tables become `Table`s, the rest of the text becomes paragraphs.

Characters and vector paths come from PDFium (pypdfium2): it is about ten times faster than
pdfminer, which made pdfplumber spend ~50 ms a page just interpreting the content stream.  Table
*finding* reuses pdfplumber's lattice functions (snap/join ruling edges, intersections, cells,
tables) on those PDFium edges, so the geometry is pdfplumber's well-tested algorithm.

Only *visible* rulings count.  WPS draws every body-text line on a white, unstroked rectangle;
pdfplumber takes those rectangles for table borders and returns whole pages of prose as a
"table".  Dropping white/transparent paths removes them without touching real grid lines.

What a character is comes from what the PDF says, not from the fonts this machine has: PDFium
builds its text page from rendered glyph boxes and leaves out text whose substitute glyphs are
empty (a CJK font the PDF does not embed, on a server without CJK fonts).  Such text objects are
found by comparing the page's objects with the text page, and their strings are decoded from the
content stream with the font's own encoding (see `_TextFromContent`).

Printed lines are built from the characters' baselines (their origins in the text matrix), not
their boxes: a glyph drawn from a fallback font shares the baseline but not the box.  Within a
line characters go in x order, whatever order they were drawn in.

A ruled region is a table only if it has at least two columns: a framed one-column box is prose.
A table cut by a page break may lack the ruling where it was cut; rulings that end in nothing are
closed there (`_close_open_ends`).  A table printed with only some rulings (the rules between
rows, a 三线表, the rules between columns, the outer frame) or none is found as a run of lines with
column gaps, and its missing rulings are drawn where its text leaves room for them (`_mend_table`):
the lattice then reads it like a ruled table, merged labels included.  What is one cell and what is
two rows is measured on the table itself (`_leading`), not on the fonts that drew it; a table head
left alone at the foot of a page is read with the rows on the next (`_cut_head`).  Text outside tables is emitted one `Paragraph` per printed
paragraph (lines joined where a sentence wraps), in top-to-bottom order together with the tables,
so the mapper sees the title lines and each section heading before its table.  Tables that
continue over a page break are emitted in order; the mapper stitches them.
"""

from __future__ import annotations

import ctypes
import io
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

import pypdfium2 as pdfium
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, resolve1
import pypdfium2.raw as pdfium_c
from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges
from pdfplumber.utils import filter_edges

from gongkai.document import Cell, Document, Paragraph, ReadError, Table, clean_text

# pdfplumber's TableSettings defaults (points).
_SNAP = 3.0
_JOIN = 3.0
_INTERSECT = 3.0
_EDGE_MIN_LENGTH = 3.0
# A segment whose ends differ by less than this on one axis is a horizontal/vertical ruling;
# anything else (diagonal header slashes, curves) is not a table border.
_AXIS_TOLERANCE = 1.0
# Colour channels at or above this on all three are paper white: invisible on the page.
_WHITE = 250
# A page-number line sits in the top or bottom margin: this fraction of the page height.
_MARGIN = 0.1
_PAGE_NUMBER = re.compile(r"[-—–－\s]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／共]\s*\d{1,4}\s*页?)?[-—–－\s]*")
# Fewer printable characters than this in the whole file means there is no real text layer: a
# scan may still carry a stamped page number or a producer watermark.
_MIN_TEXT_CHARS = 20
# pdfplumber's lattice functions are quadratic in a page's grid: a 5 KB PDF ruled 200 × 200 took 44 s.
# The densest report page seen is ruled by 27 vertical × 29 horizontal lines (783 possible crossings), so
# a page with more than _MAX_PAGE_CROSSINGS is no report table (graph paper, a chart's grid) and its text
# is read without looking for tables; so are the pages after _MAX_FILE_CROSSINGS in the whole file, which
# bounds the time a file can take (about 0.4 s a page at the page limit).
_MAX_PAGE_CROSSINGS = 3_000
_MAX_FILE_CROSSINGS = 30_000


def read(data: bytes) -> Document:
    pdf = _open(data)
    fallback = _TextFromContent(data)
    try:
        doc = Document()
        text_chars = 0
        crossings_left = _MAX_FILE_CROSSINGS
        tail = None  # the last paragraph so far, for a sentence running on over a page break
        carried: list[_Line] = []  # the head of a table cut by the page break (`_cut_head`)
        for index in range(len(pdf)):
            try:
                page = pdf[index]
            except pdfium.PdfiumError as err:
                raise ReadError(f"PDF 第 {index + 1} 页已损坏，无法读取") from err
            try:
                view = _View.of(page)
                textpage = page.get_textpage()
                try:
                    edges, texts = _page_objects(page, view, textpage)
                    chars = fallback.complete(index, texts, view, _page_chars(textpage, view))
                finally:
                    textpage.close()
                text_chars += sum(1 for c in chars if not c["text"].isspace())
                rulings = _rulings(edges)
                crossings = _possible_crossings(rulings)
                if crossings <= min(_MAX_PAGE_CROSSINGS, crossings_left):
                    crossings_left -= crossings
                else:
                    rulings = []
                continued = bool(doc.blocks) and isinstance(doc.blocks[-1], Table)
                blocks = _page_blocks(chars, rulings, view.height, continued, carried, index == len(pdf) - 1)
                carried = blocks.carry
                _join_pages(doc.blocks, tail, blocks)
                tail = blocks.tail if blocks.blocks else tail
            finally:
                page.close()
    finally:
        pdf.close()
    if text_chars < _MIN_TEXT_CHARS:
        # No text layer (a scan): recognise the rendered pages.  A PDF with text never gets here.
        from gongkai.readers import ocr

        return ocr.read_scanned_pdf(data)
    return doc


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if err.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ReadError("PDF 文件已加密（需要密码才能打开），无法读取，请提供未加密的文件") from err
        if err.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise ReadError("PDF 文件使用了不支持的加密方式，无法读取") from err
        raise ReadError("PDF 文件已损坏或不完整，无法打开") from err
    if len(pdf) == 0:
        pdf.close()
        raise ReadError("PDF 文件没有任何页面")
    return pdf


# --- characters ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _View:
    """The page as displayed: PDF user space (y up, maybe offset, maybe /Rotate'd) → x right,
    y down from the top-left corner of the visible page.  Characters and rulings both go
    through it, so a landscape table on a rotated page reads in its printed orientation."""

    rotation: int
    left: float
    bottom: float
    right: float
    top: float

    @classmethod
    def of(cls, page: pdfium.PdfPage) -> _View:
        left, bottom, right, top = page.get_cropbox()
        return cls(page.get_rotation() % 360, left, bottom, right, top)

    @property
    def height(self) -> float:
        return self.right - self.left if self.rotation in (90, 270) else self.top - self.bottom

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return y - self.bottom, x - self.left
        if self.rotation == 180:
            return self.right - x, y - self.bottom
        if self.rotation == 270:
            return self.top - y, self.right - x
        return x - self.left, self.top - y

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """(x0, top, x1, bottom) in display coordinates of a user-space box."""
        (ax, ay), (bx, by) = self.point(x0, y0), self.point(x1, y1)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _page_chars(textpage: pdfium.PdfTextPage, view: _View) -> list[dict]:
    """The page's characters in display coordinates, each with its box, the baseline it sits on
    (from its origin in the text matrix) and its font size."""
    raw = textpage.raw
    loose = pdfium_c.FS_RECTF()
    left, right, low, high = (ctypes.c_double() for _ in range(4))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    matrix = pdfium_c.FS_MATRIX()
    chars = []
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        # PDFium inserts spaces and line breaks of its own; lines and word gaps come from positions.
        if pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            continue
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in (0, 0xFFFE, 0xFFFF, 0x0D, 0x0A) or 0xD800 <= code <= 0xDFFF:
            continue
        if not pdfium_c.FPDFText_GetCharBox(raw, i, left, right, low, high):
            continue
        size = pdfium_c.FPDFText_GetFontSize(raw, i)
        if pdfium_c.FPDFText_GetMatrix(raw, i, matrix):
            size *= abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        # The loose box spans the font's ascent to descent, so every glyph on a printed line has
        # the same top; tight boxes (e.g. of "一") would split one line into several.  But PDFium
        # sizes the loose box of some scaled glyphs (WPS's stacked vertical labels) with the
        # unscaled font size, hundreds of points wide; then keep the glyph's own box, centred.
        if (pdfium_c.FPDFText_GetLooseCharBox(raw, i, loose)
                and loose.right - loose.left <= 2 * size + 1 and abs(loose.top - loose.bottom) <= 2 * size + 1):
            x0, top, x1, bottom = view.box(loose.left, loose.bottom, loose.right, loose.top)
        else:
            middle = (low.value + high.value) / 2
            x0, top, x1, bottom = view.box(left.value, middle - size / 2, right.value, middle + size / 2)
        if pdfium_c.FPDFText_GetCharOrigin(raw, i, ox, oy):
            baseline = view.point(ox.value, oy.value)[1]
        else:
            baseline = bottom
        chars.append(_char(chr(code), x0, top, x1, bottom, baseline, size))
    return _dedupe(chars)


def _char(text: str, x0: float, top: float, x1: float, bottom: float, baseline: float, size: float) -> dict:
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "baseline": baseline,
            "size": round(size, 1)}


class _TextFromContent:
    """Characters read from the page's content stream by pdfminer: each one's text from the font's
    encoding, its position from the text matrix and its width from the font's widths.

    PDFium builds its text page from the glyphs it renders, and leaves out a text object whose box
    has no width.  A font the PDF does not embed (reportlab's STSong-Light, Word's "use system
    fonts") is drawn with a substitute; on a machine without CJK fonts the substitute's CJK glyphs
    are empty, so text turned 90° (a rotated page) gets an empty box and vanishes from the text
    page, as does a one-character line ("持" of a wrapped "结果维持") or a line repeating the one
    above.  What the reader reads must not depend on the fonts the server has: the characters of
    the text objects PDFium dropped are decoded from their own operators (`recover`), and a page
    whose content does not line up with PDFium's objects is read whole by pdfminer's interpreter
    (`chars`, about ten times slower than PDFium)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pages: list | None = None
        # One resource manager per file: fonts and CMaps shared by its pages are loaded once.
        self._resources = PDFResourceManager(caching=True)

    def complete(self, index: int, texts: _TextObjects, view: _View, chars: list[dict]) -> list[dict]:
        """The page's characters: PDFium's `chars` and those of the text objects PDFium dropped;
        or pdfminer's reading of the whole page when those cannot be placed, and PDFium's alone
        if pdfminer cannot read the page either."""
        if not (texts.missing or texts.in_form_lost):
            return chars
        recovered = None if texts.in_form_lost else self.recover(index, texts, view)
        if recovered is not None:
            return _dedupe(chars + recovered)
        whole = self.chars(index, view)
        return chars if whole is None else whole

    def chars(self, index: int, view: _View) -> list[dict] | None:
        """The page's characters as pdfminer's interpreter reads them; None when it cannot."""
        pages = self._load()
        if index >= len(pages):
            return None
        device = _SizedChars(self._resources, laparams=None)
        try:
            _UserSpaceInterpreter(self._resources, device).process_page(pages[index])
        except Exception:  # noqa: BLE001 - pdfminer raises many types on bad streams; PDFium read the page
            return None
        chars: list[dict] = []

        def walk(item) -> None:
            for child in item:
                if isinstance(child, LTChar):
                    text = child.get_text()
                    if len(text) != 1 or not text.isprintable():
                        continue  # "(cid:12)": a code the font does not map to Unicode
                    e, f = child.matrix[4:]
                    x0, top, x1, bottom = view.box(child.x0, child.y0, child.x1, child.y1)
                    if x1 < 0 or top > view.height or bottom < 0:
                        continue  # off the visible page
                    chars.append(_char(text, x0, top, x1, bottom, view.point(e, f)[1], child.fontsize))
                elif isinstance(child, LTContainer):
                    walk(child)

        walk(device.get_result())
        return _dedupe(chars)

    def recover(self, index: int, texts: _TextObjects, view: _View) -> list[dict] | None:
        """The characters of the text objects PDFium's text page lacks, or None when the content
        stream does not line up with PDFium's objects (then the whole page is read by pdfminer).

        Decoding only those objects' strings (found by a tokenizer, decoded with the font's own
        encoding by pdfminer) and placing them at PDFium's text matrix costs a fraction of running
        pdfminer's interpreter over the page: a reportlab table drawn with a font the PDF does
        not embed loses every one-character line ("结果维" + "持")."""
        pages = self._load()
        shows = _shows(pages[index]) if index < len(pages) else None
        if shows is None or len(shows) != texts.count:
            return None
        try:
            fonts = resolve1(pages[index].resources.get("Font")) or {}
        except Exception:  # noqa: BLE001 - a broken resource dictionary
            return None
        chars: list[dict] = []
        for missing in texts.missing:
            name, raw = shows[missing.index]
            try:
                font = self._font(fonts, name)
                cids = list(font.decode(raw))
            except Exception:  # noqa: BLE001 - an odd font: let pdfminer read the whole page
                return None
            m = missing.matrix
            scale = abs(m.a * m.d - m.b * m.c) ** 0.5
            advance = 0.0
            for cid in cids:
                try:
                    text = font.to_unichr(cid)
                except Exception:  # noqa: BLE001 - PDFUnicodeNotDefined and kin: a code without text
                    text = ""
                width = font.char_width(cid) * missing.size
                if len(text) == 1 and text.isprintable():
                    corners = [m.apply(advance + dx, dy)
                               for dx in (0.0, width) for dy in (missing.descent, missing.ascent)]
                    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
                    x0, top, x1, bottom = view.box(min(xs), min(ys), max(xs), max(ys))
                    chars.append(_char(text, x0, top, x1, bottom, view.point(*m.apply(advance, 0.0))[1],
                                       missing.size * scale))
                advance += width
        return chars

    def _font(self, fonts, name: str):
        spec = fonts.get(name)
        objid = spec.objid if isinstance(spec, PDFObjRef) else None
        return self._resources.get_font(objid, resolve1(spec))

    def _load(self) -> list:
        if self._pages is None:
            try:
                document = PDFDocument(PDFParser(io.BytesIO(self._data)))
                self._pages = list(PDFPage.create_pages(document))
            except Exception:  # noqa: BLE001 - PDFium opened the file; pdfminer may still refuse it
                self._pages = []
        return self._pages


# The tokens of a content stream that text showing needs: strings (with escapes and balanced
# parentheses one level deep), hex strings, names, and the operators that show text, set the font,
# or take strings or names of their own (marked content, inline images).  Numbers and every other
# operator are skipped by the regular expression itself, so a page of table rulings costs little.
_REGULAR = rb"[^\s\[\]()<>{}/%]"  # a character that is neither white space nor a delimiter
_CONTENT_TOKEN = re.compile(
    rb"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)"  # (literal string)
    rb"|<[0-9A-Fa-f\s]*>"  # <hex string>
    rb"|/" + _REGULAR + rb"*"  # /Name
    rb"|(?<!" + _REGULAR + rb")(?:Tj|TJ|Tf|BDC|BMC|DP|MP|BI|'|\")(?!" + _REGULAR + rb")",
    re.S,
)


_SHOW_OPERATORS = (b"Tj", b"'", b'"', b"TJ")


def _shows(page: PDFPage) -> list[tuple[str, bytes]] | None:
    """The strings of the page's text-showing operators that show something, each with the name
    of the font resource set for it, in content order: the page's own text objects, as PDFium
    makes one for each.  None for content the tokenizer cannot follow (inline images)."""
    try:
        content = b"".join(stream.get_data() for stream in page.contents)
    except Exception:  # noqa: BLE001 - a stream pdfminer cannot decode
        return None
    shows: list[tuple[str, bytes]] = []
    operands: list[bytes] = []
    font = ""
    for token in _CONTENT_TOKEN.findall(content):
        first = token[:1]
        if first in (b"(", b"<", b"/"):
            operands.append(token)
            continue
        if token in _SHOW_OPERATORS:
            raw = b"".join(_string_bytes(op) for op in operands if op[:1] != b"/")
            if raw:
                shows.append((font, raw))
        elif token == b"Tf":
            names = [op for op in operands if op[:1] == b"/"]
            if names:
                font = names[-1][1:].decode("latin-1")
        elif token == b"BI":
            return None
        operands = []
    return shows


_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _string_bytes(token: bytes) -> bytes:
    """The bytes of a literal "(…)" or hex "<…>" string token."""
    if token[:1] == b"<":
        digits = bytes(c for c in token[1:-1] if c not in b" \t\r\n\f")
        if len(digits) % 2:
            digits += b"0"
        return bytes.fromhex(digits.decode("ascii"))
    body, out, i = token[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(body):
            break
        c = body[i]
        if 0x30 <= c <= 0x37:  # up to three octal digits
            j = i
            while j < len(body) and j < i + 3 and 0x30 <= body[j] <= 0x37:
                j += 1
            out.append(int(body[i:j], 8) & 0xFF)
            i = j
            continue
        if c in (0x0D, 0x0A):  # a line continuation
            i += 2 if body[i:i + 2] == b"\r\n" else 1
            continue
        out += _ESCAPES.get(c, bytes([c]))
        i += 1
    return bytes(out)


class _SizedChars(PDFPageAggregator):
    """pdfminer's page aggregator, keeping each character's font size (LTChar.size is the height
    of its box, which for text turned 90° is its advance)."""

    def render_char(self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate) -> float:
        advance = super().render_char(matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate)
        a, b, c, d, _, _ = matrix
        self.cur_item._objs[-1].fontsize = fontsize * abs(a * d - b * c) ** 0.5
        return advance


class _UserSpaceInterpreter(PDFPageInterpreter):
    """Interprets a page with the identity CTM, so characters come out in PDF user space (pdfminer
    would turn them by /Rotate and shift them by the MediaBox): the reader's `_View` turns them to
    display coordinates exactly as it does PDFium's."""

    def process_page(self, page: PDFPage) -> None:
        identity = (1, 0, 0, 1, 0, 0)
        self.device.begin_page(page, identity)
        self.render_contents(page.resources, page.contents, ctm=identity)
        self.device.end_page(page)


def _dedupe(chars: list[dict]) -> list[dict]:
    """Drop a glyph printed again on top of itself (Word/WPS fake bold, shadows).  Same check as
    pdfplumber's dedupe_chars (same text within 1 pt) but hashed: that one was a third of the
    reader's time."""
    seen: dict[tuple[str, int, int], list[dict]] = {}
    kept = []
    for char in chars:
        kx, ky = round(char["x0"]), round(char["top"])
        duplicate = False
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for other in seen.get((char["text"], kx + dx, ky + dy), ()):
                    if abs(other["x0"] - char["x0"]) <= 1 and abs(other["top"] - char["top"]) <= 1:
                        duplicate = True
        if not duplicate:
            seen.setdefault((char["text"], kx, ky), []).append(char)
            kept.append(char)
    return kept


# --- rulings ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Matrix:
    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 1.0
    e: float = 0.0
    f: float = 0.0

    def then(self, outer: _Matrix) -> _Matrix:
        """This transform followed by `outer`."""
        return _Matrix(
            self.a * outer.a + self.b * outer.c,
            self.a * outer.b + self.b * outer.d,
            self.c * outer.a + self.d * outer.c,
            self.c * outer.b + self.d * outer.d,
            self.e * outer.a + self.f * outer.c + outer.e,
            self.e * outer.b + self.f * outer.d + outer.f,
        )

    def apply(self, x: float, y: float) -> tuple[float, float]:
        return self.a * x + self.c * y + self.e, self.b * x + self.d * y + self.f


def _object_matrix(obj) -> _Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return _Matrix()
    return _Matrix(m.a, m.b, m.c, m.d, m.e, m.f)


def _is_visible(getter, obj) -> bool:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return False
    return a.value > 0 and not (r.value >= _WHITE and g.value >= _WHITE and b.value >= _WHITE)


@dataclass(slots=True)
class _Missing:
    """A text object on the page itself that draws characters (or may) which PDFium's text page
    does not have."""

    index: int  # its number among the text objects drawn on the page itself
    matrix: _Matrix  # its text matrix in user space: origin (e, f), advance along (a, b)
    size: float
    ascent: float
    descent: float


@dataclass(slots=True)
class _TextObjects:
    """The page's text objects against PDFium's text page."""

    count: int = 0  # text objects drawn on the page itself (not inside a form)
    missing: list[_Missing] = field(default_factory=list)
    in_form_lost: bool = False  # a text object inside a form draws characters the text page lacks


def _page_objects(page: pdfium.PdfPage, view: _View, textpage: pdfium.PdfTextPage) -> tuple[list[dict], _TextObjects]:
    """The page's visible rulings as pdfplumber edge dicts in display coordinates (horizontal and
    vertical segments of stroked or filled paths that show on white paper, including those inside
    Form XObjects), and an account of its text objects against PDFium's text page."""
    edges: list[dict] = []
    texts = _TextObjects()
    x0, y0, x1, y1 = (ctypes.c_float() for _ in range(4))
    size = ctypes.c_float()
    ascent, descent = ctypes.c_float(), ctypes.c_float()

    def walk(count, get, parent, outer: _Matrix, depth: int) -> None:
        for i in range(count(parent)):
            obj = get(parent, i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
                walk(pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, obj,
                     _object_matrix(obj).then(outer), depth + 1)
            elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                _path_edges(obj, _object_matrix(obj).then(outer), view, edges)
            elif kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                index = texts.count
                texts.count += depth == 0
                # The length in bytes of the object's text as the text page has it, terminator
                # included: 2 means none of its characters made it into the text page.
                if pdfium_c.FPDFTextObj_GetText(obj, textpage.raw, None, 0) > 2:
                    continue
                if _drawn(obj, x0, y0, x1, y1) is False:
                    continue
                if depth > 0:
                    texts.in_form_lost = True
                    continue
                font = pdfium_c.FPDFTextObj_GetFont(obj)
                if not (font and pdfium_c.FPDFTextObj_GetFontSize(obj, size)
                        and pdfium_c.FPDFFont_GetAscent(font, size.value, ascent)
                        and pdfium_c.FPDFFont_GetDescent(font, size.value, descent)):
                    texts.in_form_lost = True  # cannot place it: read the page from its content
                    continue
                texts.missing.append(_Missing(index, _object_matrix(obj), size.value, ascent.value, descent.value))

    walk(pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, page.raw, _Matrix(), 0)
    return edges, texts


def _drawn(obj, x0, y0, x1, y1) -> bool | None:
    """Whether a text object without text draws characters: True, False, or None when PDFium
    cannot tell.  PDFium's box of a text object spans its glyphs' boxes and origins, so one with
    extent has characters.  A point is an object that draws nothing (reportlab writes one for each
    empty cell) or a single character of a font the PDF does not embed, whose substitute glyph is
    empty on this machine; with an embedded font, whose glyphs are its own, it is empty."""
    if not pdfium_c.FPDFPageObj_GetBounds(obj, x0, y0, x1, y1):
        return False
    if x1.value - x0.value > 0.01 or y1.value - y0.value > 0.01:
        return True
    font = pdfium_c.FPDFTextObj_GetFont(obj)
    return False if font and pdfium_c.FPDFFont_GetIsEmbedded(font) == 1 else None


def _path_edges(obj, matrix: _Matrix, view: _View, edges: list[dict]) -> None:
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
        return
    stroked = bool(stroke.value) and _is_visible(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
    filled = fill_mode.value != pdfium_c.FPDF_FILLMODE_NONE and _is_visible(pdfium_c.FPDFPageObj_GetFillColor, obj)
    if not (stroked or filled):
        return
    x, y = ctypes.c_float(), ctypes.c_float()
    start = prev = None
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not seg or not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        point = matrix.apply(x.value, y.value)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO and prev is not None:
            _add_edge(view.point(*prev), view.point(*point), edges)
        # Bézier points only move the pen: curves are never table rulings.
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
            _add_edge(view.point(*point), view.point(*start), edges)
        prev = point


def _add_edge(p: tuple[float, float], q: tuple[float, float], edges: list[dict]) -> None:
    """Record segment p–q (display coordinates) if it is horizontal or vertical."""
    (x0, y0), (x1, y1) = p, q
    if abs(y1 - y0) < _AXIS_TOLERANCE and abs(x1 - x0) >= _AXIS_TOLERANCE:
        top = (y0 + y1) / 2
        left, right = sorted((x0, x1))
        edges.append({"x0": left, "x1": right, "top": top, "bottom": top, "width": right - left,
                      "height": 0.0, "orientation": "h", "object_type": "line"})
    elif abs(x1 - x0) < _AXIS_TOLERANCE and abs(y1 - y0) >= _AXIS_TOLERANCE:
        x = (x0 + x1) / 2
        top, bottom = sorted((y0, y1))
        edges.append({"x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0.0,
                      "height": bottom - top, "orientation": "v", "object_type": "line"})


# --- tables and paragraphs ----------------------------------------------------------------------


def _rulings(edges: list[dict]) -> list[dict]:
    """The page's table rulings: edges snapped and joined into lines, short ones dropped (pdfplumber)."""
    if not edges:
        return []
    edges = merge_edges(edges, _SNAP, _SNAP, _JOIN, _JOIN)
    return _close_open_ends(filter_edges(edges, min_length=_EDGE_MIN_LENGTH))


def _close_open_ends(rulings: list[dict]) -> list[dict]:
    """Close a table cut by a page break.  Chromium (and Word, with collapsed borders) draws a
    row's top border with the row above it, so the part of a table continued on the next page has
    no ruling above its first row: its vertical rulings start at the page's top margin and end in
    nothing, and that row, having no top edge, formed no cells and was lost; likewise a merged
    label cell cut at the bottom of a page has no bottom edge.  Where vertical rulings end at one
    height and some of them end in nothing, that height is the table's border: a horizontal ruling
    across them is added."""
    horizontal = [r for r in rulings if r["orientation"] == "h"]
    vertical = [r for r in rulings if r["orientation"] == "v"]

    def closed(x: float, y: float) -> bool:
        return any(abs(h["top"] - y) <= _SNAP and h["x0"] - _SNAP <= x <= h["x1"] + _SNAP for h in horizontal)

    added = []
    for end in ("top", "bottom"):
        ends = sorted((v[end], v["x0"]) for v in vertical)
        group: list[tuple[float, float]] = []
        for y, x in ends + [(float("inf"), 0.0)]:
            if group and y - group[0][0] > _SNAP:
                # The border spans every vertical ruling ending there, closed or not: at a page
                # break a merged label cell continues (its sides end open) while the rows beside
                # it end with a ruling of their own.
                if len(group) >= 2 and not all(closed(gx, gy) for gy, gx in group):
                    at = min(g[0] for g in group) if end == "top" else max(g[0] for g in group)
                    left, right = min(g[1] for g in group), max(g[1] for g in group)
                    added.append({"x0": left, "x1": right, "top": at, "bottom": at, "width": right - left,
                                  "height": 0.0, "orientation": "h", "object_type": "line", "closing": True})
                group = []
            group.append((y, x))
    return rulings + added


def _possible_crossings(rulings: list[dict]) -> int:
    vertical = sum(1 for r in rulings if r["orientation"] == "v")
    return vertical * (len(rulings) - vertical)


def _find_tables(rulings: list[dict]) -> list[list[tuple[float, float, float, float]]]:
    """Cell bboxes of each ruled table (pdfplumber's lattice algorithm on our rulings)."""
    intersections = edges_to_intersections(rulings, _INTERSECT, _INTERSECT)
    return cells_to_tables(intersections_to_cells(intersections))


def _boundaries(values: list[float]) -> list[float]:
    """Distinct grid lines; cells of one table share snapped coordinates, so near-equal values
    (float noise) are one line."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > 0.5:
            out.append(v)
    return out


def _stacked_figures(chars: list[dict]) -> bool:
    """Whether a cell's text is in several blocks one under another (farther apart than the lines
    of one wrapped cell), one of them figures alone: the rows of a table ruled only between its
    columns (or not between some rows), which the lattice took for one cell.  A wrapped label,
    however widely its lines are spaced, has no line of figures alone."""
    blocks: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: c["top"]):
        if blocks and c["top"] - max(b["bottom"] for b in blocks[-1]) <= _CELL_GAP:
            blocks[-1].append(c)
        else:
            blocks.append([c])
    return len(blocks) >= 2 and any(all(c["text"] in _FIGURE_GLYPHS for c in b) for b in blocks)


def _index(lines: list[float], v: float) -> int:
    i = bisect_left(lines, v - 0.5)
    return min(i, len(lines) - 1)


def _char_in(char: dict, bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    h_mid = (char["x0"] + char["x1"]) / 2
    v_mid = (char["top"] + char["bottom"]) / 2
    return x0 <= h_mid < x1 and top <= v_mid < bottom


def _build_table(cells: list[tuple[float, float, float, float]], chars: list[dict],
                 whole_rows: bool = False) -> Table | None:
    """A `Table` of cells placed on the grid of all cell edges, each with its row/column span;
    None when the ruled region has a single column (a framed paragraph, not a table), and, with
    `whole_rows`, when a cell holds figures of several rows (see `_stacked_figures`)."""
    xs = _boundaries([c[0] for c in cells] + [c[2] for c in cells])
    ys = _boundaries([c[1] for c in cells] + [c[3] for c in cells])
    if len(xs) < 3:
        return None
    # Each grid position belongs to one cell; chars are dealt to cells by position in one pass
    # (testing every char against every cell was most of the reader's time).
    grid_cells = []
    owner: dict[tuple[int, int], int] = {}
    for n, bbox in enumerate(cells):
        col, col_end = _index(xs, bbox[0]), _index(xs, bbox[2])
        row, row_end = _index(ys, bbox[1]), _index(ys, bbox[3])
        grid_cells.append((row, col, max(1, row_end - row), max(1, col_end - col)))
        for r in range(row, row + max(1, row_end - row)):
            for c in range(col, col + max(1, col_end - col)):
                owner.setdefault((r, c), n)
    dealt: list[list[dict]] = [[] for _ in cells]
    for char in chars:
        h_mid = (char["x0"] + char["x1"]) / 2
        v_mid = (char["top"] + char["bottom"]) / 2
        c, r = bisect_right(xs, h_mid) - 1, bisect_right(ys, v_mid) - 1
        n = owner.get((r, c))
        if n is not None and _char_in(char, cells[n]):
            dealt[n].append(char)
    if whole_rows and any(_stacked_figures(d) for d in dealt):
        return None
    placed: dict[int, list[tuple[int, Cell]]] = {}
    for n, (row, col, rowspan, colspan) in enumerate(grid_cells):
        text = clean_text("\n".join(line.text for line in _lines(dealt[n]))) if dealt[n] else ""
        placed.setdefault(row, []).append((col, Cell(text, rowspan=rowspan, colspan=colspan)))
    # Every grid row is emitted, even one where no cell starts (all covered from above), so that
    # the row spans above it count the rows the mapper sees.
    rows = [[cell for _, cell in sorted(placed.get(r, []), key=lambda item: item[0])] for r in range(len(ys) - 1)]
    return Table(rows)


# --- lines -------------------------------------------------------------------------------------

# Two glyphs are on one printed line when their baselines differ by less than this fraction of the
# smaller font size.  Glyphs drawn from a fallback font (Chromium and Word draw a glyph missing
# from one font from another) share the line's baseline but not its ascent, so their boxes' tops
# differ by several points: grouping by top split one title into pieces.  Lines are at least a
# font size apart, so 0.4 keeps neighbouring lines (and WPS's stacked one-glyph lines) apart.
_BASELINE_TOLERANCE = 0.4
# A gap wider than this (points) between two glyphs of a line is a space (pdfplumber's x_tolerance).
_WORD_GAP = 3.0
# A gap wider than this many font sizes inside a line separates columns: the line is no prose.
_COLUMN_GAP = 2.0
# A wrapped line ends within this many font sizes of the text's right edge...
_FULL_LINE = 1.5
# ...and its continuation starts within this many font sizes of the text's left edge and follows
# at most this many font sizes below it.
_CONTINUATION_INDENT = 0.5
_CONTINUATION_GAP = 1.2
_LATIN = re.compile(r"[0-9A-Za-z]")
# A line ending a sentence, or one starting a numbered heading or item ("二、", "（一）", "1."), is
# where a paragraph may end or start: lines are not joined there, so a heading printed flush left
# after a full last line stays a paragraph of its own (the mapper finds each table by its heading).
_SENTENCE_END = re.compile(r"[。！？；：!?;:]$")
_NUMBERED = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十]+[）)、]|[（(]?\d{1,2}[）).、．])")


@dataclass(slots=True)
class _Line:
    chars: list[dict]
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    widest_gap: float


def _lines(chars: list[dict]) -> list[_Line]:
    """Printed lines, top to bottom: glyphs grouped by baseline (within a tolerance of the font
    size), each line in x order whatever order the content stream drew them in.  A gap wider than
    _WORD_GAP, or a space character, becomes one space."""
    groups: list[list[dict]] = []
    base = size = 0.0
    for char in sorted(chars, key=lambda c: (c["baseline"], c["x0"])):
        if groups and abs(char["baseline"] - base) <= _BASELINE_TOLERANCE * max(1.0, min(size, char["size"])):
            groups[-1].append(char)
        else:
            groups.append([char])
            base, size = char["baseline"], char["size"]
    lines = []
    for group in groups:
        group.sort(key=lambda c: c["x0"])
        parts: list[str] = []
        previous = None
        space = False
        widest = 0.0
        for char in group:
            if char["text"].isspace():
                space = bool(parts)
                continue
            if previous is not None:
                gap = char["x0"] - previous["x1"]
                widest = max(widest, gap)
                if space or gap > _WORD_GAP:
                    parts.append(" ")
            parts.append(char["text"])
            previous, space = char, False
        if not parts:
            continue
        printed = [c for c in group if not c["text"].isspace()]
        lines.append(_Line(
            printed, "".join(parts),
            min(c["x0"] for c in printed), max(c["x1"] for c in printed),
            min(c["top"] for c in printed), max(c["bottom"] for c in printed),
            max(c["size"] for c in printed), widest,
        ))
    return lines


@dataclass(slots=True)
class _Prose:
    """A page's prose lines, wrapped sentences joined, with what a sentence running on over the
    page break needs: whether the page's last line is full, and its text's left edge per size."""

    lines: list[_Line]
    last_full: bool = False
    left: dict[int, float] = field(default_factory=dict)


def _continues(last: _Line, last_full: bool, line: _Line, left: float, same_page: bool = True) -> bool:
    """Whether `line` carries on the sentence of `last`: `last` runs to the right edge of the text,
    `line` is of the same size, starts at the left edge (no first-line indent), follows right below
    (on the same page), and neither has column gaps (a table without rulings, whose cells must stay
    apart); no join after a sentence's end or before a numbered heading or item."""
    size = max(last.size, 1.0)
    return (last_full
            and round(line.size) == round(last.size)
            and line.x0 <= left + _CONTINUATION_INDENT * size
            and (not same_page or -0.1 * size <= line.top - last.bottom <= _CONTINUATION_GAP * size)
            and max(last.widest_gap, line.widest_gap) <= _COLUMN_GAP * size
            and not _SENTENCE_END.search(last.text)
            and not _NUMBERED.match(line.text))


def _glue(before: str, after: str) -> str:
    """Latin words and numbers wrapped at a space keep it; CJK text has none to keep."""
    return " " if before and after and _LATIN.match(before[-1]) and _LATIN.match(after[0]) else ""


def _join_wrapped(lines: list[_Line]) -> _Prose:
    """Lines of prose joined where a sentence wraps: a line that runs to the right edge of the
    page's text, followed right below by one of the same size that starts at the left edge, is one
    sentence ("…2023年政府信息公" + "开工作年度报告。").  The edges are those of the page's lines of
    that font size, and the right edge counts only where two lines reach it (a lone title is not
    a full line)."""
    if not lines:
        return _Prose([])
    by_size: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        by_size.setdefault(round(line.size), []).append(i)
    full = [False] * len(lines)
    left: dict[int, float] = {}
    for size, group in by_size.items():
        right = max(lines[i].x1 for i in group)
        reaching = [i for i in group if lines[i].x1 >= right - _FULL_LINE * max(size, 1)]
        if len(reaching) >= 2:
            for i in reaching:
                full[i] = True
        left[size] = min(lines[i].x0 for i in group)
    out = [lines[0]]
    last_full = full[0]
    for line, line_full in zip(lines[1:], full[1:]):
        last = out[-1]
        if _continues(last, last_full, line, left[round(line.size)]):
            out[-1] = _Line(last.chars + line.chars, last.text + _glue(last.text, line.text) + line.text,
                            min(last.x0, line.x0), max(last.x1, line.x1), last.top, line.bottom, last.size,
                            max(last.widest_gap, line.widest_gap))
        else:
            out.append(line)
        last_full = line_full
    return _Prose(out, last_full, left)


def _is_page_number(line: _Line, page_height: float) -> bool:
    in_margin = line.top < page_height * _MARGIN or line.bottom > page_height * (1 - _MARGIN)
    return in_margin and _PAGE_NUMBER.fullmatch(line.text) is not None


@dataclass(slots=True)
class _Page:
    blocks: list[Paragraph | Table]
    # The page's first block, if prose: its first line and the left edge of its size's text.
    head: tuple[_Line, float] | None = None
    # The page's last block, if prose: its last paragraph and whether its last line is full.
    tail: tuple[_Line, bool] | None = None
    # The lines ending the page that are the head of a table continued on the next (`_cut_head`).
    carry: list[_Line] = field(default_factory=list)


def _whole_rows(found: list[tuple[tuple[float, float, float, float], Table | None, bool]]
                ) -> list[tuple[tuple[float, float, float, float], Table]]:
    """The page's ruled tables, less those whose rows the lattice could not tell apart (a table
    ruled only between its columns: cells holding several rows, `_stacked_figures`).  Such a table's
    rulings fall apart into pieces the lattice reads as tables of their own, so every table touching
    it goes too; their text is then read as a table without (all) its rulings (`_text_tables`)."""
    kept = [(bbox, table) for bbox, table, _ in found if table is not None]
    dropped = [bbox for bbox, table, several in found if table is None and several]

    def touch(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return a[0] <= b[2] + _SNAP and b[0] <= a[2] + _SNAP and a[1] <= b[3] + _SNAP and b[1] <= a[3] + _SNAP

    while dropped:
        bad = dropped.pop()
        for bbox, table in [k for k in kept if touch(bad, k[0])]:
            kept.remove((bbox, table))
            dropped.append(bbox)
    return kept


def _page_blocks(chars: list[dict], rulings: list[dict], page_height: float, continued: bool = False,
                 carried: list[_Line] = (), last: bool = True) -> _Page:
    placed: list[tuple[float, Paragraph | Table]] = []
    table_boxes = []
    if rulings:
        found = []
        printed = [r for r in rulings if r["orientation"] == "h" and not r.get("closing")]
        for cells in _find_tables(rulings):
            bbox = (min(c[0] for c in cells), min(c[1] for c in cells),
                    max(c[2] for c in cells), max(c[3] for c in cells))
            table = _build_table(cells, chars, whole_rows=True)
            if table is not None and not any(bbox[1] - _SNAP <= h["top"] <= bbox[3] + _SNAP
                                             and h["x0"] < bbox[2] and h["x1"] > bbox[0] for h in printed):
                # Every row border of it was closed at a page break (`_close_open_ends`): a table
                # ruled only between its columns, whose rows are read from its text.
                table = None
            found.append((bbox, table, len(cells) > 1))
        for bbox, table in _whole_rows(found):
            table_boxes.append(bbox)
            placed.append((bbox[1], table))
    prose = [c for c in chars if not any(_char_in(c, box) for box in table_boxes)]
    lines = [line for line in _lines(prose) if not _is_page_number(line, page_height)]
    lines = _place_carried(carried, lines)
    all_lines = list(lines)
    for run in _text_tables(lines, continued):
        found = _unruled_table(run, rulings)
        if found is not None:
            placed.append(found)
            taken = {id(line) for line in run}
            lines = [line for line in lines if id(line) not in taken]
    carry = [] if last else _cut_head(all_lines, lines, placed)
    if carry:
        lines = lines[:len(lines) - len(carry)]
    paragraphs = _join_wrapped(lines)
    kept = []
    for line in paragraphs.lines:
        text = clean_text(line.text)
        if text:
            placed.append((line.top, Paragraph(text)))
            kept.append(line)
    placed.sort(key=lambda item: item[0])
    page = _Page([block for _, block in placed], carry=carry)
    if not page.blocks:
        return page
    if kept and isinstance(page.blocks[0], Paragraph) and placed[0][0] == kept[0].top:
        page.head = (kept[0], paragraphs.left[round(kept[0].size)])
    if kept and isinstance(page.blocks[-1], Paragraph) and placed[-1][0] == kept[-1].top:
        page.tail = (kept[-1], paragraphs.last_full and kept[-1] is paragraphs.lines[-1])
    return page


def _join_pages(blocks: list[Paragraph | Table], tail: tuple[_Line, bool] | None, page: _Page) -> None:
    """Append a page's blocks, its first paragraph joined to the last one before it when the
    sentence runs on over the page break (no table, heading or indent in between)."""
    new = page.blocks
    if tail and page.head and blocks and isinstance(blocks[-1], Paragraph):
        (last, full), (first, left) = tail, page.head
        if _continues(last, full, first, left, same_page=False):
            joined = blocks[-1].text + _glue(blocks[-1].text, new[0].text) + new[0].text
            blocks[-1] = Paragraph(clean_text(joined))
            new = new[1:]
    blocks.extend(new)


# --- tables printed without (all) their rulings ----------------------------------------------------

# Real reports print tables with only the rules between rows, only the outer frame, only the rules
# between columns, or none: the lattice above then finds no cells and the rows would be read as
# prose, losing blank cells and merged labels.  A run of lines with column gaps is such a table; the
# rulings it lacks are drawn where its text leaves room for them (`_mend_table`), and the lattice
# reads it like any ruled table.  Only the geometry of the glyphs is used: the reader knows no
# template.

# Glyphs closer than this (points) on one axis are in one cell: the lines of a wrapped label, the
# glyphs of a vertical label one under another.  Cell padding keeps neighbouring cells farther apart.
_CELL_GAP = 3.0
# At most this many lines of labels only (a block's title row, wrapped) belong to a table cut by a
# page break, after its last row at the end of a page or before its first row at the top of the next.
_CUT_LABEL_LINES = 2
# A glyph's box may reach this far (points) over its cell's edge.
_OVERREACH = 1.5
# A table has at least this many lines with column gaps...
_MIN_TABLE_LINES = 3
# ...and its lines follow each other at most this many font sizes apart.
_TABLE_LINE_GAP = 1.5


def _text_tables(lines: list[_Line], continued: bool = False) -> list[list[_Line]]:
    """Runs of lines that are the rows of a table without rulings: each run starts and ends with a
    line whose glyphs leave a column gap (wider than _COLUMN_GAP font sizes), holds at least
    _MIN_TABLE_LINES of them, and no two of its lines are farther apart than _TABLE_LINE_GAP font
    sizes (the lines of one cell, a wrapped label, have no gaps but sit between rows that do).  A
    table's cells are printed in one size: a line of another size (the next section's heading) ends
    the run.  `continued`: the page before ended with a table."""
    runs: list[list[_Line]] = []
    run: list[_Line] = []
    # The rest of a table cut by the page break may be a row or two, and start with a row of
    # labels only (a block's title): at the top of a page after a table, the first lines are
    # the table's if one of them has a column gap.
    head = continued

    def close(page_end: bool = False) -> None:
        nonlocal head
        # Lines of labels only after the last row are the table's only at the page's end (the
        # title row of a block the page break cut); elsewhere they are the text after the table.
        trailing = next((k for k, line in enumerate(reversed(run)) if _gapped(line)), len(run))
        if not page_end or trailing > _CUT_LABEL_LINES:
            del run[len(run) - trailing:]
        if sum(1 for line in run if _gapped(line)) >= (1 if head else _MIN_TABLE_LINES):
            runs.append(list(run))
        run.clear()
        head = False

    for line in lines:
        if run and (line.top - max(r.bottom for r in run) > _TABLE_LINE_GAP * max(line.size, 1.0)
                    or round(line.size) != round(run[0].size)):
            close()
        if head and len(run) >= _CUT_LABEL_LINES and not _gapped(line) and not any(_gapped(r) for r in run):
            run.clear()  # prose at the top of the page, not the rest of a table
            head = False
        if run or _gapped(line) or head:
            run.append(line)
    close(page_end=True)
    return runs


def _cut_head(lines: list[_Line], left: list[_Line], placed: list) -> list[_Line]:
    """The lines ending the page that are the head of a table the page break cut: fewer than
    _MIN_TABLE_LINES lines with column gaps, one right under the other, left over at the foot of
    the page (no table read below them).  Chromium printed 表二's column header as the page's last
    line, its rows on the next page: read alone the header is prose, and the rows lose the columns
    it names.  They are read with the next page's lines (`_place_carried`)."""
    if not left or left[-1] is not lines[-1] or any(top > left[-1].top for top, _ in placed):
        return []
    carry = [left[-1]]
    for line in reversed(left[:-1]):
        below = carry[0]
        if (len(carry) + 1 >= _MIN_TABLE_LINES or not _gapped(line) or round(line.size) != round(below.size)
                or below.top - line.bottom > _TABLE_LINE_GAP * max(line.size, 1.0)):
            break
        carry.insert(0, line)
    return carry if all(_gapped(line) for line in carry) else []


def _place_carried(carried: list[_Line], lines: list[_Line]) -> list[_Line]:
    """The head of a table cut at the foot of the previous page (`_cut_head`) put right above this
    page's first line, as far above it as its lines are apart (a row's height when it is one
    line), so that it is read with the table's rows on this page, or as prose before them."""
    if not carried:
        return lines
    size = max(max(line.size for line in carried), 1.0)
    pitch = [b.top - a.bottom for a, b in zip(carried, carried[1:])]
    gap = min(pitch) if pitch else size
    first = lines[0].top if lines else gap + (carried[-1].bottom - carried[0].top)
    dy = first - gap - carried[-1].bottom
    moved = []
    for line in carried:
        chars = [dict(c, top=c["top"] + dy, bottom=c["bottom"] + dy, baseline=c["baseline"] + dy) for c in line.chars]
        moved.append(_Line(chars, line.text, line.x0, line.x1, line.top + dy, line.bottom + dy, line.size,
                           line.widest_gap))
    return moved + lines


def _unruled_table(run: list[_Line], rulings: list[dict]) -> tuple[float, Table] | None:
    """The table printed by a run of lines, with its missing rulings mended; None if it has one column."""
    chars = [c for line in run for c in line.chars]
    box = (min(line.x0 for line in run) - 1, min(line.top for line in run) - 1,
           max(line.x1 for line in run) + 1, max(line.bottom for line in run) + 1)
    table = _mend_region(chars, box, rulings)
    return None if table is None else (box[1], table)


def _mend_region(chars: list[dict], box: tuple[float, float, float, float], rulings: list[dict]) -> Table | None:
    """The table of the text in `box`, read with the page's rulings near it and those it lacks
    mended (`_mend_table`); None if it has a single column."""
    x0, top, x1, bottom = box
    size = max(c["size"] for c in chars)
    # The table's own rulings lie within a cell's padding of its text: they set its frame.
    near = [r for r in rulings
            if r["x0"] < x1 + size and r["x1"] > x0 - size and r["top"] < bottom + size and r["bottom"] > top - size]
    if near:
        x0, x1 = min([x0] + [r["x0"] for r in near]), max([x1] + [r["x1"] for r in near])
        top, bottom = min([top] + [r["top"] for r in near]), max([bottom] + [r["bottom"] for r in near])
    mended = _mend_table(chars, (x0, top, x1, bottom), near)
    if not mended:
        return None
    tables = _find_tables(merge_edges(mended, _SNAP, _SNAP, _JOIN, _JOIN))
    if not tables:
        return None
    return _build_table(max(tables, key=len), chars)


def _gapped(line: _Line) -> bool:
    return line.widest_gap > _COLUMN_GAP * max(line.size, 1.0)


# A glyph as an interval on the axis being cut and one on the other axis.
_Span = tuple[float, float, float, float]


def _cuts(items: list[_Span], bands: list[tuple[float, float]], seeds: list[float],
          cell_gap: float = _CELL_GAP) -> list[float]:
    """Where to cut one axis into cells: in each band of the other axis, the glyphs' intervals are
    merged into blocks (closer than _CELL_GAP) and each gap between two blocks needs a cut.  Narrow
    gaps are placed first, and a gap already holding a cut placed for another band needs none: the
    cut between two label columns is placed where one band has text on both sides, not in the
    middle of a band where the left column is empty.  A ruling the table has (`seeds`) is the cut of
    the gap it lies in or next to; seeds no gap needs are cuts too (between two blank columns)."""
    gaps: list[tuple[float, float]] = []
    for lo, hi in bands:
        spans = sorted((a0, a1) for a0, a1, b0, b1 in items if lo <= (b0 + b1) / 2 < hi)
        end = None
        for a0, a1 in spans:
            if end is not None and a0 - end > cell_gap:
                gaps.append((end, a0))
            end = a1 if end is None else max(end, a1)
    cuts: list[float] = []
    free = sorted(seeds)
    for g0, g1 in sorted(gaps, key=lambda g: g[1] - g[0]):
        i = bisect_left(cuts, g0)
        if i < len(cuts) and cuts[i] <= g1:
            continue
        # A ruling the table has is this gap's cut, moved into the gap if a glyph's box reaches
        # over it by a point or two (so that glyph stays on its own side).
        near = [x for x in free if g0 - 2 * _OVERREACH <= x <= g1 + 2 * _OVERREACH]
        if near:
            free.remove(near[0])
            cut = min(max(near[0], g0), g1)
        else:
            cut = (g0 + g1) / 2
        cuts.insert(bisect_left(cuts, cut), cut)
    for x in free:
        i = bisect_left(cuts, x)
        if all(abs(x - c) > 2 * _OVERREACH for c in cuts[max(0, i - 1):i + 1]):
            cuts.insert(i, x)
    return cuts


def _text_blocks(items: list[_Span], lo: float, hi: float, cell_gap: float = _CELL_GAP) -> list[tuple[float, float]]:
    """The text of the band (lo, hi) of the other axis as intervals of the cut axis: the glyphs
    overlapping the band, merged where closer than _CELL_GAP (a cut between two touching glyphs of
    one word still crosses the word)."""
    blocks: list[tuple[float, float]] = []
    for a0, a1, b0, b1 in sorted(item for item in items if item[2] < hi and item[3] > lo):
        if blocks and a0 - blocks[-1][1] <= cell_gap:
            blocks[-1] = (blocks[-1][0], max(blocks[-1][1], a1))
        else:
            blocks.append((a0, a1))
    return blocks


def _clear(blocks: list[tuple[float, float]], at: float) -> bool:
    """Whether a cut at `at` crosses none of the text `blocks` (`_text_blocks`)."""
    i = bisect_right(blocks, (at, float("inf"))) - 1
    return i < 0 or not blocks[i][0] + 0.5 < at < blocks[i][1] - 0.5


def _split_columns(xs: list[_Span], bands: list[tuple[float, float]], columns: list[float]) -> list[float]:
    """Columns that share no band are told apart too: a label printed down the middle of its
    merged cell (Chromium centres 三、本年度办理结果 in its rows) may share no row with the labels of
    the next column.  Within a column, the labels lying wholly inside it, over all bands, leaving an
    empty gap between them are two columns (labels merged across the gap cross it and are left
    out).  `xs` are the glyphs of labels: a figure centred under a header merged over two columns
    may lie a point beyond their cut, beside a column of other figures."""
    inside: dict[int, list[tuple[float, float]]] = {}
    for lo, hi in bands:
        for a0, a1 in _text_blocks(xs, lo, hi):
            k = bisect_right(columns, (a0 + a1) / 2) - 1
            if 0 <= k < len(columns) - 1 and columns[k] <= a0 and a1 <= columns[k + 1]:
                inside.setdefault(k, []).append((a0, a1))
    out = list(columns)
    for spans in inside.values():
        spans.sort()
        end = spans[0][1]
        for a0, a1 in spans[1:]:
            if a0 - end > _CELL_GAP:
                out.append((end + a0) / 2)
            end = max(end, a1)
    return sorted(out)


def _off_centre(xs: list[_Span], labels: list[bool], rows: list[float], columns: list[float],
                size: float) -> dict[int, set[int]]:
    """Rows of a column that a label of the next column reaches into though its glyphs stay out:
    in a column whose labels are centred (their centres agree), a label centred off that centre
    is merged with the neighbouring column it leans to (Chromium centres （二）部分公开, merged over
    two label columns, inside the wider one).  Column → the rows it is so occupied in, which a label
    merged over rows of that column must not take."""
    found: dict[int, list[tuple[int, float]]] = {}
    label_xs = [x for x, is_label in zip(xs, labels) if is_label]
    for r, (lo, hi) in enumerate(zip(rows, rows[1:])):
        for a0, a1 in _text_blocks(label_xs, lo, hi):
            k = bisect_right(columns, (a0 + a1) / 2) - 1
            if 0 <= k < len(columns) - 1 and columns[k] <= a0 and a1 <= columns[k + 1]:
                found.setdefault(k, []).append((r, (a0 + a1) / 2))
    spill: dict[int, set[int]] = {}
    for k, placed in found.items():
        centres = sorted(c for _, c in placed)
        middle = centres[len(centres) // 2]
        if sum(1 for c in centres if abs(c - middle) <= 0.25 * size) * 2 <= len(centres):
            continue  # not a column of centred labels
        for r, c in placed:
            if abs(c - middle) > 1.5 * size:
                spill.setdefault(k - 1 if c < middle else k + 1, set()).add(r)
    return spill


def _mend_table(chars: list[dict], box: tuple[float, float, float, float], rulings: list[dict]) -> list[dict]:
    """The rulings of a table printed with some or none of them: its own rulings (within `box`),
    its frame, and a ruling wherever its text leaves a gap between cells.  Rows are first cut where
    a gap runs across the whole table, columns within those rows, then rows again within each
    column (a label wrapped over two lines beside a one-line number is one row: the number crosses
    the gap between the label's lines).  A cut is drawn only where no glyph crosses it, so a label
    merged over columns or rows keeps its cell."""
    x0, top, x1, bottom = box
    xs = [(c["x0"], c["x1"], c["top"], c["bottom"]) for c in chars]
    ys = [(c["top"], c["bottom"], c["x0"], c["x1"]) for c in chars]
    own_h = [r["top"] for r in rulings if r["orientation"] == "h" and top - 1 < r["top"] < bottom + 1]
    own_v = [r["x0"] for r in rulings if r["orientation"] == "v" and x0 - 1 < r["x0"] < x1 + 1]
    inner_h = [y for y in own_h if top + 1 < y < bottom - 1]
    inner_v = [x for x in own_v if x0 + 1 < x < x1 - 1]
    leading = _leading(chars)
    rows = [top] + _cuts(ys, [(x0, x1)], inner_h, leading) + [bottom]
    # Columns are also cut in the bands between gaps that run across the whole table, whatever
    # rules the table has between its rows: a label printed down a narrow column may share no row
    # with the labels of the next column, but it shares such a band with them.
    text_rows = [top] + _cuts(ys, [(x0, x1)], [], leading) + [bottom]
    bands = list(zip(text_rows, text_rows[1:])) + list(zip(rows, rows[1:]))
    columns = [x0] + _cuts(xs, bands, inner_v) + [x1]
    columns = _split_columns([x for x, c in zip(xs, chars) if c["text"] not in _FIGURE_GLYPHS], bands, columns)
    rows = [top] + _cuts(ys, list(zip(columns, columns[1:])), rows[1:-1], leading) + [bottom]
    if len(rows) * len(columns) > _MAX_PAGE_CROSSINGS:
        return []  # no report table is this dense: graph paper, a chart's labels
    mended = [_ruling("h", x0, x1, top), _ruling("h", x0, x1, bottom),
              _ruling("v", top, bottom, x0), _ruling("v", top, bottom, x1)]
    for lo, hi in zip(rows, rows[1:]):
        blocks = _text_blocks(xs, lo, hi)
        mended += [_ruling("v", lo, hi, x) for x in columns[1:-1] if _clear(blocks, x)]
    # Rows holding a figure alone in a cell: a label merged over rows stays among rows of its kind.
    cells: dict[tuple[int, int], list[dict]] = {}
    for c in chars:
        r = bisect_right(rows, (c["top"] + c["bottom"]) / 2) - 1
        k = bisect_right(columns, (c["x0"] + c["x1"]) / 2) - 1
        cells.setdefault((r, k), []).append(c)
    figure_rows = {r for (r, _), cs in cells.items()
                   if all(c["text"] in _FIGURE_GLYPHS for c in cs) and any(c["text"].isdigit() for c in cs)}
    spill = _off_centre(xs, [c["text"] not in _FIGURE_GLYPHS for c in chars], rows, columns,
                        max(c["size"] for c in chars))
    for k, (lo, hi) in enumerate(zip(columns, columns[1:])):
        blocks = _text_blocks(ys, lo, hi, leading)
        merged = _merged_rows(chars, lo, hi, rows, columns, figure_rows, blocks, spill.get(k, set()))
        mended += [_ruling("h", lo, hi, y) for i, y in enumerate(rows[1:-1], 1)
                   if i not in merged and _clear(blocks, y)]
    return mended


def _leading(chars: list[dict]) -> float:
    """How far apart (points) the lines of one cell may be: _CELL_GAP, or more where the table's
    rows are farther apart.  A glyph's box spans its font's ascent to descent, and the room a line
    leaves above and below it depends on the font: Chromium printing with real CJK fonts (1 em
    high boxes on 1.5 em lines) leaves half an em between the lines of a wrapped label, where the
    substitute glyphs of a machine without those fonts leave none.  Two rows are farther apart
    than two lines of one cell by their cells' padding.  The nearest two figures one above the
    other (each a row of its own: figures do not wrap) give the rows' pitch, baseline to
    baseline, which is the layout's whatever the font; less the height of the glyph boxes it is
    the gap between two rows' text, and lines of a cell are those closer than that by more than
    _CELL_GAP.  Bounded by 0.75 em: a table whose every row holds a wrapped label has its
    figures a line farther apart than its rows' text."""
    words: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (round(c["baseline"], 1), c["x0"])):
        last = words[-1][-1] if words else None
        if (last is not None and abs(last["baseline"] - c["baseline"]) < 0.5
                and c["x0"] - last["x1"] <= _CELL_GAP):
            words[-1].append(c)
        else:
            words.append([c])
    size = max(c["size"] for c in chars)
    figures = [(min(c["x0"] for c in w), max(c["x1"] for c in w), w[0]["baseline"])
               for w in words if all(c["text"] in _FIGURE_GLYPHS for c in w) and any(c["text"].isdigit() for c in w)]
    steps = {(round(a[2]), round(b[2])) for a in figures for b in figures
             if b[2] - a[2] > 0.5 * size and a[0] < b[1] and b[0] < a[1]}
    # The pitch of rows only where two pairs of rows show it: figures one above the other with
    # header rows between them (表二's blocks) are farther apart than any two rows.
    nearest = sorted(b - a for a, b in steps)
    pitches = nearest[:1] if len(nearest) >= 2 and nearest[1] - nearest[0] <= 1 else []
    # Labels and figures may be drawn from fonts of different heights (Latin digits beside CJK
    # substitutes): the taller of the two sets the gap left between two rows.
    labels = sorted(c["bottom"] - c["top"] for c in chars if c["text"] not in _FIGURE_GLYPHS)
    digits = sorted(c["bottom"] - c["top"] for c in chars if c["text"].isdigit())
    if not pitches or not labels:
        return _CELL_GAP
    row_gap = min(pitches) - max(labels[len(labels) // 2], digits[len(digits) // 2])
    return max(_CELL_GAP, min(row_gap - _CELL_GAP, 0.75 * size))


# Glyphs of a figure: a block of only these is a value, which fills its own row.
_FIGURE_GLYPHS = set("0123456789.,，%-—–－/ ")


def _merged_rows(chars: list[dict], lo: float, hi: float, rows: list[float], columns: list[float],
                 figure_rows: set[int], text: list[tuple[float, float]], taken: set[int] = frozenset()) -> set[int]:
    """The row cuts (indices into `rows`) inside labels merged over rows, in the column (lo, hi).
    Without rulings a merged label shows only as text centred in its rows with nothing above and
    below it in its column: a label block (rows joined where its text crosses the cut between them)
    is widened over the empty rows on both sides as far as it stays centred in them, and only over
    rows of its kind (with figures or without: header rows).  Only in columns
    of labels: a figure between two blank cells is one row, and so is the header of a column of
    figures above a blank."""
    inside = [c for c in chars if c["x0"] < hi and c["x1"] > lo]
    n = len(rows) - 1

    def overlapping(top: float, bottom: float) -> list[int]:
        return [i for i in range(n) if rows[i] < bottom - 0.5 and rows[i + 1] > top + 0.5]

    in_row: dict[int, list[dict]] = {}
    for c in inside:
        for i in overlapping(c["top"], c["bottom"]):
            in_row.setdefault(i, []).append(c)
    blocks: list[list[int]] = []
    for i in sorted(in_row):
        if blocks and blocks[-1][-1] == i - 1 and not _clear(text, rows[i]):
            blocks[-1].append(i)
        else:
            blocks.append([i])
    cut: set[int] = set()
    claimed: set[int] = set()
    labels: list[tuple[int, int, float, set[int]]] = []
    for rows_of in blocks:
        block = [c for i in rows_of for c in in_row[i]]
        first, last = rows_of[0], rows_of[-1]
        cut.update(range(first + 1, last + 1))
        if all(c["text"] in _FIGURE_GLYPHS for c in block):
            continue
        top, bottom = min(c["top"] for c in block), max(c["bottom"] for c in block)
        middle = (top + bottom) / 2
        # A row is free for the label if nothing is printed in it in any column the label covers
        # (a label spanning columns is merged over rows only where all its columns are empty).
        # The label's whole width: its lines run on into the next column when it spans columns.
        x0, x1 = min(c["x0"] for c in block), max(c["x1"] for c in block)
        beside = sorted((c["x0"], c["x1"]) for c in chars if c["top"] < bottom and c["bottom"] > top)
        for a0, a1 in beside:
            if a0 <= x1 + _CELL_GAP and a1 > x1 and a0 < x1 + _CELL_GAP:
                x1 = a1
        for a0, a1 in sorted(beside, key=lambda a: -a[1]):
            if a1 >= x0 - _CELL_GAP and a0 < x0:
                x0 = a0
        left = max((x for x in columns if x <= x0 + 0.5), default=columns[0])
        right = min((x for x in columns if x >= x1 - 0.5), default=columns[-1])
        by_row: dict[int, list[dict]] = {}
        for c in chars:
            if c["x0"] < right and c["x1"] > left:
                for i in overlapping(c["top"], c["bottom"]):
                    by_row.setdefault(i, []).append(c)
        if any(all(c["text"] in _FIGURE_GLYPHS for c in row) for row in by_row.values()):
            # A column of figures: its header is a label of one row, and the empty rows around it
            # are blank cells, not part of it.
            continue
        # Among rows of its kind: a header label over header rows, a row label over rows of figures.
        kind = bool(figure_rows.intersection(rows_of))
        used = set(by_row) | taken | {i for i in range(n) if (i in figure_rows) != kind}
        labels.append((first, last, middle, used))

    def free(first: int, last: int, used: set[int]) -> tuple[int, int]:
        up = 0
        while first - up - 1 >= 0 and first - up - 1 not in used:
            up += 1
        down = 0
        while last + down + 1 < n and last + down + 1 not in used:
            down += 1
        return up, down

    size = max(c["size"] for c in chars)

    def centred(first: int, last: int, middle: float, used: set[int]) -> list[tuple[int, int]]:
        """The ways (rows taken above, below) the label can be widened over free rows and stay centred."""
        up, down = free(first, last, used)
        return [(u, d) for u in range(up + 1) for d in range(down + 1)
                if abs((rows[first - u] + rows[last + d + 1]) / 2 - middle) <= 0.6 * size]

    def off_centre(first: int, last: int, middle: float, u: int, d: int) -> float:
        return abs((rows[first - u] + rows[last + d + 1]) / 2 - middle)

    def order(label: tuple[int, int, float, set[int]]) -> tuple[int, int, bool, bool]:
        ways = [w for w in centred(*label) if w != (0, 0)]
        widest = max(ways, key=sum, default=(0, 0))
        return (len(ways), sum(free(*label[:2], label[3])), off_centre(*label[:3], 0, 0) <= _OVERREACH,
                off_centre(*label[:3], *widest) > _OVERREACH)

    # Labels one above the other in a column compete for the empty rows between them, and more
    # than one way of sharing them out may leave a label centred (the rows of a table continued
    # from the page before have their label there).  The label with the fewest ways to be widened
    # and stay centred is placed first, then the one with the fewest empty rows around it, then
    # one not yet centred in its own rows, then one its widest way centres to within a glyph's
    # overreach; the others take the rows it leaves.  Labels alike in all these go top to bottom.
    labels.sort(key=order)
    for first, last, middle, used in labels:
        best = None
        for u, d in centred(first, last, middle, used | claimed):
            if best is None or u + d > best[0] + best[1]:
                best = (u, d)
        if best and best != (0, 0):
            u, d = best
            claimed.update(range(first - u, last + d + 1))
            cut.update(range(first - u + 1, last + d + 1))
    return cut


def _ruling(orientation: str, start: float, end: float, at: float) -> dict:
    if orientation == "h":
        return {"x0": start, "x1": end, "top": at, "bottom": at, "width": end - start, "height": 0.0,
                "orientation": "h", "object_type": "line"}
    return {"x0": at, "x1": at, "top": start, "bottom": end, "width": 0.0, "height": end - start,
            "orientation": "v", "object_type": "line"}
