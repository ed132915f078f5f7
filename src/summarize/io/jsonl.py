"""Reading JSONL with line numbers, so every bad row can be named as ``file:line``."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

from summarize.io.read import InputError, read_text


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
    # split("\n"), not splitlines(): json.dumps(ensure_ascii=False) writes U+2028/U+0085 raw inside strings.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
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
