"""A trained extractive headline model: its folder, and the generator that uses it.

    from summarize import HeadlineGenerator
    gen = HeadlineGenerator.from_pretrained("runs/extractive/model")   # dispatches here
    best = gen.generate(article, num_return_sequences=3)
    best.headline, best.method ("extractive:<name>"), best.score, best.warnings, best.alternatives

The folder holds:

    extractive.json   format name and version, model name, candidate and feature settings,
                      the feature names in column order, the training files' content hashes,
                      the dev scores
    ranker.txt        the LightGBM ranker in its own text format (lightgbm.Booster(model_file=...)
                      loads it; inference here reads it with numpy, see ``trees``)
    bigrams.json      the training archive's bigram statistics (``bigrams``), when
                      ``features.bigram_stats`` is on (format version 2; version 1 had none)

A folder of a newer format version, without its ranker, or whose features do
not match what this code computes, is a one-line error naming the folder.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from summarize.headline.extractive import META_FILE, is_extractive_folder  # noqa: F401  (re-exported)
from summarize.headline.extractive.bigrams import BIGRAMS_FILE, BigramStats
from summarize.headline.extractive.candidates import (
    Candidate,
    CandidateSettings,
    fallback_headline,
    make_candidates,
    prepare_article,
)
from summarize.headline.extractive.grams import CandidateGrams
from summarize.headline.extractive.features import (
    FeatureSettings,
    candidate_features,
    feature_names,
)
from summarize.headline.faithfulness import faithfulness_warnings
from summarize.headline.generator import HeadlineResult
from summarize.headline.lead import NO_WORDS_WARNING, has_words, lead_headline
from summarize.headline.models import ModelLoadError

FORMAT = "summarize-extractive"
FORMAT_VERSION = 2  # 2: bigram statistics (bigrams.json); version-1 folders still load
RANKER_FILE = "ranker.txt"
NO_CANDIDATE = "no usable candidate headline in the article; fell back to its start"
CHUNK = 64  # articles scored together: one forest pass over many articles' candidates costs about as much as one
# A job of more articles than this uses LightGBM's own predictor for every chunk: per row it is
# about 4x as fast as numpy's walk (18 vs 80 us), so its one-second import is repaid after about
# 500 articles of 30-40 candidates.
LONG_JOB = 8 * CHUNK


def read_meta(folder: Path) -> dict:
    """The folder's ``extractive.json``, checked: format, version, ranker file present."""
    meta_path = folder / META_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{folder}: unreadable {META_FILE} ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelLoadError(f"{folder}: {META_FILE} is not an extractive headline model (format {meta.get('format')!r})")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelLoadError(f"{folder}: model format version {version} is newer than this summarize reads "
                             f"({FORMAT_VERSION}); upgrade summarize")
    if not (folder / RANKER_FILE).is_file():
        raise ModelLoadError(f"{folder}: the ranker file {RANKER_FILE} is missing")
    return meta


def write_meta(folder: Path, meta: dict) -> None:
    from summarize.io.atomic import atomic_write_json

    atomic_write_json(folder / META_FILE, {"format": FORMAT, "format_version": FORMAT_VERSION, **meta})


