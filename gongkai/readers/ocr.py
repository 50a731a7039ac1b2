"""Pictures of a report → `Document`: scanned PDF pages, PNG/JPEG files, pictures inside DOCX and HTML.

Text is recognised offline by RapidOCR (PP-OCR detection, direction and recognition models shipped inside
the `rapidocr-onnxruntime` wheel: nothing is downloaded at run time).  The tables are rebuilt from the
picture's own geometry, the way a reader of the paper does it:

1. the page is straightened: the angle of its long ruling lines (a scan is rarely square to the glass);
2. ruling lines are found with morphology (long thin runs of ink); a table is a connected grid of them;
3. the grid's rows and columns are the positions of its horizontal and vertical lines, and two grid
   positions belong to one merged cell when no line separates them (a label merged over rows or columns);
4. each recognised text box goes into the cell holding its centre; a box the detector ran across a
   column line is cut at the line and each piece recognised again; a cell with ink but no box (the
   detector misses lone short digits) is recognised on its own.

The result is the same `Document` every reader emits, so the one mapper and the template's arithmetic
check every figure read this way.  Every cell carries `source="ocr"` and the recogniser's confidence.
Text outside the tables becomes paragraphs, line by line, in reading order.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from gongkai.document import Block, Cell, Document, Paragraph, ReadError, Table, clean_text

# Pages are rendered at this resolution before recognition: PP-OCR reads 8 pt table text well from
# 150 dpi up; more costs time for nothing (the detector scales the page down to 2000 px anyway).
RENDER_DPI = 200
# A scan of more pages than this is refused by name rather than left running for many minutes
# (recognition takes several seconds a page).  GONGKAI_OCR_MAX_PAGES overrides it.
DEFAULT_MAX_PAGES = 60
# Embedded pictures smaller than this (icons, bullets, spacer gifs) cannot hold a table: a screenshot of
# 表四 at 150 dpi is about 1080 × 160 px, so the short side may be small, the long one not.
MIN_PICTURE_LONG_SIDE = 300
MIN_PICTURE_SHORT_SIDE = 40
# Characters a recogniser commonly reads for a digit in a number cell: the letter o for 0 and so on.
# Applied only when every character of the cell is a digit or one of these (so "other" stays text).
_DIGIT_LOOKALIKES = str.maketrans({"o": "0", "O": "0", "D": "0", "l": "1", "I": "1", "|": "1"})
_NUMBER_CHARS = set("0123456789.,，")


def max_pages() -> int:
    try:
        return max(1, int(os.environ.get("GONGKAI_OCR_MAX_PAGES", "")))
    except ValueError:
        return DEFAULT_MAX_PAGES


@lru_cache(maxsize=1)
def _cv2():
    """OpenCV, imported when a picture is first read. Its wheel loads the system's libGL and GLib (Debian's
    libgl1 and libglib2.0-0, which .ci/run installs): on a machine without them the import fails, and that must
    be a clear refusal of the picture, not a crash of the batch."""
    try:
        import cv2
    except ImportError as err:
        raise ReadError(f"图片识别组件 OpenCV 无法加载（{err}）；请安装系统库 libgl1 与 libglib2.0-0 后重试") from err
    return cv2


@lru_cache(maxsize=1)
def _engine():
    """One recogniser per process: loading the three ONNX models takes about a second."""
    _cv2()  # the recogniser imports OpenCV: say so by name when it cannot load
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise ReadError("缺少文字识别组件 rapidocr-onnxruntime，无法识别图片或扫描件") from err
    # max_side_len: the engine would otherwise shrink a page to 2000 px on its longer side, which puts a
    # long screenshot's 8 pt digits below what the recogniser reads; `_normalise` bounds the size instead.
    return RapidOCR(max_side_len=8000)


@dataclass(slots=True)
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def _recognise(img: np.ndarray) -> list[_Box]:
    """Detection + recognition of a whole picture.  text_score 0.3 keeps low-confidence readings: a
    lone '0' often scores 0.5–0.6, and dropping it would turn a printed figure into a blank.

    The direction classifier is off: it turns short boxes upside down now and then, and a 9 turned
    over is read as a 6 (a page is straightened as a whole instead, see `_straighten`)."""
    result, _ = _engine()(img, use_cls=False, text_score=0.3, box_thresh=0.5, unclip_ratio=1.6)
    boxes = []
    for quad, text, score in result or []:
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        boxes.append(_Box(min(xs), min(ys), max(xs), max(ys), str(text), float(score)))
    return boxes


# A runner-up digit at least this probable at its position (among the digits) is another reading of the number.
RUNNER_UP = 0.05
# Numbers read at least this confidently are not looked at for runner-ups (each costs one more recognition;
# the misreadings seen scored 0.3–0.6).
_SURE = 0.9


def _digit_alternatives(img: np.ndarray, reading: str) -> tuple[str, ...]:
    """Other readings of the number in `img` that the recogniser itself found likely: at each digit it
    emitted, the best *other* digit when its share of the digits' probability is at least RUNNER_UP (one
    digit changed each).
    From the recognition model's per-position class probabilities (CTC: a new non-blank class starts a
    character).  Empty when the crop reads other than `reading` (then the positions do not line up)."""
    if img.size == 0 or min(img.shape[:2]) < 4:
        return ()
    rec = _engine().text_rec
    _, height, width = rec.rec_image_shape[:3]
    h, w = img.shape[:2]
    norm = rec.resize_norm_img(img, max(width / height, w / h))
    preds = rec.session(norm[np.newaxis].astype(np.float32))[0][0]  # positions × classes
    chars = rec.postprocess_op.character
    digits = _digit_classes(tuple(chars))
    emitted: list[tuple[str, np.ndarray]] = []
    previous = -1
    for t, i in enumerate(preds.argmax(axis=1)):
        if i != previous and i != 0:
            emitted.append((chars[i], preds[t]))
        previous = i
    if "".join(ch for ch, _ in emitted) != reading:
        return ()
    out = []
    for k, (ch, probs) in enumerate(emitted):
        if ch not in digits:
            continue
        # The cell is a number: its position holds a digit, so the digits' probabilities are compared among
        # themselves (a smudged 9 puts its doubt on 日 or θ as much as on 6).
        among = float(sum(probs[i] for i in digits.values()))
        best = max((d for d in digits if d != ch), key=lambda d: probs[digits[d]])
        if among > 0 and probs[digits[best]] / among >= RUNNER_UP:
            out.append(reading[:k] + best + reading[k + 1 :])
    return tuple(out)


@lru_cache(maxsize=2)
def _digit_classes(chars: tuple[str, ...]) -> dict[str, int]:
    return {ch: i for i, ch in enumerate(chars) if len(ch) == 1 and ch.isdigit() and ch.isascii()}


def _recognise_line(img: np.ndarray) -> tuple[str, float]:
    """Recognition only, of a crop holding one line of text."""
    if img.size == 0 or min(img.shape[:2]) < 4:
        return "", 0.0
    result, _ = _engine()(img, use_det=False, use_cls=False, use_rec=True)
    if not result:
        return "", 0.0
    text, score = result[0][0], result[0][1]
    return str(text), float(score)


# ---------------------------------------------------------------- geometry
# A picture's shorter side is brought down to this many pixels (about 230 dpi for an A4 page): more
# resolution costs recognition time and gains nothing, and a 600 dpi scan would take minutes a page.
_MAX_SHORT_SIDE = 1900


def _to_array(picture) -> np.ndarray:
    """An RGB uint8 array from a PIL image, no larger than `_MAX_SHORT_SIDE` on its shorter side."""
    from PIL import Image

    if picture.mode != "RGB":
        picture = picture.convert("RGB")
    short = min(picture.size)
    if short > _MAX_SHORT_SIDE:
        scale = _MAX_SHORT_SIDE / short
        picture = picture.resize((round(picture.width * scale), round(picture.height * scale)), Image.Resampling.LANCZOS)
    return np.asarray(picture)


def _ink(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0: adaptive threshold, so a grey scan or JPEG noise does not matter."""
    cv2 = _cv2()

    return cv2.adaptiveThreshold(255 - gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -10)


