"""Bytes → str for the text-based formats (text, Markdown, HTML).

Chinese government pages come in UTF-8 (with or without BOM), GBK, GB2312 and GB18030, declared
or not, and sometimes declared wrongly.  We try the strict decodings that cannot succeed by accident
first (a BOM, then valid UTF-8), then GB18030 (a superset of GBK and GB2312, so one decoder covers
all three), and only then ask charset-normalizer to guess.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes


def decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    return data.decode("gb18030", errors="replace")
