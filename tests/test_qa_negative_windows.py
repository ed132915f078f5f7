"""data.train_negative_windows: every answer window stays, a seeded share of the others is kept."""

from __future__ import annotations

from summarize.qa.train import keep_negative_windows


def test_answer_windows_all_kept_and_negatives_sampled():
    starts = [0, 5, 0, 0, 7, 0] * 200
    features = {"input_ids": [[i] for i in range(len(starts))], "start_positions": starts, "end_positions": starts}
    kept = keep_negative_windows(features, 0.1, seed=1)
    positives = sum(1 for s in starts if s > 0)
    assert sum(1 for s in kept["start_positions"] if s > 0) == positives
    negatives = len(kept["start_positions"]) - positives
    assert 40 <= negatives <= 120  # about 10% of 800
    assert [r[0] for r in kept["input_ids"]] == sorted(r[0] for r in kept["input_ids"])  # order kept, columns aligned
    assert all(starts[r[0]] == s for r, s in zip(kept["input_ids"], kept["start_positions"]))
    assert keep_negative_windows(features, 0.1, seed=1) == kept
    assert keep_negative_windows(features, 1.0, seed=1) is features
    assert len(keep_negative_windows(features, 0.0, seed=1)["input_ids"]) == positives
