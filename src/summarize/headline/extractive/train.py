"""Train an extractive headline model: ``summarize train configs/extractive.yaml [k=v ...] --output-dir RUN``.

For every (article, headline) pair of ``data.train`` the article's candidates
are made, featurized, and scored with char ROUGE against the headline (the
learning target); LightGBM's lambdarank (LambdaMART) then learns to put each
article's best candidates first. Why LambdaMART: the task is choosing one
candidate per article, a ranking problem; it optimizes the order within an
article (NDCG) directly, handles unscaled, mixed features without tuning, and
trains on a million candidates in a minute on two cores; LightGBM is a
maintained, widely used library that saves a plain-text model.

The run folder, as for seq2seq runs::

    RUN/config.yaml              the resolved config
    RUN/model/                   extractive.json, ranker.txt, bigrams.json (``summarize.headline.extractive.model``)
    RUN/metrics.json             per dev file: char ROUGE-1/2/L of the model, lead-v1 and the candidate oracle
    RUN/dev_predictions.jsonl    dev set, id, prediction, reference (from the saved model, reloaded)
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from summarize.config import to_dict
from summarize.headline.extractive.bigrams import BIGRAMS_FILE, BigramStats
from summarize.headline.extractive.candidates import Article, CandidateSettings, make_candidates, prepare_article
from summarize.headline.extractive.config import ExtractiveConfig, as_list
from summarize.headline.extractive.features import candidate_features, feature_names
from summarize.headline.extractive.grams import CandidateGrams
from summarize.headline.extractive.model import (
    RANKER_FILE,
    ExtractiveGenerator,
    progress_bar,
    write_meta,
)
from summarize.headline.dataset import Pair, read_pairs
from summarize.io.digest import file_sha256
from summarize.headline.lead import lead_headline
from summarize.training.result import TrainResult
from summarize.io import InputError, atomic_write_json, atomic_write_jsonl
from summarize.text.ngrams import char_bigrams

log = logging.getLogger("summarize")

RUN_OUTPUTS = ("model", "metrics.json", "dev_predictions.jsonl")


def candidate_scores(texts: list[str], reference: str, target: str) -> np.ndarray:
    """Each candidate's char ROUGE F (x100) against the reference: ROUGE-L, or the mean of 1/2/L."""
    from summarize.metrics.rouge import score_table

    if not texts:
        return np.zeros(0)
    table = score_table(texts, [reference] * len(texts), word_level=False).levels["char"]
    return table[:, 6] if target == "rougeL" else table[:, [0, 3, 6]].mean(axis=1)


def own_bigrams(article: Article, title: str) -> tuple[set[str], set[str]]:
    """A training pair's (article bigrams, headline bigrams): what it adds to the statistics, and leaves out."""
    return set(char_bigrams(article.text)), set(char_bigrams(title))


def count_bigrams(pairs: list[Pair], settings: CandidateSettings) -> BigramStats:
    """The archive's bigram statistics, streamed: no article is kept, so a large archive fits in memory."""
    return BigramStats.count(own_bigrams(prepare_article(p.text, settings), p.title) for p in pairs)


def build_training_set(cfg: ExtractiveConfig, pairs: list[Pair], encoder: Any = None, progress: bool = False
                       ) -> tuple[np.ndarray, np.ndarray, list[int], int, BigramStats | None]:
    """(features, ROUGE targets, group sizes, articles without a usable candidate, bigram statistics)."""
    blocks, targets, groups, unusable = [], [], [], 0
    settings, feats = cfg.candidates, cfg.features
    stats = count_bigrams(pairs, settings) if feats.bigram_stats else None
    batch = 64
    bar = progress_bar(progress, len(pairs), "candidates")
    for start in range(0, len(pairs), batch):
        chunk = pairs[start:start + batch]
        articles = [prepare_article(p.text, settings) for p in chunk]
        cands = [make_candidates(a, settings) for a in articles]
        extra = None
        if encoder is not None:
            from summarize.headline.extractive.encoder import encoder_features

            extra = encoder_features(encoder, articles, cands, feats)
        for k, (pair, article, made) in enumerate(zip(chunk, articles, cands)):
            y = candidate_scores([c.text for c in made], pair.title, cfg.ranker.target)
            if not made or y.max() <= 0:
                unusable += 1  # nothing to learn from: every order is as good
                continue
            index = CandidateGrams.of(made)
            columns = [candidate_features(article, made, lead_headline(pair.text, settings.max_chars), feats,
                                          settings.max_chars, index)]
            if stats is not None:  # the pair's own headline must not vouch for its candidates
                columns.append(stats.features(article, made, exclude=own_bigrams(article, pair.title), index=index))
            if extra is not None:
                columns.append(extra[k])
            blocks.append(np.hstack(columns))
            targets.append(y)
            groups.append(len(made))
        bar(len(chunk))
    if not groups:
        return np.zeros((0, len(feature_names(feats)))), np.zeros(0), [], unusable, stats
    return np.vstack(blocks), np.concatenate(targets), groups, unusable, stats


