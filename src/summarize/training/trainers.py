"""transformers' trainers with one fix: evaluation keeps the dataset's order.

With ``train_sampling_strategy="group_by_length"`` transformers 5 also
length-groups the *evaluation* sampler, which shuffles dev examples. Tasks
here score generated text against raw references (headlines) or map
predictions back to contexts (QA) by position, so eval order must be the
dataset order. Under DDP the default distributed sharding already preserves
order once gathered. Both trainers also log through ``logging`` (callbacks.py).

Two safety rules as well:

- a non-finite training loss stops the run with :class:`TrainingDiverged` at the
  step it happens (transformers' ``logging_nan_inf_filter`` would otherwise hide it
  in the logged average, and a NaN model would be saved with exit status 0);
- a checkpoint that cannot be written (full disk, read-only folder) raises an
  ``OSError`` naming the checkpoint folder and, for a full disk, saying so.
"""

from __future__ import annotations

import errno
import math
import os
import shutil

import torch
from torch.utils.data import SequentialSampler
from transformers import PrinterCallback, ProgressCallback
from transformers import Seq2SeqTrainer as _Seq2SeqTrainer
from transformers import Trainer as _Trainer

from summarize.io.read import InputError
from summarize.training.callbacks import LogCallback

_LOW_DISK = 64 << 20  # under this much free space a failed write is taken as "disk full"


class TrainingDiverged(InputError):
    """The training loss became NaN or infinite; the message says at which step and what to change."""


def _check_loss(trainer, loss) -> None:
    value = float(loss.detach().float().mean()) if isinstance(loss, torch.Tensor) else float(loss)
    if not math.isfinite(value):
        step = trainer.state.global_step + 1
        lr = trainer.args.learning_rate
        raise TrainingDiverged(
            f"training loss became {value} at step {step} (learning rate {lr:g}); stopped before saving a broken "
            "model. Lower training.learning_rate, set training.max_grad_norm, or check the data")


def _save_checkpoint_or_explain(save, trainer, model, trial) -> None:
    try:
        save(model, trial)
    except Exception as exc:  # torch and safetensors report a full disk as RuntimeError/SafetensorError
        folder = trainer.args.output_dir
        text = str(exc)
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            free = None
        full = (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)) or "No space left" in text \
            or "os error 28" in text or "StorageFull" in text or (free is not None and free < _LOW_DISK)
        step = trainer.state.global_step
        where = os.path.join(folder, f"checkpoint-{step}")
        if full:
            raise OSError(errno.ENOSPC, f"the disk is full while saving checkpoint {step}", where) from exc
        if isinstance(exc, OSError) and exc.errno is not None:
            raise OSError(exc.errno, os.strerror(exc.errno), exc.filename or where) from exc
        raise


def _ordered_eval_sampler(trainer, eval_dataset):
    if eval_dataset is None:
        return None
    if trainer.args.world_size <= 1:
        return SequentialSampler(eval_dataset)
    return None


def _use_log_callback(trainer) -> None:
    # transformers prints log dicts to stdout; ours go through logging (stderr).
    trainer.remove_callback(ProgressCallback)
    trainer.remove_callback(PrinterCallback)
    trainer.add_callback(LogCallback(show_progress=not trainer.args.disable_tqdm))


class _Guarded:
    """What both trainers add to every step: stop on a non-finite loss, and turn a failed
    checkpoint save (a full disk) into an error naming the checkpoint."""

    def training_step(self, model, inputs, num_items_in_batch=None):
        # super() is transformers' Trainer at run time (the mixin comes first in both trainers' bases);
        # mypy sees only object, as transformers is not analysed.
        loss = super().training_step(model, inputs, num_items_in_batch)  # type: ignore[misc]
        _check_loss(self, loss)
        return loss

    def _save_checkpoint(self, model, trial):
        _save_checkpoint_or_explain(super()._save_checkpoint, self, model, trial)  # type: ignore[misc]  # as above


class OrderedTrainer(_Guarded, _Trainer):
    """transformers' Trainer with ordered evaluation, logging, NaN-loss and checkpoint-fault checks.

    Thread safety: one trainer per run and per process (the run folder is locked, see rundir.py).
    """

    _get_eval_sampler = _ordered_eval_sampler

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _use_log_callback(self)


class OrderedSeq2SeqTrainer(_Guarded, _Seq2SeqTrainer):
    """Also takes ``generation_kwargs``: extra ``generate()`` arguments for every evaluation and
    prediction, including the ones the training loop starts (a logits processor, for instance),
    so dev text is decoded exactly as inference decodes it. Same additions as OrderedTrainer;
    one per run and per process."""

    _get_eval_sampler = _ordered_eval_sampler

    def __init__(self, *args, generation_kwargs: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.generation_kwargs = dict(generation_kwargs or {})
        _use_log_callback(self)

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix: str = "eval", **gen_kwargs):
        return super().evaluate(eval_dataset, ignore_keys=ignore_keys, metric_key_prefix=metric_key_prefix,
                                **{**self.generation_kwargs, **gen_kwargs})

    def predict(self, test_dataset, ignore_keys=None, metric_key_prefix: str = "test", **gen_kwargs):
        return super().predict(test_dataset, ignore_keys=ignore_keys, metric_key_prefix=metric_key_prefix,
                               **{**self.generation_kwargs, **gen_kwargs})
