"""CMRC 2018 exact match and F1, as defined by the official ``cmrc2018_evaluate.py``.

    from summarize.metrics.cmrc import cmrc_scores
    cmrc_scores({"q1": "北京"}, {"q1": ["北京", "北京市"]})   # {"em": 100.0, "f1": 100.0, "n": 1, ...}

Files (a SQuAD/JSONL dataset, a predictions JSON) are read by
:mod:`summarize.qa.evaluate`, with the same reader training uses.

The definition (also used for DRCD, whose Traditional characters mostly lie in
the same U+4E00..U+9FA5 block):
- lowercase and strip;
- each CJK ideograph in U+4E00..U+9FA5 is one token, and so is each mark of
  ``CMRC_PUNCTUATION``; runs of any other characters are split into words;
- F1: drop the marks, then precision/recall of the longest common *contiguous*
  run of tokens between prediction and gold;
- EM: string equality after lowercasing, stripping and removing the marks;
- per question the best gold answer counts; the average is over all questions
  x 100, an unanswered question scoring 0.

Where the official script calls ``nltk.word_tokenize`` on the non-CJK runs,
this module uses :func:`word_tokenize`, a regex (nltk is not a dependency):
whitespace separates words, decimals and thousands stay whole (``3.5``,
``1,000``), so do contractions (``don't``); every other symbol
(``% $ ( ) , . ! ? …`` ...) is its own token.
Differences from nltk: contractions (nltk: ``do n't``), abbreviations
(``u.s.`` -> ``u . s .``; nltk: ``u.s .``), quotes (nltk rewrites them). Only F1
can differ, and only on answers whose non-CJK runs hold such symbols; EM does
not tokenize at all.

Faithful quirks of the official script, kept so scores compare: ``……`` is in the
mark list but the script compares single characters, so ``…`` is not a mark;
``‘`` is not a mark while ``’`` is; a mark removed for F1 does not split the
run of Latin characters around it (``a-b`` is one word ``ab``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

# Verbatim from the official script, order and the two-character "……" included.
CMRC_PUNCTUATION = (
    "-", ":", "_", "*", "^", "/", "\\", "~", "`", "+", "=",
    "，", "。", "：", "？", "！", "“", "”", "；", "’", "《", "》", "……", "·", "、",
    "「", "」", "（", "）", "－", "～", "『", "』",
)  # fmt: skip
_MARKS = frozenset(p for p in CMRC_PUNCTUATION if len(p) == 1)
_WORD = re.compile(r"\d+(?:[.,]\d+)+|\w+(?:'\w+)*|[^\w\s]")

WORD_TOKENIZER_NOTE = (
    "non-CJK runs split by a regex in place of nltk.word_tokenize: whitespace-separated, "
    "decimals kept whole, other symbols separate"
)


def word_tokenize(text: str) -> list[str]:
    """The stand-in for ``nltk.word_tokenize`` on non-CJK runs (see the module docstring)."""
    return _WORD.findall(text)


def segment(text: str, *, drop_marks: bool = False, tokenize: Callable[[str], list[str]] = word_tokenize) -> list[str]:
    """Tokens of ``text`` by the official mixed segmentation (``mixed_segmentation``)."""
    out: list[str] = []
    run: list[str] = []
    for ch in text.lower().strip():
        if drop_marks and ch in _MARKS:
            continue
        if ch in _MARKS or "\u4e00" <= ch <= "\u9fa5":
            if run:
                out.extend(tokenize("".join(run)))
                run = []
            out.append(ch)
        else:
            run.append(ch)
    if run:
        out.extend(tokenize("".join(run)))
    return out


def _strip_marks(text: str) -> str:
    return "".join(ch for ch in text.lower().strip() if ch not in _MARKS)


def _longest_common_run(a: list[str], b: list[str]) -> int:
    """Length of the longest common contiguous run of tokens (answers are short: O(n*m) is fine)."""
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def em_f1(prediction: str, answers: list[str], *, tokenize: Callable[[str], list[str]] = word_tokenize) -> tuple[float, float]:
    """(EM, F1) in [0, 1] of one prediction against its gold answers, best answer counting."""
    pred_tokens = segment(prediction, drop_marks=True, tokenize=tokenize)
    pred_plain = _strip_marks(prediction)
    em = f1 = 0.0
    for answer in answers:
        if _strip_marks(answer) == pred_plain:
            em = 1.0
        gold_tokens = segment(answer, drop_marks=True, tokenize=tokenize)
        common = _longest_common_run(gold_tokens, pred_tokens)
        if common:
            p, r = common / len(pred_tokens), common / len(gold_tokens)
            f1 = max(f1, 2 * p * r / (p + r))
    return em, f1


def cmrc_scores(
    predictions: Mapping[str, str],
    golds: Mapping[str, list[str]],
    *,
    tokenize: Callable[[str], list[str]] = word_tokenize,
) -> dict:
    """EM and F1 x 100 over every question of ``golds``; a question missing from ``predictions`` scores 0.

    Returns ``{"em", "f1", "n", "n_unanswered"}``. Ids in ``predictions`` that
    are not questions of ``golds`` are ignored here (``summarize.qa.evaluate.evaluate_squad_files`` reports them).
    """
    if not golds:
        raise ValueError("no gold questions to score")
    em_sum = f1_sum = 0.0
    unanswered = 0
    for qid, answers in golds.items():
        if not answers:
            raise ValueError(f"question {qid!r} has no gold answer")
        if qid not in predictions:
            unanswered += 1
            continue
        em, f1 = em_f1(predictions[qid], answers, tokenize=tokenize)
        em_sum += em
        f1_sum += f1
    n = len(golds)
    return {"em": 100.0 * em_sum / n, "f1": 100.0 * f1_sum / n, "n": n, "n_unanswered": unanswered}
