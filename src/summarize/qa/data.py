"""Reading RC data (SQuAD-style JSON or JSONL) and aligning answers to their contexts.

Both file forms become a list of :class:`QAExample`. Answer offsets are checked
against the context: published sets carry wrong ``answer_start`` values (about 2%
of CMRC 2018 dev, mostly ``-1`` for answers that annotators paraphrased), and a
model trained on a shifted span learns the wrong thing without any error. So
every answer is re-aligned by its text (nearest occurrence to the given start)
and the counts are returned and logged; answers that do not occur at all are
kept for scoring (EM/F1 compare text) but never used as training spans.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from summarize.io.jsonl import MAX_LISTED_BAD_ROWS, BadRow, iter_jsonl
from summarize.io.read import InputError, check_input_file, read_text

log = logging.getLogger(__name__)


@dataclass
class Answer:
    text: str
    start: int | None  # None: the text does not occur in the context (not usable as a training span)


@dataclass
class QAExample:
    id: str
    question: str
    context: str
    answers: list[Answer] = field(default_factory=list)
    where: str = ""  # file:line (JSONL) or file#id (JSON), for messages

    def first_span(self) -> Answer | None:
        """The first answer whose position is known: the training target."""
        for answer in self.answers:
            if answer.start is not None:
                return answer
        return None


@dataclass
class AlignStats:
    """What answer alignment found; reported in logs, training metrics and ``read_qa_file``'s result."""

    answers: int = 0
    misaligned: int = 0  # answer_start did not point at the answer text
    fixed: int = 0  # ... and the text was found elsewhere, so it was re-aligned
    not_found: int = 0  # ... and the text occurs nowhere in the context
    examples_without_span: int = 0  # questions none of whose answers can be located

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    def merge(self, other: AlignStats) -> None:
        for key, value in other.__dict__.items():
            setattr(self, key, getattr(self, key) + value)


def align_answer(context: str, text: str, start: int | None) -> tuple[int | None, str]:
    """Return ``(start, status)``; status is "ok", "fixed" (moved to the nearest occurrence) or "missing"."""
    if start is not None and 0 <= start and context[start:start + len(text)] == text and text:
        return start, "ok"
    if not text:
        return None, "missing"
    hits = []
    pos = context.find(text)
    while pos >= 0:
        hits.append(pos)
        pos = context.find(text, pos + 1)
    if not hits:
        return None, "missing"
    anchor = start if start is not None and start >= 0 else 0
    return min(hits, key=lambda p: (abs(p - anchor), p)), "fixed"


def _parse_answers(raw, context: str, where: str, stats: AlignStats, problems: list[str]) -> list[Answer] | None:
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        problems.append(f"{where}: 'answers' must be a list, got {type(raw).__name__}")
        return None
    answers = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            problems.append(f"{where}: answers[{i}] must be an object with a string 'text'")
            return None
        given = item.get("answer_start")
        if given is not None and (isinstance(given, bool) or not isinstance(given, int)):
            try:
                given = int(given)
            except (TypeError, ValueError):
                problems.append(f"{where}: answers[{i}].answer_start must be an integer, got {given!r}")
                return None
        stats.answers += 1
        start, status = align_answer(context, item["text"], given)
        if status != "ok":
            stats.misaligned += 1
            if status == "fixed":
                stats.fixed += 1
                log.debug("%s: answer %r moved from %s to %s", where, item["text"], given, start)
            else:
                stats.not_found += 1
                log.debug("%s: answer %r does not occur in the context", where, item["text"])
        answers.append(Answer(item["text"], start))
    if answers and all(a.start is None for a in answers):
        stats.examples_without_span += 1
    return answers


def _make_example(obj: dict, where: str, stats: AlignStats, problems: list[str], default_id: str | None) -> QAExample | None:
    question, context = obj.get("question"), obj.get("context")
    if not isinstance(question, str) or not question.strip():
        problems.append(f"{where}: 'question' is missing or empty")
        return None
    if not isinstance(context, str) or not context.strip():
        problems.append(f"{where}: 'context' is missing or empty")
        return None
    qid = obj.get("id", default_id)
    if qid is None:
        problems.append(f"{where}: missing 'id' (scores are matched to predictions by id)")
        return None
    if not isinstance(qid, (str, int)) or isinstance(qid, bool):
        problems.append(f"{where}: 'id' must be a string, got {qid!r}")
        return None
    answers = _parse_answers(obj.get("answers"), context, where, stats, problems)
    if answers is None:
        return None
    return QAExample(str(qid).strip(), question, context, answers, where)


def read_squad_json(path: str | os.PathLike, stats: AlignStats, problems: list[str],
                    require_ids: bool = False) -> list[QAExample]:
    """Read ``data[].paragraphs[].{context, qas[]}`` (SQuAD v1, CMRC 2018, DRCD)."""
    text, _ = read_text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise InputError(f"{path}: expected a SQuAD-style object with a 'data' list")
    examples = []
    for a, article in enumerate(doc["data"]):
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(paragraphs, list):
            problems.append(f"{path}: data[{a}]: missing 'paragraphs' list")
            continue
        for p, para in enumerate(paragraphs):
            if not isinstance(para, dict) or not isinstance(para.get("qas"), list):
                problems.append(f"{path}: data[{a}].paragraphs[{p}]: missing 'qas' list")
                continue
            for q, qa in enumerate(para["qas"]):
                where = f"{path}: data[{a}].paragraphs[{p}].qas[{q}]"
                if not isinstance(qa, dict):
                    problems.append(f"{where}: expected an object")
                    continue
                obj = dict(qa, context=para.get("context"))
                example = _make_example(obj, where, stats, problems, default_id=None if require_ids else f"{a}-{p}-{q}")
                if example is not None:
                    examples.append(example)
    return examples


