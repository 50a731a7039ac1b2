"""Readers: bytes of any supported format → `Document` (paragraphs and tables of cells).

The format is sniffed from the content, never trusted from the file name: portals serve HTML as
.doc, crawlers save PDFs as .htm.  Each reader lives in its own module and exposes
`read(data: bytes) -> Document`; it raises `ReadError` with a Chinese message for a file it cannot read.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from gongkai.document import Document, ReadError
from gongkai.readers.encoding import decode_text


def sniff_format(data: bytes) -> str:
    """Which reader fits these bytes: pdf, docx, doc (every OLE2 compound file: the doc reader names what
    it holds if not Word), rtf, image (PNG, JPEG, GIF, BMP, TIFF, WebP: read by OCR), html, markdown or text;
    "zip" for a zip that is not a DOCX (refused)."""
    head = data[:2048].lstrip()
    if head.startswith(b"{\\rtf"):
        return "rtf"  # portals often serve RTF under a .doc name
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        return "zip"
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or data[:6] in (b"GIF87a", b"GIF89a"):
        return "image"
    if data[:2] == b"BM" or data[:4] in (b"II*\x00", b"MM\x00*") or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # An OLE2 compound file: Word 97–2003 .doc and WPS .wps hold a WordDocument stream (its name is
        # UTF-16 in the directory); .xls, .ppt, Works files and encrypted .docx do not.  The doc reader
        # refuses those by name.
        return "doc"
    sample = data[:200_000].lower()
    if b"<table" in sample or b"<html" in sample or b"<!doctype html" in sample or b"<td" in sample:
        return "html"
    if b"\\u003ctable" in sample or b"&lt;table" in sample:
        return "html"
    text = decode_text(data[:200_000])
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    pipe_rows = sum(1 for ln in lines if ln.startswith("|") and ln.endswith("|"))
    if pipe_rows >= 3 and any(set(ln.replace("|", "").replace(":", "").strip()) <= {"-", " "} for ln in lines if ln.startswith("|")):
        return "markdown"
    return "text"


def read_document(data: bytes, base: Path | None = None) -> Document:
    """Read bytes of any supported format into a Document.  `base`: the file's folder, where a saved web
    page's pictures are looked for (None for an upload: then only pictures inside the file are read)."""
    if not data.strip():
        raise ReadError("文件为空，没有可读取的内容")
    fmt = sniff_format(data)
    if fmt == "pdf":
        from gongkai.readers import pdf as reader
    elif fmt == "docx":
        from gongkai.readers import docx as reader
    elif fmt == "html":
        from gongkai.readers import html as reader
    elif fmt == "markdown":
        from gongkai.readers import markdown as reader
    elif fmt == "text":
        from gongkai.readers import text as reader
    elif fmt == "doc":
        from gongkai.readers import doc as reader
    elif fmt == "rtf":
        from gongkai.readers import rtf as reader
    elif fmt == "image":
        from gongkai.readers import ocr

        doc = ocr.read_image(data)
        doc.format = fmt
        return doc
    else:
        raise ReadError("无法识别的文件格式（支持：文本、Markdown、HTML、DOCX、DOC、WPS、RTF、PDF、PNG/JPEG 等图片）")
    doc = reader.read(data, base) if fmt == "html" else reader.read(data)
    doc.format = fmt
    return doc
