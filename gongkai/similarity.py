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

Identical sentences are found by a set lookup; only the rest are compared pairwise, in C++ by rapidfuzz's
`process.cdist`.

Measured (tests/test_assess.py): a real agency's two reports (平潭综合实验区 2022 against its 2019 report, the
previous one in the samples) 0.25 — the introduction and headings the template prescribes; the demo's 568 clean
consecutive years 0.47–0.88 (median 0.68: their pools of sentences are small, and the introduction, headings
and closing lines are the same every year); a narrative copied with its figures changed 1.0. The default
threshold, 0.95 (gongkai/assess_default.toml), sits between the highest clean pair and a copy, and still
counts a copy with a sentence or two edited. Speed: 0.36 ms a pair on the demo (573 pairs in 0.21 s).
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


_TERMINATORS = "。！？；!?;"
_SPLIT = re.compile(r"[。！？；!?;\n]")


def comparable(text: str | None) -> str:
    """Text as compared: each number one placeholder (figures and years may change), no whitespace."""
    return "".join(_DIGITS.sub(DIGIT_PLACEHOLDER, text or "").split())


def _keys(text: str) -> list[str]:
    """The comparable text of each sentence, terminators dropped (what `_sentences` gives, without spans:
    two regular-expression passes over the whole text instead of two per sentence)."""
    pieces = _SPLIT.split(_DIGITS.sub(DIGIT_PLACEHOLDER, text))
    return [k for k in ("".join(p.split()) for p in pieces) if k]


def _sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, comparable text) of each sentence with some text in it; the span keeps its terminator."""
    out = []
    for m in _SENTENCE.finditer(text):
        key = comparable(m.group().rstrip("\n").rstrip(_TERMINATORS))
        if key:
            out.append((m.start(), m.end(), key))
    return out


def _matches(a: list[str], b: list[str]) -> tuple[list[bool], list[bool]]:
    """Which sentences of a have a match in b, and which of b are matched by some sentence of a."""
    in_b = set(b)
    in_a = set(a)
    a_hit = [k in in_b for k in a]  # identical sentences first: a set lookup, most of a copied text
    b_hit = [k in in_a for k in b]
    rest_a = [i for i, hit in enumerate(a_hit) if not hit]
    rest_b = [j for j, hit in enumerate(b_hit) if not hit]
    if rest_a and rest_b:  # the rest pairwise, in C++ (a score under the cutoff is 0)
        scores = process.cdist([a[i] for i in rest_a], [b[j] for j in rest_b], scorer=fuzz.ratio,
                               score_cutoff=SENTENCE_MATCH, workers=1) > 0
        for i, hit in zip(rest_a, scores.any(axis=1).tolist()):
            a_hit[i] = hit
        for j, hit in zip(rest_b, scores.any(axis=0).tolist()):
            b_hit[j] = hit
    return a_hit, b_hit


def similarity(this_year: str | None, last_year: str | None) -> float | None:
    """Share (0–1) of this year's narrative in sentences last year's narrative already had, figures aside;
    None when either narrative has fewer than MIN_COMPARABLE characters of text (nothing to judge)."""
    a, b = _keys(this_year or ""), _keys(last_year or "")
    total = sum(map(len, a))
    if total < MIN_COMPARABLE or sum(map(len, b)) < MIN_COMPARABLE:
        return None
    matched, _ = _matches(a, b)
    return sum(len(k) for k, m in zip(a, matched) if m) / total


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
