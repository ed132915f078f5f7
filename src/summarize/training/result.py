"""What every training recipe returns and where it puts it: one shape for headline and QA.

A run folder always holds the same files, whatever the task::

    RUN/config.yaml              the resolved config (training.output_dir = RUN)
    RUN/model/                   the final (best) model + tokenizer + README.md model card
    RUN/metrics.json             dev scores, training figures, best_checkpoint relative to RUN
    RUN/dev_predictions.jsonl    {"id", "prediction", "reference"} per dev example (when there is a dev set)
    RUN/checkpoints/             resumable checkpoints (--resume)
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

C = TypeVar("C")

# What a run writes into its folder; a new run (without --resume) removes the
# previous run's copies first, so a crash never leaves stale reports that look current.
RUN_OUTPUTS = ("checkpoints", "model", "metrics.json", "dev_predictions.jsonl", "tensorboard")


@dataclass
class TrainResult:
    output_dir: Path
    model_dir: Path
    metrics: dict[str, Any]
    dev_predictions: list[dict] = field(default_factory=list)
    log_history: list[dict] = field(default_factory=list)  # the trainer's logged losses and evaluations


def with_output_dir(cfg: C, output_dir: str | os.PathLike | None) -> C:
    """The config with ``training.output_dir`` replaced (so the saved config.yaml tells the truth)."""
    if output_dir is None:
        return cfg
    training = dataclasses.replace(cfg.training, output_dir=str(output_dir))  # type: ignore[attr-defined]
    return dataclasses.replace(cfg, training=training)  # type: ignore[type-var]


def relative_to_run(path: str | None, root: Path) -> str | None:
    """``path`` relative to the run folder (a run folder can be moved), or as given when outside it."""
    if not path:
        return None
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return path