class ExtractiveGenerator:
    """Ranks an article's candidate headlines with a trained forest; the ``HeadlineGenerator`` interface."""

    def __init__(self, forest, name: str, candidates: CandidateSettings, features: FeatureSettings,
                 encoder: Any = None, meta: dict | None = None, max_chars: int | None = None,
                 bigrams: BigramStats | None = None):
        if features.bigram_stats and bigrams is None:
            raise ValueError("features.bigram_stats is on but no BigramStats were given")
        self.forest = forest
        self.bigrams = bigrams
        self.name = name
        self.method = f"extractive:{name}"
        self.candidates = candidates
        self.features = features
        self.encoder = encoder
        self.meta = meta or {}
        self.max_chars = max_chars or candidates.max_chars

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike, *, config: Any = None, overrides: Sequence[str] = (),
                        device: Any = None) -> ExtractiveGenerator:
        """Load a model folder. ``generation.max_chars`` from ``config``/``overrides`` sets the budget."""
        from summarize.config import build
        from summarize.headline.extractive.trees import Forest

        folder = Path(folder)
        meta = read_meta(folder)
        errors: list[str] = []
        try:
            cand = build(CandidateSettings, meta.get("candidates") or {}, f"{folder}/{META_FILE}")
            features = dict(meta.get("features") or {})
            if meta["format_version"] < 2:  # version 1 predates bigram statistics
                features.setdefault("bigram_stats", False)
            feats = build(FeatureSettings, features, f"{folder}/{META_FILE}")
        except ValueError as exc:
            raise ModelLoadError(f"{folder}: bad settings in {META_FILE}: {exc}".replace("\n", "; ")) from None
        try:
            forest = Forest.from_file(folder / RANKER_FILE)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"{folder}: unreadable {RANKER_FILE} ({exc})") from None
        bigrams = None
        if feats.bigram_stats:
            try:
                bigrams = BigramStats.load(folder)
            except (OSError, ValueError) as exc:
                raise ModelLoadError(f"{folder}: unreadable {BIGRAMS_FILE} ({exc})") from None
        expected = feature_names(feats)
        for label, names in (("ranker", forest.feature_names), (META_FILE, meta.get("feature_names"))):
            if names != expected:
                errors.append(f"{label} has features {_diff(names, expected)}")
        if errors:
            raise ModelLoadError(f"{folder}: feature mismatch ({'; '.join(errors)}); retrain the model "
                                 "with this version of summarize")
        max_chars = None
        if config is not None or overrides:
            from summarize.headline.config import GenerationSection
            from summarize.headline.generator import generation_settings

            max_chars = generation_settings(GenerationSection(max_chars=cand.max_chars), config, overrides).max_chars
        encoder = None
        if feats.encoder:
            from summarize.headline.extractive.encoder import load_encoder

            encoder = load_encoder(feats.encoder, folder=folder, device=device)
        return cls(forest, str(meta.get("name") or folder.name), cand, feats, encoder, meta, max_chars, bigrams)

    # --- the HeadlineGenerator interface ------------------------------------------

    def generate(self, texts: str | Sequence[str], *, max_chars: int | None = None, num_return_sequences: int = 1,
                 progress: bool | Callable[[int], Any] = False, **_ignored) -> HeadlineResult | list[HeadlineResult]:
        """One result per article: the best candidate, with the next ``num_return_sequences - 1`` as alternatives.

        Decoding options of seq2seq models (beams, ...) do not apply and are ignored.
        """
        single = isinstance(texts, str)
        items = [texts] if isinstance(texts, str) else list(texts)
        for i, text in enumerate(items):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"article {i}: expected non-empty text, got {text!r:.40}")
        if num_return_sequences < 1:
            raise ValueError(f"num_return_sequences must be >= 1, got {num_return_sequences}")
        limit = max_chars if max_chars is not None else self.max_chars
        if limit < 1:
            raise ValueError(f"max_chars must be >= 1, got {limit}")
        settings = dataclasses.replace(self.candidates, max_chars=limit,
                                       min_chars=min(self.candidates.min_chars, limit))
        bar = progress_bar(progress, len(items))
        results = []
        many = len(items) > LONG_JOB
        # A long job scores chunk k in a second thread while this one makes chunk k + 1's features:
        # LightGBM's predictor lets go of the GIL, so on two cores the forest costs (almost) nothing.
        pool = ThreadPoolExecutor(1, thread_name_prefix="summarize-ranker") if many else None
        try:
            pending = None
            for start in range(0, len(items) + CHUNK, CHUNK):
                chunk = items[start:start + CHUNK]
                made, x = self.featurize(chunk, settings) if chunk else ([], None)
                scored = None
                if x is not None:
                    scored = pool.submit(self.forest.predict, x, many=True) if pool else self.forest.predict(x)
                if pending is not None:
                    results.extend(self._results(*pending, limit, num_return_sequences))
                    bar(len(pending[0]))
                pending = (chunk, made, scored) if chunk else None
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        return results[0] if single else results

    def featurize(self, texts: Sequence[str], settings: CandidateSettings) -> tuple[list[list[Candidate]], np.ndarray | None]:
        """Each article's candidates, and the feature rows of all of them (None when there are none)."""
        blocks, made = [], []
        articles = [prepare_article(t, settings) for t in texts]
        for text, article in zip(texts, articles):
            cands = make_candidates(article, settings)
            lead = lead_headline(text, settings.max_chars)
            index = CandidateGrams.of(cands)  # shared by both kinds of bigram features
            x = candidate_features(article, cands, lead, self.features, settings.max_chars, index)
            if self.bigrams is not None:
                x = np.hstack([x, self.bigrams.features(article, cands, index=index)])
            blocks.append(x)
            made.append(cands)
        if self.encoder is not None:
            from summarize.headline.extractive.encoder import encoder_features

            extra = encoder_features(self.encoder, articles, made, self.features)
            blocks = [np.hstack([b, e]) for b, e in zip(blocks, extra)]
        if not any(len(c) for c in made):
            return made, None
        return made, np.vstack([b for b in blocks if len(b)])

    def _results(self, texts: Sequence[str], made: list[list[Candidate]], scored: Future | np.ndarray | None,
                 limit: int, n: int) -> list[HeadlineResult]:
        scores = scored.result() if isinstance(scored, Future) else scored
        if scores is None:  # no article of the chunk had a candidate
            scores = np.zeros(0)
        out, at = [], 0
        for text, cands in zip(texts, made):
            k = len(cands)
            out.append(self._result(text, cands, scores[at:at + k], limit, n))
            at += k
        return out

    def _result(self, text: str, cands: list[Candidate], scores: np.ndarray, limit: int, n: int) -> HeadlineResult:
        if not cands:
            if not has_words(text):  # punctuation alone is no headline, whatever the method (as lead-v1)
                return HeadlineResult("", self.method, None, 0, (NO_WORDS_WARNING,))
            headline = fallback_headline(text, limit)
            return HeadlineResult(headline, self.method, None, 0, (NO_CANDIDATE, *faithfulness_warnings(headline, text)))
        order = np.argsort(-scores, kind="stable")[:n]
        made = [HeadlineResult(cands[i].text, self.method, float(scores[i]), 0,
                               tuple(faithfulness_warnings(cands[i].text, text))) for i in order]
        return dataclasses.replace(made[0], alternatives=tuple(made[1:]))


def _diff(got: Any, expected: list[str]) -> str:
    if not isinstance(got, list):
        return f"{got!r}, expected a list of {len(expected)} names"
    missing = [n for n in expected if n not in got]
    extra = [n for n in got if n not in expected]
    if missing or extra:
        return f"missing {missing[:5]}, unexpected {extra[:5]}"
    return "in another order"


def progress_bar(progress: Any, total: int, desc: str = "headlines") -> Callable[[int], Any]:
    """``progress``: False (nothing), True (a tqdm bar on stderr counting articles) or a caller's callable."""
    if callable(progress):
        return progress
    if not progress:
        return lambda k: None
    import sys

    from tqdm import tqdm

    bar = tqdm(total=total, unit="article", desc=desc, file=sys.stderr, leave=False)
    return bar.update