def _skew_degrees(ink: np.ndarray) -> float:
    """The angle of the page's long near-horizontal lines (table rulings, underlines), in degrees;
    0 when there are none."""
    cv2 = _cv2()

    h, w = ink.shape
    lines = cv2.HoughLinesP(ink, 1, math.pi / 1800, threshold=max(100, w // 6), minLineLength=w // 4, maxLineGap=4)
    if lines is None:
        return 0.0
    angles = []
    for x0, y0, x1, y1 in np.asarray(lines).reshape(-1, 4).tolist():
        if x1 == x0:
            continue
        a = math.degrees(math.atan2(y1 - y0, x1 - x0))
        if abs(a) < 10:
            angles.append(a)
    return float(np.median(angles)) if angles else 0.0


def _straighten(rgb: np.ndarray) -> np.ndarray:
    cv2 = _cv2()

    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    angle = _skew_degrees(_ink(gray))
    if abs(angle) < 0.05:
        return rgb
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(rgb, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))


def _runs(mask: np.ndarray, axis: int) -> list[tuple[float, int, int]]:
    """Line segments of a line mask: (position across, start, end along) of each connected piece."""
    cv2 = _cv2()

    n, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if axis == 0:  # horizontal
            out.append((float(centroids[i][1]), int(x), int(x + w)))
        else:
            out.append((float(centroids[i][0]), int(y), int(y + h)))
    return out


def _cluster(values: list[float], tolerance: float) -> list[float]:
    values = sorted(values)
    groups: list[list[float]] = []
    for v in values:
        if groups and v - groups[-1][-1] <= tolerance:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


@dataclass
class _Grid:
    xs: list[float]  # column lines, left to right
    ys: list[float]  # row lines, top to bottom
    # Merged cells: (row, col, rowspan, colspan), one per cell, top-left first.
    cells: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def rect(self, cell: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
        r, c, rs, cs = cell
        return self.xs[c], self.ys[r], self.xs[c + cs], self.ys[r + rs]


def _tables(ink: np.ndarray) -> list[_Grid]:
    """The ruled tables of a page, each as a grid of merged cells."""
    cv2 = _cv2()

    h, w = ink.shape
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 30), 1)))
    # Vertical lines of a one-row cell are short: first a short kernel to find the grids, then each
    # grid's own row height decides which vertical strokes are lines (characters' strokes are shorter).
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(8, h // 120))))
    joined = cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    grids = []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        if bw < w // 5 or bh < 20:
            continue
        grid = _grid(horizontal[y : y + bh, x : x + bw], vertical[y : y + bh, x : x + bw], ink[y : y + bh, x : x + bw])
        if grid is None:
            continue
        grid.xs = [v + x for v in grid.xs]
        grid.ys = [v + y for v in grid.ys]
        grids.append(grid)
    return sorted(grids, key=lambda g: g.ys[0])


def _grid(horizontal: np.ndarray, vertical: np.ndarray, ink: np.ndarray) -> _Grid | None:
    cv2 = _cv2()

    h, w = horizontal.shape
    hruns = [r for r in _runs(horizontal, 0) if r[2] - r[1] >= w * 0.05]
    ys = _cluster([r[0] for r in hruns], 4)
    if len(ys) < 3:
        return None  # one row is a frame around a title, not a table
    row_gap = min(b - a for a, b in zip(ys, ys[1:]))
    if row_gap < 8:
        return None
    # A column line runs from one row line to another: at least 70 % of the smallest row height.
    kernel = max(6, int(row_gap * 0.7))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, kernel)))
    vruns = [r for r in _runs(vertical, 1) if r[2] - r[1] >= kernel]
    xs = _cluster([r[0] for r in vruns], 4)
    if len(xs) < 3:
        return None  # one column: a frame or a box, not a table
    nr, nc = len(ys) - 1, len(xs) - 1

    def line_at(mask: np.ndarray, horizontal_line: bool, pos: float, a: float, b: float) -> bool:
        """Whether a ruling covers most of the segment from a to b at pos (±3 px)."""
        p = int(round(pos))
        lo, hi = int(a + (b - a) * 0.2), int(b - (b - a) * 0.2)
        if hi <= lo:
            return True
        if horizontal_line:
            band = mask[max(0, p - 3) : p + 4, lo:hi]
            covered = band.max(axis=0) if band.size else np.zeros(0)
        else:
            band = mask[lo:hi, max(0, p - 3) : p + 4]
            covered = band.max(axis=1) if band.size else np.zeros(0)
        return covered.size > 0 and float((covered > 0).mean()) >= 0.6

    # Union-find over grid positions: neighbours with no line between them are one cell.
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not line_at(vertical, False, xs[c + 1], ys[r], ys[r + 1]):
                parent[find(r * nc + c + 1)] = find(r * nc + c)
            if r + 1 < nr and not line_at(horizontal, True, ys[r + 1], xs[c], xs[c + 1]):
                parent[find((r + 1) * nc + c)] = find(r * nc + c)
    members: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            members.setdefault(find(r * nc + c), []).append((r, c))
    taken: set[tuple[int, int]] = set()
    cells = []
    for group in sorted(members.values()):
        r0 = min(r for r, _ in group)
        c0 = min(c for _, c in group)
        r1 = max(r for r, _ in group)
        c1 = max(c for _, c in group)
        if (r0, c0) in taken:
            continue
        # A merged region is a rectangle; a ragged one (a broken line) is taken as its bounding box,
        # minus positions another cell already holds.
        cells.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1))
        taken.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
    grid = _Grid([float(v) for v in xs], [float(v) for v in ys], sorted(cells))
    return grid


