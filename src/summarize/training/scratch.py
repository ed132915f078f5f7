"""The one from-scratch builder every task uses: a character tokenizer and a randomly initialized model.

For the quickstarts and tests (no pretrained weights, no network). The task
supplies only what differs - the transformers config of its architecture and
the Auto class that instantiates it::

    model, tokenizer = build_scratch(texts, lambda tok: BertConfig(vocab_size=len(tok), ...),
                                     auto_class="AutoModelForQuestionAnswering", seed=42)
    save_scratch(model, tokenizer, "runs/x/init")   # then load it back through the task's normal path
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from summarize.text.vocab import build_char_vocab

log = logging.getLogger("summarize")


def build_char_tokenizer(texts: Iterable[str], min_count: int = 1, *, model_input_names: Sequence[str] | None = None):
    """A (fast, offset-mapping) BertTokenizer over the characters of ``texts`` (:func:`build_char_vocab`).

    Case and accents are kept: a headline says "AI", not "ai", and an answer span must match its context.
    """
    from transformers import BertTokenizer

    vocab = build_char_vocab(texts, min_count)
    extra = {"model_input_names": list(model_input_names)} if model_input_names else {}
    return BertTokenizer(vocab={tok: i for i, tok in enumerate(vocab)}, do_lower_case=False, strip_accents=False,
                         **extra)


def build_scratch(
    texts: Iterable[str],
    make_config: Callable[[Any], Any],
    *,
    auto_class: str,
    seed: int,
    min_count: int = 1,
    model_input_names: Sequence[str] | None = None,
) -> tuple[Any, Any]:
    """``(model, tokenizer)``: the tokenizer over ``texts``, then ``auto_class.from_config(make_config(tokenizer))``
    initialized under ``seed`` (the same texts and seed always give the same weights)."""
    import torch
    import transformers

    tokenizer = build_char_tokenizer(texts, min_count, model_input_names=model_input_names)
    config = make_config(tokenizer)
    torch.manual_seed(seed)
    model = getattr(transformers, auto_class).from_config(config)
    return model, tokenizer


def save_scratch(model, tokenizer, folder: str | os.PathLike) -> Path:
    """Save a from-scratch model and its tokenizer (safetensors) to ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(str(folder))
    model.save_pretrained(str(folder))
    log.info("built a %s from scratch: %d characters in the vocabulary, %.2fM parameters -> %s",
             type(model).__name__, len(tokenizer), model.num_parameters() / 1e6, folder)
    return folder
