"""Scanned reports and tables pasted as pictures read back exactly, by OCR (gongkai.readers.ocr).

The pictures are made here from real reports' figures (tests/fixtures/*.truth.json): the report is
rendered to PDF with a CJK TrueType font embedded (WenQuanYi Micro Hei from the paperang-p2-fonts-cjk
package, used by these tests only: the machines have no CJK fonts and must stay without them), the
pages rasterised by PDFium at 150 and 300 dpi, turned by ±2° and JPEG-compressed as a scanner or a
screenshot would.  Every figure must come back exactly, through the same mapper and rules as text.

Recognition takes seconds a page on a shared CPU, so each file here is made once per module and every
test reads as few pages as shows its point.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import duckdb
import pdfplumber
import pypdfium2 as pdfium
import pytest
from PIL import Image

from gongkai.demo.render import ReportSpec, render_docx, render_html, render_pdf
from gongkai.document import Cell, Table
from gongkai.parser import parse_bytes, parse_file
from gongkai.readers import ocr, sniff_format

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def font_file() -> str:
    import paperang_p2_fonts_cjk

    return str(Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc")


def truth(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.truth.json").read_text(encoding="utf-8"))


def spec_of(name: str) -> ReportSpec:
    t = truth(name)
    split = None if t["template"] == "2019" else not any(k.startswith("t3/other/") for k in t["figures"])
    return ReportSpec(agency=t["agency"], year=t["year"], template=t["template"], figures=t["figures"], other_split=split)


@lru_cache(maxsize=None)
def rendered_pdf(name: str) -> bytes:
    return render_pdf(spec_of(name), font_file=font_file())


@lru_cache(maxsize=None)
def pages(name: str, dpi: int) -> tuple[Image.Image, ...]:
    pdf = pdfium.PdfDocument(rendered_pdf(name))
    try:
        return tuple(pdf[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(pdf)))
    finally:
        pdf.close()


def turned(picture: Image.Image, degrees: float) -> Image.Image:
    """A page turned as on a scanner's glass (counter-clockwise for positive degrees)."""
    return picture.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")


