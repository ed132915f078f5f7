"""Which files a batch job reads, where each one's output goes, and how each is cut into pieces.

A *shard* is one input file (JSONL or Parquet) and gives one output file. A
*piece* is the unit of work handed to a model worker: up to ``chunk_rows``
non-blank lines of a JSONL file (a byte range), or one Parquet row group. The
plan depends only on the input bytes and ``chunk_rows``, never on the engine or
the number of workers, so every engine hands the model the same groups of
articles and writes byte-identical outputs.
"""

from __future__ import annotations

import glob
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from summarize.io.read import InputError, decode_bytes

FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet"}
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Shard:
    """One input file and the files it produces (paths of the outputs are relative to the output folder)."""

    name: str  # the input's path relative to the inputs' common folder: the manifest key
    source: str  # the input as the user named it (for messages)
    path: str  # absolute, so workers with another working directory read the same file
    format: str
    output: str
    errors: str


@dataclass(frozen=True)
class Piece:
    """A slice of a shard that one worker call reads and processes."""

    shard: str
    index: int
    source: str
    path: str
    format: str
    encoding: str | None  # jsonl: detected on the whole file
    start: int  # jsonl: byte offset; parquet: row group
    end: int  # jsonl: byte offset (exclusive); parquet: unused
    first_line: int  # jsonl: line number at ``start``; parquet: 1-based row number of the group's first row
    rows: int  # non-blank lines (jsonl) or rows (parquet): what the progress bar counts


@dataclass(frozen=True)
class ShardPlan:
    shard: Shard
    sha256: str
    size: int
    pieces: tuple[Piece, ...]


def find_inputs(patterns: list[str] | str, output_dir: str | os.PathLike) -> list[Shard]:
    """The shards named by paths, globs or folders (a folder means its .jsonl/.json/.parquet files)."""
    patterns = [patterns] if isinstance(patterns, (str, os.PathLike)) else list(patterns)
    if not patterns:
        raise InputError("--input: give at least one file, glob or folder")
    found: dict[Path, str] = {}
    for pattern in map(str, patterns):
        if os.path.isdir(pattern):
            matches = sorted(str(p) for p in Path(pattern).iterdir() if p.suffix in FORMATS and p.is_file())
        else:
            matches = sorted(glob.glob(pattern, recursive=True))
        matches = [m for m in matches if not os.path.isdir(m)]
        if not matches:
            raise InputError(f"--input {pattern}: no such file, or nothing matches")
        for match in matches:
            found.setdefault(Path(match).resolve(), match)
    out = Path(output_dir).resolve()
    for path, source in found.items():
        if path.suffix not in FORMATS:
            raise InputError(f"{source}: unsupported input format {path.suffix or '(no suffix)'!r} "
                             f"(expected {', '.join(FORMATS)})")
        if path.is_relative_to(out):
            raise InputError(f"{source}: input is inside the output folder {output_dir}; a re-run would read outputs")
    base = Path(os.path.commonpath([p.parent for p in found]))
    shards: list[Shard] = []
    outputs: dict[str, str] = {}
    for path, source in sorted(found.items()):
        name = path.relative_to(base).as_posix()
        output = str(Path(name).with_suffix(".jsonl").as_posix())
        if output in outputs:
            raise InputError(f"{source} and {outputs[output]} would both write {output}; rename one")
        outputs[output] = source
        shards.append(Shard(name, source, str(path), FORMATS[path.suffix], output,
                            str(Path(name).with_suffix(".errors.txt").as_posix())))
    return shards


def plan_shard(shard: Shard, chunk_rows: int) -> ShardPlan:
    """Hash the input and cut it into pieces (reads the whole file once)."""
    data = Path(shard.path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if shard.format == "parquet":
        pieces = _parquet_pieces(shard)
    else:
        pieces = _jsonl_pieces(shard, data, chunk_rows)
    return ShardPlan(shard, digest, len(data), tuple(pieces))


def _jsonl_pieces(shard: Shard, data: bytes, chunk_rows: int) -> list[Piece]:
    # Detect the encoding on the whole file (a piece alone could look like UTF-8 by luck).
    # Splitting on b"\n" is safe for both encodings read: no GB18030 multi-byte sequence contains 0x0A.
    encoding = decode_bytes(data, shard.source)[1] if data else "utf-8"
    pieces: list[Piece] = []
    start = offset = 0
    first_line = line = 1
    rows = 0
    for raw in data.split(b"\n"):
        if raw.strip():
            if rows == chunk_rows:
                pieces.append(_piece(shard, len(pieces), encoding, start, offset, first_line, rows))
                start, first_line, rows = offset, line, 0
            rows += 1
        offset += len(raw) + 1
        line += 1
    if rows:
        pieces.append(_piece(shard, len(pieces), encoding, start, len(data), first_line, rows))
    return pieces


def _piece(shard: Shard, index: int, encoding: str | None, start: int, end: int, first_line: int, rows: int) -> Piece:
    return Piece(shard.name, index, shard.source, shard.path, shard.format, encoding, start, end, first_line, rows)


def _parquet_pieces(shard: Shard) -> list[Piece]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{shard.source}: reading Parquet needs pyarrow (pip install 'summarize[ray]')") from None

    try:
        meta = pq.ParquetFile(shard.path).metadata
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError for a file that is not Parquet
        raise InputError(f"{shard.source}: not a readable Parquet file ({exc})") from None
    pieces: list[Piece] = []
    first = 1
    for group in range(meta.num_row_groups):
        rows = meta.row_group(group).num_rows
        if rows:
            pieces.append(_piece(shard, len(pieces), None, group, -1, first, rows))
        first += rows
    return pieces
