"""Tiny BART headline models built in-test (BERT vocabulary with multi-character tokens).

Shared by the generator, CLI and evaluate tests; no pretrained weights involved.
``bias`` nudges the output layer so decoding behaves predictably: ``"wordy"``
prefers multi-character tokens and never wants to stop (stress for max_chars),
``"terse"`` wants to stop at once (stress for min_chars).
"""

from __future__ import annotations

from pathlib import Path

import torch

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
CHARS = list("新华社北京电记者本报讯高区的了是在和有人民政府今天发布政策支持企业研发中国银行科技园项目开工建设年月日，。、“”")
DIGITS = list("0123456789")
WORDS = ["hello", "world", "##ing", "2023", "高新区", "新闻发布会", "%"]
MULTI = ["hello", "world", "2023", "高新区", "新闻发布会"]


def build_tiny_model(folder: Path, *, bias: str | None = None, max_positions: int = 128, seed: int = 0,
                     generation: dict | None = None) -> Path:
    """Save a tiny BartForConditionalGeneration + BertTokenizer to ``folder``; returns it."""
    from transformers import BartConfig, BartForConditionalGeneration, BertTokenizer

    from summarize.headline.config import GenerationSection
    from summarize.headline.generation_config import to_generation_config

    folder.mkdir(parents=True, exist_ok=True)
    vocab = list(dict.fromkeys(SPECIALS + CHARS + DIGITS + WORDS))
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(str(folder / "vocab.txt"))
    config = BartConfig(
        vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=max_positions,
        pad_token_id=0, bos_token_id=2, eos_token_id=3, decoder_start_token_id=3, forced_eos_token_id=None,
        forced_bos_token_id=None,
    )
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(config)
    with torch.no_grad():
        if bias == "wordy":
            model.final_logits_bias[0, 3] = -20.0
            for word in MULTI:
                model.final_logits_bias[0, vocab.index(word)] = 4.0
        elif bias == "terse":
            model.final_logits_bias[0, 3] = 20.0
    model.generation_config = to_generation_config(GenerationSection(**(generation or {})), model.generation_config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