def encoded(picture: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    picture.save(out, format=fmt, **options)
    return out.getvalue()


def image_pdf(pictures: list[Image.Image], dpi: int) -> bytes:
    """A PDF of page pictures and nothing else: what a scanner writes."""
    out = io.BytesIO()
    pictures[0].save(out, format="PDF", save_all=True, append_images=list(pictures[1:]), resolution=dpi)
    return out.getvalue()


def table_picture(name: str, index: int, dpi: int) -> Image.Image:
    """The picture of the report's `index`-th ruled table (0 表二, -1 表四), cut out of the page as a
    screenshot would, found by its rulings in the text PDF (not by the code under test)."""
    found = []
    with pdfplumber.open(io.BytesIO(rendered_pdf(name))) as pdf:
        for number, page in enumerate(pdf.pages):
            for table in page.find_tables():
                found.append((number, table.bbox, page.height))
    number, (x0, top, x1, bottom), _ = found[index]
    scale = dpi / 72
    margin = 12
    page_picture = pages(name, dpi)[number]
    return page_picture.crop(
        (int(x0 * scale) - margin, int(top * scale) - margin, int(x1 * scale) + margin, int(bottom * scale) + margin)
    )


def assert_reads_back(report, name: str, ocr_keys: set[str] | None = None) -> None:
    t = truth(name)
    assert report.figures == t["figures"]
    assert (report.agency, report.year, report.template) == (t["agency"], t["year"], t["template"])
    expected_ocr = set(t["figures"]) if ocr_keys is None else ocr_keys
    assert set(report.ocr) == expected_ocr
    figures = report.to_json()["figures"]
    assert {f["source"] for f in figures if (f"{f['table']}/{f['row']}/{f['column']}") in expected_ocr} <= {"ocr"}
    assert all(f["source"] == "text" for f in figures if f"{f['table']}/{f['row']}/{f['column']}" not in expected_ocr)
    assert all(0 < f["confidence"] <= 1 for f in figures if f["source"] == "ocr")
    # Exactly read, so the template's arithmetic holds and no digit is in doubt.
    assert not [f for f in report.findings if f.rule in ("t3_balance", "t3_outcomes", "t3_columns", "t4_rows", "ocr_ambiguous")]


# ---------------------------------------------------------------- whole scanned reports
@lru_cache(maxsize=None)
def scanned_2021() -> bytes:
    """洪泽区 2024 (2021 format) scanned at 150 dpi, its first page turned by 2°."""
    first, second = pages("hongze_2024", 150)
    return image_pdf([turned(first, 2), second], 150)


@lru_cache(maxsize=None)
def scanned_2019() -> bytes:
    """平潭 2019 (2019 format) scanned at 300 dpi, every page turned by −2° and JPEG-compressed (quality 75)."""
    shots = [Image.open(io.BytesIO(encoded(turned(p, -2), "JPEG", quality=75))) for p in pages("pingtan_2019", 300)]
    return image_pdf(shots, 300)


def test_scanned_pdf_2021_format_at_150_dpi_page_turned_2_degrees_reads_back_every_figure(mixed_db):
    """The scan is read once, by `gongkai ingest` (see `ingest_mixed_folder`): every figure it stored, from
    the database, is the report's as printed, and every one is marked as OCR'd."""
    assert sniff_format(scanned_2021()) == "pdf"
    con = duckdb.connect(str(mixed_db), read_only=True)
    try:
        agency, year, template, fmt = con.execute(
            "SELECT agency_printed, year, template::VARCHAR, format FROM reports WHERE source_file LIKE '%c_hongze_scan.pdf'"
        ).fetchone()
        stored = con.execute(
            """SELECT f."table"::VARCHAR || '/' || f."row"::VARCHAR || '/' || f."column"::VARCHAR, f.value, f.source,
                      f.confidence
               FROM figures f JOIN reports r USING (report_id) WHERE r.source_file LIKE '%c_hongze_scan.pdf'"""
        ).fetchall()
    finally:
        con.close()
    t = truth("hongze_2024")
    assert (agency, year, template, fmt) == (t["agency"], t["year"], t["template"], "pdf")
    assert {key: value for key, value, _, _ in stored} == t["figures"]
    assert {source for _, _, source, _ in stored} == {"ocr"}
    assert all(0 < conf <= 1 for _, _, _, conf in stored)


def test_jpeg_of_a_2019_table_at_300_dpi_turned_minus_2_degrees_reads_back_every_cell(tmp_path):
    """平潭 2019's 表二 (the 2019 format's columns) cut out at 300 dpi, turned by −2°, saved as JPEG: a
    picture file of one table reads back cell for cell (a picture of one table is still a report file:
    its other tables are missing, and said so)."""
    picture = turned(table_picture("pingtan_2019", 0, 300), -2)
    path = tmp_path / "pingtan_t2.jpg"
    path.write_bytes(encoded(picture, "JPEG", quality=80))
    report = parse_file(path)
    assert report.format == "image"
    t2 = {k: v for k, v in truth("pingtan_2019")["figures"].items() if k.startswith("t2/")}
    assert report.figures == t2
    assert set(report.ocr) == set(t2)
    assert {f.rule for f in report.findings} >= {"missing_table"}
    assert not [f for f in report.findings if f.rule == "ocr_ambiguous"]


# ---------------------------------------------------------------- tables pasted as pictures
@lru_cache(maxsize=None)
def docx_with_picture_table() -> bytes:
    """平潭 2019 as Word writes it, with 表四 pasted as a PNG picture (150 dpi) in place of the table."""
    import docx
    from docx.shared import Mm

    document = docx.Document(io.BytesIO(render_docx(spec_of("pingtan_2019"))))
    t4 = document.tables[2]._tbl
    holder = document.add_paragraph()
    holder.add_run().add_picture(io.BytesIO(encoded(table_picture("pingtan_2019", -1, 150), "PNG")), width=Mm(170))
    t4.addprevious(holder._p)
    t4.getparent().remove(t4)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def t4_keys(name: str) -> set[str]:
    return {k for k in truth(name)["figures"] if k.startswith("t4/")}


def test_docx_with_table_pasted_as_picture_reads_it_where_it_stands():
    report = parse_bytes(docx_with_picture_table(), "pingtan.docx")
    assert report.format == "docx"
    assert_reads_back(report, "pingtan_2019", ocr_keys=t4_keys("pingtan_2019"))
    # `gongkai parse` says how many figures were recognised.
    from rich.console import Console

    from gongkai.cli import print_report

    console = Console(record=True, width=200)
    print_report(report, console)
    assert "其中 15 个数字由文字识别（OCR）从扫描件或图片读取，请对照原件核对" in console.export_text()


def html_with_picture_tables(folder: Path) -> Path:
    """洪泽区 2024 saved as a web page: 表二 a PNG file in the page's folder (300 dpi, as Word's
    "save as web page" writes it), 表四 a JPEG in a data: URI."""
    page = render_html(spec_of("hongze_2024")).decode("utf-8")
    tables = re.findall(r"<table.*?</table>", page, flags=re.S)
    assert len(tables) == 3
    (folder / "洪泽.files").mkdir()
    (folder / "洪泽.files" / "image001.png").write_bytes(encoded(table_picture("hongze_2024", 0, 300), "PNG"))
    import base64

    jpeg = base64.b64encode(encoded(table_picture("hongze_2024", -1, 150), "JPEG", quality=85)).decode()
    page = page.replace(tables[0], '<p><img src="%E6%B4%AA%E6%B3%BD.files/image001.png" width="600"></p>')
    page = page.replace(tables[2], f'<p><img src="data:image/jpeg;base64,{jpeg}"></p>')
    path = folder / "洪泽.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_html_with_tables_as_a_picture_file_beside_it_and_a_data_uri(tmp_path):
    path = html_with_picture_tables(tmp_path)
    report = parse_file(path)
    ocr_keys = {k for k in truth("hongze_2024")["figures"] if k.startswith(("t2/", "t4/"))}
    assert_reads_back(report, "hongze_2024", ocr_keys=ocr_keys)
    # Uploaded on its own (no folder), the page's file pictures cannot be read: 表二 is missing, and
    # nothing outside the page's own bytes is looked at.
    alone = parse_bytes(path.read_bytes(), "洪泽.html")
    assert not any(k.startswith("t2/") for k in alone.figures)
    assert {k for k in alone.figures if k.startswith("t4/")} == t4_keys("hongze_2024")


# ---------------------------------------------------------------- what OCR must not do
def test_pdf_with_text_layer_never_goes_through_ocr(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("OCR ran on a PDF with a text layer")

    monkeypatch.setattr(ocr, "read_picture", refuse)
    monkeypatch.setattr(ocr, "read_scanned_pdf", refuse)
    report = parse_file(FIXTURES / "hongze_2024.pdf")
    assert report.figures == truth("hongze_2024")["figures"]
    assert report.ocr == {}
    assert {f["source"] for f in report.to_json()["figures"]} == {"text"}
    assert all("confidence" not in f for f in report.to_json()["figures"])


def notice_scan() -> bytes:
    """A scanned page that is no report: a notice, no table."""
    from PIL import ImageDraw, ImageFont

    picture = Image.new("RGB", (1200, 500), "white")
    draw = ImageDraw.Draw(picture)
    face = ImageFont.truetype(font_file(), 40)
    draw.text((80, 120), "关于开展安全生产检查的通知", fill="black", font=face)
    draw.text((80, 220), "各科室：请于本周五前完成自查。", fill="black", font=face)
    return image_pdf([picture], 150)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gongkai", *args], capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_scan_of_a_non_report_exits_2_with_one_chinese_line(tmp_path):
    path = tmp_path / "notice.pdf"
    path.write_bytes(notice_scan())
    out = run_cli("parse", str(path))
    assert out.returncode == 2
    assert out.stderr.strip() == f"错误：{path}：不是政府信息公开工作年度报告：没有找到表二、表三、表四中的任何一张表"
    assert out.stdout == ""


def test_broken_picture_file_is_refused_in_chinese():
    from gongkai.document import ReadError

    with pytest.raises(ReadError) as err:
        parse_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100), "broken.png")
    assert str(err.value) == "图片文件已损坏或格式不受支持，无法识别"


