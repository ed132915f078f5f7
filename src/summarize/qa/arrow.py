"""Reading-comprehension data as ``datasets`` Arrow tables: windows tokenized once, cached by content.

Training reads its data through here (the CLI keeps passing files)::

    from summarize.qa.arrow import load_examples, tokenize_examples

    source = load_examples("../shared/data/cmrc2018/train.json")             # SQuAD JSON or JSONL
    source = load_examples("owner/cmrc", split="train")                      # a hub dataset (SQuAD columns)
    source = load_examples(my_dataset, question_field="q", context_field="passage")  # a datasets.Dataset
    windows = tokenize_examples(source.dataset, tokenizer, max_seq_len=384, doc_stride=128,
                                max_question_tokens=64, labels=True, num_proc=4)

Every source goes through the one RC reader's rules (:mod:`summarize.qa.data`: answers re-aligned by
text, bad rows named and skipped, duplicate ids refused), so ``source.data`` carries the same
``QAExample`` list, alignment counts and problems as ``read_qa_file``. Those stay in memory: a SQuAD
document is one JSON object that has to be parsed whole. What grows with the corpus is the windows,
1 to 3 per question, each with its token ids and character offsets. They are built by
``Dataset.map(batched=True, num_proc=...)`` into Arrow files under a fingerprint of the source's
content (the file's sha256, or the given dataset's fingerprint), the tokenizer's and the window
settings. A second run, or the other ranks of a torchrun job once rank 0 is done
(``main_process_first``), load them instead of tokenizing again, and an edited file is never served
stale.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from summarize.io.digest import file_sha256, tokenizer_fingerprint
from summarize.io.locate import looks_like_data_file
from summarize.io.read import InputError, check_input_file
from summarize.qa.data import AlignStats, QAData, QAExample, examples_from_rows, read_qa_file
from summarize.qa.features import Windows, train_features

_ANSWER = {"text": "string", "start": "int64"}


@dataclass
class QASource:
    """One data source: its examples as an Arrow table, and what the reader found in it."""

    dataset: Any  # datasets.Dataset: id, question, context, answers [{text, start (-1: not in the context)}]
    data: QAData

    @property
    def examples(self) -> list[QAExample]:
        return self.data.examples


def _features():
    import datasets

    string = datasets.Value("string")
    answer = {k: datasets.Value(v) for k, v in _ANSWER.items()}
    return datasets.Features({"id": string, "question": string, "context": string, "answers": [answer]})


def _rows(examples: list[QAExample]) -> Iterator[dict]:
    for ex in examples:
        yield {"id": ex.id, "question": ex.question, "context": ex.context,
               "answers": [{"text": a.text, "start": -1 if a.start is None else a.start} for a in ex.answers]}


def _file_rows(path: str, limit: int | None, sha256: str) -> Iterator[dict]:
    # sha256 is unused here: it is in gen_kwargs so that the cache fingerprint follows the file's content.
    examples = read_qa_file(path, report_alignment=False, report_problems=False).examples
    yield from _rows(examples[:limit] if limit else examples)


def _dataset_rows(source, fields: dict[str, str], name: str, limit: int | None, fingerprint: str) -> Iterator[dict]:
    # fingerprint is unused here: it keys the cache by the given dataset's content.
    data = examples_from_rows(_hub_rows(source, fields), name, stats=AlignStats(), report=False)
    yield from _rows(data.examples[:limit] if limit else data.examples)


def _hub_rows(ds, fields: dict[str, str]) -> Iterator[tuple[str, dict]]:
    """(where, row in the reader's shape) for each row of a SQuAD-shaped dataset.

    Hub SQuAD sets (squad, cmrc2018, drcd) store ``answers`` as ``{"text": [...], "answer_start": [...]}``;
    the reader takes a list of ``{"text", "answer_start"}`` objects, as in the JSON files.
    """
    for i, row in enumerate(ds):
        answers = row.get(fields["answers"])
        if isinstance(answers, dict) and isinstance(answers.get("text"), list):
            starts = answers.get("answer_start") or [None] * len(answers["text"])
            answers = [{"text": t, "answer_start": s} for t, s in zip(answers["text"], starts)]
        obj = {"question": row.get(fields["question"]), "context": row.get(fields["context"]), "answers": answers}
        obj["id"] = row[fields["id"]] if fields["id"] in row else str(i)
        yield f"[{i}]", obj


def load_examples(
    source: Any,
    *,
    question_field: str = "question",
    context_field: str = "context",
    answers_field: str = "answers",
    id_field: str = "id",
    limit: int | None = None,
    split: str = "train",
    cache_dir: str | os.PathLike | None = None,
) -> QASource:
    """A source's questions as an Arrow table (``QASource.dataset``) and as ``QAExample``s (``.examples``).

    ``source``: a SQuAD JSON or JSONL file; a ``datasets.Dataset``; or a hub dataset id (``split``
    chosen). For the last two, the ``*_field`` arguments name its columns (SQuAD's by default);
    without an id column, ids are row positions. ``limit`` keeps the first N questions.
    """
    import datasets

    fields = {"question": question_field, "context": context_field, "answers": answers_field, "id": id_field}
    if not isinstance(source, datasets.Dataset) and looks_like_data_file(source):
        path = str(check_input_file(source))
        # Read here on every run, for the examples, counts and bad-row reports the run needs; the
        # generator reads it again only when no Arrow copy of this content is cached (the first run).
        data = read_qa_file(path)
        rows: Callable[..., Iterator[dict]] = _file_rows
        kwargs: dict[str, Any] = {"path": path, "limit": limit, "sha256": file_sha256(path)}
    else:
        if isinstance(source, datasets.Dataset):
            ds, name = source, "the dataset"
        else:
            ds, name = _load_hub(str(source), split, cache_dir), f"{source} ({split})"
        missing = [c for c in (question_field, context_field, answers_field) if c not in ds.column_names]
        if missing:
            raise InputError(f"{name}: no column {' or '.join(map(repr, missing))} (columns: "
                             f"{', '.join(ds.column_names)}); name them with question_field / context_field / "
                             "answers_field")
        data = examples_from_rows(_hub_rows(ds, fields), name, stats=AlignStats())
        rows = _dataset_rows
        kwargs = {"source": ds, "fields": fields, "name": name, "limit": limit, "fingerprint": ds._fingerprint}
    if limit:
        data = QAData(data.examples[:limit], data.stats, data.problems)
    table = datasets.Dataset.from_generator(rows, gen_kwargs=kwargs, features=_features(), cache_dir=cache_dir)
    return QASource(table, data)


def _load_hub(name: str, split: str, cache_dir):
    import datasets

    try:
        return datasets.load_dataset(name, split=split, cache_dir=cache_dir)
    except Exception as exc:  # offline, unknown id, unknown split: one line naming the id
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{name}: not a file, and not loadable as a hub dataset ({type(exc).__name__}: "
                         f"{reason})") from exc


def _examples_of(batch: dict) -> list[QAExample]:
    from summarize.qa.data import Answer

    return [QAExample(i, q, c, [Answer(a["text"], a["start"] if a["start"] >= 0 else None) for a in answers])
            for i, q, c, answers in zip(batch["id"], batch["question"], batch["context"], batch["answers"])]


def _window_batch(batch: dict, indices: list[int], tokenizer, max_seq_len: int, doc_stride: int,
                  max_question_tokens: int, labels: bool) -> dict:
    examples = _examples_of(batch)
    if labels:  # a question whose answer is nowhere in its context teaches nothing: no windows
        keep = [k for k, ex in enumerate(examples) if ex.first_span() is not None]
        examples, indices = [examples[k] for k in keep], [indices[k] for k in keep]
    columns = ["input_ids", "token_type_ids", "start_positions", "end_positions", "example_index", "offsets",
               "context_span"]
    if not examples:
        return {c: [] for c in columns}
    built = train_features(tokenizer, examples, max_seq_len=max_seq_len, doc_stride=doc_stride,
                           max_question_tokens=max_question_tokens)
    features, windows = built["features"], built["windows"]
    return {
        "input_ids": features["input_ids"],
        # Models without token types (XLM-R, DistilBERT) get all zeros, which they never read.
        "token_type_ids": features.get("token_type_ids") or [[0] * len(ids) for ids in features["input_ids"]],
        "start_positions": features["start_positions"],
        "end_positions": features["end_positions"],
        "example_index": [indices[int(k)] for k in windows.example_index],
        "offsets": [o.reshape(-1).tolist() for o in windows.offsets],
        "context_span": windows.context_span.tolist(),
    }


def tokenize_examples(ds, tokenizer, *, max_seq_len: int, doc_stride: int, max_question_tokens: int,
                      labels: bool = True, num_proc: int | None = None):
    """The windows of every question (``make_windows`` in batches, in ``num_proc`` processes), one row each.

    Columns: ``input_ids``, ``token_type_ids``, ``start_positions``/``end_positions`` (the answer's
    tokens, or 0 for a window without it), ``example_index`` (the question's row in ``ds``),
    ``offsets`` (flattened character offsets, -1 off the context) and ``context_span``. With
    ``labels``, questions without a locatable answer get no windows (training); without, every
    question is kept (scoring). Cached under the rows', the tokenizer's and the settings' fingerprint.
    """
    settings = [max_seq_len, doc_stride, max_question_tokens, labels, "qa-windows-v1"]
    key = json.dumps([ds._fingerprint, tokenizer_fingerprint(tokenizer), settings], ensure_ascii=False)
    fingerprint = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return ds.map(
        _window_batch, batched=True, batch_size=500, with_indices=True, remove_columns=ds.column_names,
        num_proc=num_proc if num_proc and num_proc > 1 else None, new_fingerprint=fingerprint,
        desc="windowing questions",
        fn_kwargs=dict(tokenizer=tokenizer, max_seq_len=max_seq_len, doc_stride=doc_stride,
                       max_question_tokens=max_question_tokens, labels=labels),
    )


# What the model reads; the rest of a window row is for decoding its answer.
MODEL_COLUMNS = ("input_ids", "token_type_ids", "start_positions", "end_positions")


def model_inputs(windows, with_token_types: bool):
    """The columns a QA model's forward takes (token types only for models that have them)."""
    keep = [c for c in MODEL_COLUMNS if with_token_types or c != "token_type_ids"]
    return windows.select_columns(keep)


def as_windows(windows) -> Windows:
    """The decoding side of a windows table, as ``decode_windows`` takes it (a dev set: held in memory)."""
    table = windows.select_columns(["input_ids", "token_type_ids", "example_index", "offsets", "context_span"])
    columns = table.to_dict()
    return Windows(
        input_ids=columns["input_ids"],
        token_type_ids=columns["token_type_ids"],
        example_index=np.asarray(columns["example_index"], dtype=np.int64),
        offsets=[np.asarray(o, dtype=np.int64).reshape(-1, 2) for o in columns["offsets"]],
        context_span=np.asarray(columns["context_span"], dtype=np.int64).reshape(-1, 2),
    )


__all__ = ["QASource", "load_examples", "tokenize_examples", "model_inputs", "as_windows", "MODEL_COLUMNS"]
