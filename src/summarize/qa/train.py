"""Fine-tune an extractive QA model from a ``task: qa`` config (``summarize qa train``).

Same engine as headline training (:mod:`summarize.training`): the same
TrainingArguments, precision rules, checkpoint/resume logic, callbacks and
distributed launch (``torchrun --nproc_per_node N -m summarize qa train CFG``
or ``accelerate launch -m summarize qa train CFG``). Dev is scored with the
official CMRC 2018 EM/F1 after each evaluation and the best checkpoint by F1 is
kept. The run folder gets ``model/`` (model + tokenizer, inference settings in
config.json), ``config.yaml``, ``metrics.json`` and ``dev_predictions.json``.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import torch

from summarize.io.atomic import atomic_write_json
from summarize.io.read import InputError
from summarize.pretrained.provenance import weights_provenance
from summarize.qa.config import QAConfig
from summarize.qa.data import AlignStats, QAExample, read_qa_file
from summarize.qa.decode import decode_windows
from summarize.qa.features import Windows, make_windows, train_features
from summarize.qa.reader import CONFIG_KEY

log = logging.getLogger("summarize")


class FeatureDataset(torch.utils.data.Dataset):
    """Column lists (``input_ids``, labels, ...) seen as one dict per window."""

    def __init__(self, columns: dict[str, list]):
        self.columns = columns
        self.n = len(columns["input_ids"])

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> dict:
        return {k: v[i] for k, v in self.columns.items()}


class Collator:
    """Pad a batch of windows to its longest one (multiple of 8 on GPU, for tensor cores)."""

    def __init__(self, pad_id: int, multiple: int = 1):
        self.pad_id = pad_id
        self.multiple = multiple

    def __call__(self, rows: list[dict]) -> dict:
        width = max(len(r["input_ids"]) for r in rows)
        width = -(-width // self.multiple) * self.multiple
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        batch = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in rows[0]:
            batch["token_type_ids"] = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            n = len(row["input_ids"])
            ids[i, :n] = torch.as_tensor(row["input_ids"])
            mask[i, :n] = 1
            if "token_type_ids" in batch:
                batch["token_type_ids"][i, :n] = torch.as_tensor(row["token_type_ids"])
        for key in ("start_positions", "end_positions"):
            if key in rows[0]:
                batch[key] = torch.as_tensor([r[key] for r in rows], dtype=torch.long)
        return batch


def load_model_and_tokenizer(cfg: QAConfig, train_examples: list[QAExample], run_dir: Path):
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    m = cfg.model
    if m.init == "scratch":
        from summarize.qa.scratch import build_scratch_model, build_scratch_tokenizer
        from summarize.training import is_main_process

        # Every rank builds the same model in memory (same vocabulary, same seed); only rank 0
        # writes the initial checkpoint, so ranks never race on the same files.
        texts = [t for ex in train_examples for t in (ex.context, ex.question)]
        tokenizer = build_scratch_tokenizer(texts, m.scratch.vocab_min_count)
        model = build_scratch_model(m.scratch, tokenizer, cfg.training.seed)
        if is_main_process():
            # Relative to the run folder, as for headline models, so --output-dir moves it too.
            folder = Path(m.name_or_path).expanduser()
            folder = folder if folder.is_absolute() else Path(run_dir) / folder
            folder.mkdir(parents=True, exist_ok=True)
            tokenizer.save_pretrained(folder)
            model.save_pretrained(folder)
        log.info("built a BertForQuestionAnswering from scratch: %d vocabulary entries, %.2fM parameters",
                 len(tokenizer), model.num_parameters() / 1e6)
        _check_limits(cfg, model)
        return model, tokenizer
    source = m.tokenizer or m.name_or_path
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, use_fast=True, revision=m.revision,
                                                  trust_remote_code=m.trust_remote_code)
        model = AutoModelForQuestionAnswering.from_pretrained(m.name_or_path, revision=m.revision,
                                                              trust_remote_code=m.trust_remote_code)
    except OSError as exc:
        raise InputError(f"model.name_or_path {m.name_or_path!r}: cannot load ({str(exc).splitlines()[0]})") from exc
    if not getattr(tokenizer, "is_fast", False):
        raise InputError(f"{source}: QA needs a fast tokenizer (offset mapping); {type(tokenizer).__name__} is not")
    _check_limits(cfg, model)
    return model, tokenizer


def _check_limits(cfg: QAConfig, model) -> None:
    limit = getattr(model.config, "max_position_embeddings", None)
    if limit and cfg.data.max_seq_len > limit:
        raise InputError(f"data.max_seq_len {cfg.data.max_seq_len} exceeds the model's {limit} positions")


def _windows(tokenizer, cfg: QAConfig, examples: list[QAExample]) -> Windows:
    d = cfg.data
    return make_windows(tokenizer, [e.question for e in examples], [e.context for e in examples],
                        max_seq_len=d.max_seq_len, doc_stride=d.doc_stride, max_question_tokens=d.max_question_tokens)


def predict_examples(logits, windows: Windows, examples: list[QAExample], cfg: QAConfig) -> dict[str, str]:
    start, end = logits[0], logits[1]
    answers = decode_windows(start, end, windows, [e.context for e in examples],
                             max_answer_tokens=cfg.data.max_answer_tokens)
    return {ex.id: a[0]["answer"] for ex, a in zip(examples, answers)}


def golds_of(examples: list[QAExample]) -> dict[str, list[str]]:
    return {ex.id: [a.text for a in ex.answers] for ex in examples}


# Training questions re-read after training to report how well the model fits them.
TRAIN_FIT_SAMPLE = 200
# What a run writes into its folder; a new run (without --resume) removes an earlier run's copies first.
RUN_OUTPUTS = ("checkpoints", "model", "metrics.json", "dev_predictions.json", "tensorboard")


def keep_negative_windows(features: dict[str, list], fraction: float, seed: int) -> dict[str, list]:
    """All windows holding the answer, plus ``fraction`` of the others (a seeded sample, order kept)."""
    if fraction >= 1.0:
        return features
    import random

    rng = random.Random(seed)
    keep = [i for i, s in enumerate(features["start_positions"]) if s > 0 or rng.random() < fraction]
    return {k: [v[i] for i in keep] for k, v in features.items()}


def train(cfg: QAConfig, output_dir: str | os.PathLike | None = None, *, resume: bool = False) -> dict:
    """Run training; returns the metrics written to ``metrics.json``."""
    from summarize.metrics.cmrc import cmrc_scores
    from summarize.training import (
        Trainer, build_training_arguments, find_resume_checkpoint, is_main_process, prepare_run_dir,
        standard_callbacks,
    )
    from summarize.training.rundir import start_fresh

    began = time.time()
    if not resume:
        start_fresh(output_dir or cfg.training.output_dir, RUN_OUTPUTS)
    run_dir = prepare_run_dir(cfg, output_dir or cfg.training.output_dir)
    d = cfg.data
    train_data = read_qa_file(d.train)
    train_examples = train_data.examples[: d.max_train_samples] if d.max_train_samples else train_data.examples
    usable = [ex for ex in train_examples if ex.first_span() is not None]
    dropped = len(train_examples) - len(usable)
    if dropped:
        log.warning("%s: %d training questions dropped: none of their answers occurs in the context", d.train, dropped)
    if not usable:
        raise InputError(f"{d.train}: no training question has an answer that occurs in its context")
    dev_examples, dev_stats = [], AlignStats()
    if d.dev:
        dev_data = read_qa_file(d.dev)
        dev_examples = dev_data.examples[: d.max_dev_samples] if d.max_dev_samples else dev_data.examples
        dev_stats = dev_data.stats

    model, tokenizer = load_model_and_tokenizer(cfg, usable, Path(run_dir))
    built = train_features(tokenizer, usable, max_seq_len=d.max_seq_len, doc_stride=d.doc_stride,
                           max_question_tokens=d.max_question_tokens)
    features = keep_negative_windows(built["features"], d.train_negative_windows, cfg.training.seed)
    train_set = FeatureDataset(features)
    log.info("training on %d questions -> %d windows (%d with the answer inside)", len(usable), len(train_set),
             sum(1 for s in features["start_positions"] if s > 0))

    eval_set, dev_windows, compute_metrics = None, None, None
    if dev_examples:
        dev_built = train_features(tokenizer, dev_examples, max_seq_len=d.max_seq_len, doc_stride=d.doc_stride,
                                   max_question_tokens=d.max_question_tokens)
        eval_set, dev_windows = FeatureDataset(dev_built["features"]), dev_built["windows"]
        golds = golds_of(dev_examples)

        def compute_metrics(prediction) -> dict:
            predictions = predict_examples(prediction.predictions, dev_windows, dev_examples, cfg)
            scores = cmrc_scores(predictions, golds)
            return {"em": scores["em"], "f1": scores["f1"]}

    evaluate = eval_set is not None and cfg.training.eval_strategy != "no"
    args = build_training_arguments(
        cfg.training, run_dir, metric_for_best="f1" if evaluate else None, evaluate=evaluate, seq2seq=False,
        label_names=["start_positions", "end_positions"],
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_set,
        eval_dataset=eval_set,
        data_collator=Collator(tokenizer.pad_token_id or 0, 8 if torch.cuda.is_available() else 1),
        compute_metrics=compute_metrics,
        callbacks=standard_callbacks(cfg.training, run_dir),
    )
    checkpoint = find_resume_checkpoint(run_dir) if resume else None
    if resume and checkpoint is None:
        log.warning("--resume: no complete checkpoint under %s; starting from scratch", run_dir)
    result = trainer.train(resume_from_checkpoint=checkpoint)

    metrics: dict = {
        "train": {
            "questions": len(train_examples),
            "dropped_without_answer_in_context": dropped,
            "windows": len(train_set),
            "negative_windows_kept": d.train_negative_windows,
            "steps": result.global_step,
            "resumed_from": checkpoint,
            "answer_alignment": train_data.stats.as_dict(),
            "bad_rows": len(train_data.problems),
            **{k: v for k, v in result.metrics.items() if isinstance(v, (int, float))},
        },
        "best_checkpoint": trainer.state.best_model_checkpoint,
        "started_from": weights_provenance(cfg.model.name_or_path, cfg.model.init),
    }
    predictions = None
    if eval_set is not None:
        output = trainer.predict(eval_set, metric_key_prefix="dev")
        predictions = predict_examples(output.predictions, dev_windows, dev_examples, cfg)
        scores = cmrc_scores(predictions, golds_of(dev_examples))
        metrics["dev"] = {**scores, "answer_alignment": dev_stats.as_dict(), "source": str(d.dev)}
        log.info("dev: EM %.2f  F1 %.2f  (%d questions)", scores["em"], scores["f1"], scores["n"])

    # How well the model fits (a sample of) its own training questions: tells "did not learn"
    # apart from "learned but does not generalize" when dev scores are low.
    sample = usable[:TRAIN_FIT_SAMPLE]
    fit = train_features(tokenizer, sample, max_seq_len=d.max_seq_len, doc_stride=d.doc_stride,
                         max_question_tokens=d.max_question_tokens)
    trainer.compute_metrics = None  # it decodes against the dev windows
    output = trainer.predict(FeatureDataset(fit["features"]), metric_key_prefix="train_fit")
    fit_scores = cmrc_scores(predict_examples(output.predictions, fit["windows"], sample, cfg), golds_of(sample))
    metrics["train_fit"] = {"em": fit_scores["em"], "f1": fit_scores["f1"], "n": fit_scores["n"]}
    log.info("training questions (first %d): EM %.2f  F1 %.2f", fit_scores["n"], fit_scores["em"], fit_scores["f1"])

    # Inference reads the same windows and span limit the model was trained with.
    setattr(model.config, CONFIG_KEY, {
        "max_seq_len": d.max_seq_len, "doc_stride": d.doc_stride,
        "max_question_tokens": d.max_question_tokens, "max_answer_tokens": d.max_answer_tokens,
    })
    model_dir = Path(run_dir) / "model"
    trainer.save_model(str(model_dir))
    metrics["runtime_s"] = round(time.time() - began, 1)
    if is_main_process():
        tokenizer.save_pretrained(str(model_dir))
        if predictions is not None:
            atomic_write_json(Path(run_dir) / "dev_predictions.json", predictions)
        atomic_write_json(Path(run_dir) / "metrics.json", metrics)
        log.info("model, metrics.json and dev_predictions.json written to %s", run_dir)
    return metrics


__all__ = ["train", "predict_examples", "golds_of", "FeatureDataset", "Collator"]