# ---------------------------------------------------------------- json and ingest
def test_parse_json_keeps_the_contract_and_adds_source_per_figure(tmp_path):
    path = tmp_path / "pingtan.docx"
    path.write_bytes(docx_with_picture_table())
    out = run_cli("parse", str(path), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert list(data) == ["file", "agency", "year", "template", "figures", "findings"]
    by_key = {f"{f['table']}/{f['row']}/{f['column']}": f for f in data["figures"]}
    assert list(by_key["t3/total/total"]) == ["table", "row", "column", "value", "source"]
    assert by_key["t3/total/total"]["source"] == "text"
    assert list(by_key["t4/review/total"])[:5] == ["table", "row", "column", "value", "source"]
    assert by_key["t4/review/total"]["source"] == "ocr"
    assert 0 < by_key["t4/review/total"]["confidence"] <= 1


def ingest_mixed_folder(tmp_path: Path) -> Path:
    """A folder of every kind at once, ingested by the CLI; the database, after checking what it holds.

    Two reports, each in two files of different kinds: ingest keeps the first file of an agency-year and
    skips another whose figures are *identical* — so the OCR'd files must read exactly what the text does."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a_pingtan_picture.docx").write_bytes(docx_with_picture_table())  # 表四 a picture
    (folder / "b_pingtan_2019.html").write_bytes((FIXTURES / "pingtan_2019.html").read_bytes())  # text
    (folder / "c_hongze_scan.pdf").write_bytes(scanned_2021())  # no text layer
    (folder / "d_pingtan_scan.pdf").write_bytes(scanned_2019())  # no text layer, 300 dpi, −2°, JPEG
    html_with_picture_tables(folder)  # 洪泽.html: 表二 a file beside the page, 表四 a data: URI
    (folder / "notice.pdf").write_bytes(notice_scan())  # a scan of no report: listed as failed
    db = tmp_path / "g.duckdb"
    out = run_cli("ingest", str(folder), "--db", str(db))
    said = out.stdout + out.stderr
    assert out.returncode == 1, said  # one file failed, the others stored or skipped
    assert "notice.pdf" in said and "不是政府信息公开工作年度报告" in said
    assert "导入 2 个" in said and "跳过 3 个已导入的文件" in said, said
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT r.source_file, f.source, count(*) FROM figures f JOIN reports r USING (report_id)"
            " GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        outcomes = dict(con.execute("SELECT source_file, outcome FROM ingested_files").fetchall())
    finally:
        con.close()
    # b_pingtan_2019.html, d_pingtan_scan.pdf and 洪泽.html: the same figures as the file of their report
    # stored before them ("copy") — the 2019 scan reads exactly what the text of the same report does.
    assert {Path(k).name: v for k, v in outcomes.items()} == {
        "a_pingtan_picture.docx": "stored", "b_pingtan_2019.html": "copy", "c_hongze_scan.pdf": "stored",
        "d_pingtan_scan.pdf": "copy", "洪泽.html": "copy"}
    counts = {(Path(name).name, source): n for name, source, n in rows}
    hongze, pingtan = truth("hongze_2024")["figures"], truth("pingtan_2019")["figures"]
    assert counts == {
        ("a_pingtan_picture.docx", "ocr"): len(t4_keys("pingtan_2019")),
        ("a_pingtan_picture.docx", "text"): len(pingtan) - len(t4_keys("pingtan_2019")),
        ("c_hongze_scan.pdf", "ocr"): len(hongze),
    }
    return db


@pytest.fixture(scope="module")
def mixed_db(tmp_path_factory) -> Path:
    return ingest_mixed_folder(tmp_path_factory.mktemp("mixed"))


def test_ingest_takes_scans_pictures_and_text_in_one_mixed_folder(mixed_db):
    assert mixed_db.exists()


def test_scanned_pdf_2019_format_at_300_dpi_turned_minus_2_degrees_jpeg_reads_back_every_figure(mixed_db):
    """Ingested in the mixed folder as a copy of a_pingtan_picture.docx (figures identical, checked by ingest);
    that report's figures, from the database, are 平潭 2019's as printed."""
    assert sniff_format(scanned_2019()) == "pdf"
    con = duckdb.connect(str(mixed_db), read_only=True)
    try:
        stored = con.execute(
            """SELECT f."table"::VARCHAR || '/' || f."row"::VARCHAR || '/' || f."column"::VARCHAR, f.value
               FROM figures f JOIN reports r USING (report_id) WHERE r.source_file LIKE '%a_pingtan_picture.docx'"""
        ).fetchall()
        outcome = con.execute("SELECT outcome FROM ingested_files WHERE source_file LIKE '%d_pingtan_scan.pdf'").fetchone()
    finally:
        con.close()
    assert dict(stored) == truth("pingtan_2019")["figures"]
    assert outcome == ("copy",)


def test_report_detail_marks_the_ocr_cells(mixed_db, monkeypatch):
    """报告详情 of the DOCX whose 表四 was a picture: exactly 表四's cells are marked as OCR'd."""
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(ROOT))  # the app's components, as the running app imports them
    monkeypatch.setenv("GONGKAI_DB", str(mixed_db))
    con = duckdb.connect(str(mixed_db), read_only=True)
    try:
        (report_id,) = con.execute("SELECT report_id FROM reports WHERE source_file LIKE '%a_pingtan_picture.docx'").fetchone()
    finally:
        con.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["report"] = str(report_id)
    at.switch_page("app_pages/report.py")
    at.run()
    assert not at.exception
    html = "".join(h.proto.body for h in at.get("html"))
    marked = set(re.findall(r'class="[^"]*gk-ocr[^"]*" data-key="([^"]+)"', html))
    assert marked == t4_keys("pingtan_2019")
    assert re.search(r'data-key="t4/review/total" title="由文字识别（OCR）从图片读取（识别置信度 0\.\d\d）"', html)
    assert any("文字识别（OCR）" in c.value for c in at.caption)


# ---------------------------------------------------------------- the grid rebuild, on its own
def test_merged_label_cells_come_out_with_their_spans():
    """表三's top-left note is merged over 3 rows; 申请人情况 over 7 columns; 法人或其他组织 over 5."""
    blocks = ocr.read_picture(table_picture("hongze_2024", 1, 150))
    table = next(b for b in blocks if isinstance(b, Table))
    spans = [[(c.text, c.rowspan, c.colspan) for c in row] for row in table.rows[:3]]
    assert spans[0] == [("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", 3, 1), ("申请人情况", 1, 7)]
    assert spans[1] == [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)]
    assert [t for t, _, _ in spans[2]] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert all(isinstance(c, Cell) and c.source == "ocr" for row in table.rows for c in row)