def fit_ranker(cfg: ExtractiveConfig, x: np.ndarray, y: np.ndarray, groups: list[int], names: list[str]):
    """A LightGBM booster over the candidates (lambdarank on binned ROUGE, or regression on ROUGE)."""
    import lightgbm as lgb

    r = cfg.ranker
    params: dict[str, Any] = {
        "objective": r.objective, "learning_rate": r.learning_rate, "num_leaves": r.num_leaves,
        "min_data_in_leaf": r.min_data_in_leaf, "feature_fraction": r.feature_fraction,
        "num_threads": cfg.training.threads, "seed": cfg.training.seed, "deterministic": True,
        "force_row_wise": True, "verbosity": -1,
    }
    label = y
    if r.objective == "lambdarank":
        # Grades 0..levels from ROUGE x100, gains linear in the grade: choosing a
        # candidate 10 points better counts the same at every score level.
        label = np.clip(np.rint(y / 100.0 * r.label_levels), 0, r.label_levels).astype(np.int32)
        params.update(label_gain=list(range(r.label_levels + 1)), lambdarank_truncation_level=10,
                      eval_at=[1])
    data = lgb.Dataset(x, label=label, group=groups if r.objective == "lambdarank" else None,
                       feature_name=names, free_raw_data=True)
    return lgb.train(params, data, num_boost_round=r.trees)


def train(config: ExtractiveConfig, output_dir: str | os.PathLike | None = None, *, overwrite: bool = False) -> TrainResult:
    """Train, save and score an extractive model; see the module docstring for the outputs.

    As for seq2seq runs, the data is read before the run folder is touched, the folder is locked
    while training, and an earlier run in it is replaced only with ``overwrite``.
    """
    from summarize.config import save_config
    from summarize.training.rundir import CONFIG_NAME, guard_outputs, locked_run_dir

    cfg = config
    if output_dir is not None:
        cfg = dataclasses.replace(cfg, training=dataclasses.replace(cfg.training, output_dir=str(output_dir)))
    run_dir = Path(cfg.training.output_dir)
    d = cfg.data
    train_files, dev_files = as_list(d.train), as_list(d.dev)
    pairs = [p for f in train_files for p in read_pairs(f, d.text_field, d.title_field, d.max_train_samples)]
    dev_sets = {f: read_pairs(f, d.text_field, d.title_field, d.max_dev_samples) for f in dev_files}
    encoder = None
    if cfg.features.encoder:  # a mistyped encoder path fails here, before the run folder is touched
        from summarize.headline.extractive.encoder import load_encoder

        encoder = load_encoder(cfg.features.encoder, threads=cfg.training.threads)
    with locked_run_dir(run_dir, resume=False, overwrite=overwrite):
        guard_outputs(run_dir, RUN_OUTPUTS, resume=False, overwrite=overwrite, inputs=(*train_files, *dev_files))
        run_dir.mkdir(parents=True, exist_ok=True)
        save_config(cfg, run_dir / CONFIG_NAME)
        return _train_in(cfg, run_dir, pairs, dev_sets, train_files, encoder)


