"""What the training archive says about each character bigram: how rare it is, and how often it makes the headline.

    stats = BigramStats.count(pairs_of_bigram_sets)          # from the training (article, headline) pairs
    stats.save(model_dir); stats = BigramStats.load(model_dir)
    X = stats.features(article, candidates)                   # (len(candidates), len(BIGRAM_FEATURES))

Two signals the in-article features cannot see, both counted over the training articles:
- **salience**: of the articles containing a bigram, the share whose headline
  also contains it (smoothed towards the corpus-wide share with ``SMOOTHING``
  pseudo-articles). In LCSTS + THUCNews train, headlines keep 降息 and 央行 from 41 % and
  26 % of the articles that have them, 据悉 and 日电 from under 1 % (4.4 % overall);
- **IDF**: ``log((N + 1) / (df + 1))`` over the N training articles. The
  in-article key words of ``features`` are the most *repeated* bigrams, which
  are often function words (的一, 是一); weighted by IDF they are the article's topic.

Bigrams in fewer than ``MIN_ARTICLES`` (3) articles are not kept (salience of so
few articles is noise) and count as unseen: salience the prior, df 0. While
training, each article's own counts are left out (``exclude=``) so that a
candidate is never rewarded for the headline it is scored against.

The table is saved as ``bigrams.json`` in the model folder: the sorted bigrams as one string
(each is two characters) and their counts as two lists, compact, for a fast ``json.load``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from summarize.headline.extractive.candidates import Article, Candidate
from summarize.headline.extractive.grams import CandidateGrams
from summarize.text.ngrams import bigram_codes, contains_codes, lookup_codes, pair_codes

BIGRAMS_FILE = "bigrams.json"
MIN_ARTICLES = 3
SMOOTHING = 5.0  # pseudo-articles at the prior salience
TOP_SALIENT = 10  # the article's most salient bigrams a candidate's salience is compared with
KEYWORDS = 12  # the article's top TF-IDF bigrams

BIGRAM_FEATURES = (
    "salience_mean", "salience_max", "salience_sum", "salience_top_share", "salience_lift", "salience_gap",
    "idf_mean", "tfidf_density", "tfidf_keyword_coverage", "tfidf_gap",
)


@dataclass
class BigramStats:
    articles: int  # training articles counted
    counts: dict[str, tuple[int, int]]  # bigram -> (articles containing it, of those whose headline contains it)
    prior: float  # corpus-wide share of (article bigram, headline) hits
    min_articles: int = MIN_ARTICLES  # rarer bigrams were not kept; saved with the table, which was pruned by it
    # The table as sorted bigram codes with their two counts, made at the first lookup.
    _table: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def count(cls, pairs: Iterable[tuple[set[str], set[str]]], min_articles: int = MIN_ARTICLES) -> BigramStats:
        """From each training pair's (article bigrams, headline bigrams found in the article)."""
        in_articles: Counter = Counter()
        in_headlines: Counter = Counter()
        n = 0
        for article, headline in pairs:
            in_articles.update(article)
            in_headlines.update(headline & article)
            n += 1
        total = sum(in_articles.values())
        prior = sum(in_headlines.values()) / total if total else 0.0
        kept = {g: (a, in_headlines[g]) for g, a in in_articles.items() if a >= min_articles}
        return cls(n, kept, prior, min_articles)

    # --- the model folder ------------------------------------------------------------

    def save(self, folder: str | Path) -> None:
        from summarize.io.atomic import atomic_write_json

        grams = sorted(self.counts)
        # Compact (no indent) and the bigrams as one string: a bundled model loads this on every cold start.
        atomic_write_json(Path(folder) / BIGRAMS_FILE, {
            "articles": self.articles, "min_articles": self.min_articles, "prior": self.prior, "bigrams": "".join(grams),
            "article_counts": [self.counts[g][0] for g in grams],
            "headline_counts": [self.counts[g][1] for g in grams]}, indent=None)

    @classmethod
    def load(cls, folder: str | Path) -> BigramStats:
        """Raises OSError or ValueError (the caller names the folder) for a missing or malformed file."""
        data = json.loads((Path(folder) / BIGRAMS_FILE).read_text(encoding="utf-8"))
        try:
            joined, a, h = data["bigrams"], data["article_counts"], data["headline_counts"]
            grams = [joined[i:i + 2] for i in range(0, len(joined), 2)]
            if not isinstance(joined, str) or len(joined) % 2 or not len(grams) == len(a) == len(h):
                raise ValueError(f"{BIGRAMS_FILE}: malformed (bigrams and counts do not match)")
            return cls(int(data["articles"]), dict(zip(grams, zip(a, h))), float(data["prior"]), int(data["min_articles"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{BIGRAMS_FILE}: malformed ({exc!r})") from None

    # --- features ----------------------------------------------------------------------

    def features(self, article: Article, candidates: Sequence[Candidate],
                 exclude: tuple[set[str], set[str]] | None = None, index: CandidateGrams | None = None) -> np.ndarray:
        """``BIGRAM_FEATURES`` of each candidate; ``exclude``: this article's own (bigrams, headline bigrams);
        ``index``: the candidates' bigrams, when the caller has it already."""
        out = np.zeros((len(candidates), len(BIGRAM_FEATURES)), dtype=np.float32)
        if not candidates:
            return out
        index = index if index is not None else CandidateGrams.of(candidates)
        left_out = None if exclude is None else (pair_codes(sorted(exclude[0])), pair_codes(sorted(exclude[1])))
        # The article's distinct bigrams, their counts, and where each is first met.
        found, first_seen, tf = np.unique(bigram_codes([article.text])[0], return_index=True, return_counts=True)
        salience, idf, _ = self.values(found, left_out)
        top_salient = sum(np.sort(salience)[::-1][:TOP_SALIENT].tolist()) or 1.0
        weight = tf * idf
        # The top TF-IDF bigrams; ties go to the one met first (a stable sort over the article in order).
        keywords = found[np.lexsort((first_seen, -weight))[:KEYWORDS]]
        if not len(index.codes):
            return out
        # The same for the candidates' bigrams (a compression can join two clauses into one the article lacks).
        salience, idf, lift = self.values(index.codes, left_out)
        n = np.maximum(index.counts, 1)
        total = index.sums(salience, unique=True)
        out[:, 0] = index.sums(salience) / n
        out[:, 1] = index.maxima(salience)
        out[:, 2] = total
        out[:, 3] = total / top_salient
        out[:, 4] = index.sums(lift) / n
        out[:, 6] = index.sums(idf) / n
        out[:, 7] = index.sums(index.take(found, weight), unique=True) / np.array([len(c.text) for c in candidates])
        if len(keywords):
            out[:, 8] = index.sums(index.member(keywords), unique=True) / len(keywords)
        out[index.counts == 0] = 0.0  # a candidate without bigrams has no statistics
        # As in ``features``: how far each candidate is from the article's best.
        out[:, 5] = out[:, 2].max() - out[:, 2]
        out[:, 9] = out[:, 7].max() - out[:, 7]
        return out

    def values(self, codes: np.ndarray, left_out: tuple[np.ndarray, np.ndarray] | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(salience, idf, log-lift over the prior) of each bigram code; ``left_out``: one training article's
        own (bigram codes, headline bigram codes), whose counts are taken out."""
        if self._table is None:
            grams = sorted(self.counts)
            self._table = (pair_codes(grams), np.array([self.counts[g][0] for g in grams], dtype=np.int64),
                           np.array([self.counts[g][1] for g in grams], dtype=np.int64))
        table, in_articles, in_headlines = self._table
        a = lookup_codes(codes, table, in_articles)
        h = lookup_codes(codes, table, in_headlines)
        n = self.articles
        if left_out is not None:
            n -= 1
            mine = contains_codes(left_out[0], codes)
            a, h = a - mine, h - (mine & contains_codes(left_out[1], codes))
        rare = a < self.min_articles  # as if never counted, the rule the saved (pruned) table applies
        a, h = np.where(rare, 0, a), np.where(rare, 0, h)
        salience = (h + SMOOTHING * self.prior) / (a + SMOOTHING)
        lift = np.log(salience / self.prior) if self.prior > 0 else np.zeros(len(codes))
        return salience, np.log((n + 1) / (a + 1)), lift