# ---------------------------------------------------------------- provenance through the mapper
def test_mapper_carries_each_cells_source_and_confidence_to_its_figure():
    """Cells marked as recognised reach exactly their own figures: 表二 by header position, 表三 by its
    row's window of values, 表四's fifteen-value row; every other figure stays "text"."""
    from gongkai.mapper import map_document
    from gongkai.readers import read_document

    doc = read_document((FIXTURES / "pingtan_2019.html").read_bytes())
    t2, t3, t4 = doc.tables[-3:]
    marked = {}

    def mark(cell: Cell, key: str, confidence: float) -> None:
        cell.source, cell.confidence = "ocr", confidence
        marked[key] = ("ocr", confidence)

    # 表二 "规范性文件" row: 89 89 89 under 本年新制作数量 / 本年新公开数量 / 对外公开总数量.
    row = next(r for r in t2.rows if r[0].text == "规范性文件")
    mark(row[2], "t2/normative_doc/published", 0.5)
    # 表三 "（七）总计" row, 自然人 column (23).
    row = next(r for r in t3.rows if any(c.text == "(七)总计" for c in r))
    mark(row[-7], "t3/total/natural_person", 0.42)
    # 表四: the one row of fifteen values.
    values = t4.rows[-1]
    assert len(values) == 15
    keys = [f"t4/{g}/{c}" for g in ("review", "suit_direct", "suit_after_review")
            for c in ("upheld", "corrected", "other", "pending", "total")]
    for cell, key in zip(values, keys):
        mark(cell, key, 0.9)
    mapped = map_document(doc)
    assert mapped.figures == truth("pingtan_2019")["figures"]
    # only figures not read from a text layer are recorded: a key absent is "text"
    assert mapped.provenance == marked


