"""Candidate headlines of an article, made the way an editor would cut them.

    from summarize.headline.extractive.candidates import CandidateSettings, make_candidates
    article = prepare_article(text, settings)
    for cand in make_candidates(article, settings): cand.text, cand.sentence, cand.cut

1. the article is prepared once: datelines stripped (``lead-v1``'s rules), cut
   to ``max_article_chars``, split into sentences, and each sentence into
   clauses at ，；： (never inside quotes or brackets, never in ``1,000``);
2. a candidate is a span of 1..``max_clauses`` consecutive clauses of one of
   the first ``max_sentences`` sentences (a whole sentence is such a span);
3. each span is also compressed with ``lead-v1``'s rules (parentheticals,
   leading time/place/source adverbials), and kept when that changed it;
4. a text over a length budget (``max_chars`` and the shorter ``cut_ratios``
   of it) is cut at the last word boundary (jieba, on a window around the cut)
   that is outside quotes and brackets and not inside a number or Latin word;
5. unmatched closing marks at the start are dropped, unmatched opening marks
   are closed at the end, and clause punctuation is trimmed from both ends.

Duplicates (same text) keep their first, most-leading occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from summarize.config.sections import help_field as _help
from summarize.headline.lead import (
    _PARENTHETICAL,
    drop_adverbials,
    split_sentences,
    strip_datelines,
)
from summarize.text.normalize import normalize_whitespace
from summarize.io.jieba_words import word_ends

_PAIRS = {"“": "”", "《": "》", "（": "）", "(": ")", "「": "」", "『": "』", "【": "】", "‘": "’", "[": "]", "〈": "〉"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_MARKS = re.compile("[" + re.escape("".join(_PAIRS) + "".join(_CLOSERS)) + "]")
_CLAUSE_BREAK = "，,；;：:"
_EDGE = "，、；：,;:。！？!?…—-·.\u3000 "
# Digits and Latin letters, ASCII and full-width: a cut between two of them splits a number or a word.
_WORDCHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                       "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ")
_CLAUSE_MARKS = "，、；：,;:"
_NUMBER_JOIN = ".,．，%％:：/"  # inside 3.5, 1,000, 50%, 10:30, 1/2 when between digits


@dataclass
class CandidateSettings:
    """How candidates are made (the ``candidates`` section of an extractive config).

    Saved with a model, so a model always ranks the kind of candidates it was trained on.
    """

    max_chars: int = _help("the headline budget, in characters", default=30)
    max_article_chars: int = _help("only this much of the dateline-stripped article is read", default=3000)
    max_sentences: int = _help("sentences whose clause spans become candidates", default=10)
    max_clauses: int = _help("longest span, in clauses", default=4)
    cut_ratios: list[float] = field(default_factory=lambda: [0.45, 0.6, 0.8], metadata={
        "help": "extra, shorter cut budgets as fractions of max_chars"})
    min_chars: int = _help("shorter candidates are dropped", default=4)
    window: int = _help("characters on each side of a cut that jieba segments to find word boundaries", default=8)

    def check(self) -> list[str]:
        errors = []
        for name in ("max_chars", "max_article_chars", "max_sentences", "max_clauses", "min_chars", "window"):
            if getattr(self, name) < 1:
                errors.append(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.min_chars > self.max_chars:
            errors.append(f"min_chars ({self.min_chars}) must be <= max_chars ({self.max_chars})")
        for r in self.cut_ratios:
            if not 0.0 < r < 1.0:
                errors.append(f"cut_ratios must lie in (0, 1), got {r}")
        return errors


@dataclass(frozen=True)
class Candidate:
    text: str
    sentence: int  # index of its sentence in the prepared article
    clause: int  # index of its first clause in that sentence
    clauses: int  # how many clauses the span holds
    offset: int  # character offset of the span in the prepared article
    span_chars: int  # length of the span before compression and cutting
    compressed: int  # characters the lead-v1 compression removed (0: none)
    cut: int  # 0: not cut; 1: cut at the max_chars budget; 2: cut at a shorter budget
    whole_sentence: bool  # the span is its whole sentence


@dataclass(frozen=True)
class Article:
    text: str  # prepared: whitespace-normalized, datelines stripped, bounded
    sentences: tuple[str, ...]
    offsets: tuple[int, ...]  # where each sentence starts in ``text``
    clauses: tuple[tuple[str, ...], ...]  # clauses of each sentence, punctuation kept


def prepare_article(text: str, settings: CandidateSettings) -> Article:
    body = strip_datelines(normalize_whitespace(text, keep_newlines=True))[: settings.max_article_chars]
    sentences = [strip_datelines(s) for s in split_sentences(body)]
    sentences = [s for s in sentences if s]
    offsets, at = [], 0
    for s in sentences:
        found = body.find(s, at)
        offsets.append(found if found >= 0 else at)
        at = offsets[-1] + len(s)
    return Article(body, tuple(sentences), tuple(offsets), tuple(tuple(split_clauses(s)) for s in sentences))


def split_clauses(sentence: str) -> list[str]:
    """Clauses of a sentence, each keeping its trailing mark; no break inside quotes/brackets or numbers."""
    out: list[str] = []
    depth_stack: list[str] = []
    start = 0
    n = len(sentence)
    for i, c in enumerate(sentence):
        if c in _PAIRS and not (c == "‘" and depth_stack and depth_stack[-1] == "‘"):
            depth_stack.append(c)
        elif c in _CLOSERS:
            if depth_stack and depth_stack[-1] == _CLOSERS[c]:
                depth_stack.pop()
        elif c in _CLAUSE_BREAK and not depth_stack:
            if c in ",.:" and 0 < i < n - 1 and sentence[i - 1].isdigit() and sentence[i + 1].isdigit():
                continue
            out.append(sentence[start : i + 1])
            start = i + 1
    if start < n:
        out.append(sentence[start:])
    return [c for c in out if c.strip(_EDGE)]


def balance(text: str) -> str:
    """Drop closing marks that open nothing and close the marks left open (at the end)."""
    stack, keep = [], []
    for c in text:
        if c in _PAIRS:
            stack.append(c)
        elif c in _CLOSERS:
            if stack and stack[-1] == _CLOSERS[c]:
                stack.pop()
            elif _CLOSERS[c] in stack:  # crossed marks: close the inner ones first
                while stack and stack[-1] != _CLOSERS[c]:
                    keep.append(_PAIRS[stack.pop()])
                stack.pop()
            else:
                continue
        keep.append(c)
    while stack:
        keep.append(_PAIRS[stack.pop()])
    return "".join(keep)


def tidy(text: str) -> str:
    """Trim clause punctuation from both ends, then balance quotes and brackets."""
    text = text.strip(_EDGE)
    return balance(text).strip(_EDGE) if _MARKS.search(text) else text


@lru_cache(maxsize=65536)
def _segment(window: str) -> tuple[int, ...]:
    """Word end offsets of ``window`` (jieba's dictionary segmentation, no HMM: it does not invent words
    across a cut), from :mod:`summarize.io.jieba_words`, which spares a process jieba's 0.5 s dictionary load."""
    return word_ends(window)


