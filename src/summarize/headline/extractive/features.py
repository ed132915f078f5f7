"""Features of each candidate headline, one row per candidate, for the ranker.

    from summarize.headline.extractive.features import FeatureSettings, candidate_features, FEATURE_NAMES
    X = candidate_features(article, candidates, lead, settings)     # (len(candidates), len(names)) float32

What an editor weighs, made measurable without a model:
- position: sentence and clause index, character offset (absolute and relative);
- length: characters, clauses, share of the budget, what compression and cutting removed;
- centrality: the share of the candidate's character bigrams found elsewhere in the
  article, and their mean in-article frequency (a TF centrality over the article);
- key words: coverage of the article's most repeated bigrams;
- entities and numbers: digits, percentages, quoted names (《》“”), Latin words,
  and the share of the article's numbers the candidate carries;
- the ``lead-v1`` choice: bigram overlap with ``lead-v1``'s headline, and whether it is that headline;
- article context (length, sentences) and each value relative to the article's best
  (so a ranker compares candidates within an article, not across articles).

Learned bigram statistics (``summarize.headline.extractive.bigrams``: salience and IDF over
the training archive) and optional encoder features (``summarize.headline.extractive.encoder``)
are appended as extra columns.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarize.config.sections import help_field as _help
from summarize.headline.extractive.candidates import Article, Candidate
from summarize.headline.lead import _CONNECTIVE
from summarize.text.ngrams import char_bigrams

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN = re.compile(r"[A-Za-z]{2,}")
_QUOTED = re.compile(r"[“《「『\"]")
_BYLINE = re.compile(r"记者|本报|通讯员|编辑|报道|摄影?$|来源")
_CJK = re.compile(r"[\u4e00-\u9fff]")

BASE_FEATURES = (
    "sentence", "clause", "clauses", "offset", "offset_rel", "chars", "budget_share", "span_chars",
    "compressed", "cut", "whole_sentence", "centrality", "tf_centrality", "keyword_coverage",
    "keyword_density", "numbers", "number_share", "percent", "quoted", "latin", "connective", "byline",
    "cjk_share", "lead_overlap", "is_lead", "first_sentence_overlap", "article_chars", "sentences",
    "centrality_gap", "tf_centrality_gap", "keyword_gap", "chars_rank", "colon",
)


@dataclass
class FeatureSettings:
    """Which features are computed (the ``features`` section of an extractive config)."""

    keywords: int = _help("how many of the article's most repeated bigrams count as its key words", default=12)
    bigram_stats: bool = _help(
        "learn from the training pairs how often each character bigram of an article makes its headline "
        "(salience) and how rare it is across articles (IDF); saved as bigrams.json with the model", default=True)
    encoder: str | None = _help(
        "sentence encoder for similarity features: a hub id (intfloat/multilingual-e5-small) or a local "
        "folder; null: no encoder, no torch", default=None)
    encoder_max_tokens: int = _help("article tokens the encoder reads (the lead is kept)", default=512)
    encoder_batch_size: int = _help("articles per encoder forward pass", default=16)

    def check(self) -> list[str]:
        errors = []
        if self.keywords < 1:
            errors.append(f"keywords must be >= 1, got {self.keywords}")
        if self.encoder_max_tokens < 8:
            errors.append(f"encoder_max_tokens must be >= 8, got {self.encoder_max_tokens}")
        if self.encoder_batch_size < 1:
            errors.append(f"encoder_batch_size must be >= 1, got {self.encoder_batch_size}")
        return errors


def feature_names(settings: FeatureSettings) -> list[str]:
    """Column names in order: the base features, then the bigram statistics, then the encoder's."""
    from summarize.headline.extractive.bigrams import BIGRAM_FEATURES
    from summarize.headline.extractive.encoder import ENCODER_FEATURES

    return (list(BASE_FEATURES) + (list(BIGRAM_FEATURES) if settings.bigram_stats else [])
            + (list(ENCODER_FEATURES) if settings.encoder else []))


def _overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    common = len(a & b)
    return 2.0 * common / (len(a) + len(b))


def candidate_features(article: Article, candidates: Sequence[Candidate], lead: str,
                       settings: FeatureSettings, max_chars: int) -> np.ndarray:
    """The base feature matrix (rows: candidates, columns: ``BASE_FEATURES``)."""
    n = len(candidates)
    out = np.zeros((n, len(BASE_FEATURES)), dtype=np.float32)
    if n == 0:
        return out
    per_sentence = [Counter(char_bigrams(s)) for s in article.sentences]
    total: Counter = Counter()
    for counts in per_sentence:
        total.update(counts)
    keywords = {g for g, c in total.most_common(settings.keywords) if c >= 2}
    article_numbers = set(_NUMBER.findall(article.text))
    lead_grams = set(char_bigrams(lead))
    first_grams = set(per_sentence[0]) if per_sentence else set()
    length = max(1, len(article.text))
    for row, cand in enumerate(candidates):
        grams = char_bigrams(cand.text)
        unique = set(grams)
        own = per_sentence[cand.sentence]
        elsewhere = [g for g in unique if total[g] - own[g] > 0]
        numbers = _NUMBER.findall(cand.text)
        out[row] = (
            cand.sentence, cand.clause, cand.clauses, cand.offset, cand.offset / length, len(cand.text),
            len(cand.text) / max_chars, cand.span_chars, cand.compressed, cand.cut, cand.whole_sentence,
            len(elsewhere) / len(unique) if unique else 0.0,
            sum(math.log1p(total[g] - own[g]) for g in grams) / len(grams) if grams else 0.0,
            len(unique & keywords) / len(keywords) if keywords else 0.0,
            sum(g in keywords for g in grams) / max(1, len(cand.text)),
            len(numbers), len(set(numbers) & article_numbers) / len(article_numbers) if article_numbers else 0.0,
            "%" in cand.text or "％" in cand.text or "百分之" in cand.text,
            bool(_QUOTED.search(cand.text)), len(_LATIN.findall(cand.text)),
            bool(_CONNECTIVE.match(cand.text)), bool(_BYLINE.search(cand.text)),
            len(_CJK.findall(cand.text)) / len(cand.text),
            _overlap(unique, lead_grams), cand.text == lead,
            _overlap(unique, first_grams) if cand.sentence else 1.0,
            len(article.text), len(article.sentences), 0.0, 0.0, 0.0, 0.0,
            "：" in cand.text or ":" in cand.text,
        )
    # Within-article comparisons: the ranker sees how far each candidate is from the article's best.
    col = {name: i for i, name in enumerate(BASE_FEATURES)}
    for src, dst in (("centrality", "centrality_gap"), ("tf_centrality", "tf_centrality_gap"),
                     ("keyword_coverage", "keyword_gap")):
        out[:, col[dst]] = out[:, col[src]].max() - out[:, col[src]]
    out[:, col["chars_rank"]] = np.argsort(np.argsort(-out[:, col["chars"]], kind="stable"), kind="stable") / n
    return out
