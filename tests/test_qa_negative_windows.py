"""data.train_negative_windows: every answer window stays, a seeded share of the others is kept."""

from __future__ import annotations

from summarize.qa.train import keep_negative_windows


def test_answer_windows_all_kept_and_negatives_sampled():
    starts = [0, 5, 0, 0, 7, 0] * 200
    kept = keep_negative_windows(starts, 0.1, seed=1)
    positives = [i for i, s in enumerate(starts) if s > 0]
    assert set(positives) <= set(kept)
    negatives = len(kept) - len(positives)
    assert 40 <= negatives <= 120  # about 10% of 800
    assert kept == sorted(kept)  # order kept
    assert keep_negative_windows(starts, 0.1, seed=1) == kept
    assert keep_negative_windows(starts, 0.1, seed=2) != kept
    assert keep_negative_windows(starts, 1.0, seed=1) is None
    assert keep_negative_windows(starts, 0.0, seed=1) == positives
