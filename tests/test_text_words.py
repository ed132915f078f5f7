"""summarize.text.words segments exactly as ``jieba.cut(text, HMM=False)`` does, from a cache built once."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarize.io.jieba_words import load_jieba_dictionary
from summarize.text.words import WordDictionary

jieba.setLogLevel(logging.WARNING)
REPO = Path(__file__).resolve().parents[1]


def jieba_ends(text: str) -> tuple[int, ...]:
    ends, at = [], 0
    for word in jieba.cut(text, HMM=False):
        at += len(word)
        ends.append(at)
    return tuple(ends)


@pytest.fixture(scope="module")
def words(tmp_path_factory):
    return load_jieba_dictionary(cache_dir=tmp_path_factory.mktemp("cache"))


def test_equal_to_jieba_on_windows_of_the_corpus(words):
    texts = [json.loads(line)["text"] for line in (REPO / "data/corpus/articles.jsonl").open(encoding="utf-8")]
    rng = random.Random(0)
    windows = []
    for _ in range(4000):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        windows.append(text[start:start + rng.randint(1, 40)])
    assert [words.word_ends(w) for w in windows] == [jieba_ends(w) for w in windows]


# Han characters that form dictionary words, Latin letters and digits (merged when single), jieba's
# block symbols, whitespace (\r\n is one word), punctuation and characters outside every block.
PIECES = list("高新区发布政策支持企业研发中国银行科技园项目开工建设的了是在长江大桥") + list("abcXYZ019+#&._%-") + [
    " ", "\r\n", "\n", "\r", "\t", "，", "。", "“", "”", "(", "）", "\u3000", "é", "😀", "iPhone", "3.5%", "B超", "AT&T"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=20))
def test_equal_to_jieba_on_generated_text(words, pieces):
    text = "".join(pieces)
    assert words.word_ends(text) == jieba_ends(text)


def test_the_cache_is_written_once_and_never_served_for_another_dictionary(tmp_path):
    dict_txt = tmp_path / "dict.txt"
    dict_txt.write_text("长江 10 ns\n长江大桥 5 n\n大桥 8 n\n长江 20 ns\n", encoding="utf-8")  # a repeated word
    cache = tmp_path / "cache"
    built = load_jieba_dictionary(dict_txt, cache)
    files = list(cache.iterdir())
    assert len(files) == 1
    # jieba's rules: the last frequency of a repeated word, every line in the total
    assert built.words == ["大桥", "长江", "长江大桥"] and list(built.freqs) == [8, 20, 5] and built.total == 43
    again = load_jieba_dictionary(dict_txt, cache)
    assert again.words == built.words and again.total == built.total and list(cache.iterdir()) == files
    assert again.word_ends("长江大桥") == (4,)
    dict_txt.write_text("长江 10 ns\n大桥 8 n\n", encoding="utf-8")
    edited = load_jieba_dictionary(dict_txt, cache)
    assert edited.word_ends("长江大桥") == (2, 4) and len(list(cache.iterdir())) == 2
    # a damaged cache file is rebuilt, not trusted
    for f in cache.iterdir():
        f.write_bytes(f.read_bytes()[:40])
    assert load_jieba_dictionary(dict_txt, cache).word_ends("长江大桥") == (2, 4)


def test_an_unwritable_cache_only_costs_time(tmp_path):
    dict_txt = tmp_path / "dict.txt"
    dict_txt.write_text("长江 10 ns\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert load_jieba_dictionary(dict_txt, blocker / "cache").word_ends("长江") == (2,)


def test_a_malformed_dictionary_line_is_named(tmp_path):
    dict_txt = tmp_path / "dict.txt"
    dict_txt.write_text("长江 10 ns\n大桥\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"dict.txt:2: not a 'word frequency' line"):
        WordDictionary.from_dict_txt(dict_txt)