# ---------------------------------------------------------------- text into cells
def _cell_text(boxes: list[_Box]) -> tuple[str, float | None]:
    """Boxes of one cell in reading order: lines by centre, left to right within a line."""
    if not boxes:
        return "", None
    lines: list[list[_Box]] = []
    for b in sorted(boxes, key=lambda b: b.cy):
        if lines and abs(b.cy - lines[-1][0].cy) < (b.y1 - b.y0) / 2:
            lines[-1].append(b)
        else:
            lines.append([b])
    text = "".join("".join(b.text for b in sorted(line, key=lambda b: b.x0)) for line in lines)
    return text, min(b.score for b in boxes)


def _as_number_text(text: str) -> str:
    """'1o' → '10' when the cell is a number misread with letter look-alikes; other text unchanged."""
    compact = text.replace(" ", "")
    fixed = compact.translate(_DIGIT_LOOKALIKES)
    if fixed and set(fixed) <= _NUMBER_CHARS and any(ch.isdigit() for ch in fixed) and fixed != compact:
        return fixed
    return text


def _fill_table(rgb: np.ndarray, ink: np.ndarray, grid: _Grid, boxes: list[_Box]) -> Table:
    rects = [grid.rect(c) for c in grid.cells]
    inside: list[list[_Box]] = [[] for _ in rects]
    for box in boxes:
        hits = [i for i, (x0, y0, x1, y1) in enumerate(rects) if x0 <= box.cx < x1 and y0 <= box.cy < y1]
        if not hits:
            continue
        i = hits[0]
        x0, y0, x1, y1 = rects[i]
        if box.x0 < x0 - 4 or box.x1 > x1 + 4:
            # The detector ran one box across a column line (text of neighbouring cells printed close
            # together): cut it at the lines and recognise each piece on its own.
            for j, (a0, b0, a1, b1) in enumerate(rects):
                if b0 <= box.cy < b1 and min(box.x1, a1) - max(box.x0, a0) > 4:
                    crop = rgb[int(box.y0) : int(box.y1) + 1, int(max(box.x0, a0) + 3) : int(min(box.x1, a1) - 2)]
                    text, score = _recognise_line(crop)
                    if text:
                        inside[j].append(_Box(max(box.x0, a0), box.y0, min(box.x1, a1), box.y1, text, score))
            continue
        inside[i].append(box)
    table_cells: dict[int, list[Cell]] = {}
    for (r, c, rs, cs), rect, found in zip(grid.cells, rects, inside):
        text, score = _cell_text(found)
        crop = _text_crop(rgb, found)
        if not found:
            text, score, crop = _lone_text(rgb, ink, rect)
        text = _as_number_text(clean_text(text))
        alternatives: tuple[str, ...] = ()
        if crop is not None and score is not None and score < _SURE and text.isdigit() and len(text) <= 12:
            alternatives = _digit_alternatives(crop, text)
        table_cells.setdefault(r, []).append(
            Cell(text, rowspan=rs, colspan=cs, source="ocr", confidence=None if score is None else round(score, 3),
                 alternatives=alternatives)
        )
    rows = [table_cells.get(r, []) for r in range(len(grid.ys) - 1)]
    return Table(rows)