def test_recogniser_offers_its_runner_up_digit_for_a_doubtful_glyph():
    """A glyph drawn half 6, half 9 (a smudge): read as one, the other offered; a clean 9 offers nothing."""
    from PIL import ImageDraw, ImageFont

    face = ImageFont.truetype(font_file(), 22)

    def drawn(text: str):
        import numpy as np

        picture = Image.new("RGB", (60, 34), "white")
        ImageDraw.Draw(picture).text((8, 4), text, fill="black", font=face)
        return np.asarray(picture).astype(float)

    smudge = ((drawn("6") + drawn("9")) / 2).astype("uint8")
    text, score = ocr._recognise_line(smudge)
    assert text == "9" and score < 0.6
    assert ocr._digit_alternatives(smudge, "9") == ("6",)
    clean = drawn("9").astype("uint8")
    assert ocr._recognise_line(clean)[0] == "9"
    assert ocr._digit_alternatives(clean, "9") == ()


def test_dashboard_upload_takes_a_picture_and_keeps_its_own_suffix(tmp_path):
    """报告导入 accepts pictures (read by OCR when ingested) and saves each under its real kind's suffix."""
    sys.path.insert(0, str(ROOT))
    from components import uploads

    assert {"png", "jpg", "jpeg"} <= set(uploads.UPLOAD_TYPES)
    png = encoded(Image.new("RGB", (40, 40), "white"), "PNG")
    jpeg = encoded(Image.new("RGB", (40, 40), "white"), "JPEG")
    assert uploads.check_content(png) is None and uploads.check_content(jpeg) is None
    assert uploads.save(png, "表三.jpg", tmp_path).name == "表三.png"  # the content decides, not the name
    assert uploads.save(jpeg, "表三.png", tmp_path).name == "表三.jpg"


def test_a_scan_longer_than_the_page_limit_is_refused_by_name(monkeypatch):
    """GONGKAI_OCR_MAX_PAGES bounds the minutes a scan can cost; the refusal names the page counts."""
    from gongkai.document import ReadError

    monkeypatch.setenv("GONGKAI_OCR_MAX_PAGES", "1")
    with pytest.raises(ReadError) as err:
        parse_bytes(scanned_2021(), "hongze_scan.pdf")
    assert str(err.value) == "PDF 没有文字层（扫描件），共 2 页，超过文字识别上限 1 页，请拆分后再导入"
