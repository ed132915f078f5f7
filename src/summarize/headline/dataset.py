"""Headline training data: JSONL records -> (article, reference) pairs -> model features.

Bad-row policy (the same for train and dev): a line that is not a JSON
object, or whose article/headline is empty or not a string, is reported as
``file:line: reason`` and skipped, so one broken row does not cost a long
run. A row *without* the configured field is a configuration mistake
(``data.text_field``/``data.title_field`` name the wrong key), so it stops
the run with the keys the row does have.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from summarize.io.jsonl import BadRow, iter_jsonl, report_bad_rows
from summarize.io.read import InputError

log = logging.getLogger("summarize")


@dataclass(frozen=True)
class Pair:
    id: str
    text: str
    title: str


def read_pairs(path: str | os.PathLike, text_field: str = "text", title_field: str = "title",
               limit: int | None = None) -> list[Pair]:
    """Read (id, article, headline) pairs from a canonical JSONL file; see the module docstring for bad rows."""
    pairs: list[Pair] = []
    bad: list[BadRow] = []
    source = str(path)
    for line, row in iter_jsonl(path):
        if limit is not None and len(pairs) >= limit:
            break
        if isinstance(row, BadRow):
            bad.append(row)
            continue
        for key in (text_field, title_field):
            if key not in row:
                keys = ", ".join(sorted(map(str, row))) or "none"
                raise InputError(f"{source}:{line}: no {key!r} field (this row has: {keys}); "
                                 "set data.text_field / data.title_field to the right keys")
        text, title = row[text_field], row[title_field]
        problem = _problem(text, text_field) or _problem(title, title_field)
        if problem:
            bad.append(BadRow(source, line, problem))
            continue
        pairs.append(Pair(id=str(row.get("id", f"{os.path.basename(source)}:{line}")), text=text, title=title.strip()))
    report_bad_rows(bad, log.warning)
    if not pairs:
        raise InputError(f"{source}: no usable rows ({len(bad)} bad)")
    return pairs


def _problem(value, key: str) -> str | None:
    if not isinstance(value, str):
        return f"{key!r} must be a string, got {type(value).__name__}"
    if not value.strip():
        return f"{key!r} is empty"
    return None


def encode_pairs(pairs: list[Pair], tokenizer, *, decoder_start_token_id: int | None, source_prefix: str = "",
                 max_source_tokens: int = 512, max_target_tokens: int = 64) -> list[dict]:
    """Tokenized features: ``input_ids``, ``attention_mask``, ``labels`` (unpadded; the collator pads).

    Articles are truncated from the end so the lead, where news puts the
    facts a headline needs, is kept. When a BERT-style tokenizer begins the
    label with the decoder's start token ([CLS] for uer T5 and scratch
    models), that token is dropped: the decoder is fed it already, and
    predicting it again would waste the first step.
    """
    sources = tokenizer([source_prefix + p.text for p in pairs], max_length=max_source_tokens, truncation=True,
                        return_token_type_ids=False)
    targets = tokenizer(text_target=[p.title for p in pairs], max_length=max_target_tokens, truncation=True,
                        return_token_type_ids=False)
    features = []
    for i in range(len(pairs)):
        labels = list(targets["input_ids"][i])
        if decoder_start_token_id is not None and len(labels) > 1 and labels[0] == decoder_start_token_id:
            labels = labels[1:]
        features.append({
            "input_ids": list(sources["input_ids"][i]),
            "attention_mask": list(sources["attention_mask"][i]),
            "labels": labels,
        })
    return features


def make_collator(tokenizer, model, pad_to_multiple_of: int | None = None):
    """Dynamic padding per batch; labels pad with -100 so the loss ignores them."""
    from transformers import DataCollatorForSeq2Seq

    return DataCollatorForSeq2Seq(tokenizer, model=model, label_pad_token_id=-100, pad_to_multiple_of=pad_to_multiple_of)
