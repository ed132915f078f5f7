"""The canonical summarization record and its validation.

One JSON object per line::

    {"id": "val-17", "title": "...", "text": "...", "meta": {"source": "val.tsv", "line": 17, ...}}

``title`` is the reference headline/summary, ``text`` the article (paragraphs
separated by ``\\n``), ``meta`` the facts about where the record came from.
Every converter goes through :func:`make_record`, so cleaning and the
"empty title or text is a bad row" rule live in one place.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from summarize.io.jsonl import BadRow, iter_jsonl
from summarize.io.read import InputError
from summarize.text.normalize import normalize_whitespace

FIELDS = ("id", "title", "text", "meta")


class RowError(ValueError):
    """One input row cannot become a record; the message is the reason shown next to ``file:line``."""


def make_record(
    *,
    source: str,
    line: int,
    title: Any,
    text: Any,
    meta: dict | None = None,
    record_id: Any = None,
) -> dict:
    """Clean ``title``/``text`` and build a record; raise RowError when either ends up empty.

    Titles become one line; texts keep their paragraph breaks as single ``\\n``.
    The default id is ``<source stem>-<line>``: deterministic and unique within a file.
    """
    title = normalize_whitespace(_as_text(title, "title"))
    text = normalize_whitespace(_as_text(text, "text"), keep_newlines=True)
    if not title:
        raise RowError("empty title")
    if not text:
        raise RowError("empty text")
    if record_id is None or record_id == "":
        rid = f"{_stem(source)}-{line}"
    else:
        rid = normalize_whitespace(_as_text(record_id, "id"))
        if not rid:
            raise RowError("empty id")
    return {"id": rid, "title": title, "text": text, "meta": {"source": source, "line": line, **(meta or {})}}


@functools.lru_cache(maxsize=64)
def _stem(source: str) -> str:
    return Path(source).stem


def _as_text(value: Any, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RowError(f"{what} must be a string, got {type(value).__name__}")
    return str(value)


def validate_record(obj: Any) -> list[str]:
    """Every way ``obj`` departs from the record format (empty list when it is valid)."""
    if not isinstance(obj, dict):
        return [f"expected a JSON object, got {type(obj).__name__}"]
    problems = [f"missing key {key!r}" for key in FIELDS if key not in obj]
    extra = sorted(set(obj) - set(FIELDS))
    if extra:
        problems.append(f"unexpected keys {', '.join(map(repr, extra))} (a record has {', '.join(FIELDS)})")
    for key in ("id", "title", "text"):
        if key in obj and (not isinstance(obj[key], str) or not obj[key].strip()):
            problems.append(f"{key!r} must be a non-empty string")
    if "meta" in obj and not isinstance(obj["meta"], dict):
        problems.append("'meta' must be an object")
    return problems


def iter_records(path: str | os.PathLike) -> Iterator[tuple[int, dict | BadRow]]:
    """Yield ``(line, record)`` from a canonical JSONL file; invalid rows come back as BadRow."""
    for line, obj in iter_jsonl(path):
        if isinstance(obj, BadRow):
            yield line, obj
            continue
        problems = validate_record(obj)
        yield line, BadRow(str(path), line, "; ".join(problems)) if problems else obj


def read_records(path: str | os.PathLike) -> list[dict]:
    """All records of a canonical JSONL file; the first invalid row or repeated id is an InputError."""
    records: list[dict] = []
    seen: dict[str, int] = {}
    for line, obj in iter_records(path):
        if isinstance(obj, BadRow):
            raise InputError(str(obj))
        if obj["id"] in seen:
            raise InputError(f"{path}:{line}: duplicate id {obj['id']!r} (first at line {seen[obj['id']]})")
        seen[obj["id"]] = line
        records.append(obj)
    if not records:
        raise InputError(f"{path}: no records")
    return records
