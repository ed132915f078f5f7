"""Model loading for the four headline families, from tiny checkpoints built in-test.

Each test saves a tiny model (and a tokenizer laid out like the real public
checkpoint's) with save_pretrained, then loads it back through
``summarize.headline.models`` and checks the tokenizer pairing, the special
ids, a training step and generation. No pretrained weights are involved.
"""

from __future__ import annotations

import json
import random

import pytest
import torch

from summarize.headline.config import ModelSection, ScratchModel
from summarize.headline.dataset import Pair, encode_pairs, make_collator
from summarize.headline.models import (
    ModelLoadError,
    build_scratch_checkpoint,
    load_model_and_tokenizer,
    load_pretrained,
    resolve_checkpoint,
)
from summarize.headline.tokenization_pegasus import PegasusChineseTokenizer
from summarize.text.vocab import SPECIALS, build_char_vocab

torch.set_num_threads(1)

TEXT = "高新区人民政府今天发布AI新政策，支持企业研发。"
CHARS = sorted(set("高新区人民政府今天发布新政策支持企业研发中国银行科技园项目开工建设，。、"))
BERT_HEAD = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 10)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
LATIN = ["a", "i", "##a", "##i", "A", "I", "##I"]


def write_bert_vocab(folder, words=()):
    """A BERT-layout vocab.txt: [PAD] [unused1..9] [UNK] [CLS] [SEP] [MASK], characters, optional whole words."""
    folder.mkdir(parents=True, exist_ok=True)
    tokens = BERT_HEAD + CHARS + LATIN + list(words)
    (folder / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    return tokens


def pairs():
    return [Pair("a", TEXT, "高新区发布新政策"), Pair("b", "中国银行科技园项目今天开工建设。", "科技园项目开工")]


def train_step_and_generate(loaded):
    """One optimizer step lowers nothing in particular, but must run; generation must return text."""
    model, tokenizer = loaded.model, loaded.tokenizer
    features = encode_pairs(pairs(), tokenizer, decoder_start_token_id=model.config.decoder_start_token_id,
                            max_source_tokens=32, max_target_tokens=16)
    batch = make_collator(tokenizer, model)(features)
    assert set(batch) >= {"input_ids", "attention_mask", "labels", "decoder_input_ids"}
    assert "token_type_ids" not in batch
    # decoder input = start token + labels shifted right (teacher forcing lines up)
    assert batch["decoder_input_ids"][0, 0].item() == model.config.decoder_start_token_id
    assert batch["decoder_input_ids"][0, 1].item() == batch["labels"][0, 0].item()
    model.train()
    loss = model(**batch).loss
    assert torch.isfinite(loss)
    loss.backward()
    model.eval()
    enc = tokenizer([TEXT], return_tensors="pt")
    out = model.generate(**enc, max_new_tokens=5, num_beams=1, do_sample=False)
    assert isinstance(tokenizer.batch_decode(out, skip_special_tokens=True)[0], str)
    return features


def save_tiny(model_config, folder):
    from transformers import AutoModelForSeq2SeqLM

    torch.manual_seed(0)
    AutoModelForSeq2SeqLM.from_config(model_config).save_pretrained(str(folder))


def tiny_bart(vocab_size, **ids):
    from transformers import BartConfig

    return BartConfig(vocab_size=vocab_size, d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                      decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=64, **ids)


def tiny_t5(vocab_size, model_type="t5", **ids):
    from transformers import MT5Config, T5Config

    cls = MT5Config if model_type == "mt5" else T5Config
    return cls(vocab_size=vocab_size, d_model=16, d_kv=8, d_ff=32, num_layers=1, num_decoder_layers=1, num_heads=2, **ids)


# --- the four families ---------------------------------------------------------------


@pytest.mark.parametrize("declares_class", [True, False], ids=["tokenizer_config", "vocab-only"])
def test_bart_with_bert_vocabulary(tmp_path, declares_class):
    """fnlp/bart-base-chinese: BART weights + BertTokenizer over vocab.txt; [CLS] X [SEP], decoder starts at [SEP]."""
    folder = tmp_path / "bart"
    tokens = write_bert_vocab(folder)
    cls_id, sep_id = tokens.index("[CLS]"), tokens.index("[SEP]")
    save_tiny(tiny_bart(len(tokens), pad_token_id=0, bos_token_id=cls_id, eos_token_id=sep_id,
                        decoder_start_token_id=sep_id, forced_eos_token_id=sep_id), folder)
    if declares_class:
        (folder / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "BertTokenizer"}), encoding="utf-8")
    loaded = load_pretrained(ModelSection(name_or_path=str(folder)))
    assert loaded.family == "bart"
    assert type(loaded.tokenizer).__name__.startswith("BertTokenizer")
    ids = loaded.tokenizer(TEXT)["input_ids"]
    assert ids[0] == cls_id and ids[-1] == sep_id
    assert tokens[ids[1]] == "高"
    features = train_step_and_generate(loaded)
    # fnlp's decoder starts at [SEP], so the [CLS] that opens each label is a real target
    assert features[0]["labels"][0] == cls_id


