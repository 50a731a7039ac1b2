"""Uploaded report files → files in the upload folder → `gongkai.ingest` into the app's database.

Nothing the browser sends is trusted: the client's file name only suggests a readable stem (path parts,
hidden-file dots and unusual characters removed; the suffix comes from the sniffed content), the folder is
fixed by the server (GONGKAI_UPLOAD_DIR, default data/uploads/), an existing file is never overwritten, and
the content must be a format the parser reads and within the same size limit as `gongkai ingest`.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from components import db
from gongkai import ingest as gk_ingest
from gongkai.parser import max_file_bytes
from gongkai.readers import sniff_format

UPLOAD_DIR_ENV = "GONGKAI_UPLOAD_DIR"
UPLOAD_TYPES = ["txt", "md", "html", "htm", "docx", "doc", "wps", "rtf", "pdf",
                "png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif", "webp"]  # pictures: read by OCR
# The suffix a stored file gets is the one of its content (a PDF sent as "x.html" is saved as x.pdf).
SUFFIX_OF_FORMAT = {"pdf": ".pdf", "docx": ".docx", "doc": ".doc", "rtf": ".rtf", "html": ".html", "markdown": ".md", "text": ".txt",
                    "image": ".png"}  # a picture's own suffix: see _suffix
# A picture's suffix by its first bytes (the "image" format covers them all).
_PICTURE_MAGIC = ((b"\x89PNG", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF8", ".gif"), (b"BM", ".bmp"),
                  (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"), (b"RIFF", ".webp"))


def _suffix(data: bytes) -> str:
    fmt = sniff_format(data)
    if fmt == "image":
        return next((suffix for magic, suffix in _PICTURE_MAGIC if data.startswith(magic)), ".png")
    return SUFFIX_OF_FORMAT[fmt]
MAX_STEM_CHARS = 80
# Letters and digits of any script (Chinese names stay readable) and a few harmless separators.
_UNSAFE = re.compile(r"[^\w\-（）()]+", re.UNICODE)


def upload_dir() -> Path:
    configured = os.environ.get(UPLOAD_DIR_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return db.APP_ROOT / "data" / "uploads"


def safe_stem(client_name: str) -> str:
    """A stem for the stored file from the name the browser sent: last path part only (either slash),
    no leading dots, no control or path characters, at most MAX_STEM_CHARS; "report" when nothing is left."""
    name = unicodedata.normalize("NFKC", client_name or "").replace("\\", "/")
    last = PurePosixPath(name).name
    stem = last.rsplit(".", 1)[0] if "." in last.lstrip(".") else last
    stem = _UNSAFE.sub("_", stem).strip("._-")
    return stem[:MAX_STEM_CHARS] or "report"


def _megabytes(n: float) -> str:
    return f"{math.ceil(n / 1048576 * 10) / 10:g}"


def check_content(data: bytes) -> str | None:
    """Why these bytes are refused before they are saved (size, then format by content), or None."""
    limit = max_file_bytes()
    if len(data) > limit:
        return f"文件过大（{_megabytes(len(data))} MB，上限 {_megabytes(limit)} MB），未保存"
    if not data.strip():
        return "文件为空，未保存"
    fmt = sniff_format(data)
    if fmt == "doc":
        # Every OLE file looks alike by its first bytes: an .xls, an encrypted file or a damaged .doc is
        # refused here, unsaved, with the reader's reason (reading a .doc takes milliseconds).
        from gongkai.document import ReadError
        from gongkai.readers import read_document

        try:
            read_document(data)
        except ReadError as err:
            return f"{err}，未保存"
    if fmt not in SUFFIX_OF_FORMAT:
        return "文件内容不是支持的格式（文本、Markdown、HTML、DOCX、DOC/WPS、RTF、PDF、PNG/JPEG 等图片），未保存"
    return None


def save(data: bytes, client_name: str, folder: Path) -> Path:
    """Write `data` into `folder` under a safe, new name ("stem.ext", "stem-2.ext", …); never overwrites."""
    folder.mkdir(parents=True, exist_ok=True)
    folder = folder.resolve()
    stem, suffix = safe_stem(client_name), _suffix(data)
    for n in range(1, 10_000):
        path = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        if path.resolve().parent != folder:  # cannot happen after safe_stem; kept as the last line of defence
            raise ValueError(f"不安全的文件名：{client_name!r}")
        try:
            # O_EXCL: two admins uploading the same name at once get two files, not one overwritten
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return path
    raise FileExistsError(f"上传文件夹中同名文件过多：{stem}{suffix}")


@dataclass
class UploadResult:
    client_name: str  # as the browser sent it: shown as text only
    status: str  # "stored", "replaced", "skipped", "failed"
    message: str  # Chinese
    saved_as: Path | None = None


def store_uploads(files: list[tuple[str, bytes]], progress=None) -> tuple[list[UploadResult], str]:
    """Check, save and ingest uploaded (client name, bytes); returns a result per file and the ingest's
    one-line count. A file that fails to ingest, or whose content was already stored, is not kept."""
    folder = upload_dir()
    results: list[UploadResult] = []
    saved: dict[Path, UploadResult] = {}
    for name, data in files:
        refused = check_content(data)
        if refused:
            results.append(UploadResult(name, gk_ingest.FAILED, refused))
            continue
        path = save(data, name, folder)
        result = UploadResult(name, "", "", path)
        saved[path] = result
        results.append(result)
    headline = ""
    if saved:
        done = 0

        def on_file(file_result: gk_ingest.FileResult) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done / len(saved), f"已处理 {done}/{len(saved)} 个文件")

        # workers=1: parse inside the server process rather than forking the (threaded) Streamlit server
        try:
            summary = gk_ingest.ingest(list(saved), db.db_path(), workers=1, on_file=on_file)
        except gk_ingest.IngestError as exc:  # another ingest is writing: nothing was stored, keep nothing
            for path, result in saved.items():
                path.unlink(missing_ok=True)
                result.status, result.message, result.saved_as = gk_ingest.FAILED, str(exc), None
            return results, str(exc)
        headline = summary.lines()[0]
        for file_result in summary.results:
            result = saved.get(file_result.path)
            if result is None:
                continue
            result.status, result.message = file_result.status, file_result.message
        for path, result in saved.items():
            if result.status not in (gk_ingest.STORED, gk_ingest.REPLACED):
                path.unlink(missing_ok=True)
                result.saved_as = None
    return results, headline
