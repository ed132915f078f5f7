"""The candidates' bigram index: numpy sums per candidate must equal the plain-Python sums they replace."""

from __future__ import annotations

import numpy as np
import pytest

from summarize.headline.extractive.candidates import Candidate
from summarize.headline.extractive.grams import CandidateGrams
from summarize.text.ngrams import bigram_codes, bigram_text, char_bigrams, contains_codes, lookup_codes, pair_codes


def _cand(text: str, sentence: int = 0) -> Candidate:
    return Candidate(text, sentence, 0, 1, 0, len(text), 0, 0, True)


TEXTS = ["央行宣布降息", "哈哈哈哈", "。", "降息：央行宣布", "A1，B2"]


def _ids(index: CandidateGrams, text: str) -> list[int]:
    return [int(np.searchsorted(index.codes, c)) for c in pair_codes(char_bigrams(text))]


def test_sums_over_bigrams_with_and_without_repeats():
    index = CandidateGrams.of([_cand(t) for t in TEXTS])
    rng = np.random.default_rng(0)
    values = rng.random(len(index.codes))
    for row, text in enumerate(TEXTS):
        ids = _ids(index, text)
        assert index.counts[row] == len(ids) and index.unique_counts[row] == len(set(ids))
        assert index.sums(values)[row] == pytest.approx(sum(values[i] for i in ids))
        assert index.sums(values, unique=True)[row] == pytest.approx(sum(values[i] for i in set(ids)))
        assert index.maxima(values)[row] == (max(values[i] for i in ids) if ids else 0.0)
    # 哈哈哈哈 has the one bigram 哈哈, three times; 。 has none
    assert index.counts[1] == 3 and index.unique_counts[1] == 1 and index.counts[2] == 0


def test_grouped_values_are_read_from_each_candidates_group():
    cands = [_cand("央行降息", 0), _cand("央行加息", 1)]
    index = CandidateGrams.of(cands)
    per_group = np.zeros((2, len(index.codes)))
    (bank,) = _ids(index, "央行")
    per_group[0, bank], per_group[1, bank] = 1.0, 10.0
    assert index.sums(per_group, groups=np.array([0, 1])).tolist() == [1.0, 10.0]


def test_take_and_member_read_a_table_of_sorted_codes():
    index = CandidateGrams.of([_cand("央行降息")])
    assert [bigram_text(c) for c in index.codes.tolist()] == sorted(["央行", "行降", "降息"])
    table = pair_codes(["降息", "加息"])
    order = np.argsort(table)
    got = index.take(table[order], np.array([2.5, 7.0])[order], default=-1.0)
    assert {bigram_text(c): v for c, v in zip(index.codes.tolist(), got)} == {"央行": -1.0, "行降": -1.0, "降息": 2.5}
    assert index.member(pair_codes(["央行", "不在"])).sum() == 1.0


def test_no_candidates_and_candidates_without_bigrams():
    empty = CandidateGrams.of([])
    assert len(empty) == 0 and empty.sums(np.zeros(0)).shape == (0,)
    blank = CandidateGrams.of([_cand("。"), _cand("！")])
    assert blank.maxima(np.zeros(0)).tolist() == [0.0, 0.0]
    assert blank.sums(np.zeros(0), unique=True).tolist() == [0.0, 0.0]


def test_bigram_codes_are_char_bigrams_of_many_texts_at_once():
    texts = ["新华社，北京 A1！", "", "。", "ＡＢ１２ab", "😀中文😀", "哈哈哈", "x\ny"]
    codes, owner = bigram_codes(texts)
    for i, text in enumerate(texts):
        assert [bigram_text(c) for c in codes[owner == i].tolist()] == list(char_bigrams(text))
    assert bigram_codes([])[0].shape == (0,)


def test_lookup_codes_gives_the_default_for_absent_codes_and_an_empty_table():
    table = np.sort(pair_codes(["央行", "降息"]))
    codes = pair_codes(["降息", "不在", "央行"])
    assert lookup_codes(codes, table, np.array([1, 2]), default=0).tolist() == [2, 0, 1]
    assert lookup_codes(codes, np.zeros(0, dtype=np.int64), np.zeros(0), default=-1.0).tolist() == [-1.0] * 3


def test_contains_codes_is_isin():
    rng = np.random.default_rng(1)
    table, codes = rng.integers(0, 50, 20), rng.integers(0, 60, 40)
    assert contains_codes(table, codes).tolist() == np.isin(codes, table).tolist()
    assert not contains_codes(np.zeros(0, dtype=np.int64), codes).any()
