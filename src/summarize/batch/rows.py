"""Read one piece of a shard: ``(line, object | BadRow)`` pairs, numbered as in the whole file.

JSONL lines go through the project's JSONL reader (``summarize.io.jsonl``), so a
batch job reports a malformed line exactly as every other command does; Parquet
rows are numbered 1, 2, ... from the file's first row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from summarize.batch.plan import Piece
from summarize.io.jsonl import BadRow, parse_jsonl
from summarize.io.read import decode_bytes


def read_piece(piece: Piece) -> Iterator[tuple[int, dict | BadRow]]:
    if piece.format == "parquet":
        yield from _parquet_rows(piece)
        return
    with open(piece.path, "rb") as handle:
        handle.seek(piece.start)
        data = handle.read(piece.end - piece.start)
    text = decode_bytes(data, piece.source, piece.encoding)[0]
    shift = piece.first_line - 1
    for line, obj in parse_jsonl(text, piece.source):
        if isinstance(obj, BadRow):
            obj = dataclasses.replace(obj, line=line + shift)
        yield line + shift, obj


def _parquet_rows(piece: Piece) -> Iterator[tuple[int, dict | BadRow]]:
    import pyarrow.parquet as pq

    table = pq.ParquetFile(piece.path).read_row_group(piece.start)
    for offset, row in enumerate(table.to_pylist()):
        yield piece.first_line + offset, row