def _inside_marks(text: str, limit: int) -> list[bool]:
    """For each position 0..limit: is a cut there inside an open quote or bracket?"""
    inside = [False] * (limit + 1)
    stack: list[str] = []
    if not _MARKS.search(text, 0, limit):
        return inside
    for i, c in enumerate(text[:limit]):
        inside[i] = bool(stack)
        if c in _PAIRS:
            stack.append(c)
        elif c in _CLOSERS and stack and stack[-1] == _CLOSERS[c]:
            stack.pop()
    inside[limit] = bool(stack)
    return inside


def _joins(text: str, i: int) -> bool:
    """Would a cut at ``i`` split a number or a Latin word (``3|.5``, ``10|0%``, ``i|Phone``)?"""
    if i <= 0 or i >= len(text):
        return False
    a, b = text[i - 1], text[i]
    if a in _WORDCHARS and (b in _WORDCHARS or b in "%％"):
        return True
    if a in _NUMBER_JOIN and i >= 2 and text[i - 2].isdigit() and b.isdigit():
        return True
    return b in _NUMBER_JOIN and a.isdigit() and i + 1 < len(text) and text[i + 1].isdigit()


def cut_at_word(text: str, budget: int, min_chars: int, window: int) -> str | None:
    """``text`` cut to at most ``budget`` characters at a word boundary outside quotes and numbers.

    The cut prefers the end of a clause; None when no cut leaves ``min_chars``.
    """
    if len(text) <= budget:
        return text
    lo = max(0, budget - window)
    ends = {lo + e for e in _segment(text[lo : budget + window])}
    inside = _inside_marks(text, budget)
    # Scanned from the budget down: the longest allowed cut, unless a clause end lies within
    # 4 characters below it (a clause end reads better than a word cut just after it).
    best = None
    for i in range(budget, min_chars - 1, -1):
        if best is not None and best - i > 4:
            break
        if i in ends and not inside[i] and not _joins(text, i):
            if text[i - 1] in _CLAUSE_MARKS:
                return text[:i]
            if best is None:
                best = i
    if best is not None:
        return text[:best]
    # Only cuts inside a quote remain: cut at a word end and let tidy() close the quote.
    fallback = [i for i in range(budget - 1, min_chars - 1, -1) if i in ends and not _joins(text, i)]
    return text[: fallback[0]] if fallback else None


