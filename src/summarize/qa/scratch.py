"""A small BertForQuestionAnswering built from scratch over a character vocabulary.

For the quickstart and tests: no pretrained weights needed, no network. The
builder is the one headline models use (:mod:`summarize.training.scratch`);
this module only maps the ``model.scratch`` section onto a BertConfig.
"""

from __future__ import annotations

from summarize.qa.config import ScratchBert


def scratch_config(shape: ScratchBert, tokenizer):
    from transformers import BertConfig

    return BertConfig(
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


def build_scratch_qa(shape: ScratchBert, texts, seed: int):
    """``(model, tokenizer)``: a BertForQuestionAnswering of ``shape`` over the characters of ``texts``."""
    from summarize.training.scratch import build_scratch

    return build_scratch(texts, lambda tok: scratch_config(shape, tok), auto_class="AutoModelForQuestionAnswering",
                         seed=seed, min_count=shape.vocab_min_count)
