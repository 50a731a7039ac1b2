"""One report file → Report: read (any format) → map (template) → check (rules).

This is the one function every caller uses (CLI, ingest, tests), so limits and error wording live here."""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

from gongkai import ocr_rules, rules
from gongkai.document import ReadError
from gongkai.mapper import map_document
from gongkai.readers import read_document
from gongkai.report import Report

# Reports are a few hundred KB; 50 MB is far beyond any real one and bounds the work a bad file
# can cause.  GONGKAI_MAX_FILE_MB overrides it.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# No count or amount of the template comes near this; beyond 2^53 (≈9×10^15) a DOUBLE cannot even hold
# the integer exactly, and a 400-digit "number" made ingest fail converting it (and the whole batch with it).
MAX_FIGURE = 1e15


def max_file_bytes() -> int:
    try:
        return int(float(os.environ.get("GONGKAI_MAX_FILE_MB", "")) * 1024 * 1024)
    except ValueError:
        return DEFAULT_MAX_BYTES


def _megabytes(n: float) -> str:
    """A size in MB for a message: one decimal, rounded up, so that a file just over the limit does not
    read as equal to it ("50.1 MB，上限 50 MB")."""
    return f"{math.ceil(n / 1048576 * 10) / 10:g}"


def check_size(path: str | os.PathLike[str], max_bytes: int | None = None) -> int:
    """The size of the report file at `path`; ReadError when it is missing, a folder, or over the limit.

    Only the file's metadata is looked at, so a huge file costs nothing: callers check before reading
    (or hashing) it."""
    p = Path(path)
    limit = max_file_bytes() if max_bytes is None else max_bytes
    try:
        info = p.stat()
    except FileNotFoundError:
        raise ReadError(f"找不到文件：{p}") from None
    except OSError as exc:
        raise ReadError(f"无法读取文件 {p}：{exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ReadError(f"{p} 是文件夹，不是报告文件")
    if not stat.S_ISREG(info.st_mode):
        # A pipe, socket or device has no size to check, and reading it may never end.
        raise ReadError(f"{p} 不是普通文件（可能是管道或设备），不是报告文件")
    size = info.st_size
    if size > limit:
        raise ReadError(f"文件过大（{_megabytes(size)} MB，上限 {_megabytes(limit)} MB）：{p.name}")
    return size


def parse_file(path: str | os.PathLike[str], max_bytes: int | None = None) -> Report:
    p = Path(path)
    check_size(p, max_bytes)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ReadError(f"无法读取文件 {p}：{exc.strerror or exc}") from None
    return parse_bytes(data, str(path), base=p.parent)


def parse_bytes(data: bytes, name: str = "", base: Path | None = None) -> Report:
    """Parse one report; raises ReadError (Chinese message) for a file that is not a readable report.
    `base`: the file's folder (pictures saved beside a web page are read from there)."""
    try:
        doc = read_document(data, base)
    except ReadError:
        raise
    except Exception as exc:  # a reader bug or a hostile file must not surface as a traceback
        raise ReadError(f"文件无法解析（{type(exc).__name__}），可能已损坏或格式不受支持") from exc
    try:
        mapped = map_document(doc)
        checked = []
        if mapped.tables_found:
            accounted = {k for f in mapped.findings for k in f.cells}
            checked = rules.missing_rows(
                mapped.figures, mapped.template, mapped.tables_found, mapped.other_split, accounted, mapped.unmatched
            ) + rules.check(mapped.figures, mapped.tables_found)
    except Exception as exc:  # as above: one line for the user, the cause kept for the maintainer
        raise ReadError(f"文件无法解析（{type(exc).__name__}，读取表格时出错），请把此文件反馈给维护者") from exc
    if not mapped.tables_found:
        raise ReadError("不是政府信息公开工作年度报告：没有找到表二、表三、表四中的任何一张表")
    for key, value in mapped.figures.items():
        if value is not None and not abs(value) < MAX_FIGURE:  # also inf and NaN
            printed = "" if isinstance(value, float) and not math.isfinite(value) else str(value)
            shown = printed if len(printed) <= 20 else f"{printed[:12]}…（共 {len(printed)} 位）"
            raise ReadError(f"{rules.cell_name(key)}的数值{shown}超出合理范围，请核对原文件")
    ocr = {k: conf for k, (source, conf) in mapped.provenance.items() if source == "ocr" and k in mapped.figures}
    alternatives = {
        k: [int(a) for a in alts if a.isdigit()] for k, alts in mapped.alternatives.items() if k in ocr
    }
    findings = mapped.findings + checked + ocr_rules.check(mapped.figures, ocr, alternatives)
    return Report(
        file=name,
        agency=mapped.agency,
        year=mapped.year,
        template=mapped.template,
        figures=mapped.figures,
        findings=findings,
        format=doc.format,
        narrative="\n".join(doc.paragraphs),
        ocr=ocr,
        ocr_alternatives={k: v for k, v in alternatives.items() if v},
    )
