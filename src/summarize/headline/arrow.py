"""Headline data as ``datasets`` Arrow tables: memory-flat at any corpus size, tokenized once, cached by content.

Training reads its data through here (the CLI keeps passing JSONL files)::

    from summarize.headline.arrow import load_pairs, tokenize_pairs

    pairs = load_pairs("data/corpus/train.jsonl")                 # a canonical JSONL file, streamed
    pairs = load_pairs("owner/news", text_field="article", title_field="summary", split="train")  # a hub dataset
    pairs = load_pairs(my_dataset, text_field="body", title_field="headline")    # a datasets.Dataset
    features = tokenize_pairs(pairs, tokenizer, decoder_start_token_id=..., num_proc=4)

A JSONL file is read in blocks of lines and written to Arrow as it goes (bad
rows reported as ``file:line`` and skipped, exactly as ``read_pairs`` does),
so a 2.4M-pair LCSTS file never sits in memory as Python objects. Both steps
are cached under a fingerprint of their *content* (the file's sha256; the
tokenizer's vocabulary and settings), so a second run, or the other ranks of a
torchrun job once rank 0 is done (``main_process_first``), load the Arrow
files instead of tokenizing again, and an edited file is never served stale.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
from collections.abc import Iterator
from typing import Any

from summarize.headline.dataset import Pair, check_usable, pairs_from_rows
from summarize.io.digest import file_sha256, tokenizer_fingerprint
from summarize.io.jsonl import BadRow, parse_jsonl
from summarize.io.locate import looks_like_data_file
from summarize.io.read import InputError, check_input_file

log = logging.getLogger("summarize")

COLUMNS = ("id", "text", "title")
_LINES_PER_BLOCK = 20_000


def stream_jsonl(path: str | os.PathLike) -> Iterator[tuple[int, dict | BadRow]]:
    """``iter_jsonl`` for a UTF-8 file of any size: the same rows and BadRows, read a block of lines at a time."""
    source = str(path)
    offset = 0
    with open(path, "rb") as f:
        while block := list(itertools.islice(f, _LINES_PER_BLOCK)):
            data = b"".join(block)
            if offset == 0:
                data = data.removeprefix(b"\xef\xbb\xbf")
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = offset + data[: exc.start].count(b"\n") + 1
                raise InputError(f"{source}:{line}: not UTF-8; canonical JSONL is UTF-8 "
                                 "(summarize data convert writes it)") from exc
            # parse_jsonl splits on "\n" only, as the lines were cut here; a trailing "\n" makes no row.
            for number, row in parse_jsonl(text.removesuffix("\n"), source):
                if isinstance(row, BadRow):
                    row = BadRow(row.source, row.line + offset, row.reason)
                yield number + offset, row
            offset += len(block)


def _pair_rows(path: str, text_field: str, title_field: str, sha256: str) -> Iterator[dict]:
    # sha256 is unused here: it is in gen_kwargs so that the cache fingerprint follows the file's content.
    bad: list[BadRow] = []
    count = 0
    for pair in pairs_from_rows(stream_jsonl(path), path, text_field, title_field, bad):
        count += 1
        yield {"id": pair.id, "text": pair.text, "title": pair.title}
    check_usable(path, bad, range(count))


def load_pairs(
    source: Any,
    *,
    text_field: str = "text",
    title_field: str = "title",
    limit: int | None = None,
    split: str = "train",
    cache_dir: str | os.PathLike | None = None,
):
    """A ``datasets.Dataset`` with columns ``id``, ``text``, ``title`` (as ``read_pairs`` gives ``Pair``s).

    ``source``: a canonical JSONL file; a ``datasets.Dataset``; or a hub dataset id
    (``split`` chosen). For the last two, ``text_field``/``title_field`` name its
    columns; an ``id`` column is kept when there is one, else ids are positions.
    """
    import datasets

    if isinstance(source, datasets.Dataset):
        ds = _canonical(source, text_field, title_field, "the dataset")
    elif looks_like_data_file(source):
        path = str(check_input_file(source))
        try:
            ds = datasets.Dataset.from_generator(
                _pair_rows, gen_kwargs={"path": path, "text_field": text_field, "title_field": title_field,
                                        "sha256": file_sha256(path)},
                features=datasets.Features({c: datasets.Value("string") for c in COLUMNS}), cache_dir=cache_dir,
            )
        except datasets.exceptions.DatasetGenerationError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, InputError):
                raise cause from None
            raise
    else:
        try:
            ds = datasets.load_dataset(str(source), split=split, cache_dir=cache_dir)
        except Exception as exc:  # offline, unknown id, unknown split: one line naming the id
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"{source}: not a file, and not loadable as a hub dataset ({type(exc).__name__}: "
                             f"{reason})") from exc
        ds = _canonical(ds, text_field, title_field, f"{source} ({split})")
    if limit is not None and limit < len(ds):
        ds = ds.select(range(limit))
    return ds


def _canonical(ds, text_field: str, title_field: str, name: str):
    """Columns id, text, title of an in-memory or hub dataset; rows with an empty side are dropped."""
    missing = [c for c in (text_field, title_field) if c not in ds.column_names]
    if missing:
        raise InputError(f"{name}: no column {' or '.join(map(repr, missing))} (columns: "
                         f"{', '.join(ds.column_names)}); set data.text_field / data.title_field")
    keep = [c for c in ("id", text_field, title_field) if c in ds.column_names]
    ds = ds.select_columns(keep).rename_columns({text_field: "text", title_field: "title"})
    if "id" not in ds.column_names:
        ds = ds.add_column("id", [str(i) for i in range(len(ds))])
    before = len(ds)
    ds = ds.filter(lambda b: [isinstance(t, str) and t.strip() != "" and isinstance(h, str) and h.strip() != ""
                              for t, h in zip(b["text"], b["title"])], batched=True)
    if len(ds) < before:
        log.warning("%s: %d rows without text or title skipped", name, before - len(ds))
    if not len(ds):
        raise InputError(f"{name}: no usable rows")
    return ds.select_columns(list(COLUMNS))


def as_pairs(ds) -> list[Pair]:
    """The rows as ``Pair``s (for a dev set, which is scored against its raw headlines)."""
    return [Pair(*row) for row in zip(ds["id"], ds["text"], ds["title"])]


def _encode_batch(batch: dict, tokenizer, decoder_start_token_id, source_prefix, max_source_tokens,
                  max_target_tokens) -> dict:
    from summarize.headline.dataset import encode_pairs

    pairs = [Pair(i, t, h) for i, t, h in zip(batch["id"], batch["text"], batch["title"])]
    features = encode_pairs(pairs, tokenizer, decoder_start_token_id=decoder_start_token_id,
                            source_prefix=source_prefix, max_source_tokens=max_source_tokens,
                            max_target_tokens=max_target_tokens)
    return {k: [f[k] for f in features] for k in ("input_ids", "attention_mask", "labels")}


def tokenize_pairs(ds, tokenizer, *, decoder_start_token_id: int | None, source_prefix: str = "",
                   max_source_tokens: int = 512, max_target_tokens: int = 64, num_proc: int | None = None):
    """``input_ids``, ``attention_mask``, ``labels`` for every row (``encode_pairs`` in batches, in ``num_proc``
    processes); cached under the rows' fingerprint, the tokenizer's and the settings."""
    settings = [decoder_start_token_id, source_prefix, max_source_tokens, max_target_tokens]
    key = json.dumps([ds._fingerprint, tokenizer_fingerprint(tokenizer), settings], ensure_ascii=False)
    fingerprint = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return ds.map(
        _encode_batch, batched=True, batch_size=1000, num_proc=num_proc if num_proc and num_proc > 1 else None,
        remove_columns=ds.column_names, new_fingerprint=fingerprint, desc="tokenizing",
        fn_kwargs=dict(tokenizer=tokenizer, decoder_start_token_id=decoder_start_token_id, source_prefix=source_prefix,
                       max_source_tokens=max_source_tokens, max_target_tokens=max_target_tokens),
    )
