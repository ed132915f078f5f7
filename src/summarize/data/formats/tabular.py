"""Generic JSONL / CSV / TSV input with a column mapping, and the row readers the corpus formats share.

TSV is read line by line with ``split("\\t")``: a csv-module reader would treat a
stray ``"`` in a text as the start of a quoted field and silently swallow the
following rows. Some TSV corpora (CLUE's LCSTS and CSL re-splits) were written by
a CSV writer, though: a field that contains quotes is wrapped in ``"…"`` with its
inner quotes doubled, sometimes twice over (a quoted word then shows four quote marks). A field
is unquoted only when it has exactly that shape (outer quotes, every inner quote
doubled), so a text that merely starts and ends with a quotation is left alone;
see :func:`unquote_tsv_field`. CSV is read
with the csv module in strict mode, because CSV corpora (THUCNews) do quote
multi-line bodies; a quoting error becomes a bad row, not a silently merged one.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from summarize.data.records import RowError, make_record
from summarize.io.jsonl import BadRow, parse_jsonl as read_jsonl_rows
from summarize.io.read import InputError, split_lines

__all__ = ["iter_csv", "iter_tsv", "parse_csv", "parse_jsonl", "parse_tsv", "split_lines", "unquote_tsv_field"]

csv.field_size_limit(1 << 30)


def iter_tsv(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(line, fields)`` for each non-blank line, CSV-style quoted fields unquoted."""
    for number, line in enumerate(split_lines(text), start=1):
        if line.strip():
            yield number, [unquote_tsv_field(field) for field in line.split("\t")]


_QUOTED = re.compile(r'^"((?:[^"]|"")*)"$', re.S)


def unquote_tsv_field(field: str) -> str:
    """``"a""b"`` -> ``a"b``; a field not quoted CSV-style comes back unchanged.

    Doubled quotes left after one pass (the field was quoted twice) are collapsed
    too, and a quote left dangling at the end by that is dropped: ASCII ``""`` is
    never text in these corpora.
    """
    match = _QUOTED.match(field.strip())
    if not match:
        return field
    inner = match.group(1).replace('""', '"')
    if '""' in inner:
        inner = inner.replace('""', '"')
        if inner.count('"') % 2 and inner.endswith('"'):
            inner = inner[:-1]
    return inner


