"""Fine-tune an extractive QA model from a ``task: qa`` config (``summarize qa train``).

Same engine as headline training (:mod:`summarize.training`): the same
TrainingArguments, precision rules, checkpoint/resume logic, callbacks and
distributed launch (``torchrun --nproc_per_node N -m summarize qa train CFG``
or ``accelerate launch -m summarize qa train CFG``). Dev is scored with the
official CMRC 2018 EM/F1 after each evaluation and the best checkpoint by F1 is
kept. The run folder has the same files as a headline run
(:mod:`summarize.training.result`): ``model/`` (model + tokenizer, inference
settings in config.json), ``config.yaml``, ``metrics.json`` and
``dev_predictions.jsonl``; ``train`` returns the same ``TrainResult``.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import torch

from summarize.io.atomic import atomic_write_json, atomic_write_jsonl, finite_json
from summarize.io.read import InputError
from summarize.io.checkpoint import weights_provenance
from summarize.io.locate import describe_source
from summarize.qa.config import CONFIG_KEY, QAConfig
from summarize.qa.arrow import QASource, as_windows, load_examples, model_inputs, tokenize_examples
from summarize.qa.data import QAExample
from summarize.qa.decode import decode_windows
from summarize.qa.features import Windows, train_features
from summarize.training.callbacks import train_logging
from summarize.training.model_card import save_final_model
from summarize.training.result import RUN_OUTPUTS, TrainResult, relative_to_run, with_output_dir

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


def load_or_build_qa_model(cfg: QAConfig, train_examples: list[QAExample], run_dir: Path):
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    m = cfg.model
    if m.init == "scratch":
        from summarize.qa.scratch import build_scratch_qa
        from summarize.training import is_main_process
        from summarize.training.scratch import save_scratch

        # Every rank builds the same model in memory (same vocabulary, same seed); only rank 0
        # writes the initial checkpoint, so ranks never race on the same files.
        texts = [t for ex in train_examples for t in (ex.context, ex.question)]
        model, tokenizer = build_scratch_qa(m.scratch, texts, cfg.training.seed)
        if is_main_process():
            # Relative to the run folder, as for headline models, so --output-dir moves it too.
            folder = Path(m.name_or_path).expanduser()
            save_scratch(model, tokenizer, folder if folder.is_absolute() else Path(run_dir) / folder)
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


def predict_examples(logits, windows: Windows, examples: list[QAExample], cfg: QAConfig) -> dict[str, str]:
    start, end = logits[0], logits[1]
    answers = decode_windows(start, end, windows, [e.context for e in examples],
                             max_answer_tokens=cfg.data.max_answer_tokens)
    return {ex.id: a[0]["answer"] for ex, a in zip(examples, answers)}


def golds_of(examples: list[QAExample]) -> dict[str, list[str]]:
    return {ex.id: [a.text for a in ex.answers] for ex in examples}


# Training questions re-read after training to report how well the model fits them.
TRAIN_FIT_SAMPLE = 200


def keep_negative_windows(starts: list[int], fraction: float, seed: int) -> list[int] | None:
    """Indices of the windows kept: all those holding the answer (start > 0), plus ``fraction`` of the others
    (a seeded sample, order kept). None when all are kept."""
    if fraction >= 1.0:
        return None
    import random

    rng = random.Random(seed)
    return [i for i, s in enumerate(starts) if s > 0 or rng.random() < fraction]


def train(config: QAConfig, output_dir: str | os.PathLike | None = None, *, resume: bool = False,
          overwrite: bool = False, train_data: Any = None, dev_data: Any = None) -> TrainResult:
    """Run training; ``result.metrics`` is what ``metrics.json`` holds.

    ``train_data``/``dev_data``: a ``datasets.Dataset`` or a hub dataset id to use instead of the config's
    ``data.train``/``data.dev`` files (SQuAD columns, or those named by ``data.question_field`` etc.).

    Data and a pretrained checkpoint are checked before the run folder is touched;
    the folder is locked while training, an earlier run in it is replaced only with
    ``overwrite``, and ``resume`` on a finished run returns its saved metrics.
    """
    from summarize.training import build_training_arguments
    from summarize.training.rundir import locked_run_dir

    began = time.time()
    cfg = with_output_dir(config, output_dir)
    run_dir = Path(cfg.training.output_dir)
    d = cfg.data
    train_source = train_data if train_data is not None else d.train
    dev_source = dev_data if dev_data is not None else d.dev
    evaluate = dev_source is not None and cfg.training.eval_strategy != "no"
    args = build_training_arguments(
        cfg.training, run_dir, metric_for_best="f1" if evaluate else None, evaluate=evaluate, seq2seq=False,
        label_names=["start_positions", "end_positions"],
    )
    fields = dict(question_field=d.question_field, context_field=d.context_field, answers_field=d.answers_field)
    # Rank 0 reads (and caches) first; the other ranks then load its Arrow files.
    with args.main_process_first(desc="reading the data"):
        train_set = load_examples(train_source, limit=d.max_train_samples, **fields)
        dev_set = load_examples(dev_source, limit=d.max_dev_samples, split="validation", **fields) \
            if dev_source is not None else None
    usable = [ex for ex in train_set.examples if ex.first_span() is not None]
    dropped = len(train_set.examples) - len(usable)
    if dropped:
        log.warning("%s: %d training questions dropped: none of their answers occurs in the context",
                    describe_source(train_source), dropped)
    if not usable:
        raise InputError(f"{describe_source(train_source)}: no training question has an answer that occurs in its context")
    # A mistyped model path fails here, before the run folder is touched.
    pretrained = load_or_build_qa_model(cfg, usable, run_dir) if cfg.model.init != "scratch" else None
    with locked_run_dir(run_dir, resume=resume, overwrite=overwrite):
        return _train_in(cfg, run_dir, args, began, train_set, usable, dev_set, pretrained,
                         resume=resume, overwrite=overwrite, sources=(train_source, dev_source))



def _train_in(cfg: QAConfig, run_dir: Path, args, began: float, train_set: QASource, usable: list[QAExample],
              dev_set: QASource | None, pretrained, *, resume: bool, overwrite: bool, sources) -> TrainResult:
    from summarize.metrics.cmrc import cmrc_scores
    from summarize.training import (
        OrderedTrainer, guard_outputs, resume_point, is_main_process, prepare_run_dir, standard_callbacks,
    )

    d = cfg.data
    checkpoint, done = resume_point(run_dir, cfg.training, resume=resume)
    if done is not None:
        return TrainResult(output_dir=run_dir, model_dir=run_dir / "model", metrics=done)
    if is_main_process():
        guard_outputs(run_dir, RUN_OUTPUTS, resume=resume, overwrite=overwrite,
                      inputs=(d.train, d.dev, cfg.model.name_or_path, cfg.model.tokenizer))
    run_dir = Path(prepare_run_dir(cfg, run_dir))
    model, tokenizer = pretrained if pretrained is not None else load_or_build_qa_model(cfg, usable, run_dir)
    windowing = dict(max_seq_len=d.max_seq_len, doc_stride=d.doc_stride, max_question_tokens=d.max_question_tokens)
    token_types = "token_type_ids" in tokenizer.model_input_names
    # Windowed once, by rank 0 first; the other ranks (and later runs) load the cached Arrow files.
    with args.main_process_first(desc="windowing the questions"):
        train_windows = tokenize_examples(train_set.dataset, tokenizer, labels=True, num_proc=d.num_proc, **windowing)
        dev_table = tokenize_examples(dev_set.dataset, tokenizer, labels=False, **windowing) if dev_set else None
    keep = keep_negative_windows(train_windows["start_positions"], d.train_negative_windows, cfg.training.seed)
    if keep is not None:
        train_windows = train_windows.select(keep)
    positives = sum(1 for s in train_windows["start_positions"] if s > 0)
    log.info("training on %d questions -> %d windows (%d with the answer inside)", len(usable), len(train_windows),
             positives)

    eval_set, dev_windows, compute_metrics = None, None, None
    dev_examples = dev_set.examples if dev_set else []
    if dev_table is not None:
        eval_set, dev_windows = model_inputs(dev_table, token_types), as_windows(dev_table)
        golds = golds_of(dev_examples)

        def compute_metrics(prediction) -> dict:
            predictions = predict_examples(prediction.predictions, dev_windows, dev_examples, cfg)
            scores = cmrc_scores(predictions, golds)
            return {"em": scores["em"], "f1": scores["f1"]}

    trainer = OrderedTrainer(
        model=model,
        args=args,
        train_dataset=model_inputs(train_windows, token_types),
        eval_dataset=eval_set,
        data_collator=Collator(tokenizer.pad_token_id or 0, 8 if torch.cuda.is_available() else 1),
        compute_metrics=compute_metrics,
        callbacks=standard_callbacks(cfg.training, run_dir),
    )
    with train_logging():
        result = trainer.train(resume_from_checkpoint=checkpoint)

    metrics: dict = {
        "train": {
            "questions": len(train_set.examples),
            "dropped_without_answer_in_context": len(train_set.examples) - len(usable),
            "windows": len(train_windows),
            "negative_windows_kept": d.train_negative_windows,
            "steps": result.global_step,
            "resumed_from": checkpoint,
            "answer_alignment": train_set.data.stats.as_dict(),
            "bad_rows": len(train_set.data.problems),
            **{k: v for k, v in result.metrics.items() if isinstance(v, (int, float))},
        },
        "best_checkpoint": relative_to_run(trainer.state.best_model_checkpoint, run_dir),
        "started_from": weights_provenance(cfg.model.name_or_path, cfg.model.init),
    }
    rows: list[dict] = []
    if eval_set is not None and dev_windows is not None and dev_set is not None:
        output = trainer.predict(eval_set, metric_key_prefix="dev")
        predictions = predict_examples(output.predictions, dev_windows, dev_examples, cfg)
        scores = cmrc_scores(predictions, golds_of(dev_examples))
        metrics["dev"] = {**scores, "answer_alignment": dev_set.data.stats.as_dict(), "source": describe_source(sources[1])}
        rows = [{"id": ex.id, "prediction": predictions[ex.id], "reference": [a.text for a in ex.answers]}
                for ex in dev_examples]
        log.info("dev: EM %.2f  F1 %.2f  (%d questions)", scores["em"], scores["f1"], scores["n"])

    # How well the model fits (a sample of) its own training questions: tells "did not learn"
    # apart from "learned but does not generalize" when dev scores are low.
    sample = usable[:TRAIN_FIT_SAMPLE]
    fit = train_features(tokenizer, sample, **windowing)
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
    save_final_model(trainer, model_dir, model_card(cfg, {k: v for k, v in metrics.get("dev", {}).items()
                                                          if k in ("em", "f1", "n")}, sources))
    metrics["runtime_s"] = round(time.time() - began, 1)
    if is_main_process():
        tokenizer.save_pretrained(str(model_dir))
        if rows:
            atomic_write_jsonl(Path(run_dir) / "dev_predictions.jsonl", rows)
        atomic_write_json(Path(run_dir) / "metrics.json", finite_json(metrics))
        log.info("model, metrics.json and dev_predictions.jsonl written to %s", run_dir)
    return TrainResult(output_dir=Path(run_dir), model_dir=model_dir, metrics=metrics, dev_predictions=rows,
                       log_history=list(trainer.state.log_history))


def model_card(cfg: QAConfig, dev_scores: dict, sources=None):
    """What the saved model/README.md says (see :mod:`summarize.training.model_card`)."""
    from summarize.training.model_card import ModelCard

    m, d = cfg.model, cfg.data
    base = m.name_or_path if m.init == "pretrained" else (
        f"none: a BertForQuestionAnswering built from scratch (hidden {m.scratch.hidden}, {m.scratch.layers} layers) "
        "with a character vocabulary of the training data")
    return ModelCard(
        task="qa", pipeline_tag="question-answering", base_model=base,
        data={"train": describe_source(sources[0]) if sources else d.train,
              "dev": describe_source(sources[1]) if sources and sources[1] is not None else d.dev},
        dev_scores=dev_scores,
        scoring="CMRC 2018 EM/F1 x100 (the official cmrc2018_evaluate.py definition, summarize.metrics.cmrc) "
                "of the best span per question over all its windows, against every gold answer",
        decoding={"max_seq_len": d.max_seq_len, "doc_stride": d.doc_stride,
                  "max_question_tokens": d.max_question_tokens, "max_answer_tokens": d.max_answer_tokens},
        # transformers 5 has no question-answering pipeline: the span is picked by hand, in one window.
        load_transformers=('import torch\n'
                           'from transformers import AutoModelForQuestionAnswering, AutoTokenizer\n\n'
                           'tokenizer = AutoTokenizer.from_pretrained("path/to/model")\n'
                           'model = AutoModelForQuestionAnswering.from_pretrained("path/to/model").eval()\n'
                           'question, context = "问题", "上下文"\n'
                           f'enc = tokenizer(question, context, truncation="only_second", max_length={d.max_seq_len}, '
                           'return_offsets_mapping=True, return_tensors="pt")\n'
                           'offsets = enc.pop("offset_mapping")[0].tolist()\n'
                           'with torch.no_grad():\n'
                           '    out = model(**enc)\n'
                           'in_context = [i for i, s in enumerate(enc.sequence_ids(0)) if s == 1]\n'
                           'start = max(in_context, key=lambda i: out.start_logits[0, i])\n'
                           f'end = max((i for i in in_context if start <= i < start + {d.max_answer_tokens}), '
                           'key=lambda i: out.end_logits[0, i])\n'
                           'answer = context[offsets[start][0]:offsets[end][1]]\n'
                           f'# one window: a context longer than {d.max_seq_len} tokens needs the sliding windows '
                           f'(doc_stride {d.doc_stride}) summarize reads it with'),
        load_summarize=('from summarize import Reader\n\n'
                        'reader = Reader.from_pretrained("path/to/model")  # windows as in training (config.json)\n'
                        'reader.answer("问题", "上下文")'),
    )


__all__ = ["train", "predict_examples", "golds_of", "FeatureDataset", "Collator"]
