"""HeadlineGenerator on tiny BART models saved and loaded back through the real loading code."""

from __future__ import annotations

import random
import re
import threading

import pytest
import torch

from summarize.config import ConfigError
from summarize.headline.backends import DecodeParams, Hypothesis
from summarize.text.clean import clean_headline
from summarize.headline.config import GenerationSection
from summarize.headline.generator import HeadlineGenerator, HeadlineResult, generation_settings
from summarize.headline.length import CharLengthLogitsProcessor, CharTensors, cleaned_length, token_chars

torch.set_num_threads(1)

ARTICLE = "本报讯(记者王某)今天，高新区人民政府发布新政策，支持企业研发。中国银行科技园项目开工建设。"
ARTICLES = [ARTICLE, "新华社北京电 今天中国发布政策。", "科技园项目开工。" * 5, "高新区"]
CJK_SPACE = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def wordy(tmp_path_factory, tiny_model):
    return HeadlineGenerator.from_pretrained(tiny_model(tmp_path_factory.mktemp("wordy"), bias="wordy"), device="cpu")


@pytest.fixture(scope="module")
def terse(tmp_path_factory, tiny_model):
    return HeadlineGenerator.from_pretrained(tiny_model(tmp_path_factory.mktemp("terse"), bias="terse"), device="cpu")


@pytest.fixture(scope="module")
def plain(tmp_path_factory, tiny_model):
    return HeadlineGenerator.from_pretrained(tiny_model(tmp_path_factory.mktemp("plain")), device="cpu")


def test_one_in_one_out_and_list_in_list_out(plain):
    one = plain.generate(ARTICLE, max_chars=10)
    assert isinstance(one, HeadlineResult)
    many = plain.generate(ARTICLES, max_chars=10)
    assert isinstance(many, list) and len(many) == len(ARTICLES)
    assert all(isinstance(r, HeadlineResult) for r in many)
    assert one.method.startswith("model:")
    d = one.to_dict()
    assert set(d) >= {"headline", "method", "score", "truncated_tokens", "warnings"}
    assert isinstance(d["warnings"], list)
    with pytest.raises(ValueError, match="article 1"):
        plain.generate([ARTICLE, "  "])


def test_headlines_are_cleaned(wordy):
    for result in wordy.generate(ARTICLES, max_chars=20, num_beams=2):
        text = result.headline
        assert text == clean_headline(text)
        assert not CJK_SPACE.search(text)
        assert "[" not in text and "##" not in text
    # tokenizer spaces go, except between Latin words; special tokens go
    tokens = ["[CLS]", "hello", "world", "高", "新", "2023", "区", "[UNK]", "##ing"]
    backend = EchoBackend(wordy.tokenizer)
    backend.generate = lambda batch, params: [[Hypothesis(tuple(wordy.tokenizer.convert_tokens_to_ids(tokens)), -1.0)]]
    assert HeadlineGenerator(backend).generate("高新区", max_chars=30).headline == "hello world高新2023区ing"


@pytest.mark.parametrize("num_beams", [1, 3])
@pytest.mark.parametrize("max_chars", [1, 4, 7, 12, 19])
def test_max_chars_is_never_exceeded_with_multichar_tokens(wordy, num_beams, max_chars):
    results = wordy.generate(ARTICLES, max_chars=max_chars, num_beams=num_beams,
                             num_return_sequences=min(num_beams, 2))
    for result in results:
        for r in (result, *result.alternatives):
            assert len(r.headline) <= max_chars, r
            # enforced while decoding, not by the last-resort cut
            assert not any("cut" in w for w in r.warnings), r.warnings
    # the budget is actually used (the model is wordy): not trivially short
    assert max(len(r.headline) for r in results) >= max_chars - 4


@pytest.mark.parametrize("num_beams", [1, 3])
def test_min_chars_is_respected(terse, num_beams):
    assert all(r.headline == "" for r in terse.generate(ARTICLES, num_beams=num_beams, min_chars=0))
    for r in terse.generate(ARTICLES, num_beams=num_beams, min_chars=6, max_chars=10):
        assert 6 <= len(r.headline) <= 10, r


