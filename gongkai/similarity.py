"""How much of a report's narrative is last year's: one number, and the shared passages marked.

A report "copied from last year" keeps last year's sentences and changes the figures (and the year). So the
narratives are compared sentence by sentence, as *text without figures*: each sentence (split at 。！？；
and line ends) loses its whitespace and every number becomes one placeholder (`comparable`). A sentence of
this year's narrative is *carried over* when last year's has the same sentence or one rapidfuzz's
`fuzz.ratio` (normalised Indel similarity, 2·LCS/(len a + len b)) scores ≥ SENTENCE_MATCH against — a word
or two edited still counts. The similarity is the share of this year's characters in carried-over sentences:
1.0 when every sentence was there last year, whatever the figures say. Sentence-level rather than one
character-level ratio over the whole text, because any two Chinese texts on the same subject share most of
their characters in *some* order (a whole-text ratio put two freshly written demo years at 0.9); and it is
what a reader checks — "how much of this did they write this year?" — and what the side-by-side view marks.

rapidfuzz's `process.cdist` compares all sentence pairs in C++: about a millisecond for two 2,000-character
narratives, tens of milliseconds for two 20,000-character portal pages.

Measured (README "Assessment", tests/test_assess_similarity.py): a real agency's two reports (平潭综合实验区
2019 vs 2022) 0.10; the demo's clean consecutive years at most 0.8 (their intro and headings are the
template's, the same every year); a narrative copied with its figures changed 1.0. The default threshold is
0.90 (gongkai/assess_default.toml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_SPACE = re.compile(r"\s+")
# A sentence ends after these (kept with the sentence) or at a line end.
_SENTENCE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;]?\n?")
DIGIT_PLACEHOLDER = "#"
# Two sentences are "the same" at this fuzz.ratio (0–100): a word or two edited, figures aside.
SENTENCE_MATCH = 90.0
# Below this many comparable characters a narrative says nothing to compare (a report that is only tables).
MIN_COMPARABLE = 50


def comparable(text: str | None) -> str:
    """Text as compared: no whitespace, each number one placeholder (figures and years may change)."""
    return _DIGITS.sub(DIGIT_PLACEHOLDER, _SPACE.sub("", text or ""))


def _sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, comparable text) of each sentence with some text in it."""
    out = []
    for m in _SENTENCE.finditer(text):
        key = comparable(m.group())
        if key:
            out.append((m.start(), m.end(), key))
    return out


def _matches(a: list[str], b: list[str]) -> tuple[list[bool], list[bool]]:
    """Which sentences of a have a match in b, and which of b are matched by some sentence of a."""
    if not a or not b:
        return [False] * len(a), [False] * len(b)
    scores = process.cdist(a, b, scorer=fuzz.ratio, score_cutoff=SENTENCE_MATCH, workers=1)
    hit = scores > 0
    return hit.any(axis=1).tolist(), hit.any(axis=0).tolist()


def similarity(this_year: str | None, last_year: str | None) -> float | None:
    """Share (0–1) of this year's narrative in sentences last year's narrative already had, figures aside;
    None when either narrative has fewer than MIN_COMPARABLE characters of text (nothing to judge)."""
    a, b = _sentences(this_year or ""), _sentences(last_year or "")
    total = sum(len(k) for _, _, k in a)
    if total < MIN_COMPARABLE or sum(len(k) for _, _, k in b) < MIN_COMPARABLE:
        return None
    matched, _ = _matches([k for _, _, k in a], [k for _, _, k in b])
    return sum(len(k) for (_, _, k), m in zip(a, matched) if m) / total


@dataclass(frozen=True)
class Segment:
    text: str  # original text (document text: untrusted, escape before showing it as markup)
    shared: bool  # a sentence the other narrative has too


def _segments(text: str, spans: list[tuple[int, int, str]], flags: list[bool]) -> list[Segment]:
    out: list[Segment] = []
    pos = 0
    for (start, end, _), shared in zip(spans, flags):
        if start > pos:
            out.append(Segment(text[pos:start], False))
        if out and out[-1].shared == shared:  # runs of shared (or new) sentences as one segment
            out[-1] = Segment(out[-1].text + text[start:end], shared)
        else:
            out.append(Segment(text[start:end], shared))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:], False))
    return out


def shared_passages(this_year: str, last_year: str) -> tuple[list[Segment], list[Segment]]:
    """Both narratives cut into segments, the sentences they share marked (the same test as `similarity`)."""
    this_year, last_year = this_year or "", last_year or ""
    a, b = _sentences(this_year), _sentences(last_year)
    in_b, in_a = _matches([k for _, _, k in a], [k for _, _, k in b])
    return _segments(this_year, a, in_b), _segments(last_year, b, in_a)
