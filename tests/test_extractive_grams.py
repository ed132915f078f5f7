"""The candidates' bigram index: numpy sums per candidate must equal the plain-Python sums they replace."""

from __future__ import annotations

import numpy as np
import pytest

from summarize.headline.extractive.candidates import Candidate
from summarize.headline.extractive.grams import CandidateGrams
from summarize.text.ngrams import char_bigrams


def _cand(text: str, sentence: int = 0) -> Candidate:
    return Candidate(text, sentence, 0, 1, 0, len(text), 0, 0, True)


TEXTS = ["央行宣布降息", "哈哈哈哈", "。", "降息：央行宣布", "A1，B2"]


def test_sums_over_bigrams_with_and_without_repeats():
    index = CandidateGrams.of([_cand(t) for t in TEXTS])
    rng = np.random.default_rng(0)
    values = rng.random(len(index.vocab))
    for row, text in enumerate(TEXTS):
        grams = char_bigrams(text)
        assert index.counts[row] == len(grams) and index.unique_counts[row] == len(set(grams))
        assert index.sums(values)[row] == pytest.approx(sum(values[index.vocab[g]] for g in grams))
        assert index.sums(values, unique=True)[row] == pytest.approx(sum(values[index.vocab[g]] for g in set(grams)))
        assert index.maxima(values)[row] == (max(values[index.vocab[g]] for g in grams) if grams else 0.0)
    # 哈哈哈哈 has the one bigram 哈哈, three times; 。 has none
    assert index.counts[1] == 3 and index.unique_counts[1] == 1 and index.counts[2] == 0


def test_grouped_values_are_read_from_each_candidates_group():
    cands = [_cand("央行降息", 0), _cand("央行加息", 1)]
    index = CandidateGrams.of(cands)
    per_group = np.zeros((2, len(index.vocab)))
    per_group[0, index.vocab["央行"]] = 1.0
    per_group[1, index.vocab["央行"]] = 10.0
    got = index.sums(per_group, groups=np.array([0, 1]))
    assert got.tolist() == [1.0, 10.0]


def test_lookup_and_member_follow_the_vocabulary_order():
    index = CandidateGrams.of([_cand("央行降息")])
    assert list(index.vocab) == ["央行", "行降", "降息"]
    assert index.lookup({"降息": 2.5}, default=-1.0).tolist() == [-1.0, -1.0, 2.5]
    assert index.member({"央行", "不在"}).tolist() == [1.0, 0.0, 0.0]


def test_no_candidates_and_candidates_without_bigrams():
    empty = CandidateGrams.of([])
    assert len(empty) == 0 and empty.sums(np.zeros(0)).shape == (0,)
    blank = CandidateGrams.of([_cand("。"), _cand("！")])
    assert blank.maxima(np.zeros(0)).tolist() == [0.0, 0.0]
    assert blank.sums(np.zeros(0), unique=True).tolist() == [0.0, 0.0]