def test_character_table_matches_decoded_length(wordy):
    tokenizer = wordy.tokenizer
    table = token_chars(tokenizer)
    assert table.length[tokenizer.convert_tokens_to_ids("新闻发布会")] == 5
    assert table.length[tokenizer.convert_tokens_to_ids("##ing")] == 3
    assert table.length[tokenizer.sep_token_id] == 0
    rng = random.Random(0)
    for _ in range(300):
        ids = [rng.randrange(len(tokenizer)) for _ in range(rng.randrange(1, 12))]
        actual = len(clean_headline(tokenizer.decode(ids, skip_special_tokens=True)))
        counted = cleaned_length(table, ids)
        assert counted >= actual, (tokenizer.convert_ids_to_tokens(ids), counted, actual)
        assert counted - actual <= 1 + sum(1 for i in ids if table.length[i] == 0)


def test_processor_state_matches_reference_count(wordy):
    tokenizer = wordy.tokenizer
    table = token_chars(tokenizer)
    chars = CharTensors(table, len(tokenizer))
    rng = random.Random(1)
    rows = [[3] + [rng.randrange(len(tokenizer)) for _ in range(9)] for _ in range(20)]
    counted, _, _ = chars.state(torch.tensor(rows))
    assert counted.tolist() == [cleaned_length(table, r) for r in rows]
    processor = CharLengthLogitsProcessor(chars, [3], max_chars=counted.min().item(), min_chars=0)
    out = processor(torch.tensor(rows), torch.zeros(len(rows), len(tokenizer)))
    # every row is at or over budget: EOS is the only finite choice
    assert torch.isfinite(out).sum(1).tolist() == [1] * len(rows)
    assert torch.isfinite(out[:, 3]).all()


def test_truncation_keeps_the_lead_and_counts_tokens(plain):
    article = "新" * 100  # 100 tokens + [CLS] + [SEP]
    result = plain.generate(article, max_source_tokens=20)
    assert result.truncated_tokens == 100 - 18
    assert plain.generate(article, max_source_tokens=200).truncated_tokens == 0
    ids, cut = plain._encode(["高新区" + "新" * 50], 10)[0]
    assert cut == 53 - 8 and len(ids) == 10
    assert ids[0] == plain.tokenizer.cls_token_id and ids[-1] == plain.tokenizer.sep_token_id
    assert plain.tokenizer.convert_ids_to_tokens(ids[1:4]) == ["高", "新", "区"]
    # the model's position table (128) bounds max_source_tokens
    assert plain.generate("新" * 300, max_source_tokens=1000).truncated_tokens == 300 - 126


def test_deterministic_and_thread_safe(wordy):
    texts = ARTICLES * 2
    serial = [r.to_dict() for r in wordy.generate(texts, num_beams=2, max_chars=12, batch_size=3)]
    again = [r.to_dict() for r in wordy.generate(texts, num_beams=2, max_chars=12, batch_size=3)]
    assert serial == again
    outputs: dict[int, list] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            outputs[k] = [r.to_dict() for r in wordy.generate(texts, num_beams=2, max_chars=12, batch_size=3)]
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert all(outputs[k] == serial for k in range(4))


class EchoBackend:
    """A backend whose 'headline' is the input's first content token, recording the batches it got."""

    name = "echo"
    max_source_tokens = None

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.defaults = GenerationSection()
        self.batches: list[list[int]] = []

    def generate(self, batch, params: DecodeParams):
        self.batches.append([len(ids) for ids in batch])
        return [[Hypothesis((ids[1],), -float(len(ids)))] * params.num_return_sequences for ids in batch]


def test_batches_are_sorted_by_length_and_results_in_input_order(plain):
    backend = EchoBackend(plain.tokenizer)
    gen = HeadlineGenerator(backend)
    heads = list("新华社北京电记者本报讯高区")
    texts = [h + "的" * n for h, n in zip(heads, [5, 1, 9, 3, 7, 2, 8, 4, 6, 0, 10, 11])]
    results = gen.generate(texts, batch_size=4)
    assert [r.headline for r in results] == heads[: len(texts)]
    assert [r.score for r in results] == [-float(len(t) + 2) for t in texts]
    assert [len(b) for b in backend.batches] == [4, 4, 4]
    flat = [n for b in backend.batches for n in b]
    assert flat == sorted(flat, reverse=True)


