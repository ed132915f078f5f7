"""File input and output shared by every command: atomic writes, encoding detection, JSONL."""

from summarize.io.atomic import atomic_open, atomic_write_json, atomic_write_jsonl, atomic_write_text
from summarize.io.jsonl import BadRow, bad_rows_error, iter_jsonl, parse_jsonl, report_bad_rows
from summarize.io.read import InputError, read_text, split_lines

__all__ = [
    "BadRow",
    "InputError",
    "atomic_open",
    "atomic_write_json",
    "atomic_write_jsonl",
    "atomic_write_text",
    "bad_rows_error",
    "iter_jsonl",
    "parse_jsonl",
    "read_text",
    "report_bad_rows",
    "split_lines",
]
