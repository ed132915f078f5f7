"""Reading JSONL with line numbers, so every bad row can be named as ``file:line``; reporting bad rows.

This is the project's one JSONL reader (``parse_jsonl``/``iter_jsonl``): lines are
split on ``\n`` only, so a raw U+2028 or U+0085 inside a JSON string (which
``json.dumps(ensure_ascii=False)`` writes) never cuts a row. Every reader of
canonical records, predictions, QA rows and headline input goes through it, and
every command lists bad rows the same way (``report_bad_rows``, ``bad_rows_error``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

from summarize.io.read import InputError, read_text, split_lines

MAX_LISTED_BAD_ROWS = 10  # bad rows listed one by one; the rest are counted


@dataclass(frozen=True)
class BadRow:
    """A row that could not be used: where it is and why."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


def iter_jsonl(path: str | os.PathLike, encoding: str | None = None) -> Iterator[tuple[int, dict | BadRow]]:
    """Yield ``(line_number, object)`` for each non-blank line; malformed lines yield a BadRow.

    The caller decides whether a BadRow is fatal or is reported and skipped.
    """
    text, _ = read_text(path, encoding)
    return parse_jsonl(text, str(path))


def parse_jsonl(text: str, source: str) -> Iterator[tuple[int, dict | BadRow]]:
    """``iter_jsonl`` over text already read; ``source`` names it in BadRows."""
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, BadRow(source, number, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            yield number, BadRow(source, number, f"expected a JSON object, got {type(obj).__name__}")
            continue
        yield number, obj


def read_jsonl_strict(path: str | os.PathLike) -> list[dict]:
    """Read all rows of a JSONL file, raising InputError on the first malformed line."""
    rows = []
    for _, obj in iter_jsonl(path):
        if isinstance(obj, BadRow):
            raise InputError(str(obj))
        rows.append(obj)
    return rows


def report_bad_rows(bad: list[BadRow], emit, *, verb: str = "skipped", limit: int = MAX_LISTED_BAD_ROWS) -> None:
    """Send ``"skipped file:line: reason"`` for the first ``limit`` bad rows, then one count line, to ``emit``."""
    for row in bad[:limit]:
        emit(f"{verb} {row}")
    if len(bad) > limit:
        emit(f"... and {len(bad) - limit} more bad row(s) {verb}")


def bad_rows_error(source: str | os.PathLike, bad: list[BadRow], hint: str,
                   limit: int = MAX_LISTED_BAD_ROWS) -> InputError:
    """One error listing the first ``limit`` bad rows of ``source`` (then a count) and what to do (``hint``)."""
    listed = "\n  ".join(map(str, bad[:limit]))
    more = f"\n  ... and {len(bad) - limit} more" if len(bad) > limit else ""
    return InputError(f"{source}: {len(bad)} bad row(s); {hint}:\n  {listed}{more}")