def read_qa_jsonl(path: str | os.PathLike, stats: AlignStats, problems: list[str],
                  require_ids: bool = False) -> list[QAExample]:
    """Read one ``{"id", "context", "question", "answers": [{"text", "answer_start"}]}`` per line."""
    examples = []
    for line, obj in iter_jsonl(path):
        if isinstance(obj, BadRow):
            problems.append(str(obj))
            continue
        example = _make_example(obj, f"{path}:{line}", stats, problems, default_id=None if require_ids else f"line-{line}")
        if example is not None:
            examples.append(example)
    return examples


_QUESTION_KEYS = {"id", "question", "context", "answers"}


def is_squad_json(path: str | os.PathLike) -> bool:
    """SQuAD JSON is one object with a ``data`` key; JSONL has one object per line.

    Decided by content, not by suffix: a JSONL file named ``.json`` is still read as JSONL.
    """
    with open(path, "rb") as handle:
        head = handle.read(1 << 16).lstrip(b"\xef\xbb\xbf \t\r\n")
    first_line = head.split(b"\n", 1)[0]
    try:
        first = json.loads(first_line.decode("utf-8", errors="replace"))
    except ValueError:
        return True  # a pretty-printed (multi-line) document: SQuAD JSON, or garbage reported by its reader
    if not isinstance(first, dict) or "data" in first:
        return True
    # One object with none of a question's keys and nothing after it: a (broken) SQuAD document.
    rest = head.split(b"\n", 1)[1] if b"\n" in head else b""
    return not (_QUESTION_KEYS & first.keys()) and not rest.strip()


@dataclass
class QAData:
    examples: list[QAExample]
    stats: AlignStats
    problems: list[str]  # bad rows, each naming file:line (or JSON path) and the reason


def read_qa_file(path: str | os.PathLike, *, strict: bool = False, require_ids: bool = False,
                 report_alignment: bool = True, report_problems: bool = True) -> QAData:
    """Read a SQuAD JSON or JSONL file; bad rows are collected (or raised with ``strict``), alignment counted.

    The one reader of RC files: training, ``qa predict`` and scoring (``summarize.qa.evaluate``, which
    passes ``strict`` and ``require_ids``: a score over a file with silently skipped rows would mislead).
    A duplicate id is a bad row (the first one is kept).
    """
    check_input_file(path)
    stats, problems = AlignStats(), list[str]()
    reader = read_squad_json if is_squad_json(path) else read_qa_jsonl
    examples = reader(path, stats, problems, require_ids)
    return _checked(examples, stats, problems, str(path), strict=strict,
                    report_alignment=report_alignment, report_problems=report_problems)


def examples_from_rows(rows: Iterable[tuple[str, dict]], name: str, *, stats: AlignStats,
                       report: bool = True) -> QAData:
    """The reader's rules for rows that come from elsewhere (a ``datasets.Dataset``, a hub dataset).

    ``rows``: ``(where, {"id", "question", "context", "answers": [{"text", "answer_start"}]})``; ``where``
    is appended to ``name`` in messages.
    """
    problems: list[str] = []
    examples = []
    for where, obj in rows:
        example = _make_example(obj, f"{name}{where}", stats, problems, default_id=None)
        if example is not None:
            examples.append(example)
    return _checked(examples, stats, problems, name, strict=False, report_alignment=report, report_problems=report)


def _checked(examples: list[QAExample], stats: AlignStats, problems: list[str], name: str, *, strict: bool,
             report_alignment: bool, report_problems: bool) -> QAData:
    """Refuse duplicate ids, report bad rows and alignment, and refuse a source with no usable question."""
    seen: dict[str, str] = {}
    unique = []
    for ex in examples:
        if ex.id in seen:
            problems.append(f"{ex.where}: duplicate id {ex.id!r} (first at {seen[ex.id]})" + ("" if strict else "; skipped"))
            continue
        seen[ex.id] = ex.where
        unique.append(ex)
    if problems and strict:
        more = f"\n... and {len(problems) - MAX_LISTED_BAD_ROWS} more" if len(problems) > MAX_LISTED_BAD_ROWS else ""
        raise InputError("\n".join(problems[:MAX_LISTED_BAD_ROWS]) + more)
    if report_problems:
        for message in problems[:MAX_LISTED_BAD_ROWS]:
            log.warning("%s", message)
        if len(problems) > MAX_LISTED_BAD_ROWS:
            log.warning("... and %d more bad rows in %s", len(problems) - MAX_LISTED_BAD_ROWS, name)
    if stats.misaligned and report_alignment:
        log.warning(
            "%s: %d of %d answers had an answer_start that does not match the context: %d re-aligned by text, "
            "%d do not occur in the context (kept for scoring, never used as training spans)",
            name, stats.misaligned, stats.answers, stats.fixed, stats.not_found,
        )
    if not unique:
        raise InputError(f"{name}: no usable questions" + (f" ({problems[0]})" if problems else ""))
    return QAData(unique, stats, problems)
