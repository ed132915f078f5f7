"""File input and output shared by every command: atomic writes, encoding detection, JSONL."""

from summarize.io.atomic import atomic_open, atomic_write_json, atomic_write_jsonl, atomic_write_text
from summarize.io.jsonl import BadRow, iter_jsonl
from summarize.io.read import InputError, read_text

__all__ = [
    "BadRow",
    "InputError",
    "atomic_open",
    "atomic_write_json",
    "atomic_write_jsonl",
    "atomic_write_text",
    "iter_jsonl",
    "read_text",
]
