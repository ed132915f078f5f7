"""The candidates' character bigrams as integer arrays, so per-candidate sums are numpy calls.

    index = CandidateGrams.of(candidates)
    salience = index.lookup(table, default)        # one value per distinct bigram of the candidates
    index.sums(salience)                           # per candidate: the sum over its bigrams (repeats kept)
    index.sums(salience, unique=True)              # ... over its distinct bigrams
    index.maxima(salience)                         # ... their maximum

An article's candidates overlap (the same clauses, cut at several budgets), so its
candidates hold a few hundred distinct bigrams between them and each value is looked
up once per bigram instead of once per occurrence. Both the base features and the
learned bigram statistics read the same index, built once per article.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from summarize.headline.extractive.candidates import Candidate
from summarize.text.ngrams import char_bigrams


@dataclass(frozen=True)
class CandidateGrams:
    vocab: dict[str, int]  # bigram -> id: every distinct bigram of the candidates, numbered in order of first use
    ids: np.ndarray  # the candidates' bigram ids, one candidate after another, repeats kept
    rows: np.ndarray  # the candidate (row) of each entry of ``ids``
    counts: np.ndarray  # bigrams per candidate (repeats kept)
    unique_ids: np.ndarray  # each candidate's distinct bigram ids, grouped by candidate
    unique_rows: np.ndarray  # the candidate of each entry of ``unique_ids``
    unique_counts: np.ndarray  # distinct bigrams per candidate

    @classmethod
    def of(cls, candidates: Sequence[Candidate]) -> CandidateGrams:
        vocab: dict[str, int] = {}
        flat: list[int] = []
        counts = []
        for cand in candidates:
            grams = char_bigrams(cand.text)
            # setdefault's default is evaluated before the insert: new bigrams get 0, 1, 2, ...
            flat.extend([vocab.setdefault(g, len(vocab)) for g in grams])
            counts.append(len(grams))
        n = np.array(counts, dtype=np.int64)
        ids = np.array(flat, dtype=np.int64)
        rows = np.repeat(np.arange(len(n)), n)
        # Distinct (candidate, bigram) pairs, sorted by candidate then id: a row's entries stay together.
        keys = np.unique(rows * max(1, len(vocab)) + ids)
        unique_rows, unique_ids = np.divmod(keys, max(1, len(vocab)))
        return cls(vocab, ids, rows, n, unique_ids, unique_rows, np.bincount(unique_rows, minlength=len(n)))

    def __len__(self) -> int:
        return len(self.counts)

    def lookup(self, table: Mapping[str, float], default: float = 0.0) -> np.ndarray:
        """``table``'s value of every distinct bigram (by id), ``default`` where it has none."""
        return np.array([table.get(g, default) for g in self.vocab], dtype=np.float64)

    def member(self, grams: set[str] | frozenset[str]) -> np.ndarray:
        """1.0 for the bigrams (by id) that ``grams`` holds, else 0.0."""
        return np.array([g in grams for g in self.vocab], dtype=np.float64)

    def sums(self, values: np.ndarray, *, unique: bool = False, groups: np.ndarray | None = None) -> np.ndarray:
        """Per candidate, the sum of ``values`` over its bigrams (``unique``: each distinct bigram once).

        ``values`` holds one value per bigram id, or, with ``groups`` (a group index per candidate),
        one row of them per group: a candidate then reads its group's row.
        """
        ids, rows = (self.unique_ids, self.unique_rows) if unique else (self.ids, self.rows)
        picked = values[ids] if groups is None else values[groups[rows], ids]
        return np.bincount(rows, weights=picked, minlength=len(self))

    def maxima(self, values: np.ndarray) -> np.ndarray:
        """Per candidate, the largest of ``values`` (by id) over its bigrams; 0 for a candidate without any."""
        out = np.zeros(len(self))
        has = self.unique_counts > 0
        if has.any():
            starts = np.concatenate([[0], np.cumsum(self.unique_counts)[:-1]])[has]
            out[has] = np.maximum.reduceat(values[self.unique_ids], starts)
        return out
