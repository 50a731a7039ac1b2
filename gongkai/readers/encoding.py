"""Bytes → str for the text-based formats (text, Markdown, HTML).

Chinese government pages come in UTF-8 (with or without BOM), GBK, GB2312 and GB18030, declared
or not, and sometimes declared wrongly.  We try the strict decodings that cannot succeed by accident
first (a BOM, then valid UTF-8, then a declared multi-byte charset that decodes without error), then
GB18030 (a superset of GBK and GB2312, so one decoder covers all three), and only then ask
charset-normalizer to guess.  A declaration is only a hint: a page declared UTF-8 whose bytes are
GBK is read as GBK, because the strict decode that succeeds is better evidence than a label.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Where an HTML or XML document names its charset: <meta charset=…>, <meta http-equiv=… content="…;
# charset=…">, <?xml … encoding="…"?>.  Servers put the meta tag anywhere in a long <head>, so we
# look further than the 1024 bytes of the HTML prescan.
_DECLARATION = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
_PRESCAN_BYTES = 16_384

# Charsets whose superset decodes every page written in them: pages labelled gb2312 routinely hold
# GBK-only characters (人名用字 such as 镕), which a strict gb2312 decoder would reject.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "big5": "big5hkscs"}


def declared_charset(data: bytes) -> str | None:
    """The charset a document declares in its markup, as a Python codec name, or None."""
    match = _DECLARATION.search(data[:_PRESCAN_BYTES])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", errors="ignore")
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        # A page whose declaration could be read as ASCII is not UTF-16; the HTML standard reads
        # such a label as UTF-8 (and a strict UTF-16 decode of GBK bytes would "succeed").
        return "utf-8"
    return _SUPERSETS.get(name, name)


def _is_single_byte(codec: str) -> bool:
    """A single-byte charset (latin-1, cp1252, …) decodes almost any bytes without error, so a
    successful strict decode in it proves nothing; a multi-byte one (GBK, Big5) rarely does by
    accident.  A multi-byte codec reads the pair B0 A1 as one character."""
    return len(b"\xb0\xa1".decode(codec, errors="replace")) == 2


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a page cut mid-character by a crawler, one corrupted byte in a
    long page) is still UTF-8: decoding it as GB18030 would garble every character.  GBK text read
    as UTF-8 fails on nearly every Chinese character, so a tiny error rate is a safe criterion."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.reason == "unexpected end of data":
            head = _try(data[: err.start], "utf-8")
            if head is not None:
                return head + "\ufffd"
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    if multibyte >= 20 and bad * 100 <= multibyte:
        return text
    return None


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode bytes of a text-based document.  `declared` is the charset the document names (see
    `declared_charset`); it is used only when a strict decode in it succeeds."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    text = _try(data, "utf-8")
    if text is not None:
        return text
    weak_declaration = None
    try:
        declared = codecs.lookup(declared).name if declared else None
    except LookupError:
        declared = None
    if declared and declared != "utf-8":
        if _is_single_byte(declared):
            weak_declaration = declared
        else:
            text = _try(data, declared)
            if text is not None:
                return text
    text = _mostly_utf8(data)
    if text is not None:
        return text
    text = _try(data, "gb18030")
    if text is not None:
        return text
    if weak_declaration:
        text = _try(data, weak_declaration)
        if text is not None:
            return text
    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    return data.decode("gb18030", errors="replace")
