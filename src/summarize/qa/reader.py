"""``Reader``: extractive question answering over Chinese text with a fine-tuned QA model.

    from summarize import Reader
    reader = Reader.from_pretrained("runs/qa/model")
    reader.answer("谁作专题党课?", context)
    # {"answer": "徐战胜", "score": 0.93, "start": 52, "end": 55}
    reader.answer([(q1, c1), (q2, c2)])   # -> a list of such dicts, batched internally

Contract: ``start``/``end`` are character offsets into the context exactly as
passed in, and ``context[start:end] == answer`` always holds (full-width
characters, U+3000, NBSP, accented Latin, emoji and Traditional characters
included), because the answer is sliced from the original string, never rebuilt
from tokens. When no span can be read at all (a context that tokenizes to
nothing, such as only control characters), the answer is ``""`` with
``start == end == 0`` and ``score == 0.0``. Contexts of any length are read in
overlapping windows; an empty question or context raises ``InputError``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import cast

import numpy as np
import torch

from summarize.device import pick_device
from summarize.io.read import InputError
from summarize.qa.config import CONFIG_KEY
from summarize.qa.decode import Candidate, best_answers, spans_to_candidates, window_candidates
from summarize.qa.features import check_window_settings, make_windows

log = logging.getLogger(__name__)

DEFAULTS = {"max_seq_len": 512, "doc_stride": 128, "max_question_tokens": 64, "max_answer_tokens": 50}


class Reader:
    """Answers questions with one QA model; see the module docstring.

    Thread safety: one Reader may be shared by many threads. Tokenizing takes a
    lock (a fast tokenizer's truncation settings are shared state, and two
    threads changing them at once produced windows of the wrong length); the
    forward pass runs under ``inference_mode`` and reads the model only.
    """

    def __init__(
        self,
        model,
        tokenizer,
        *,
        device: str | torch.device | None = None,
        max_seq_len: int | None = None,
        doc_stride: int | None = None,
        max_question_tokens: int | None = None,
        max_answer_tokens: int | None = None,
        batch_size: int | None = None,
    ):
        if not getattr(tokenizer, "is_fast", False):
            raise ValueError("Reader needs a fast tokenizer (offset mapping); got " + type(tokenizer).__name__)
        saved = dict(DEFAULTS, **(getattr(model.config, CONFIG_KEY, None) or {}))
        given = {"max_seq_len": max_seq_len, "doc_stride": doc_stride,
                 "max_question_tokens": max_question_tokens, "max_answer_tokens": max_answer_tokens}
        settings = {k: (v if v is not None else saved[k]) for k, v in given.items()}
        limit = getattr(model.config, "max_position_embeddings", None)
        if limit and settings["max_seq_len"] > limit:
            raise ValueError(f"max_seq_len {settings['max_seq_len']} exceeds the model's {limit} positions")
        check_window_settings(settings["max_seq_len"], settings["doc_stride"], settings["max_question_tokens"])
        if (batch_size is not None and batch_size <= 0) or settings["max_answer_tokens"] <= 0:
            raise ValueError("batch_size and max_answer_tokens must be positive")
        self.device = pick_device(device)
        if batch_size is None:
            # On a CPU a single window already keeps every core busy, and batching only adds
            # padding (windows differ in length): one window per pass measured fastest
            # (scripts/bench_qa.py). A GPU needs batches to be busy at all.
            batch_size = 1 if self.device.type == "cpu" else 32
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.settings = settings
        self._tokenizer_lock = threading.Lock()

    @classmethod
    def from_pretrained(cls, path_or_id: str | os.PathLike, device: str | torch.device | None = None, *,
                        revision: str | None = None, **kwargs) -> Reader:
        """Load a QA model and its tokenizer from a folder (``runs/x/model``) or a hub id (``owner/name``).

        ``kwargs`` override the inference settings saved with the model (max_seq_len, doc_stride,
        max_question_tokens, max_answer_tokens) and set ``batch_size``.
        """
        from transformers import AutoModelForQuestionAnswering, AutoTokenizer

        from summarize.io.checkpoint import ModelLoadError, check_model_folder, resolve_checkpoint

        device = pick_device(device)  # a bad --device fails before minutes of loading
        folder = resolve_checkpoint(str(path_or_id), revision)  # a missing local folder fails here, never at the hub
        check_model_folder(folder)
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(folder), use_fast=True)
        except Exception as exc:
            raise ModelLoadError(f"{folder}: cannot load the tokenizer ({type(exc).__name__}: {_first_line(exc)})") from exc
        try:
            model = AutoModelForQuestionAnswering.from_pretrained(str(folder))
        except Exception as exc:
            raise ModelLoadError(f"{folder}: cannot load the QA model ({type(exc).__name__}: {_first_line(exc)})") from exc
        if not getattr(tokenizer, "is_fast", False):
            raise ModelLoadError(f"{folder}: QA needs a fast tokenizer (offset mapping); "
                                 f"{type(tokenizer).__name__} is not one")
        try:
            return cls(model, tokenizer, device=device, **kwargs)
        except ValueError as exc:
            raise ModelLoadError(f"{folder}: {exc}") from exc

    # --- public ------------------------------------------------------------------

    def answer(self, question, context: str | None = None, *, top_k: int = 1):
        """Answer one question (``answer(q, ctx)`` -> dict) or many (``answer([(q, ctx), ...])`` -> list).

        With ``top_k > 1`` each answer is a list of up to ``top_k`` dicts, best first.
        """
        if context is None and isinstance(question, (list, tuple)):
            pairs = list(question)
            for i, pair in enumerate(pairs):
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise InputError(f"pair {i}: expected a (question, context) pair, got {pair!r:.60}")
            return self.answer_many([p[0] for p in pairs], [p[1] for p in pairs], top_k=top_k)
        # A missing context (None) goes on to answer_many, whose checks reject it as they do any non-string.
        return self.answer_many([question], [cast(str, context)], top_k=top_k)[0]

    def answer_many(self, questions: Sequence[str], contexts: Sequence[str], *, top_k: int = 1) -> list:
        if len(questions) != len(contexts):
            raise InputError(f"{len(questions)} questions but {len(contexts)} contexts")
        for i, (q, c) in enumerate(zip(questions, contexts)):
            where = f"pair {i}: " if len(questions) > 1 else ""
            for name, value in (("question", q), ("context", c)):
                if not isinstance(value, str):
                    raise InputError(f"{where}{name} must be a string, got {type(value).__name__}")
                if not value.strip():
                    raise InputError(f"{where}{name} is empty")
        if top_k < 1:
            raise InputError(f"top_k must be >= 1, got {top_k}")
        if not questions:
            return []
        candidates = self._candidates(list(questions), list(contexts), top_k)
        answers = [best_answers(c, ctx, top_k) for c, ctx in zip(candidates, contexts)]
        return [a[0] for a in answers] if top_k == 1 else answers

    # --- internals ---------------------------------------------------------------

    def _candidates(self, questions: list[str], contexts: list[str], top_k: int) -> list[list[Candidate]]:
        s = self.settings
        with self._tokenizer_lock:
            windows = make_windows(
                self.tokenizer, questions, contexts,
                max_seq_len=s["max_seq_len"], doc_stride=s["doc_stride"], max_question_tokens=s["max_question_tokens"],
            )
        per_example: list[list[Candidate]] = [[] for _ in questions]
        lengths = np.fromiter((len(ids) for ids in windows.input_ids), dtype=np.int64, count=len(windows))
        # Longest first, so each batch pads to a similar length and memory peaks on the first batch.
        order = np.argsort(-lengths, kind="stable")
        pad_id = self.tokenizer.pad_token_id or 0
        type_ids = windows.token_type_ids
        with torch.inference_mode():
            for lo in range(0, len(order), self.batch_size):
                rows = order[lo:lo + self.batch_size]
                width = int(lengths[rows].max())
                ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                types = torch.zeros((len(rows), width), dtype=torch.long) if type_ids else None
                for r, w in enumerate(rows):
                    n = int(lengths[w])
                    ids[r, :n] = torch.as_tensor(windows.input_ids[w])
                    mask[r, :n] = 1
                    if types is not None and type_ids is not None:  # both or neither
                        types[r, :n] = torch.as_tensor(type_ids[w])
                inputs = {"input_ids": ids.to(self.device), "attention_mask": mask.to(self.device)}
                if types is not None:
                    inputs["token_type_ids"] = types.to(self.device)
                out = self.model(**inputs)
                spans = window_candidates(
                    out.start_logits, out.end_logits, windows.context_span[rows],
                    max_answer_tokens=s["max_answer_tokens"], top_k=top_k,
                )
                for w, window_spans in zip(rows, spans):
                    per_example[int(windows.example_index[w])] += spans_to_candidates(window_spans, windows.offsets[w])
        return per_example


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