def test_alternatives_are_distinct_and_ranked(wordy):
    result = wordy.generate(ARTICLE, num_beams=4, num_return_sequences=3, max_chars=8)
    assert len(result.alternatives) == 2
    scores = [result.score] + [a.score for a in result.alternatives]
    assert scores == sorted(scores, reverse=True) and all(s <= 0 for s in scores)
    assert all(not a.alternatives for a in result.alternatives)
    assert len(result.to_dict()["alternatives"]) == 2
    with pytest.raises(ValueError, match="num_return_sequences"):
        wordy.generate(ARTICLE, num_beams=2, num_return_sequences=3)


def test_faithfulness_warnings_are_attached(plain):
    gen = HeadlineGenerator(EchoBackend(plain.tokenizer))
    # the echo backend's headline is the first character: "5" is not in an article without digits
    assert gen.generate("5月高新区").warnings == ()
    backend = EchoBackend(plain.tokenizer)
    backend.generate = lambda batch, params: [[Hypothesis(tuple(plain.tokenizer.convert_tokens_to_ids(["2023"])), -1.0)]
                                              for _ in batch]
    result = HeadlineGenerator(backend).generate("高新区发布新政策")
    assert result.headline == "2023"
    assert result.warnings == ('number "2023" does not occur in the article',)


def test_defaults_come_from_the_saved_generation_config(tmp_path, tiny_model):
    folder = tiny_model(tmp_path / "m", bias="wordy", generation={"num_beams": 2, "max_chars": 7, "batch_size": 3})
    gen = HeadlineGenerator.from_pretrained(folder, device="cpu")
    assert (gen.defaults.num_beams, gen.defaults.max_chars, gen.defaults.batch_size) == (2, 7, 3)
    assert all(len(r.headline) <= 7 for r in gen.generate(ARTICLES))
    assert max(len(r.headline) for r in gen.generate(ARTICLES)) >= 4
    # explicit keyword beats the saved default
    assert max(len(r.headline) for r in gen.generate(ARTICLES, max_chars=15)) > 7
    # overrides beat the saved default
    gen = HeadlineGenerator.from_pretrained(folder, device="cpu", overrides=["generation.max_chars=3"])
    assert gen.defaults.max_chars == 3 and gen.defaults.num_beams == 2


def test_generation_settings_precedence(tmp_path):
    saved = GenerationSection(num_beams=2, max_chars=7, no_repeat_ngram_size=3)
    assert generation_settings(saved) == saved
    config = tmp_path / "c.yaml"
    config.write_text("task: headline\ngeneration:\n  max_chars: 20\n", encoding="utf-8")
    got = generation_settings(saved, config)
    # keys the file sets win; keys it does not set keep the model's saved values
    assert (got.max_chars, got.num_beams, got.no_repeat_ngram_size) == (20, 2, 3)
    got = generation_settings(saved, config, ["generation.max_chars=9", "generation.num_beams=1"])
    assert (got.max_chars, got.num_beams, got.no_repeat_ngram_size) == (9, 1, 3)
    got = generation_settings(saved, None, ["generation.min_chars=2"])
    assert (got.min_chars, got.max_chars) == (2, 7)
    with pytest.raises(ConfigError, match="did you mean 'generation.num_beams'"):
        generation_settings(saved, None, ["generation.num_beam=2"])
    with pytest.raises(ConfigError, match="min_chars"):
        generation_settings(saved, config, ["generation.min_chars=50"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("task: headline\ngeneration:\n  beams: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.yaml"):
        generation_settings(saved, bad)


def test_training_source_prefix_travels_with_the_model(tmp_path, tiny_model):
    from transformers import GenerationConfig

    from summarize.headline.generation_config import to_generation_config

    folder = tiny_model(tmp_path / "m")
    gc = to_generation_config(GenerationSection(), GenerationConfig.from_pretrained(folder), source_prefix="摘要：")
    gc.save_pretrained(folder)
    assert HeadlineGenerator.from_pretrained(folder, device="cpu").source_prefix == "摘要："
    # An explicit config or override still wins over what the model saved.
    assert HeadlineGenerator.from_pretrained(folder, device="cpu", overrides=["data.source_prefix="]).source_prefix == ""
    assert HeadlineGenerator.from_pretrained(folder, device="cpu", source_prefix="x").source_prefix == "x"
