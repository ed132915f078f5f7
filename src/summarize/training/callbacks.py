"""Callbacks every run gets: readable logs on stderr, early stopping, optional TensorBoard."""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

from transformers import EarlyStoppingCallback, ProgressCallback, TrainerCallback

from summarize.config.sections import TrainingSection

log = logging.getLogger("summarize")

_SKIP = {"total_flos", "epoch", "step"}


def format_logs(logs: dict) -> str:
    """``loss 2.31 | learning_rate 4.5e-05 | eval_rougeL 31.2`` (floats to 4 significant digits)."""
    parts = []
    for key, value in logs.items():
        if key in _SKIP:
            continue
        if isinstance(value, float):
            value = f"{value:.4g}" if math.isfinite(value) else str(value)
        parts.append(f"{key} {value}")
    return " | ".join(parts)


class LogCallback(ProgressCallback):
    """The progress bar (stderr, only when not disabled) plus each log line through ``logging``.

    transformers' own callbacks print raw dicts to stdout; stdout is for
    results, so the trainers here replace them with this one.
    """

    def __init__(self, show_progress: bool = True):
        super().__init__()
        self.show_progress = show_progress

    def on_train_begin(self, args, state, control, **kwargs):
        if self.show_progress:
            super().on_train_begin(args, state, control, **kwargs)

    def on_step_end(self, args, state, control, **kwargs):
        if self.show_progress and self.training_bar is not None:
            super().on_step_end(args, state, control, **kwargs)

    def on_prediction_step(self, args, state, control, eval_dataloader=None, **kwargs):
        if self.show_progress:
            super().on_prediction_step(args, state, control, eval_dataloader=eval_dataloader, **kwargs)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs:
            epoch = logs.get("epoch", state.epoch)
            where = f"step {state.global_step}/{state.max_steps}"
            if epoch is not None:
                where += f" (epoch {epoch:.2f})"
            log.info("%s: %s", where, format_logs(logs))

    def on_train_end(self, args, state, control, **kwargs):
        if self.training_bar is not None:
            super().on_train_end(args, state, control, **kwargs)


def train_logging():
    """Log lines and the training bar share the terminal: while training, log records go through
    ``tqdm.write`` (above the bar) instead of being printed into the middle of it."""
    from tqdm.contrib.logging import logging_redirect_tqdm

    return logging_redirect_tqdm()


def standard_callbacks(section: TrainingSection, run_dir: str | os.PathLike) -> list[TrainerCallback]:
    """Early stopping (when ``early_stopping_patience`` > 0) and TensorBoard (when enabled)."""
    callbacks: list[TrainerCallback] = []
    if section.early_stopping_patience > 0:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=section.early_stopping_patience))
    if section.tensorboard:
        from transformers.integrations import TensorBoardCallback

        tb = TensorBoardCallback()
        # Only rank 0 opens a writer (on_train_begin checks); the folder sits
        # beside the checkpoints instead of transformers' runs/<date> default.
        tb.logging_dir = str(Path(run_dir) / "tensorboard")
        callbacks.append(tb)
    return callbacks
