"""Bigram statistics of the extractive model: counting, leaving a training article out, saving and loading."""

from __future__ import annotations

import math

import numpy as np
import pytest

from summarize.headline.extractive.bigrams import BIGRAM_FEATURES, MIN_ARTICLES, SMOOTHING, BigramStats
from summarize.headline.extractive.candidates import CandidateSettings, make_candidates, prepare_article
from summarize.text.ngrams import char_bigrams, pair_codes


def _sets(article: str, headline: str) -> tuple[set[str], set[str]]:
    return set(char_bigrams(article)), set(char_bigrams(headline))


def _lookup(stats: BigramStats, gram: str, exclude: tuple[set[str], set[str]] | None = None) -> tuple[float, float]:
    """(salience, idf) of one bigram, through the vectorized lookup the features use."""
    left_out = None if exclude is None else (pair_codes(sorted(exclude[0])), pair_codes(sorted(exclude[1])))
    salience, idf, _ = stats.values(pair_codes([gram]), left_out)
    return float(salience[0]), float(idf[0])


PAIRS = [_sets(f"央行宣布降息，市场反应平稳，第{i}天。", "央行宣布降息") for i in range(6)] + \
        [_sets(f"记者获悉，市场反应平稳，第{i}天。", "市场平稳") for i in range(4)]


def test_char_bigrams_drop_punctuation_and_keep_repeats():
    assert char_bigrams("新华社，北京 A1！") == ("新华", "华社", "社北", "北京", "京A", "A1")
    assert char_bigrams("哈哈哈") == ("哈哈", "哈哈") and char_bigrams("。") == ()


def test_counts_salience_and_idf_of_kept_bigrams():
    stats = BigramStats.count(PAIRS)
    assert stats.articles == 10
    assert stats.counts["央行"] == (6, 6) and stats.counts["市场"] == (10, 4) and stats.counts["记者"] == (4, 0)
    assert "第0" not in stats.counts  # in two articles only: below MIN_ARTICLES, not kept
    assert BigramStats.count(PAIRS, min_articles=1).counts["第0"] == (2, 0)
    salience, idf = _lookup(stats, "央行")
    assert salience == pytest.approx((6 + SMOOTHING * stats.prior) / (6 + SMOOTHING))
    assert idf == pytest.approx(math.log(11 / 7))
    assert _lookup(stats, "记者")[0] < stats.prior < salience
    assert _lookup(stats, "未见") == (pytest.approx(stats.prior), pytest.approx(math.log(11)))


def test_leaving_an_article_out_removes_its_own_headline_evidence():
    pairs = [_sets("独家新闻甲乙丙。", "独家新闻")] + PAIRS
    stats = BigramStats.count(pairs + [_sets("独家新闻甲乙丙。", "")] * (MIN_ARTICLES - 1))
    with_own, _ = _lookup(stats, "独家")
    without, idf = _lookup(stats, "独家", pairs[0])
    assert with_own > stats.prior
    # left out, 独家 is in MIN_ARTICLES - 1 articles: too few to keep, so it reads as never seen
    assert without == pytest.approx(stats.prior) and idf == pytest.approx(math.log(stats.articles))


def test_features_rank_salient_candidates_higher_and_survive_save_and_load(tmp_path):
    stats = BigramStats.count(PAIRS)
    settings = CandidateSettings(max_chars=30)
    article = prepare_article("记者获悉，央行宣布降息，市场反应平稳。", settings)
    cands = make_candidates(article, settings)
    x = stats.features(article, cands)
    assert x.shape == (len(cands), len(BIGRAM_FEATURES)) and np.isfinite(x).all()
    by_text = {c.text: row for c, row in zip(cands, x)}
    mean = BIGRAM_FEATURES.index("salience_mean")
    assert by_text["央行宣布降息"][mean] > by_text["记者获悉"][mean]
    stats.save(tmp_path)
    loaded = BigramStats.load(tmp_path)
    assert loaded == stats and np.array_equal(loaded.features(article, cands), x)
    rare = BigramStats.count(PAIRS, min_articles=1)
    rare.save(tmp_path)
    assert BigramStats.load(tmp_path).min_articles == 1  # the pruning rule travels with the table
    assert stats.features(article, []).shape == (0, len(BIGRAM_FEATURES))
