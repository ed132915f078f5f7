"""A small BertForQuestionAnswering built from scratch over a character vocabulary.

For the quickstart and tests: no pretrained weights needed, no network. The
vocabulary comes from the training contexts and questions
(:func:`summarize.text.vocab.build_char_vocab`, shared with the headline task).
"""

from __future__ import annotations

import logging

from summarize.text.vocab import build_char_vocab
from summarize.qa.config import ScratchBert

log = logging.getLogger(__name__)


def build_scratch_tokenizer(texts, min_count: int = 1):
    """A fast BERT tokenizer (offset mapping) over the characters of ``texts``."""
    from transformers import BertTokenizerFast

    vocab = build_char_vocab(texts, min_count)
    return BertTokenizerFast(vocab={tok: i for i, tok in enumerate(vocab)}, do_lower_case=False, strip_accents=False)


def build_scratch_model(shape: ScratchBert, tokenizer, seed: int):
    import torch
    from transformers import BertConfig, BertForQuestionAnswering

    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.intermediate,
        max_position_embeddings=shape.max_positions,
        hidden_dropout_prob=shape.dropout,
        attention_probs_dropout_prob=shape.dropout,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    return BertForQuestionAnswering(config)