def iter_csv(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str] | RowError]]:
    """``(first line, fields)`` for each non-blank CSV record; a quoting error yields a RowError."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, RowError(f"malformed CSV ({exc})")
            start = reader.line_num + 1
            continue
        if any(field.strip() for field in fields):
            yield start, fields
        start = reader.line_num + 1


def read_header(rows: Iterator[tuple[int, list[str] | RowError]], path: str) -> list[str]:
    """Consume and return the header row (names stripped); a file without one is an InputError."""
    first = next(rows, None)
    if first is None:
        raise InputError(f"{path}: no rows")
    line, names = first
    if isinstance(names, RowError):
        raise InputError(f"{path}:{line}: cannot read the header: {names}")
    return [name.strip() for name in names]


def column_index(header: list[str], name: str, option: str, path: str) -> int:
    """Position of column ``name``; a missing column is an error listing the available ones."""
    try:
        return header.index(name)
    except ValueError:
        available = ", ".join(repr(col) for col in header)
        raise InputError(f"{path}: no column {name!r} ({option}); available columns: {available}") from None


def _tabular(
    rows: Iterator[tuple[int, list[str] | RowError]],
    *,
    source: str,
    path: str,
    text_col: str,
    title_col: str,
    id_col: str | None,
    header: bool,
) -> Iterator[tuple[int, dict | RowError]]:
    if header:
        names = read_header(rows, path)
    else:
        first = next(rows, None)
        if first is None:
            raise InputError(f"{path}: no rows")
        rows = _chain(first, rows)
        names = [str(i) for i in range(len(first[1]) if isinstance(first[1], list) else 0)]
    text_i = column_index(names, text_col, "--text-col", path)
    title_i = column_index(names, title_col, "--title-col", path)
    id_i = column_index(names, id_col, "--id-col", path) if id_col else None
    for line, fields in rows:
        if isinstance(fields, RowError):
            yield line, fields
            continue
        if len(fields) != len(names):
            yield line, RowError(f"expected {len(names)} columns, found {len(fields)}")
            continue
        used = {text_i, title_i, id_i}
        meta = {names[i]: value for i, value in enumerate(fields) if i not in used}
        yield line, _record(source, line, fields[title_i], fields[text_i], meta, fields[id_i] if id_i is not None else None)


def _chain(first, rest):
    yield first
    yield from rest


def _record(source, line, title, text, meta, record_id) -> dict | RowError:
    try:
        return make_record(source=source, line=line, title=title, text=text, meta=meta, record_id=record_id)
    except RowError as exc:
        return exc


def parse_tsv(text: str, *, source: str, path: str, text_col: str = "text", title_col: str = "title",
              id_col: str | None = None, header: bool = True) -> Iterator[tuple[int, dict | RowError]]:
    """TSV with a header row (or, with ``header=False``, columns named ``0``, ``1``, ...)."""
    rows = ((line, [f.strip() for f in fields]) for line, fields in iter_tsv(text))
    return _tabular(rows, source=source, path=path, text_col=text_col, title_col=title_col, id_col=id_col, header=header)


def parse_csv(text: str, *, source: str, path: str, text_col: str = "text", title_col: str = "title",
              id_col: str | None = None, header: bool = True) -> Iterator[tuple[int, dict | RowError]]:
    """CSV with a header row (or, with ``header=False``, columns named ``0``, ``1``, ...)."""
    return _tabular(iter_csv(text), source=source, path=path, text_col=text_col, title_col=title_col, id_col=id_col,
                    header=header)


def parse_jsonl(text: str, *, source: str, path: str, text_col: str = "text", title_col: str = "title",
                id_col: str | None = None) -> Iterator[tuple[int, dict | RowError]]:
    """JSON Lines; keys not mapped to title/text/id go into ``meta`` (a ``meta`` object is merged in).

    A key missing from the first row is a mapping mistake (an InputError listing
    that row's keys); a key missing from a later row makes that row bad.
    """
    first = True
    for line, obj in read_jsonl_rows(text, path):  # the project's one JSONL reader
        if isinstance(obj, BadRow):
            yield line, RowError(obj.reason)
            continue
        keys = list(obj)
        for option, key in (("--text-col", text_col), ("--title-col", title_col), ("--id-col", id_col)):
            if key is not None and key not in obj:
                available = ", ".join(map(repr, keys))
                if first:
                    raise InputError(f"{path}:{line}: no key {key!r} ({option}); available keys: {available}")
                yield line, RowError(f"missing key {key!r} (row has keys: {available})")
                break
        else:
            first = False
            meta = {k: v for k, v in obj.items() if k not in (text_col, title_col, id_col, "meta")}
            if isinstance(obj.get("meta"), dict):
                meta.update(obj["meta"])
            meta.pop("source", None)
            meta.pop("line", None)
            rid = obj[id_col] if id_col else None
            yield line, _record(source, line, obj[title_col], obj[text_col], meta, rid)


class LineCounter:
    """Line number of increasing character offsets in one pass (regex readers report ``file:line`` too)."""

    def __init__(self, text: str):
        self.text, self.pos, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, offset)
        self.pos = offset
        return self.line


def iter_elements(text: str, tag: str) -> Iterator[tuple[int, str, str, bool]]:
    """``(offset, attributes, body, closed)`` for each ``<tag ...>...</tag>`` in pseudo-XML.

    Tolerant on purpose: an element that is not closed runs to the next opening
    tag (or the end) and comes back with ``closed=False``. Plain ``str.find``
    keeps this linear on dumps of millions of documents.
    """
    opener, closer = f"<{tag}", f"</{tag}>"
    start = _find_open(text, opener, 0)
    while start != -1:
        head_end = text.find(">", start)
        if head_end == -1:
            yield start, text[start + len(opener):], "", False
            return
        following = _find_open(text, opener, head_end + 1)
        close = text.find(closer, head_end + 1)
        closed = close != -1 and (following == -1 or close < following)
        end = close if closed else (following if following != -1 else len(text))
        yield start, text[start + len(opener):head_end], text[head_end + 1:end], closed
        start = following


def _find_open(text: str, opener: str, pos: int) -> int:
    # "<doc" must be followed by ">" or whitespace, so "<docno>" is not taken for "<doc>".
    while True:
        pos = text.find(opener, pos)
        if pos == -1 or text[pos + len(opener):pos + len(opener) + 1] in (">", " ", "\t", "\n", "\r"):
            return pos
        pos += len(opener)
