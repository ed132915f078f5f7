"""Translate a config's ``training`` section into transformers' TrainingArguments.

One place decides precision, evaluation/saving cadence, best-checkpoint
selection, sampling and reporting, so the headline and reading-comprehension
trainers cannot drift apart.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from summarize.config.loader import ConfigError
from summarize.config.sections import TrainingSection

log = logging.getLogger("summarize")


def resolve_precision(name: str) -> dict[str, bool]:
    """Map ``training.precision`` to TrainingArguments flags for the hardware at hand.

    ``auto`` picks bf16 on GPUs that support it (Ampere and newer: no loss
    scaling needed, same range as fp32), fp16 on older GPUs, fp32 on CPU
    (CPU autocast to bf16 is slower than fp32 on most x86 parts).
    """
    import torch

    cuda = torch.cuda.is_available()
    bf16_ok = cuda and torch.cuda.is_bf16_supported()
    if name == "auto":
        if bf16_ok:
            return {"bf16": True}
        return {"fp16": True} if cuda else {}
    if name == "fp32":
        return {}
    if name == "fp16":
        if not cuda:
            raise ConfigError(["training.precision: fp16 needs a CUDA GPU; use fp32 (or bf16) on CPU"])
        return {"fp16": True}
    if name == "bf16":
        if cuda and not bf16_ok:
            raise ConfigError(["training.precision: this GPU does not support bf16; use fp16 or auto"])
        # On a machine without a GPU bf16 means CPU autocast, which transformers
        # only accepts together with use_cpu.
        return {"bf16": True} if cuda else {"bf16": True, "use_cpu": True}
    raise ConfigError([f"training.precision: unknown value {name!r}; use auto, fp32, bf16 or fp16"])


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _optimizer(name: str) -> str:
    # The fused CUDA kernel is the same AdamW update in one launch per step
    # instead of one per parameter group chunk (transformers' own default on
    # recent torch); the config keeps the portable name.
    if name == "adamw_torch" and _cuda():
        return "adamw_torch_fused"
    return name


def _mps() -> bool:
    import torch

    return bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()


def build_training_arguments(
    section: TrainingSection,
    run_dir: str | os.PathLike,
    *,
    metric_for_best: str | None = None,
    greater_is_better: bool = True,
    evaluate: bool = True,
    seq2seq: bool = True,
    **extra: Any,
):
    """TrainingArguments (Seq2SeqTrainingArguments when ``seq2seq``) for a run in ``run_dir``.

    Checkpoints go to ``run_dir/checkpoints``. With ``evaluate`` and a
    ``metric_for_best`` (a key the task's compute_metrics returns, without the
    ``eval_`` prefix), the best checkpoint by that metric is kept and reloaded
    at the end. ``extra`` overrides any TrainingArguments field.
    """
    from transformers import Seq2SeqTrainingArguments, TrainingArguments

    from summarize.training.rundir import CHECKPOINTS

    eval_strategy = section.eval_strategy if evaluate else "no"
    # Saving follows evaluation so that every evaluated state can become the
    # best checkpoint; without evaluation we still save on the same cadence
    # so that --resume has something to continue from.
    cadence = section.eval_strategy if section.eval_strategy != "no" else "steps"
    keep_best = bool(metric_for_best) and eval_strategy != "no"
    # transformers 5 folds warmup_ratio into warmup_steps: an int counts
    # steps, a float in [0, 1) is a fraction of the total.
    warmup: float | int = section.warmup_steps if section.warmup_steps > 0 else float(section.warmup_ratio)
    kwargs: dict[str, Any] = dict(
        output_dir=str(Path(run_dir) / CHECKPOINTS),
        seed=section.seed,
        num_train_epochs=section.epochs,
        max_steps=section.max_steps,
        per_device_train_batch_size=section.batch_size,
        per_device_eval_batch_size=section.eval_batch_size,
        gradient_accumulation_steps=section.gradient_accumulation_steps,
        learning_rate=section.learning_rate,
        weight_decay=section.weight_decay,
        warmup_steps=warmup,
        lr_scheduler_type=section.lr_scheduler,
        label_smoothing_factor=section.label_smoothing,
        max_grad_norm=section.max_grad_norm,
        optim=_optimizer(section.optimizer),
        eval_strategy=eval_strategy,
        save_strategy=cadence,
        logging_strategy="steps",
        logging_steps=section.logging_steps,
        logging_first_step=True,
        save_total_limit=section.save_total_limit,
        load_best_model_at_end=keep_best,
        metric_for_best_model=metric_for_best if keep_best else None,
        greater_is_better=greater_is_better if keep_best else None,
        # Length-grouped batches cut padding; the trainer's eval order stays
        # sequential (see trainers.py) so predictions line up with references.
        train_sampling_strategy="group_by_length" if section.group_by_length else "random",
        dataloader_num_workers=section.dataloader_workers,
        # Pinned memory only helps host-to-GPU copies (and warns without a GPU).
        dataloader_pin_memory=_cuda(),
        # Our own TensorBoard callback writes to run_dir/tensorboard (callbacks.py).
        report_to="none",
        disable_tqdm=not log.isEnabledFor(logging.INFO),
        # Every parameter of the seq2seq and QA models takes part in each
        # step; searching for unused ones costs a graph traversal per step.
        ddp_find_unused_parameters=False,
        **resolve_precision(section.precision),
    )
    if not _cuda() and not _mps():
        # Without a GPU, accelerate only sets up multi-process (gloo) training
        # under torchrun/accelerate launch when told it runs on CPU.
        kwargs["use_cpu"] = True
    if cadence == "steps":
        kwargs["eval_steps"] = section.eval_steps if eval_strategy == "steps" else None
        kwargs["save_steps"] = section.eval_steps
    if seq2seq:
        kwargs["predict_with_generate"] = True
    kwargs.update(extra)
    cls = Seq2SeqTrainingArguments if seq2seq else TrainingArguments
    return cls(**kwargs)
