"""Score a QA predictions file against a dataset file (``summarize qa evaluate``).

    from summarize.qa.evaluate import evaluate_squad_files
    from summarize.metrics.report import format_qa_report
    print(format_qa_report(evaluate_squad_files("dev.json", "predictions.json")))

The dataset is read by :func:`summarize.qa.data.read_qa_file`, the reader
training uses (SQuAD JSON or JSONL, detected by content), in its strict form: a
bad row, a duplicate or missing id, or a question without a gold answer is an
error naming its place, because a score over silently skipped questions would
mislead. The scores are CMRC 2018 EM/F1 (:mod:`summarize.metrics.cmrc`).
"""

from __future__ import annotations

import json
import logging
import os

from summarize.io.read import InputError, read_text
from summarize.metrics.cmrc import WORD_TOKENIZER_NOTE, cmrc_scores
from summarize.qa.data import read_qa_file

log = logging.getLogger(__name__)


def load_squad_golds(path: str | os.PathLike) -> dict[str, list[str]]:
    """Question id -> gold answer texts of a SQuAD-style file (``data[].paragraphs[].qas[]``)
    or of the JSONL form (one ``{"id", "question", "context", "answers"}`` per line)."""
    data = read_qa_file(path, strict=True, require_ids=True, report_alignment=False)
    unanswered = [ex for ex in data.examples if not ex.answers]
    if unanswered:
        listed = "; ".join(f"{ex.where} (id {ex.id})" for ex in unanswered[:10])
        more = f" (and {len(unanswered) - 10} more)" if len(unanswered) > 10 else ""
        raise InputError(f"'answers' must be a non-empty list (unanswerable questions are not part of CMRC 2018): "
                         f"{listed}{more}")
    return {ex.id: [a.text for a in ex.answers] for ex in data.examples}


def load_predictions(path: str | os.PathLike) -> dict[str, str]:
    """Question id -> predicted answer text from a JSON object; numbers are read as their text."""
    text, _ = read_text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
                         "expected an object mapping question id -> answer text") from exc
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
