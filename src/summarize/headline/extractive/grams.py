"""The candidates' character bigrams as integer arrays, so per-candidate sums are numpy calls.

    index = CandidateGrams.of(candidates)
    salience = index.take(codes, values)           # one value per distinct bigram of the candidates
    index.sums(salience)                           # per candidate: the sum over its bigrams (repeats kept)
    index.sums(salience, unique=True)              # ... over its distinct bigrams
    index.maxima(salience)                         # ... their maximum

An article's candidates overlap (the same clauses, cut at several budgets), so its
candidates hold a few hundred distinct bigrams between them and each value is looked
up once per bigram instead of once per occurrence. Both the base features and the
learned bigram statistics read the same index, built once per article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarize.headline.extractive.candidates import Candidate
from summarize.text.ngrams import bigram_codes, contains_codes, lookup_codes


@dataclass(frozen=True)
class CandidateGrams:
    codes: np.ndarray  # id -> bigram code (``summarize.text.ngrams``): the candidates' distinct bigrams, sorted
    ids: np.ndarray  # the candidates' bigram ids, one candidate after another, repeats kept
    rows: np.ndarray  # the candidate (row) of each entry of ``ids``
    counts: np.ndarray  # bigrams per candidate (repeats kept)
    unique_ids: np.ndarray  # each candidate's distinct bigram ids, grouped by candidate
    unique_rows: np.ndarray  # the candidate of each entry of ``unique_ids``
    unique_counts: np.ndarray  # distinct bigrams per candidate

    @classmethod
    def of(cls, candidates: Sequence[Candidate]) -> CandidateGrams:
        """The index of ``candidates``' bigrams (``char_bigrams``' bigrams, computed in numpy)."""
        keys, rows = bigram_codes([cand.text for cand in candidates])
        found, ids = np.unique(keys, return_inverse=True)
        counts = np.bincount(rows, minlength=len(candidates))
        # Distinct (candidate, bigram) pairs, sorted by candidate then id: a row's entries stay together.
        width = max(1, len(found))
        unique_rows, unique_ids = np.divmod(np.unique(rows * width + ids), width)
        return cls(found, ids.astype(np.int64), rows, counts, unique_ids, unique_rows,
                   np.bincount(unique_rows, minlength=len(candidates)))

    def __len__(self) -> int:
        return len(self.counts)

    def take(self, table: np.ndarray, values: np.ndarray, default: float = 0.0) -> np.ndarray:
        """The value of every bigram (by id) in ``table`` (sorted codes, one of ``values`` each), ``default``
        where it is absent."""
        return lookup_codes(self.codes, table, values.astype(np.float64), default)

    def member(self, codes: np.ndarray) -> np.ndarray:
        """1.0 for the bigrams (by id) among ``codes``, else 0.0."""
        return contains_codes(codes, self.codes).astype(np.float64)

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
