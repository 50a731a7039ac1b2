"""The one text normaliser (gongkai.document.clean_text) that every reader passes its text through."""

import unicodedata

from gongkai.document import _RADICALS, clean_text


def test_cjk_radicals_supplement_reads_as_ideographs():
    # PDF producers write the radical code point when a font lists it first for a glyph it shares
    # with the ideograph: "⻓江" is 长江.  NFKC folds Kangxi radicals (⼀ U+2F00) but not these.
    assert clean_text("⻓江⻔户 ⺠政局⻋辆 ⻅⻚⻛⻜⻢⻥⻦ ⻩⻬⻮⻰⻳ ⼀⼆") == "长江门户 民政局车辆 见页风飞马鱼鸟 黄齐齿龙龟 一二"
    # Text that is no radical is left alone (traditional forms stay traditional).
    assert clean_text("長門車龍") == "長門車龍"


def test_radical_table_maps_supplement_radicals_to_unified_ideographs():
    for radical, ideograph in ((chr(k), v) for k, v in _RADICALS.items()):
        assert 0x2E80 <= ord(radical) <= 0x2EF3, radical
        assert unicodedata.name(ideograph).startswith("CJK UNIFIED IDEOGRAPH"), radical
        # NFKC does not undo it (and, where NFKC has a mapping, agrees).
        assert unicodedata.normalize("NFKC", ideograph) == ideograph
        assert unicodedata.normalize("NFKC", radical) in (radical, ideograph)
