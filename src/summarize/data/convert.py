"""Dispatch a file to its format's parser, collect bad rows, write the canonical JSONL atomically."""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from summarize.data.records import RowError
from summarize.io.atomic import atomic_write_jsonl
from summarize.io.jsonl import BadRow
from summarize.io.read import InputError, read_text

log = logging.getLogger(__name__)

_COLUMNS = ("text_col", "title_col", "id_col")

# format -> (module:function, options it accepts, one-line description)
FORMATS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "newspaper": ("summarize.data.formats.newspaper:parse", (), "raw text dump of a printed newspaper page"),
    "lcsts": ("summarize.data.formats.lcsts:parse", ("min_label",), "LCSTS: CLGE TSV or official PART_I/II/III XML"),
    "csl": ("summarize.data.formats.csl:parse", (), "CSL abstract->title TSV (3-column benchmark or 2-column CLGE)"),
    "thucnews": ("summarize.data.formats.thucnews:parse", (), "THUCNews CSV (title,context,label,class,...)"),
    "sogoucs": ("summarize.data.formats.sogoucs:parse", (), "SogouCS/SogouCA <doc> dump (GB18030)"),
    "jsonl": ("summarize.data.formats.tabular:parse_jsonl", _COLUMNS, "JSON Lines with a column mapping"),
    "csv": ("summarize.data.formats.tabular:parse_csv", (*_COLUMNS, "header"), "CSV with a column mapping"),
    "tsv": ("summarize.data.formats.tabular:parse_tsv", (*_COLUMNS, "header"), "TSV with a column mapping"),
}


@dataclass
class ConvertResult:
    """What a conversion produced: the records, the rows that could not be used, rows filtered on request."""

    records: list[dict] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    filtered: int = 0
    encoding: str = "utf-8"


def convert_file(path: str | os.PathLike, fmt: str, *, source: str | None = None, encoding: str | None = None,
                 **options) -> ConvertResult:
    """Parse ``path`` as ``fmt`` into canonical records.

    ``source`` overrides the file name stored in ``meta.source`` (and the id prefix).
    Options are the format's own (``min_label`` for lcsts; ``text_col``,
    ``title_col``, ``id_col``, ``header`` for jsonl/csv/tsv); passing an option
    a format does not take is an error rather than silently ignored.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")
    target, accepted, _ = FORMATS[fmt]
    given = {key: value for key, value in options.items() if value is not None}
    wrong = sorted(set(given) - set(accepted))
    if wrong:
        names = ", ".join("--" + key.replace("_", "-") for key in wrong)
        raise InputError(f"{names} does not apply to --format {fmt}")
    module_name, func_name = target.split(":")
    parse = getattr(importlib.import_module(module_name), func_name)

    text, used_encoding = read_text(path, encoding)
    display = str(path)
    result = ConvertResult(encoding=used_encoding)
    seen: dict[str, int] = {}
    rows = parse(text, source=source or Path(path).name, path=display, **given)
    # Shown only for long conversions (delay) and only at INFO or below.
    for line, row in tqdm(rows, desc=f"converting {Path(path).name}", unit=" rows", delay=2,
                          disable=not log.isEnabledFor(logging.INFO)):
        if row is None:
            result.filtered += 1
        elif isinstance(row, RowError):
            result.bad_rows.append(BadRow(display, line, str(row)))
        elif row["id"] in seen:
            result.bad_rows.append(BadRow(display, line, f"duplicate id {row['id']!r} (first at line {seen[row['id']]})"))
        else:
            seen[row["id"]] = line
            result.records.append(row)
    if not result.records and not result.bad_rows:
        raise InputError(f"{display}: no {fmt} records found")
    log.debug("%s: %s, %d records, %d bad rows", display, used_encoding, len(result.records), len(result.bad_rows))
    return result


def write_records(path: str | os.PathLike, records: list[dict]) -> int:
    """Write records as JSONL atomically (temp file + rename); returns the number written."""
    return atomic_write_jsonl(path, records)
