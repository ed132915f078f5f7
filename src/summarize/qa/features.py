"""Question + context -> model windows, with offsets back into the original context.

A context longer than one window is cut into overlapping windows (``doc_stride``
tokens shared by neighbours, the Hugging Face convention), so any context length
works. Every window keeps the character offsets of its context tokens: offsets
index the ORIGINAL context string even though the tokenizer lowercases, strips
accents and drops whitespace, which is what makes ``context[start:end] == answer``
hold after decoding.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)


@dataclass
class Windows:
    """All windows of a batch of questions; row i of every array belongs to example ``example_index[i]``."""

    input_ids: list[list[int]]
    token_type_ids: list[list[int]] | None
    example_index: np.ndarray  # (W,) which question each window belongs to
    offsets: list[np.ndarray]  # per window (T, 2) char offsets into the original context; (-1, -1) off-context
    context_span: np.ndarray  # (W, 2) first and last token index of the context inside the window (-1 if none)

    def __len__(self) -> int:
        return len(self.input_ids)


def check_window_settings(max_seq_len: int, doc_stride: int, max_question_tokens: int) -> None:
    """The same rules as the config's check, for callers that build windows directly (Reader, bench)."""
    room = max_seq_len - max_question_tokens - 3
    if room <= 0:
        raise ValueError(f"max_question_tokens ({max_question_tokens}) leaves no room for the context in "
                         f"max_seq_len ({max_seq_len})")
    if not 0 <= doc_stride < room:
        raise ValueError(f"doc_stride ({doc_stride}) must be in [0, {room}) for max_seq_len {max_seq_len} "
                         f"and max_question_tokens {max_question_tokens}")


def truncate_questions(tokenizer, questions: Sequence[str], max_question_tokens: int) -> list[str]:
    """Cut each question after its ``max_question_tokens``-th token (at a character boundary)."""
    enc = tokenizer(list(questions), add_special_tokens=False, return_offsets_mapping=True)
    out, cut_count = [], 0
    for question, ids, offsets in zip(questions, enc["input_ids"], enc["offset_mapping"]):
        if len(ids) > max_question_tokens:
            cut_count += 1
            question = question[:offsets[max_question_tokens - 1][1]]
        out.append(question)
    if cut_count:
        log.warning("%d question(s) longer than %d tokens were truncated to their first %d tokens",
                    cut_count, max_question_tokens, max_question_tokens)
    return out


def make_windows(
    tokenizer,
    questions: Sequence[str],
    contexts: Sequence[str],
    *,
    max_seq_len: int,
    doc_stride: int,
    max_question_tokens: int = 64,
) -> Windows:
    """Tokenize (question, context) pairs into overlapping windows, unpadded."""
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError("a fast tokenizer (offset mapping) is required; load it with use_fast=True")
    check_window_settings(max_seq_len, doc_stride, max_question_tokens)
    questions = truncate_questions(tokenizer, questions, max_question_tokens)
    enc = tokenizer(
        questions,
        list(contexts),
        truncation="only_second",
        max_length=max_seq_len,
        stride=doc_stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        padding=False,
    )
    n = len(enc["input_ids"])
    example_index = np.asarray(enc["overflow_to_sample_mapping"], dtype=np.int64)
    offsets, spans = [], np.full((n, 2), -1, dtype=np.int64)
    for w in range(n):
        seq_ids = enc.sequence_ids(w)
        off = np.asarray(enc["offset_mapping"][w], dtype=np.int64).reshape(-1, 2)
        is_context = np.fromiter((s == 1 for s in seq_ids), dtype=bool, count=len(seq_ids))
        off[~is_context] = -1
        where = np.flatnonzero(is_context)
        if where.size:
            spans[w] = (where[0], where[-1])
        offsets.append(off)
    token_types = enc.get("token_type_ids")
    return Windows(enc["input_ids"], token_types, example_index, offsets, spans)


def label_window(offsets: np.ndarray, span: np.ndarray, answer_start: int | None, answer_end: int) -> tuple[int, int]:
    """Token (start, end) of the answer in this window, or (0, 0) — the [CLS] token — when the window
    does not contain the whole answer (or there is no locatable answer)."""
    first, last = int(span[0]), int(span[1])
    if answer_start is None or first < 0:
        return 0, 0
    if offsets[first, 0] > answer_start or offsets[last, 1] < answer_end:
        return 0, 0  # the answer starts before or ends after this window's context slice
    ctx = offsets[first:last + 1]
    start = first + int(np.flatnonzero(ctx[:, 1] > answer_start)[0])
    end = first + int(np.flatnonzero(ctx[:, 0] < answer_end)[-1])
    if end < start:  # the answer covers only characters the tokenizer drops (whitespace, control chars)
        return 0, 0
    return start, end


def train_features(tokenizer, examples, *, max_seq_len: int, doc_stride: int, max_question_tokens: int) -> dict:
    """Windows of training examples with start/end token labels (CLS for windows without the answer).

    Examples without a locatable answer must have been filtered out by the caller.
    """
    windows = make_windows(
        tokenizer,
        [ex.question for ex in examples],
        [ex.context for ex in examples],
        max_seq_len=max_seq_len,
        doc_stride=doc_stride,
        max_question_tokens=max_question_tokens,
    )
    starts, ends = [], []
    for w in range(len(windows)):
        answer = examples[int(windows.example_index[w])].first_span()
        a0 = answer.start if answer is not None else None
        a1 = (answer.start + len(answer.text)) if answer is not None else 0
        s, e = label_window(windows.offsets[w], windows.context_span[w], a0, a1)
        starts.append(s)
        ends.append(e)
    features = {"input_ids": windows.input_ids, "start_positions": starts, "end_positions": ends}
    if windows.token_type_ids is not None:
        features["token_type_ids"] = windows.token_type_ids
    return {"features": features, "windows": windows}
