"""Shared fixtures. Tests that read ../shared use the ``shared`` fixture and skip cleanly without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["batch_data", "headline_data"]  # shared test data helpers, as the batch_kit and headline_kit fixtures

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SUMMARIZE_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared folder beside the checkout; the test is skipped when it is absent."""
    if not (SHARED / "README.md").is_file():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def shared_file(shared: Path):
    """``shared_file("data/x.json")``: that file of ../shared; the test is skipped when it is absent."""

    def get(relative: str) -> Path:
        path = shared / relative
        if not path.is_file():
            pytest.skip(f"../shared/{relative} is not present")
        return path

    return get


# --- tiny headline models -----------------------------------------------------------------
# Tiny BART headline models (BERT vocabulary with multi-character tokens), no pretrained
# weights. ``bias`` nudges the output layer so decoding behaves predictably: "wordy" prefers
# multi-character tokens and never wants to stop (stress for max_chars), "terse" wants to stop
# at once (stress for min_chars). Each kind is built once per session; every test gets its
# own copy of the folder (as sentence-transformers hands each test a deep copy), so a test
# may change or overwrite it freely.

TINY_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
TINY_CHARS = list("新华社北京电记者本报讯高区的了是在和有人民政府今天发布政策支持企业研发中国银行科技园项目开工建设年月日，。、“”")
TINY_DIGITS = list("0123456789")
TINY_WORDS = ["hello", "world", "##ing", "2023", "高新区", "新闻发布会", "%"]
TINY_MULTI = ["hello", "world", "2023", "高新区", "新闻发布会"]


def _build_tiny_model(folder: Path, *, bias: str | None, max_positions: int, seed: int, generation: dict) -> Path:
    import torch
    from transformers import BartConfig, BartForConditionalGeneration, BertTokenizer

    from summarize.headline.config import GenerationSection
    from summarize.headline.generation_config import to_generation_config

    folder.mkdir(parents=True, exist_ok=True)
    vocab = list(dict.fromkeys(TINY_SPECIALS + TINY_CHARS + TINY_DIGITS + TINY_WORDS))
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
            for word in TINY_MULTI:
                model.final_logits_bias[0, vocab.index(word)] = 4.0
        elif bias == "terse":
            model.final_logits_bias[0, 3] = 20.0
    model.generation_config = to_generation_config(GenerationSection(**generation), model.generation_config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """``tiny_model(folder, bias=None, max_positions=128, seed=0, generation=None) -> folder``:
    a copy of the session's tiny BART + BertTokenizer of that kind, saved in ``folder``."""
    import json
    import shutil

    built: dict[str, Path] = {}

    def make(folder: Path, *, bias: str | None = None, max_positions: int = 128, seed: int = 0,
             generation: dict | None = None) -> Path:
        spec = dict(bias=bias, max_positions=max_positions, seed=seed, generation=dict(generation or {}))
        key = json.dumps(spec, sort_keys=True)
        if key not in built:
            built[key] = _build_tiny_model(tmp_path_factory.mktemp("tiny-model"), **spec)
        shutil.copytree(built[key], folder, dirs_exist_ok=True)
        return Path(folder)

    return make
