"""Encoder features of the extractive model, with a tiny in-test BertModel saved with save_pretrained."""

from __future__ import annotations

import random

import numpy as np
import pytest

pytest.importorskip("torch")

from test_extractive_model import _article, _write

from summarize import HeadlineGenerator
from summarize.config import load_config
from summarize.headline.extractive.candidates import (
    CandidateSettings,
    make_candidates,
    prepare_article,
)
from summarize.headline.extractive.encoder import (
    ENCODER_FEATURES,
    encoder_features,
    load_encoder,
)
from summarize.headline.extractive.features import FeatureSettings
from summarize.headline.models import ModelLoadError


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory):
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from summarize.text.vocab import build_char_vocab

    folder = tmp_path_factory.mktemp("bert")
    rng = random.Random(0)
    texts = [_article(rng)[0] for _ in range(50)] + ["passage: 0123456789"]
    (folder / "vocab.txt").write_text("\n".join(build_char_vocab(texts)) + "\n", encoding="utf-8")
    BertTokenizerFast.from_pretrained(str(folder)).save_pretrained(str(folder))
    config = BertConfig(vocab_size=len(build_char_vocab(texts)), hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=256)
    BertModel(config).save_pretrained(str(folder))
    return folder


def test_one_forward_pass_per_batch_of_articles_not_per_candidate(encoder_dir, monkeypatch):
    enc = load_encoder(str(encoder_dir))
    assert getattr(enc.model, "pooler", None) is None  # token vectors only: no unused pooler to report as missing
    calls = []
    forward = enc.model.forward
    monkeypatch.setattr(enc.model, "forward", lambda *a, **k: calls.append(1) or forward(*a, **k))
    settings, feats = CandidateSettings(), FeatureSettings(encoder=str(encoder_dir), encoder_max_tokens=128)
    rng = random.Random(1)
    articles = [prepare_article(_article(rng)[0], settings) for _ in range(3)]
    cands = [make_candidates(a, settings) for a in articles]
    blocks = encoder_features(enc, articles, cands, feats)
    assert len(calls) == 1  # three articles, dozens of candidates, one batch
    assert [b.shape for b in blocks] == [(len(c), len(ENCODER_FEATURES)) for c in cands]
    sims = np.concatenate([b[:, 0] for b in blocks])
    assert np.all(np.abs(sims) <= 1.0001) and np.all(np.concatenate([b[:, 3] for b in blocks]) == 1.0)


def test_train_save_load_generate_with_encoder_features(encoder_dir, tmp_path):
    from summarize.headline.extractive.train import train

    rng = random.Random(2)
    data = _write(tmp_path / "train.jsonl", [_article(rng) for _ in range(40)])
    cfg = load_config(None, [f"data.train={data}", "data.dev=null", "name=e5", f"features.encoder={encoder_dir}",
                             "features.encoder_max_tokens=128", "ranker.trees=10", "ranker.min_data_in_leaf=5",
                             "training.threads=1"], task="extractive")
    result = train(cfg, output_dir=tmp_path / "run")
    gen = HeadlineGenerator.from_pretrained(result.model_dir)
    text, _ = _article(random.Random(7))
    best = gen.generate(text, num_return_sequences=2)
    assert best.method == "extractive:e5" and best.headline and len(best.alternatives) == 1
    assert gen.forest.feature_names[-len(ENCODER_FEATURES):] == list(ENCODER_FEATURES)


def test_an_encoder_that_cannot_be_loaded_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="features.encoder"):
        load_encoder(str(tmp_path / "no-such-folder"))