def test_t5_with_bert_vocabulary(tmp_path):
    """uer/t5-small-chinese-cluecorpussmall: T5 + BertTokenizer; sequences end with [SEP]."""
    folder = tmp_path / "uer-t5"
    tokens = write_bert_vocab(folder)
    cls_id, sep_id = tokens.index("[CLS]"), tokens.index("[SEP]")
    # as uer ships it: eos_token_id 1 ([unused1]) although every sequence ends with [SEP]
    save_tiny(tiny_t5(len(tokens), pad_token_id=0, eos_token_id=1, decoder_start_token_id=cls_id), folder)
    (folder / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "BertTokenizer"}), encoding="utf-8")
    loaded = load_pretrained(ModelSection(name_or_path=str(folder), family="t5"))
    assert loaded.family == "t5"
    assert type(loaded.tokenizer).__name__.startswith("BertTokenizer")
    assert loaded.tokenizer(TEXT)["input_ids"][-1] == sep_id
    # generation must stop where labels end
    assert loaded.model.config.eos_token_id == loaded.model.generation_config.eos_token_id == sep_id
    features = train_step_and_generate(loaded)
    # the decoder is fed [CLS] as its start token, so labels do not repeat it; they end with [SEP]
    assert features[0]["labels"][0] != cls_id
    assert features[0]["labels"][-1] == sep_id


def _sentences(n=400):
    rng = random.Random(0)
    subjects = ["高新区", "科技园", "开发区", "市政府", "新能源企业", "物流中心", "研究院"]
    verbs = ["发布", "启动", "建设", "签约", "完成", "推进"]
    objects = ["人工智能平台", "新政策", "重点项目", "产业基金", "数据中心", "人才计划"]
    return [f"{rng.choice(subjects)}{rng.choice(verbs)}{rng.choice(objects)}，{rng.randint(1, 99)}个项目落地。"
            for _ in range(n)]


@pytest.fixture(scope="module")
def spm_model(tmp_path_factory):
    import sentencepiece as spm

    folder = tmp_path_factory.mktemp("spm")
    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(_sentences()) + "\n", encoding="utf-8")
    # T5's id layout: <pad>=0, </s>=1, <unk>=2, no <s>.
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(folder / "spiece"), vocab_size=120,
                                   character_coverage=1.0, model_type="unigram", pad_id=0, eos_id=1, unk_id=2,
                                   bos_id=-1, minloglevel=2)
    return folder / "spiece.model"


