"""``summarize models trim-vocab`` on tiny in-test models: ids remap exactly, outputs are unchanged
on texts whose tokens were kept, other texts are re-segmented or <unk>, bad input is one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from summarize.cli import main

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDPIECE = SPECIALS + list("新华社北京电记者高区的了是在和人民政府今天发布龘中国") + ["高新区", "新闻", "##闻", "hello", "world"]
UNIGRAM = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁北京", "北京", "新闻", "高新区", "▁hello", "▁world", "发布",
           "今天", "政府"] + list("新闻北京高区发布今天政府龘中国的") + ["▁新", "<mask>"]


def save_bert_wordpiece(folder: Path) -> Path:
    from transformers import BertConfig, BertModel, BertTokenizer

    folder.mkdir(parents=True)
    (folder / "vocab.txt").write_text("\n".join(WORDPIECE) + "\n", encoding="utf-8")
    BertTokenizer(str(folder / "vocab.txt")).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(WORDPIECE), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64, pad_token_id=0)
    BertModel(config).save_pretrained(folder)
    return folder


def save_bert_unigram(folder: Path) -> Path:
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import BertConfig, BertForQuestionAnswering, PreTrainedTokenizerFast

    folder.mkdir(parents=True)
    scores = [0.0] * 4 + [-2.0 - i * 0.1 for i in range(len(UNIGRAM) - 5)] + [0.0]
    tok = Tokenizer(Unigram(vocab=list(zip(UNIGRAM, scores)), unk_id=3, byte_fallback=False))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", cls_token="<s>", sep_token="</s>",
                            unk_token="<unk>", pad_token="<pad>", mask_token="<mask>").save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(UNIGRAM) + 3, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64, pad_token_id=1,
                        architectures=["BertForQuestionAnswering"])
    BertForQuestionAnswering(config).save_pretrained(folder)
    return folder


def save_t5_untied(folder: Path) -> Path:
    from transformers import BertTokenizer, T5Config, T5ForConditionalGeneration

    folder.mkdir(parents=True)
    (folder / "vocab.txt").write_text("\n".join(WORDPIECE) + "\n", encoding="utf-8")
    BertTokenizer(str(folder / "vocab.txt")).save_pretrained(folder)
    torch.manual_seed(0)
    config = T5Config(vocab_size=len(WORDPIECE), d_model=16, d_kv=8, d_ff=32, num_layers=1, num_heads=2,
                      pad_token_id=0, eos_token_id=3, decoder_start_token_id=2, tie_word_embeddings=False)
    T5ForConditionalGeneration(config).save_pretrained(folder)
    return folder


def write_corpus(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


KEPT = ["北京今天发布新闻", "高新区政府"]
OTHER = "中国记者"  # tokens absent from the corpus


def trim(src: Path, dest: Path, corpus: Path, *extra: str) -> dict:
    assert main(["models", "trim-vocab", str(src), str(dest), "--corpus", str(corpus), "--json", "-q", *extra]) == 0
    return json.loads((dest / "trim_report.json").read_text(encoding="utf-8"))


def remapped(old_tok, new_tok, ids: list[int]) -> list[int]:
    new_vocab = new_tok.get_vocab()
    inverse = {i: t for t, i in old_tok.get_vocab().items()}
    return [new_vocab.get(inverse[i], -1) for i in ids]


@pytest.mark.parametrize("builder", [save_bert_wordpiece, save_bert_unigram])
def test_encoder_keeps_ids_and_outputs_on_kept_texts(tmp_path, builder):
    from transformers import AutoModel, AutoTokenizer

    src = builder(tmp_path / "src")
    corpus = write_corpus(tmp_path / "corpus.txt", KEPT)
    report = trim(src, tmp_path / "dest", corpus, "--no-cjk-chars")
    old_tok, new_tok = AutoTokenizer.from_pretrained(src), AutoTokenizer.from_pretrained(tmp_path / "dest")
    old, new = AutoModel.from_pretrained(src).eval(), AutoModel.from_pretrained(tmp_path / "dest").eval()
    assert report["kept"] == len(new_tok) < report["original"] == len(old_tok)
    assert new.get_input_embeddings().num_embeddings == len(new_tok) == new.config.vocab_size
    assert new.config.pad_token_id == new_tok.pad_token_id
    for text in KEPT:
        a, b = old_tok(text, return_tensors="pt"), new_tok(text, return_tensors="pt")
        assert remapped(old_tok, new_tok, a["input_ids"][0].tolist()) == b["input_ids"][0].tolist()
        with torch.no_grad():
            assert torch.equal(old(**a).last_hidden_state, new(**b).last_hidden_state)
    other = new_tok(OTHER, add_special_tokens=False)["input_ids"]
    assert new_tok.unk_token_id in other
    assert report["changed_texts"] == 0 and report["unk_rate"] == 0.0


def test_single_cjk_characters_are_kept_and_the_report_measures_changes(tmp_path):
    from transformers import AutoTokenizer

    src = save_bert_unigram(tmp_path / "src")
    corpus = write_corpus(tmp_path / "corpus.txt", KEPT + ["龘", "中国", "中国"])
    report = trim(src, tmp_path / "dest", corpus, "--min-count", "2")
    new_tok = AutoTokenizer.from_pretrained(tmp_path / "dest")
    vocab = new_tok.get_vocab()
    assert {"龘", "中", "国", "的", "▁新"} <= set(vocab)  # single CJK characters, with or without the marker
    assert "高新区" not in vocab  # seen once, below --min-count
    # "高新区政府" now splits into kept characters: measured as a changed text, not an <unk>
    assert report["changed_texts"] >= 1 and 0 < report["unk_rate"] < 1
    assert new_tok.convert_ids_to_tokens(new_tok("高新区", add_special_tokens=False)["input_ids"]) == ["▁", "高", "新", "区"]


def test_seq2seq_untied_output_projection_is_remapped(tmp_path):
    from transformers import AutoModelForSeq2SeqLM, BertTokenizer

    src = save_t5_untied(tmp_path / "src")
    corpus = write_corpus(tmp_path / "corpus.txt", KEPT)
    trim(src, tmp_path / "dest", corpus, "--no-cjk-chars")
    old_tok, new_tok = BertTokenizer.from_pretrained(src), BertTokenizer.from_pretrained(tmp_path / "dest")
    old, new = AutoModelForSeq2SeqLM.from_pretrained(src).eval(), AutoModelForSeq2SeqLM.from_pretrained(tmp_path / "dest").eval()
    keep = [old_tok.convert_tokens_to_ids(t) for t in new_tok.convert_ids_to_tokens(list(range(len(new_tok))))]
    assert keep == sorted(keep)
    a, b = old_tok(KEPT[0], return_tensors="pt"), new_tok(KEPT[0], return_tensors="pt")
    assert remapped(old_tok, new_tok, a["input_ids"][0].tolist()) == b["input_ids"][0].tolist()
    assert new.config.decoder_start_token_id == new_tok.cls_token_id and new.config.eos_token_id == new_tok.sep_token_id
    dec_old = torch.tensor([[old.config.decoder_start_token_id, a["input_ids"][0, 1]]])
    dec_new = torch.tensor([[new.config.decoder_start_token_id, b["input_ids"][0, 1]]])
    with torch.no_grad():
        lo = old(input_ids=a["input_ids"], decoder_input_ids=dec_old).logits
        ln = new(input_ids=b["input_ids"], decoder_input_ids=dec_new).logits
    assert torch.allclose(lo[..., keep], ln, atol=1e-6)


def test_bart_headline_model_trims_with_its_logits_bias(tmp_path, tiny_model):
    from transformers import AutoModelForSeq2SeqLM, BertTokenizer

    from summarize.headline.generator import HeadlineGenerator

    src = tiny_model(tmp_path / "src", bias="wordy")
    corpus = write_corpus(tmp_path / "corpus.txt", ["新华社北京电 记者 高新区 新闻发布会 今天 发布 政策 2023 年 月 日"])
    trim(src, tmp_path / "dest", corpus)
    old_tok, new_tok = BertTokenizer.from_pretrained(src), BertTokenizer.from_pretrained(tmp_path / "dest")
    keep = [old_tok.convert_tokens_to_ids(t) for t in new_tok.convert_ids_to_tokens(list(range(len(new_tok))))]
    old, new = AutoModelForSeq2SeqLM.from_pretrained(src).eval(), AutoModelForSeq2SeqLM.from_pretrained(tmp_path / "dest").eval()
    assert torch.equal(new.final_logits_bias, old.final_logits_bias[:, keep])
    text = "新华社北京电 高新区今天发布政策"
    a, b = old_tok(text, return_tensors="pt"), new_tok(text, return_tensors="pt")
    assert remapped(old_tok, new_tok, a["input_ids"][0].tolist()) == b["input_ids"][0].tolist()
    with torch.no_grad():
        lo = old(input_ids=a["input_ids"], decoder_input_ids=a["input_ids"][:, :3]).logits
        ln = new(input_ids=b["input_ids"], decoder_input_ids=b["input_ids"][:, :3]).logits
    assert torch.allclose(lo[..., keep], ln, atol=1e-6)
    # decoding matches the old model forbidden the dropped tokens (it preferred "hello", which the corpus lacks)
    dropped = sorted(set(range(len(old_tok))) - set(keep))
    greedy = {"max_new_tokens": 8, "num_beams": 1, "do_sample": False}
    with torch.no_grad():
        free = old.generate(input_ids=a["input_ids"], **greedy)[0].tolist()
        banned = old.generate(input_ids=a["input_ids"], suppress_tokens=dropped, **greedy)[0].tolist()
        ours = new.generate(input_ids=b["input_ids"], **greedy)[0].tolist()
    assert set(free) - set(keep)  # the test is not vacuous: the untrimmed model does use a dropped token
    assert [keep[i] for i in ours] == banned
    # the headline generator loads the trimmed folder unchanged
    headline = HeadlineGenerator.from_pretrained(str(tmp_path / "dest"), device="cpu").generate(text, max_chars=12).headline
    assert headline and set(new_tok.tokenize(headline)) <= set(new_tok.get_vocab())


def test_empty_corpus_and_unknown_layout_are_clear_errors(tmp_path, capsys):
    from transformers import BertConfig, BertLMHeadModel, BertModel, EncoderDecoderModel

    src = save_bert_wordpiece(tmp_path / "src")
    empty = write_corpus(tmp_path / "empty.txt", ["", "   "])
    assert main(["models", "trim-vocab", str(src), str(tmp_path / "d1"), "--corpus", str(empty), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "empty.txt" in err and "no text" in err and not (tmp_path / "d1").exists()

    small = BertConfig(vocab_size=len(WORDPIECE), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                       intermediate_size=32, max_position_embeddings=64)
    decoder = BertConfig(**{**small.to_dict(), "is_decoder": True, "add_cross_attention": True})
    pair = EncoderDecoderModel(encoder=BertModel(small), decoder=BertLMHeadModel(decoder))
    pair.config.decoder_start_token_id, pair.config.pad_token_id = 2, 0
    folder = tmp_path / "pair"
    pair.save_pretrained(folder)
    (src / "vocab.txt").replace(folder / "vocab.txt")
    corpus = write_corpus(tmp_path / "corpus.txt", KEPT)
    assert main(["models", "trim-vocab", str(folder), str(tmp_path / "d2"), "--corpus", str(corpus), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "EncoderDecoderModel" in err and "embeddings" in err
