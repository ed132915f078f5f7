"""Fine-tune a headline model from a config: ``train(load_config("configs/quickstart.yaml"))``.

The engine is transformers' Seq2SeqTrainer (so torchrun and ``accelerate
launch`` work unchanged); what this module adds is the headline-specific
wiring: data with file:line errors, dev ROUGE on *generated* text scored
against the raw reference strings, the best checkpoint by char ROUGE-L, and
a run folder a newsroom can use directly::

    RUN/config.yaml              the resolved config
    RUN/model/                   best model + tokenizer + generation_config.json (headline decoding defaults)
    RUN/metrics.json             final dev ROUGE, train loss, steps, runtime, samples/s
    RUN/dev_predictions.jsonl    id, prediction, reference (from the final model)
    RUN/checkpoints/             resumable checkpoints (--resume)
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarize.headline.clean import clean_headline
from summarize.headline.config import HeadlineConfig
from summarize.headline.dataset import Pair, encode_pairs, make_collator, read_pairs
from summarize.io.atomic import atomic_write_json, atomic_write_jsonl
from summarize.pretrained.provenance import weights_provenance
from summarize.training.rundir import world_size

log = logging.getLogger("summarize")

METRIC = "rougeL"  # best checkpoint = highest dev char ROUGE-L F


@dataclass
class TrainResult:
    output_dir: Path
    model_dir: Path
    metrics: dict[str, Any]
    dev_predictions: list[dict] = field(default_factory=list)
    log_history: list[dict] = field(default_factory=list)  # the trainer's logged losses and evaluations


def with_output_dir(cfg: HeadlineConfig, output_dir: str | os.PathLike | None) -> HeadlineConfig:
    """The config with ``training.output_dir`` replaced (so the saved config.yaml tells the truth)."""
    if output_dir is None:
        return cfg
    training = dataclasses.replace(cfg.training, output_dir=str(output_dir))
    return dataclasses.replace(cfg, training=training)


def scratch_folder(cfg: HeadlineConfig, run_dir: Path) -> Path:
    """Where ``init: scratch`` writes its model: ``model.name_or_path``, relative to the run folder."""
    path = Path(cfg.model.name_or_path).expanduser()
    return path if path.is_absolute() else run_dir / path


def score_predictions(predictions: list[str], pairs: list[Pair]) -> dict[str, float]:
    from summarize.metrics.rouge import rouge_scores

    if len(predictions) != len(pairs):
        raise RuntimeError(f"{len(predictions)} dev predictions for {len(pairs)} references")
    scores = rouge_scores(predictions, [p.title for p in pairs], word_level=False, bootstrap=0)["char"]
    return {m: scores[m]["f"] for m in ("rouge1", "rouge2", "rougeL")}


class DevScorer:
    """compute_metrics for the trainer: decode generated ids, clean, score against raw references.

    The raw dev headlines are the references, not labels decoded back from
    token ids: tokenization loses case, unknown characters and spacing, and
    scoring against its output would flatter the model.
    """

    def __init__(self, tokenizer, pairs: list[Pair], max_chars: int):
        self.tokenizer = tokenizer
        self.pairs = pairs
        self.max_chars = max_chars
        self.predictions: list[str] = []

    def decode(self, ids) -> list[str]:
        import numpy as np

        ids = np.where(np.asarray(ids) < 0, self.tokenizer.pad_token_id, ids)
        texts = self.tokenizer.batch_decode(ids.tolist(), skip_special_tokens=True)
        # The headline length limit is in characters; generation bounds tokens.
        return [clean_headline(t)[: self.max_chars] for t in texts]

    def __call__(self, eval_pred) -> dict[str, float]:
        predictions = eval_pred.predictions
        if isinstance(predictions, tuple):
            predictions = predictions[0]
        if len(predictions) > len(self.pairs) and world_size() > 1:
            # Under DDP the last batches are padded with repeats of the first
            # examples so every rank gets equal batches, and transformers does
            # not always drop them when gathering. Gathered order is dataset
            # order (rank-interleaved batches), so the repeats are the tail.
            predictions = predictions[: len(self.pairs)]
        self.predictions = self.decode(predictions)
        return score_predictions(self.predictions, self.pairs)

    def rows(self) -> list[dict]:
        return [{"id": p.id, "prediction": pred, "reference": p.title} for p, pred in zip(self.pairs, self.predictions)]


def _load_data(cfg: HeadlineConfig) -> tuple[list[Pair], list[Pair]]:
    d = cfg.data
    train_pairs = read_pairs(d.train, d.text_field, d.title_field, d.max_train_samples)
    dev_pairs = read_pairs(d.dev, d.text_field, d.title_field, d.max_dev_samples) if d.dev else []
    log.info("data: %d training pairs from %s, %d dev pairs%s", len(train_pairs), d.train, len(dev_pairs),
             f" from {d.dev}" if d.dev else " (no dev set: no evaluation, the last checkpoint is kept)")
    return train_pairs, dev_pairs


def _load_model(cfg: HeadlineConfig, run_dir: Path, args, train_pairs: list[Pair], resume: bool):
    from summarize.headline.models import build_scratch_checkpoint, load_pretrained
    from summarize.training import is_main_process

    if cfg.model.init == "encoder-decoder":
        from summarize.headline.bert2bert import build_bert2bert

        folder = run_dir / "init"
        with args.main_process_first(desc="building the encoder-decoder model"):
            if is_main_process() and not (resume and (folder / "config.json").is_file()):
                build_bert2bert(cfg.model.name_or_path, cfg.model.encoder_decoder, folder, cfg.training.seed,
                                revision=cfg.model.revision)
        section = dataclasses.replace(cfg.model, family="auto", tokenizer=None)
        return load_pretrained(section, name_or_path=str(folder))
    if cfg.model.init != "scratch":
        return load_pretrained(cfg.model)
    folder = scratch_folder(cfg, run_dir)
    # Rank 0 builds the vocabulary and initial weights; the other ranks wait,
    # then every rank loads the same files through the normal loading path.
    with args.main_process_first(desc="building the from-scratch model"):
        if is_main_process() and not (resume and (folder / "config.json").is_file()):
            texts = [cfg.data.source_prefix + p.text for p in train_pairs] + [p.title for p in train_pairs]
            build_scratch_checkpoint(cfg.model.scratch, texts, folder, cfg.training.seed)
    return load_pretrained(cfg.model, name_or_path=str(folder))


# What a run writes into its folder; a new run (without --resume) removes the
# previous run's copies first, so a crash never leaves stale reports that look current.
RUN_OUTPUTS = ("checkpoints", "model", "metrics.json", "dev_predictions.jsonl", "tensorboard")


def train(config: HeadlineConfig, output_dir: str | os.PathLike | None = None, resume: bool = False) -> TrainResult:
    """Fine-tune (or train from scratch) a headline model; see the module docstring for the outputs."""
    import torch
    from transformers import set_seed

    from summarize.headline.decoding import to_generation_config
    from summarize.training import (
        Seq2SeqTrainer,
        build_training_arguments,
        find_resume_checkpoint,
        is_main_process,
        prepare_run_dir,
        standard_callbacks,
        start_fresh,
    )

    cfg = with_output_dir(config, output_dir)
    run_dir = Path(cfg.training.output_dir)
    train_pairs, dev_pairs = _load_data(cfg)
    args = build_training_arguments(cfg.training, run_dir, metric_for_best=METRIC, evaluate=bool(dev_pairs))
    checkpoint = None
    if resume:
        checkpoint = find_resume_checkpoint(run_dir)
        if checkpoint is None:
            log.warning("--resume: no complete checkpoint under %s; starting from the beginning", run_dir)
    else:
        with args.main_process_first(desc="cleaning the run folder"):
            start_fresh(run_dir, RUN_OUTPUTS)
    prepare_run_dir(cfg, run_dir)
    set_seed(cfg.training.seed)

    loaded = _load_model(cfg, run_dir, args, train_pairs, resume)
    model, tokenizer = loaded.model, loaded.tokenizer
    # Dev generation during training uses the same decoding defaults the
    # saved model will carry.
    model.generation_config = to_generation_config(cfg.generation, model.generation_config, cfg.data.source_prefix)
    # BART/T5/mT5/Pegasus forwards take **kwargs, so transformers 5 assumes they
    # normalise the loss by its num_items_in_batch; they return a plain mean
    # instead. Left alone, the trainer then skips dividing by the accumulation
    # steps and multiplies by the world size: loss and gradients k x N too large
    # (wrong logs, early clipping). Declaring it restores mean-loss handling.
    model.accepts_loss_kwargs = False
    start = model.config.decoder_start_token_id
    d = cfg.data
    encode = dict(decoder_start_token_id=start, source_prefix=d.source_prefix,
                  max_source_tokens=d.max_source_tokens, max_target_tokens=d.max_target_tokens)
    train_features = encode_pairs(train_pairs, tokenizer, **encode)
    dev_features = encode_pairs(dev_pairs, tokenizer, **encode) if dev_pairs else None
    scorer = DevScorer(tokenizer, dev_pairs, cfg.generation.max_chars) if dev_pairs else None
    # Tensor cores want padded lengths in multiples of 8 under mixed precision.
    multiple = 8 if (args.bf16 or args.fp16) and torch.cuda.is_available() else None

    trainer = Seq2SeqTrainer(
        model=model,
        args=args,
        train_dataset=train_features,
        eval_dataset=dev_features,
        processing_class=tokenizer,
        data_collator=make_collator(tokenizer, model, multiple),
        compute_metrics=scorer,
        callbacks=standard_callbacks(cfg.training, run_dir),
    )
    resumed_step = 0
    if checkpoint is not None:
        resumed_step = _checkpoint_step(checkpoint)
        log.info("resuming from %s (step %d)", checkpoint, resumed_step)
    started = time.perf_counter()
    out = trainer.train(resume_from_checkpoint=checkpoint)
    train_metrics = dict(out.metrics)

    dev_scores: dict[str, float] = {}
    if scorer is not None:
        # The trainer reloaded the best checkpoint; score it once more so the
        # report and the predictions file describe the model that is saved.
        final = trainer.evaluate()
        dev_scores = {m: final[f"eval_{m}"] for m in ("rouge1", "rouge2", "rougeL")}
        log.info("dev char ROUGE-1/2/L: %.2f / %.2f / %.2f", dev_scores["rouge1"], dev_scores["rouge2"], dev_scores["rougeL"])

    model_dir = run_dir / "model"
    trainer.model.generation_config = to_generation_config(cfg.generation, trainer.model.generation_config, cfg.data.source_prefix)
    trainer.save_model(str(model_dir))  # rank 0 only; also saves the tokenizer

    metrics = {
        "dev": dev_scores,
        "dev_samples": len(dev_pairs),
        "train_samples": len(train_pairs),
        "train_loss": train_metrics.get("train_loss"),
        "global_step": trainer.state.global_step,
        "epochs": trainer.state.epoch,
        "resumed_from_step": resumed_step,
        "best_checkpoint": _relative(trainer.state.best_model_checkpoint, run_dir),
        "train_runtime_s": train_metrics.get("train_runtime"),
        "train_samples_per_second": train_metrics.get("train_samples_per_second"),
        "wall_time_s": round(time.perf_counter() - started, 2),
        "world_size": args.world_size,
        "precision": "bf16" if args.bf16 else "fp16" if args.fp16 else "fp32",
        "model": {"family": loaded.family, "init": cfg.model.init, "parameters": trainer.model.num_parameters()},
        "started_from": weights_provenance(cfg.model.name_or_path, cfg.model.init),
        "metric": "char-level ROUGE F x100 (summarize.metrics.rouge, ROUGE-1.5.5 counting) on generated, "
                  "cleaned dev headlines vs the raw dev references",
    }
    rows = scorer.rows() if scorer is not None else []
    if is_main_process():
        atomic_write_json(run_dir / "metrics.json", metrics)
        if rows:
            atomic_write_jsonl(run_dir / "dev_predictions.jsonl", rows)
        log.info("model saved to %s; metrics in %s", model_dir, run_dir / "metrics.json")
    return TrainResult(output_dir=run_dir, model_dir=model_dir, metrics=metrics, dev_predictions=rows,
                       log_history=list(trainer.state.log_history))


def _checkpoint_step(path: str) -> int:
    import json

    state = json.loads((Path(path) / "trainer_state.json").read_text(encoding="utf-8"))
    return int(state.get("global_step", 0))


def _relative(path: str | None, root: Path) -> str | None:
    if not path:
        return None
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path