def _has_text(table: Table) -> bool:
    return any(cell.text for row in table.rows for cell in row)


def _text_crop(rgb: np.ndarray, boxes: list[_Box]) -> np.ndarray | None:
    """The picture of a one-box cell's text, a little wider than its box (for `_digit_alternatives`)."""
    if len(boxes) != 1:
        return None
    b = boxes[0]
    pad = max(2, int((b.y1 - b.y0) * 0.1))
    return rgb[max(0, int(b.y0) - pad) : int(b.y1) + pad + 1, max(0, int(b.x0) - pad) : int(b.x1) + pad + 1]


def _lone_text(
    rgb: np.ndarray, ink: np.ndarray, rect: tuple[float, float, float, float]
) -> tuple[str, float | None, np.ndarray | None]:
    """A cell with ink but no detected box: the detector drops a lone short digit now and then.
    The text, its confidence and the crop it was read from."""
    x0, y0, x1, y1 = (int(round(v)) for v in rect)
    pad = 4
    region = ink[y0 + pad : y1 - pad, x0 + pad : x1 - pad]
    if region.size == 0 or int((region > 0).sum()) < 12:
        return "", None, None
    ys, xs = np.nonzero(region)
    top, bottom = y0 + pad + ys.min(), y0 + pad + ys.max()
    left, right = x0 + pad + xs.min(), x0 + pad + xs.max()
    margin = max(3, (bottom - top) // 3)
    crop = rgb[max(0, top - margin) : bottom + margin + 1, max(0, left - margin) : right + margin + 1]
    text, score = _recognise_line(crop)
    return (text, score, crop) if text else ("", None, None)


def _paragraphs(boxes: list[_Box]) -> list[tuple[float, Paragraph]]:
    """Boxes outside every table, grouped into lines: (top, paragraph) each."""
    lines: list[list[_Box]] = []
    for b in sorted(boxes, key=lambda b: b.cy):
        if lines and abs(b.cy - sum(x.cy for x in lines[-1]) / len(lines[-1])) < (b.y1 - b.y0) / 2:
            lines[-1].append(b)
        else:
            lines.append([b])
    out = []
    for line in lines:
        text = clean_text(" ".join(b.text for b in sorted(line, key=lambda b: b.x0)))
        if text:
            out.append((min(b.y0 for b in line), Paragraph(text, source="ocr")))
    return out


def read_picture(picture) -> list[Block]:
    """One page or picture (a PIL image) → its paragraphs and tables in reading order."""
    cv2 = _cv2()

    rgb = _straighten(_to_array(picture))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    ink = _ink(gray)
    grids = _tables(ink)
    boxes = _recognise(rgb)
    placed: list[tuple[float, Block]] = []
    loose = []
    for box in boxes:
        if not any(g.xs[0] <= box.cx < g.xs[-1] and g.ys[0] <= box.cy < g.ys[-1] for g in grids):
            loose.append(box)
    for grid in grids:
        mine = [b for b in boxes if grid.xs[0] <= b.cx < grid.xs[-1] and grid.ys[0] <= b.cy < grid.ys[-1]]
        table = _fill_table(rgb, ink, grid, mine)
        if _has_text(table):  # ruled but empty (a form, graph paper): nothing to read
            placed.append((grid.ys[0], table))
    placed.extend(_paragraphs(loose))
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed]