@pytest.mark.parametrize("model_type", ["t5", "mt5"])
def test_t5_and_mt5_with_sentencepiece(tmp_path, spm_model, model_type):
    """google/mt5-small (and sentencepiece T5s): spiece.model + T5Tokenizer; X </s>, decoder starts at <pad>."""
    import shutil

    folder = tmp_path / model_type
    folder.mkdir()
    shutil.copy(spm_model, folder / "spiece.model")
    # Laid out like google/mt5-small: a slow-tokenizer config and no tokenizer.json.
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "T5Tokenizer", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
                    "extra_ids": 0}), encoding="utf-8")
    save_tiny(tiny_t5(128, model_type, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0), folder)
    loaded = load_pretrained(ModelSection(name_or_path=str(folder)))
    assert loaded.family == model_type
    tok = loaded.tokenizer
    assert (tok.pad_token_id, tok.eos_token_id, tok.unk_token_id) == (0, 1, 2)
    ids = tok("高新区发布新政策")["input_ids"]
    assert ids[-1] == 1 and tok.unk_token_id not in ids
    assert tok.decode(ids, skip_special_tokens=True).replace(" ", "") == "高新区发布新政策"
    train_step_and_generate(loaded)


def test_pegasus_randeng_tokenizer(tmp_path):
    """Randeng-Pegasus: jieba words looked up whole, WordPiece fallback, Pegasus specials in BERT slots."""
    folder = tmp_path / "pegasus"
    tokens = write_bert_vocab(folder, words=["高新区", "人民政府", "今天", "发布", "政策"])
    from transformers import PegasusConfig

    save_tiny(PegasusConfig(vocab_size=len(tokens), d_model=16, encoder_layers=1, decoder_layers=1,
                            encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
                            max_position_embeddings=64, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
                            forced_eos_token_id=1), folder)
    # the keys Randeng's own tokenizer_config.json carries (tokenizer_class names a class transformers lacks)
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "do_lower_case": True, "do_basic_tokenize": True, "never_split": None, "unk_token": "<unk>",
        "sep_token": "[SEP]", "pad_token": "<pad>", "cls_token": "[CLS]", "mask_token": "<mask_2>", "eos_token": "</s>",
        "tokenize_chinese_chars": True, "additional_special_tokens": ["<mask_1>"], "strip_accents": None,
        "special_tokens_map_file": "/nonexistent/special_tokens_map.json", "tokenizer_file": None,
        "name_or_path": "IDEA-CCNL/Randeng-Pegasus-238M-Summary-Chinese", "tokenizer_class": "PegasusTokenizer"}),
        encoding="utf-8")
    (folder / "special_tokens_map.json").write_text(
        json.dumps({"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}), encoding="utf-8")
    loaded = load_pretrained(ModelSection(name_or_path=str(folder)))
    tok = loaded.tokenizer
    assert loaded.family == "pegasus" and isinstance(tok, PegasusChineseTokenizer)
    assert (tok.pad_token_id, tok.eos_token_id, tok.unk_token_id) == (0, 1, tokens.index("[UNK]"))
    assert tok.convert_tokens_to_ids(["<mask_1>", "<mask_2>"]) == [2, 3]
    pieces = tok.convert_ids_to_tokens(tok("高新区人民政府今天发布AI新政策")["input_ids"])
    # whole words where the vocabulary has them, characters otherwise; lower-cased WordPiece for Latin; X </s>
    assert pieces[:4] == ["高新区", "人民政府", "今天", "发布"]
    assert pieces[4:6] == ["a", "##i"] and pieces[-1] == "</s>" and "[CLS]" not in pieces
    assert tok.decode(tok("今天发布新政策")["input_ids"], skip_special_tokens=True) == "今天发布新政策"
    # save_pretrained -> from_pretrained keeps every id (the renamed vocab is written out)
    tok.save_pretrained(str(tmp_path / "saved"))
    again = PegasusChineseTokenizer.from_pretrained(str(tmp_path / "saved"))
    assert again(TEXT)["input_ids"] == tok(TEXT)["input_ids"] and len(again) == len(tok) == len(tokens)
    train_step_and_generate(loaded)


# --- from scratch ----------------------------------------------------------------------


def test_char_vocab_is_deterministic_and_ordered():
    texts = ["新新新区区GPT4", "区GPT 新"]
    vocab = build_char_vocab(texts)
    assert vocab[:5] == list(SPECIALS)
    # most frequent first (新 x4, 区 x3), ties by code point (G < P < T), then ## continuations
    # for the characters BERT's pre-tokenizer glues into words (not CJK, not punctuation)
    assert vocab[5:] == ["新", "区", "G", "P", "T", "4", "##G", "##P", "##T", "##4"]
    assert build_char_vocab(list(reversed(texts))) == vocab
    assert "4" not in build_char_vocab(texts, min_count=2)


@pytest.mark.parametrize("arch", ["bart", "t5"])
def test_scratch_model_round_trip(tmp_path, arch):
    shape = ScratchModel(architecture=arch, d_model=16, layers=1, heads=2, ffn=32, max_positions=64)
    folder = build_scratch_checkpoint(shape, [TEXT, "高新区 launches new AI 平台"], tmp_path / "init", seed=0)
    assert (folder / "model.safetensors").is_file()
    loaded = load_pretrained(ModelSection(name_or_path=str(folder), init="scratch"))
    tok = loaded.tokenizer
    ids = tok("高新区 launches new AI 平台")["input_ids"]
    assert tok.unk_token_id not in ids
    # case and Latin word spacing survive a round trip through the char vocabulary
    assert tok.decode(ids, skip_special_tokens=True).replace("高 新 区", "高新区").replace("平 台", "平台") == \
        "高新区 launches new AI 平台"
    train_step_and_generate(loaded)
    # the inference entry point gives the same pairing, in eval mode
    model, tokenizer = load_model_and_tokenizer(folder)
    assert not model.training and tokenizer(TEXT)["input_ids"] == tok(TEXT)["input_ids"]


# --- errors ----------------------------------------------------------------------------


def _scratch_folder(tmp_path):
    shape = ScratchModel(d_model=16, layers=1, heads=2, ffn=32, max_positions=64)
    return build_scratch_checkpoint(shape, [TEXT], tmp_path / "m", seed=0)


def test_folder_without_model_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match=r"empty: not a model folder \(no config.json\)"):
        load_pretrained(ModelSection(name_or_path=str(tmp_path / "empty")))
    folder = _scratch_folder(tmp_path)
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match=r"m: no model weights"):
        load_pretrained(ModelSection(name_or_path=str(folder)))


def test_truncated_weights_are_a_clear_error(tmp_path):
    folder = _scratch_folder(tmp_path)
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(ModelLoadError, match=r"m: cannot load the model weights"):
        load_pretrained(ModelSection(name_or_path=str(folder)))


def test_config_that_is_not_json_is_a_clear_error(tmp_path):
    folder = _scratch_folder(tmp_path)
    (folder / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"config.json: not a valid JSON file"):
        load_pretrained(ModelSection(name_or_path=str(folder)))


def test_unsupported_family_and_family_mismatch(tmp_path):
    folder = _scratch_folder(tmp_path)
    with pytest.raises(ModelLoadError, match="model.family is 'pegasus' but the checkpoint is 'bart'"):
        load_pretrained(ModelSection(name_or_path=str(folder), family="pegasus"))
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["model_type"] = "gpt2"
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="unsupported model type 'gpt2'"):
        load_pretrained(ModelSection(name_or_path=str(folder)))


def test_missing_local_path_is_not_sent_to_the_hub(tmp_path):
    with pytest.raises(ModelLoadError, match="no such model folder"):
        resolve_checkpoint(str(tmp_path / "nowhere" / "model"))


def test_unreachable_hub_id_suggests_a_local_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelLoadError) as info:
        resolve_checkpoint("summarize-test/no-such-model-xyz")
    message = str(info.value)
    assert "summarize-test/no-such-model-xyz: could not download" in message
    assert "local folder" in message
