"""Reader: offsets always index the original context, batching, and clear errors on bad input."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarize.io.read import InputError
from summarize.qa.features import make_windows
from summarize.qa.reader import CONFIG_KEY, Reader

# Pieces chosen to stress offset mapping: the tokenizer lowercases, strips accents (NFD),
# drops whitespace/control characters, maps unknown words to one [UNK] and splits CJK.
TRICKY = [
    "高新区", "河南城建学院", "臺灣", "資訊與電腦", "ＡＢＣ１２３", "Ｗｏｒｄ", "\u3000", "\u00a0", " ", "\t", "\n",
    "Café", "NAÏVE", "Ångström", "e\u0301", "Zürich", "2023年6月", "95%", "😀", "👍🏽", "ﬁ", "，", "。", "“引号”",
    "《书名》", "GPT4o", "x" * 30, "\u200b", "\x00", "Ⅻ", "㎡", "①",
]
ALPHABET = "".join(sorted(set("".join(TRICKY)))) + "的是在一有和人这中大为上个国我以要他"


def _vocab_tokens() -> list[str]:
    import unicodedata

    from summarize.text.vocab import build_char_vocab

    # Lowercased, accent-stripped forms (what the normalizer produces), minus a few characters
    # so that [UNK] appears too.
    folded = unicodedata.normalize("NFD", ALPHABET.lower())
    folded = "".join(c for c in folded if unicodedata.category(c) != "Mn" and c not in "臺ⅻ😀")
    return build_char_vocab([folded])


def _make_model_dir(folder, vocab_lines: list[str]):
    from transformers import BertConfig, BertForQuestionAnswering, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(vocab_lines) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast.from_pretrained(str(folder), do_lower_case=True)
    tokenizer.save_pretrained(str(folder))
    config = BertConfig(vocab_size=len(vocab_lines), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertForQuestionAnswering(config).save_pretrained(str(folder))
    return folder


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return _make_model_dir(tmp_path_factory.mktemp("reader") / "model", _vocab_tokens())


@pytest.fixture(scope="module")
def reader(model_dir):
    return Reader.from_pretrained(model_dir, device="cpu", max_seq_len=32, doc_stride=8, max_question_tokens=8,
                                  max_answer_tokens=12, batch_size=4)


texts = st.lists(
    st.one_of(st.sampled_from(TRICKY), st.text(alphabet=ALPHABET, min_size=1, max_size=6)),
    min_size=1, max_size=30,
).map("".join).filter(lambda s: s.strip() != "")


def _check(answer: dict, context: str) -> None:
    assert set(answer) == {"answer", "score", "start", "end"}
    assert isinstance(answer["start"], int) and isinstance(answer["end"], int)
    assert 0 <= answer["start"] <= answer["end"] <= len(context)
    assert context[answer["start"]:answer["end"]] == answer["answer"]
    assert 0.0 <= answer["score"] <= 1.0
    if answer["answer"] == "":
        assert (answer["start"], answer["end"], answer["score"]) == (0, 0, 0.0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=texts, context=texts)
def test_offsets_always_index_the_original_context(reader, question, context):
    _check(reader.answer(question, context), context)
    for item in reader.answer(question, context, top_k=3):
        _check(item, context)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(texts, texts), min_size=1, max_size=6))
def test_batched_answers_match_one_at_a_time(reader, pairs):
    batched = reader.answer(pairs)
    assert isinstance(batched, list) and len(batched) == len(pairs)
    for (question, context), got in zip(pairs, batched):
        _check(got, context)
        alone = reader.answer(question, context)
        # Padding inside a batch may move logits by float rounding; spans agree unless scores tie.
        assert (got["start"], got["end"]) == (alone["start"], alone["end"]) or abs(got["score"] - alone["score"]) < 1e-4
        assert got["score"] == pytest.approx(alone["score"], abs=1e-4)


@pytest.mark.shared
def test_offsets_with_the_real_bert_base_chinese_vocabulary(tmp_path, shared_file):
    vocab = shared_file("vocab/bert-base-chinese/vocab.txt").read_text(encoding="utf-8").splitlines()
    folder = _make_model_dir(tmp_path / "bbc", vocab)
    real = Reader.from_pretrained(folder, device="cpu", max_seq_len=24, doc_stride=6, max_question_tokens=6,
                                  max_answer_tokens=10)

    @settings(max_examples=40, deadline=None)
    @given(question=texts, context=texts)
    def check(question, context):
        _check(real.answer(question, context), context)

    check()


def test_no_token_context_gives_the_documented_empty_answer(reader):
    assert reader.answer("高新区在哪?", "\x00\x01\u200b") == {"answer": "", "score": 0.0, "start": 0, "end": 0}


def test_long_context_is_read_in_windows(reader, monkeypatch):
    from summarize.qa import reader as reader_module

    built = []

    def spy(*args, **kwargs):
        windows = make_windows(*args, **kwargs)
        built.append(windows)
        return windows

    monkeypatch.setattr(reader_module, "make_windows", spy)
    context = "高新区" * 2000 + "河南城建学院" + "。" * 500
    answer = reader.answer("哪所学校?", context)
    _check(answer, context)
    # the context was cut into overlapping windows that together cover all of it, the far end included
    (windows,) = built
    spans = sorted((int(o[o[:, 0] >= 0, 0].min()), int(o[:, 1].max())) for o in windows.offsets)
    assert len(spans) > 10 and spans[0][0] == 0 and spans[-1][1] == len(context)
    assert all(nxt[0] < prev[1] for prev, nxt in zip(spans, spans[1:]))


@pytest.mark.parametrize(
    "question, context, message",
    [
        ("", "高新区", "question is empty"),
        ("谁?", "", "context is empty"),
        ("\u3000 \n", "高新区", "question is empty"),
        ("谁?", " \u3000\u00a0\t", "context is empty"),
        (None, "高新区", "question must be a string"),
        ("谁?", 42, "context must be a string"),
    ],
)
def test_bad_input_is_a_clear_error(reader, question, context, message):
    with pytest.raises(InputError, match=message):
        reader.answer(question, context)


def test_bad_pairs_name_their_position(reader):
    with pytest.raises(InputError, match="pair 1: context is empty"):
        reader.answer([("谁?", "高新区"), ("谁?", "")])
    with pytest.raises(InputError, match="pair 0: expected"):
        reader.answer([("谁?",)])
    with pytest.raises(InputError, match="pair 0: expected"):
        reader.answer(["谁?", "高新区"])  # two strings are not one pair
    assert reader.answer([]) == []


def test_inference_settings_come_from_the_model_config(tmp_path):
    from transformers import AutoConfig

    folder = _make_model_dir(tmp_path / "m", _vocab_tokens())
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config[CONFIG_KEY] = {"max_seq_len": 48, "doc_stride": 12, "max_question_tokens": 10, "max_answer_tokens": 7}
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    assert getattr(AutoConfig.from_pretrained(folder), CONFIG_KEY)["doc_stride"] == 12
    loaded = Reader.from_pretrained(folder, device="cpu")
    assert loaded.settings == config[CONFIG_KEY]
    assert Reader.from_pretrained(folder, device="cpu", doc_stride=4).settings["doc_stride"] == 4
    with pytest.raises(ValueError, match="exceeds the model's 64 positions"):
        Reader.from_pretrained(folder, device="cpu", max_seq_len=128)


def test_missing_model_folder_is_a_clear_error(tmp_path):
    from summarize.io.checkpoint import ModelLoadError

    with pytest.raises(ModelLoadError, match="no such model folder"):
        Reader.from_pretrained(tmp_path / "nope" / "model")


class _ConcurrencyProbe:
    """Wraps a tokenizer and records how many threads were inside it at once (widening the window a little)."""

    def __init__(self, inner):
        import threading

        self._inner, self._guard, self.active, self.most = inner, threading.Lock(), 0, 0

    def __call__(self, *args, **kwargs):
        import time

        with self._guard:
            self.active += 1
            self.most = max(self.most, self.active)
        try:
            time.sleep(0.002)  # a thread switch here is what let another call change the truncation settings
            return self._inner(*args, **kwargs)
        finally:
            with self._guard:
                self.active -= 1

    def __getattr__(self, name):
        return getattr(self._inner, name)


def test_one_reader_shared_by_eight_threads_matches_serial_answers(model_dir):
    """A Reader is thread-safe: 8 threads answering at once get exactly the serial answers, and the
    tokenizer (whose truncation settings are shared state: one thread's plain call used to reset
    another's window truncation, giving windows of the wrong size) is never entered by two threads."""
    from concurrent.futures import ThreadPoolExecutor

    reader = Reader.from_pretrained(model_dir, device="cpu", max_seq_len=32, doc_stride=8, max_question_tokens=8,
                                    max_answer_tokens=12, batch_size=3)
    base = "".join(TRICKY[:12])
    jobs = [(f"问题{i}是什么{'呢' * (i % 5)}？", base * (1 + i % 3) + TRICKY[i % len(TRICKY)]) for i in range(16)]
    serial = [reader.answer(q, c, top_k=2) for q, c in jobs]
    probe = reader.tokenizer = _ConcurrencyProbe(reader.tokenizer)
    for _ in range(2):
        with ThreadPoolExecutor(max_workers=8) as pool:
            threaded = list(pool.map(lambda job: reader.answer(job[0], job[1], top_k=2), jobs))
        assert threaded == serial
    assert probe.most == 1