def open_picture(data: bytes):
    """A PIL image from the bytes of a PNG, JPEG, GIF, BMP, TIFF or WebP file; ReadError otherwise."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 80_000_000  # a 300 dpi A3 page is 17 Mpx; a decompression bomb is refused
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as err:
        raise ReadError("图片文件已损坏或格式不受支持，无法识别") from err
    return picture


def read_image(data: bytes) -> Document:
    """A PNG/JPEG/… file: every frame (a multi-page TIFF) as one page."""
    picture = open_picture(data)
    doc = Document()
    frames = getattr(picture, "n_frames", 1)
    if frames > max_pages():
        raise ReadError(f"图片共 {frames} 页，超过文字识别上限 {max_pages()} 页，请拆分后再导入")
    for i in range(frames):
        picture.seek(i)
        doc.blocks.extend(read_picture(picture.copy()))
    _require_text(doc, "图片经文字识别（OCR）")
    return doc


def read_scanned_pdf(data: bytes) -> Document:
    """A PDF with no text layer: each page rendered and recognised."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        if len(pdf) > max_pages():
            raise ReadError(
                f"PDF 没有文字层（扫描件），共 {len(pdf)} 页，超过文字识别上限 {max_pages()} 页，请拆分后再导入"
            )
        doc = Document()
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                picture = page.render(scale=RENDER_DPI / 72).to_pil()
            finally:
                page.close()
            doc.blocks.extend(read_picture(picture))
    finally:
        pdf.close()
    _require_text(doc, "PDF 没有文字层（可能是扫描件），经文字识别（OCR）")
    return doc


def read_embedded(data: bytes) -> list[Block]:
    """A picture inside a DOCX or web page: its blocks, or none when it is too small to hold a table
    or cannot be decoded (a broken icon must not stop the report around it)."""
    try:
        picture = open_picture(data)
    except ReadError:
        return []
    if max(picture.size) < MIN_PICTURE_LONG_SIDE or min(picture.size) < MIN_PICTURE_SHORT_SIDE:
        return []
    return read_picture(picture)


def _require_text(doc: Document, what: str) -> None:
    if not doc.blocks:
        raise ReadError(f"{what}也未识别出任何文字，无法读取")
