"""CMRC 2018 exact match and F1, as defined by the official ``cmrc2018_evaluate.py``.

    from summarize.metrics.cmrc import evaluate_squad_files
    from summarize.metrics.report import format_qa_report
    print(format_qa_report(evaluate_squad_files("dev.json", "predictions.json")))

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

import json
import logging
import os
import re
from collections.abc import Callable, Mapping

from summarize.io.jsonl import BadRow, parse_jsonl
from summarize.io.read import InputError, read_text

log = logging.getLogger(__name__)

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
    are not questions of ``golds`` are ignored here (``evaluate_squad_files`` reports them).
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


def _load_json(path: str | os.PathLike, what: str, text: str | None = None):
    if text is None:
        text, _ = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); expected {what}") from exc


def _question_answers(qa, where: str, errors: list[str]) -> tuple[str, list[str]] | None:
    if not isinstance(qa, dict):
        errors.append(f"{where}: expected an object, got {type(qa).__name__}")
        return None
    qid, answers = qa.get("id"), qa.get("answers")
    if not isinstance(qid, (str, int)) or isinstance(qid, bool):
        errors.append(f"{where}: missing or non-string 'id'")
        return None
    if not isinstance(answers, list) or not answers:
        errors.append(f"{where} (id {qid}): 'answers' must be a non-empty list (unanswerable questions are not part of CMRC 2018)")
        return None
    texts = [a.get("text") if isinstance(a, dict) else None for a in answers]
    if not all(isinstance(t, str) for t in texts):
        errors.append(f"{where} (id {qid}): every answer needs a string 'text'")
        return None
    return str(qid).strip(), texts


def _add_gold(golds: dict[str, list[str]], qa, where: str, errors: list[str]) -> None:
    found = _question_answers(qa, where, errors)
    if found is None:
        return
    qid, texts = found
    if qid in golds:
        errors.append(f"{where}: duplicate question id {qid!r}")
    golds[qid] = texts


def _jsonl_golds(text: str, source: str, golds: dict[str, list[str]], errors: list[str]) -> None:
    for line, obj in parse_jsonl(text, source):
        if isinstance(obj, BadRow):
            errors.append(f"line {line}: {obj.reason}")
            continue
        _add_gold(golds, obj, f"line {line}", errors)


def _is_jsonl(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    try:
        obj = json.loads(first)
    except json.JSONDecodeError:
        return False
    return isinstance(obj, dict) and "data" not in obj and ("answers" in obj or "question" in obj)


def load_squad_golds(path: str | os.PathLike) -> dict[str, list[str]]:
    """Question id -> gold answer texts from a SQuAD-style file (``data[].paragraphs[].qas[]``),
    or from the JSONL form (one ``{"id", "question", "context", "answers"}`` per line)."""
    golds: dict[str, list[str]] = {}
    errors: list[str] = []
    text, _ = read_text(path)
    if _is_jsonl(text):
        _jsonl_golds(text, str(path), golds, errors)
        data = []
    else:
        doc = _load_json(path, "a SQuAD-style dataset or JSONL questions", text)
        data = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(data, list):
            raise InputError(f"{path}: expected a SQuAD-style object with a 'data' list (data[].paragraphs[].qas[])")
    for a, article in enumerate(data):
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(paragraphs, list):
            errors.append(f"data[{a}]: missing 'paragraphs' list")
            continue
        for p, paragraph in enumerate(paragraphs):
            qas = paragraph.get("qas") if isinstance(paragraph, dict) else None
            if not isinstance(qas, list):
                errors.append(f"data[{a}].paragraphs[{p}]: missing 'qas' list")
                continue
            for q, qa in enumerate(qas):
                _add_gold(golds, qa, f"data[{a}].paragraphs[{p}].qas[{q}]", errors)
    if errors:
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        raise InputError(f"{path}: bad SQuAD structure: " + "; ".join(errors[:10]) + more)
    if not golds:
        raise InputError(f"{path}: no questions found")
    return golds


def load_predictions(path: str | os.PathLike) -> dict[str, str]:
    """Question id -> predicted answer text from a JSON object; numbers are read as their text."""
    doc = _load_json(path, 'an object mapping question id -> answer text')
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a JSON object mapping question id -> answer text, got {type(doc).__name__}")
    preds: dict[str, str] = {}
    bad = []
    for qid, answer in doc.items():
        if isinstance(answer, (int, float)) and not isinstance(answer, bool):
            answer = str(answer)  # the official script applies str() too
        if not isinstance(answer, str):
            bad.append(qid)
            continue
        preds[qid.strip()] = answer
    if bad:
        raise InputError(f"{path}: answers must be strings; not for ids {', '.join(map(repr, bad[:10]))}"
                         + (f" (and {len(bad) - 10} more)" if len(bad) > 10 else ""))
    return preds


def evaluate_squad_files(dataset_path: str | os.PathLike, predictions_path: str | os.PathLike) -> dict:
    """Score a predictions JSON (id -> answer) against a SQuAD-style dataset; unknown ids are reported."""
    golds = load_squad_golds(dataset_path)
    preds = load_predictions(predictions_path)
    unknown = [qid for qid in preds if qid not in golds]
    if unknown:
        log.warning("%s: %d prediction ids are not questions of %s (first: %s)",
                    predictions_path, len(unknown), dataset_path, ", ".join(unknown[:5]))
    result = cmrc_scores(preds, golds)
    result.update(
        n_unknown=len(unknown),
        unknown_ids=unknown[:20],
        dataset=str(dataset_path),
        predictions=str(predictions_path),
        tokenizer=WORD_TOKENIZER_NOTE,
    )
    return result
