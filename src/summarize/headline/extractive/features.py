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

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarize.config.sections import help_field as _help
from summarize.headline.extractive.candidates import Article, Candidate
from summarize.headline.extractive.grams import CandidateGrams
from summarize.headline.lead import _CONNECTIVE
from summarize.text.ngrams import bigram_codes, lookup_codes

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN = re.compile(r"[A-Za-z]{2,}")
_QUOTED = re.compile(r"[“《「『\"]")
_BYLINE = re.compile(r"记者|本报|通讯员|编辑|报道|摄影?$|来源")
_CJK_RUNS = re.compile(r"[\u4e00-\u9fff]+")

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


# The features computed per candidate in plain Python, in the order candidate_features makes them.
_PLAIN = ("sentence", "clause", "clauses", "offset", "offset_rel", "chars", "budget_share", "span_chars",
          "compressed", "cut", "whole_sentence", "numbers", "number_share", "percent", "quoted", "latin",
          "connective", "byline", "cjk_share", "is_lead", "colon")


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, 0 where den is 0."""
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _overlaps(index: CandidateGrams, codes: np.ndarray, distinct: np.ndarray) -> np.ndarray:
    """Dice overlap of each candidate's distinct bigrams with the distinct bigram ``codes`` (0 when either
    side is empty)."""
    if not len(codes):
        return np.zeros(len(index))
    common = index.sums(index.member(codes), unique=True)
    return _ratio(2.0 * common, np.where(distinct > 0, distinct + len(codes), 0.0))


def _most_repeated(codes: np.ndarray, first_seen: np.ndarray, counts: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` most frequent bigram codes that occur at least twice; ties go to the one met first
    (as ``Counter.most_common`` over the article in order)."""
    top = np.lexsort((first_seen, -counts))[:k]
    return codes[top[counts[top] >= 2]]


def candidate_features(article: Article, candidates: Sequence[Candidate], lead: str,
                       settings: FeatureSettings, max_chars: int, index: CandidateGrams | None = None) -> np.ndarray:
    """The base feature matrix (rows: candidates, columns: ``BASE_FEATURES``).

    ``index``: the candidates' bigrams (``CandidateGrams.of(candidates)``), when the caller has it already.
    """
    n = len(candidates)
    if n == 0:
        return np.zeros((0, len(BASE_FEATURES)), dtype=np.float32)
    index = index if index is not None else CandidateGrams.of(candidates)
    # The article's bigrams within its sentences, as codes, with the sentence each is in.
    codes, owner = bigram_codes(article.sentences)
    found, first_seen, totals = np.unique(codes, return_index=True, return_counts=True)
    keywords = _most_repeated(found, first_seen, totals, settings.keywords)
    article_numbers = set(_NUMBER.findall(article.text))
    lead_codes = np.unique(bigram_codes([lead])[0])
    first_codes = np.unique(codes[owner == 0])
    length = max(1, len(article.text))
    out = np.zeros((n, len(BASE_FEATURES)), dtype=np.float32)
    col = {name: i for i, name in enumerate(BASE_FEATURES)}

    # What needs no bigrams: one plain tuple per candidate.
    plain = np.array([(
        cand.sentence, cand.clause, cand.clauses, cand.offset, cand.offset / length, len(cand.text),
        len(cand.text) / max_chars, cand.span_chars, cand.compressed, cand.cut, cand.whole_sentence,
        len(numbers := _NUMBER.findall(cand.text)),
        len(article_numbers.intersection(numbers)) / len(article_numbers) if article_numbers else 0.0,
        "%" in cand.text or "％" in cand.text or "百分之" in cand.text,
        _QUOTED.search(cand.text) is not None, len(_LATIN.findall(cand.text)),
        _CONNECTIVE.match(cand.text) is not None, _BYLINE.search(cand.text) is not None,
        (len(cand.text) - len(_CJK_RUNS.sub("", cand.text))) / len(cand.text),
        cand.text == lead, "：" in cand.text or ":" in cand.text,
    ) for cand in candidates], dtype=np.float64)
    out[:, [col[c] for c in _PLAIN]] = plain
    out[:, col["article_chars"]] = len(article.text)
    out[:, col["sentences"]] = len(article.sentences)

    # The bigram features, summed per candidate with numpy over the shared index.
    grams = index.counts.astype(np.float64)
    distinct = index.unique_counts.astype(np.float64)
    chars = out[:, col["chars"]].astype(np.float64)
    # Each bigram's count outside the candidate's own sentence: one row per sentence that has candidates.
    used = sorted({cand.sentence for cand in candidates})
    local = np.full(len(article.sentences), -1, dtype=np.int64)
    local[used] = np.arange(len(used))
    groups = local[[cand.sentence for cand in candidates]]
    width = len(index.codes)
    mine = local[owner] >= 0  # the bigrams of those sentences, and where each is in the index (-1: not there)
    at = lookup_codes(codes[mine], index.codes, np.arange(width), default=-1)
    own = np.bincount(local[owner[mine]][at >= 0] * width + at[at >= 0], minlength=len(used) * width)
    elsewhere = index.take(found, totals)[None, :] - own.reshape(len(used), width)
    rest = np.log1p(elsewhere)
    out[:, col["centrality"]] = _ratio(index.sums((elsewhere > 0).astype(np.float64), unique=True, groups=groups),
                                       distinct)
    out[:, col["tf_centrality"]] = _ratio(index.sums(rest, groups=groups), grams)
    if len(keywords):
        member = index.member(keywords)
        out[:, col["keyword_coverage"]] = index.sums(member, unique=True) / len(keywords)
        out[:, col["keyword_density"]] = index.sums(member) / np.maximum(1.0, chars)
    out[:, col["lead_overlap"]] = _overlaps(index, lead_codes, distinct)
    first = _overlaps(index, first_codes, distinct)
    out[:, col["first_sentence_overlap"]] = np.where(out[:, col["sentence"]] > 0, first, 1.0)
    # Within-article comparisons: the ranker sees how far each candidate is from the article's best.
    for src, dst in (("centrality", "centrality_gap"), ("tf_centrality", "tf_centrality_gap"),
                     ("keyword_coverage", "keyword_gap")):
        out[:, col[dst]] = out[:, col[src]].max() - out[:, col[src]]
    out[:, col["chars_rank"]] = np.argsort(np.argsort(-out[:, col["chars"]], kind="stable"), kind="stable") / n
    return out
