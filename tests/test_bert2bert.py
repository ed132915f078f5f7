"""model.init: encoder-decoder (BERT2BERT, Rothe et al. 2020) from a tiny in-test BERT saved with save_pretrained:
training, the saved folder, the generator, shared weights, resume and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from summarize.config import load_config
from summarize.headline.train import train

torch.set_num_threads(1)


def save_tiny_bert(folder: Path, headline_kit, layers: int = 2) -> Path:
    from transformers import BertConfig, BertModel, BertTokenizer

    folder.mkdir(parents=True)
    chars = sorted({c for row in headline_kit.make_pairs() for c in row["text"] + row["title"]})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizer(str(folder / "vocab.txt"), do_lower_case=False).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=layers, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=128, hidden_dropout_prob=0.0,
                        attention_probs_dropout_prob=0.0, pad_token_id=0)
    BertModel(config).save_pretrained(folder)
    return folder


def bert2bert_config(tmp_path: Path, headline_kit, encoder: Path, *overrides: str, dev: bool = True):
    data = headline_kit.write_jsonl(tmp_path / "pairs.jsonl", headline_kit.make_pairs())
    return load_config(None, [
        "model.init=encoder-decoder", f"model.name_or_path={encoder}",
        "data.max_source_tokens=96", "data.max_target_tokens=24", "generation.max_source_tokens=96",
        "generation.num_beams=1", "generation.max_chars=20", "training.batch_size=8", "training.logging_steps=10",
        "training.save_total_limit=1", f"data.train={data}", f"data.dev={data}" if dev else "data.dev=null", *overrides,
    ], task="headline")


def test_bert2bert_learns_and_loads_through_the_normal_path(tmp_path, headline_kit):
    from summarize.headline.generator import HeadlineGenerator

    encoder = save_tiny_bert(tmp_path / "bert", headline_kit)
    cfg = bert2bert_config(tmp_path, headline_kit, encoder, "training.max_steps=150", "training.learning_rate=3e-3",
                           "training.warmup_steps=10", "training.eval_strategy=steps", "training.eval_steps=75")
    run = tmp_path / "run"
    train(cfg, output_dir=run)
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["model"] == {"family": "bert2bert", "init": "encoder-decoder", "parameters": metrics["model"]["parameters"]}
    assert metrics["started_from"]["name_or_path"] == str(encoder)
    assert metrics["dev"]["rougeL"] >= 90, metrics
    saved = json.loads((run / "model" / "config.json").read_text(encoding="utf-8"))
    assert saved["model_type"] == "encoder-decoder" and saved["decoder"]["is_decoder"] is True
    assert (saved["decoder_start_token_id"], saved["eos_token_id"], saved["pad_token_id"]) == (2, 3, 0)  # [CLS] [SEP] [PAD]
    # the generator, its character-length control and cleaning work on it unchanged
    generator = HeadlineGenerator.from_pretrained(str(run / "model"), device="cpu")
    article = headline_kit.make_pairs()[2]
    assert generator.generate(article["text"]).headline == article["title"]
    assert len(generator.generate(article["text"], max_chars=5).headline) <= 5


def test_shared_weights_survive_save_load_and_resume(tmp_path, headline_kit):
    from transformers import EncoderDecoderModel

    from summarize.headline.config import ModelSection
    from summarize.headline.models import load_pretrained

    encoder = save_tiny_bert(tmp_path / "bert", headline_kit)
    common = ("model.encoder_decoder.share=true", "training.learning_rate=1e-3", "training.eval_strategy=\"no\"",
              "training.eval_steps=3")
    run = tmp_path / "run"
    train(bert2bert_config(tmp_path, headline_kit, encoder, "training.max_steps=3", *common, dev=False), output_dir=run)
    loaded = load_pretrained(ModelSection(name_or_path=str(run / "model"))).model
    assert isinstance(loaded, EncoderDecoderModel)
    enc_layer, dec_layer = loaded.encoder.encoder.layer[0], loaded.decoder.bert.encoder.layer[0]
    assert enc_layer.attention.self.query.weight is dec_layer.attention.self.query.weight
    assert loaded.decoder.cls.predictions.decoder.weight is loaded.encoder.embeddings.word_embeddings.weight
    # plain transformers loads the same function (every tensor was written), only unshared
    plain_load = EncoderDecoderModel.from_pretrained(run / "model").eval()
    ids, start = torch.tensor([[2, 7, 8, 9, 3]]), torch.tensor([[2, 10, 11]])
    with torch.no_grad():
        assert torch.allclose(plain_load(input_ids=ids, decoder_input_ids=start).logits,
                              loaded.eval()(input_ids=ids, decoder_input_ids=start).logits, atol=1e-5)
    unshared = bert2bert_config(tmp_path, headline_kit, encoder, dev=False)
    from summarize.headline.bert2bert import build_bert2bert

    build_bert2bert(str(encoder), unshared.model.encoder_decoder, tmp_path / "plain", seed=0)
    plain = EncoderDecoderModel.from_pretrained(tmp_path / "plain")
    assert loaded.num_parameters() < plain.num_parameters()

    result = train(bert2bert_config(tmp_path, headline_kit, encoder, "training.max_steps=6", *common, dev=False),
                   output_dir=run, resume=True)
    assert result.metrics["resumed_from_step"] == 3 and result.metrics["global_step"] == 6


def test_pretrained_encoder_weights_are_used_unless_from_scratch(tmp_path, headline_kit):
    from transformers import BertModel, EncoderDecoderModel

    from summarize.headline.bert2bert import build_bert2bert

    encoder = save_tiny_bert(tmp_path / "bert", headline_kit)
    source = BertModel.from_pretrained(encoder)
    warm = bert2bert_config(tmp_path, headline_kit, encoder, dev=False).model.encoder_decoder
    cold = bert2bert_config(tmp_path, headline_kit, encoder, "model.encoder_decoder.from_scratch=true", dev=False).model.encoder_decoder
    build_bert2bert(str(encoder), warm, tmp_path / "warm", seed=0)
    build_bert2bert(str(encoder), cold, tmp_path / "cold", seed=1)  # seed 0 built the source itself
    w, c = EncoderDecoderModel.from_pretrained(tmp_path / "warm"), EncoderDecoderModel.from_pretrained(tmp_path / "cold")
    key = "encoder.layer.1.output.dense.weight"
    assert torch.equal(w.encoder.state_dict()[key], source.state_dict()[key])
    assert torch.equal(w.decoder.bert.state_dict()[key], source.state_dict()[key])  # decoder starts from it too
    assert not torch.equal(c.encoder.state_dict()[key], source.state_dict()[key])
    assert w.num_parameters() == c.num_parameters()


def test_non_bert_encoder_is_refused_with_its_type(tmp_path, headline_kit, tiny_model):
    from summarize.headline.bert2bert import build_bert2bert
    from summarize.headline.models import ModelLoadError

    bart = tiny_model(tmp_path / "bart")
    shape = bert2bert_config(tmp_path, headline_kit, bart, dev=False).model.encoder_decoder
    with pytest.raises(ModelLoadError, match="BERT-family encoder.*'bart'"):
        build_bert2bert(str(bart), shape, tmp_path / "out", seed=0)
    with pytest.raises(Exception, match="share reuses every encoder layer"):
        bert2bert_config(tmp_path, headline_kit, bart, "model.encoder_decoder.share=true", "model.encoder_decoder.decoder_layers=1")


@pytest.mark.parametrize("share", [False, True])
def test_the_decoder_never_sees_the_tokens_after_it(tmp_path, headline_kit, share):
    """Teacher forcing must not leak: the logits at a position do not move when a later decoder token changes.
    (Sharing the encoder's attention modules once made the shared decoder bidirectional.)"""
    from summarize.headline.bert2bert import build_bert2bert
    from summarize.headline.config import ModelSection
    from summarize.headline.models import load_pretrained

    encoder = save_tiny_bert(tmp_path / "bert", headline_kit)
    shape = bert2bert_config(tmp_path, headline_kit, encoder, f"model.encoder_decoder.share={str(share).lower()}",
                             dev=False).model.encoder_decoder
    folder = build_bert2bert(str(encoder), shape, tmp_path / "b2b", seed=0)
    model = load_pretrained(ModelSection(name_or_path=str(folder))).model.eval()
    source = torch.tensor([[2, 7, 8, 9, 10, 3]])
    decoder = torch.tensor([[2, 11, 12, 13, 14]])
    changed = decoder.clone()
    changed[0, 4] = 15
    with torch.no_grad():
        a = model(input_ids=source, decoder_input_ids=decoder).logits
        b = model(input_ids=source, decoder_input_ids=changed).logits
    assert torch.allclose(a[0, :4], b[0, :4], atol=1e-5)
    assert not torch.allclose(a[0, 4], b[0, 4])
    if share:
        assert model.encoder.encoder.layer[0].attention.self.query.weight is \
            model.decoder.bert.encoder.layer[0].attention.self.query.weight