def _train_in(cfg: ExtractiveConfig, run_dir: Path, pairs, dev_sets, train_files, encoder) -> TrainResult:
    show = logging.getLogger("summarize").isEnabledFor(logging.INFO)
    names = feature_names(cfg.features)

    started = time.perf_counter()
    x, y, groups, unusable, bigrams = build_training_set(cfg, pairs, encoder, progress=show)
    if not groups:
        raise InputError(f"{', '.join(train_files)}: no usable training pairs: none of {len(pairs)} articles has a "
                         "candidate headline sharing a character with its reference (check data.text_field / "
                         "data.title_field)")
    features_s = time.perf_counter() - started
    log.info("training data: %d articles, %d candidates (%d articles skipped: no candidate overlaps the reference)",
             len(groups), len(y), unusable)
    booster = fit_ranker(cfg, x, y, groups, names)
    fit_s = time.perf_counter() - started - features_s

    model_dir = run_dir / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(model_dir / RANKER_FILE))
    if bigrams is not None:
        bigrams.save(model_dir)
    meta = {
        "name": cfg.name,
        "candidates": to_dict(cfg.candidates),
        "features": to_dict(cfg.features),
        "feature_names": names,
        "train_data": [{"file": Path(f).name, "sha256": file_sha256(f)} for f in train_files],
        "train_articles": len(groups),
        "ranker": {"library": "lightgbm", "version": _lightgbm_version(), **to_dict(cfg.ranker)},
    }
    if bigrams is not None:
        meta["bigrams"] = {"file": BIGRAMS_FILE, "articles": bigrams.articles, "kept": len(bigrams.counts)}
    write_meta(model_dir, meta)

    # Dev scores come from the saved folder, loaded the way a user loads it.
    generator = ExtractiveGenerator.from_pretrained(model_dir)
    dev_scores, rows = {}, []
    for path, dev_pairs in dev_sets.items():
        scores, preds = score_dev(generator, dev_pairs, show)
        dev_scores[Path(path).name] = scores
        rows += [{"set": Path(path).name, "id": p.id, "prediction": pred, "reference": p.title}
                 for p, pred in zip(dev_pairs, preds)]
        log.info("dev %s: char ROUGE-1/2/L %.2f / %.2f / %.2f (lead-v1 R-L %.2f, oracle R-L %.2f)", Path(path).name,
                 scores["rouge1"], scores["rouge2"], scores["rougeL"], scores["lead_v1"]["rougeL"],
                 scores["oracle"]["rougeL"])
    write_meta(model_dir, {**meta, "dev": dev_scores})
    metrics = {
        "dev": dev_scores,
        "train_files": meta["train_data"],
        "train_articles": len(groups),
        "train_articles_skipped": unusable,
        "train_candidates": len(y),
        "features_s": round(features_s, 2),
        "fit_s": round(fit_s, 2),
        "train_runtime_s": round(time.perf_counter() - started, 2),
        "threads": cfg.training.threads,
        "metric": "char-level ROUGE F x100 (summarize.metrics.rouge, ROUGE-1.5.5 counting) of the chosen "
                  "candidates vs the raw dev references; oracle: the best candidate per article",
    }
    atomic_write_json(run_dir / "metrics.json", metrics)
    if rows:
        atomic_write_jsonl(run_dir / "dev_predictions.jsonl", rows)
    log.info("model saved to %s; metrics in %s", model_dir, run_dir / "metrics.json")
    return TrainResult(output_dir=run_dir, model_dir=model_dir, metrics=metrics)


def score_dev(generator: ExtractiveGenerator, pairs: list[Pair], progress: bool = False) -> tuple[dict, list[str]]:
    """Char ROUGE-1/2/L of the model on ``pairs``, beside lead-v1 and the candidate oracle."""
    from summarize.metrics.rouge import rouge_scores

    texts, refs = [p.text for p in pairs], [p.title for p in pairs]
    results = generator.generate(texts, progress=progress)
    assert isinstance(results, list)  # a list of texts gets a list back
    preds = [r.headline for r in results]
    limit = generator.max_chars
    lead = [lead_headline(t, limit) for t in texts]
    settings = dataclasses.replace(generator.candidates, max_chars=limit)
    oracle = []
    for text, ref in zip(texts, refs):
        made = [c.text for c in make_candidates(prepare_article(text, settings), settings)]
        y = candidate_scores(made, ref, "rougeL")
        oracle.append(made[int(np.argmax(y))] if made else "")

    def f(predictions: list[str]) -> dict[str, float]:
        char = rouge_scores(predictions, refs, word_level=False, bootstrap=0)["char"]
        return {m: round(char[m]["f"], 4) for m in ("rouge1", "rouge2", "rougeL")}

    return {**f(preds), "n": len(pairs), "lead_v1": f(lead), "oracle": f(oracle)}, preds


def _lightgbm_version() -> str:
    import lightgbm

    return lightgbm.__version__