def compress(span: str) -> str:
    """``lead-v1``'s compression: parentheticals out, leading time/place/source adverbials dropped."""
    return drop_adverbials(_PARENTHETICAL.sub("", span))


_UNCUT: Any = object()  # not cut yet (None is a cut that found no boundary)


def make_candidates(article: Article, settings: CandidateSettings) -> list[Candidate]:
    """Every candidate headline of ``article`` (see the module docstring); may be empty."""
    seen: set[str] = set()
    cuts: dict[tuple[str, int], str | None] = {}
    out: list[Candidate] = []
    budgets = [settings.max_chars] + sorted({max(settings.min_chars, round(settings.max_chars * r))
                                             for r in settings.cut_ratios}, reverse=True)
    for s, clauses in enumerate(article.clauses[: settings.max_sentences]):
        starts = [0]
        for c in clauses:
            starts.append(starts[-1] + len(c))
        base = article.offsets[s]
        for i in range(len(clauses)):
            for k in range(1, min(settings.max_clauses, len(clauses) - i) + 1):
                span = "".join(clauses[i : i + k])
                whole = i == 0 and k == len(clauses)
                variants = [(span, 0)]
                short = compress(span)
                if short != span:
                    variants.append((short, len(span) - len(short)))
                for text, removed in variants:
                    text = tidy(text)
                    for level, budget in enumerate(budgets):
                        if level and len(text) <= budget:
                            break
                        # A cut reads no further than budget + window + 1 characters, and spans that
                        # start at the same clause share their beginning: cut each beginning once.
                        key = (text[:budget + settings.window + 1], budget)
                        cut = cuts.get(key, _UNCUT)
                        if cut is _UNCUT:
                            cut = cuts[key] = cut_at_word(text, budget, settings.min_chars, settings.window)
                        if cut is None:
                            continue
                        final = tidy(cut)
                        if len(final) < settings.min_chars or len(final) > settings.max_chars or final in seen:
                            continue
                        if s == 0 and _is_dateline(final):
                            continue
                        seen.add(final)
                        out.append(Candidate(final, s, i, k, base + starts[i], len(span), removed,
                                             0 if len(text) <= budget else (1 if level == 0 else 2), whole))
    return out


def _is_dateline(text: str) -> bool:
    """A byline or dateline alone (``本报讯(记者张三)``): strip_datelines keeps a text that is nothing else."""
    return strip_datelines(text + "。") == "。"


def fallback_headline(text: str, max_chars: int) -> str:
    """Something to print when no candidate exists: the tidied start of the text, never empty for non-blank input."""
    flat = normalize_whitespace(text)
    head = tidy(flat[:max_chars])
    return head or flat[:max_chars].strip() or flat[:max_chars]
