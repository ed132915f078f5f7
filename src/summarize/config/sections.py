"""Config sections shared by every task (headline and reading comprehension train the same way)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


def help_field(text: str, **kw):
    """A dataclass field documented by ``text`` (shown by docs and error messages)."""
    return field(metadata={"help": text}, **kw)


_help = help_field


@dataclass
class TrainingSection:
    output_dir: str = _help("where checkpoints, the final model and reports go", default="runs/headline")
    seed: int = _help("seed for initialization, shuffling and dropout", default=42)
    epochs: float = _help("passes over the training data (ignored when max_steps > 0)", default=3.0)
    max_steps: int = _help("total optimizer steps; -1 uses epochs", default=-1)
    batch_size: int = _help("examples per device per step", default=16)
    eval_batch_size: int = _help("examples per device when generating on dev", default=32)
    gradient_accumulation_steps: int = _help("steps whose gradients are summed before an update", default=1)
    learning_rate: float = _help("peak learning rate", default=5e-5)
    weight_decay: float = _help("AdamW weight decay", default=0.01)
    warmup_ratio: float = _help("fraction of steps spent warming up the learning rate", default=0.0)
    warmup_steps: int = _help("warm-up steps; overrides warmup_ratio when > 0", default=0)
    lr_scheduler: Literal["linear", "cosine", "constant", "constant_with_warmup", "inverse_sqrt", "polynomial"] = _help(
        "learning-rate schedule", default="linear"
    )
    label_smoothing: float = _help("label smoothing factor; 0 disables", default=0.0)
    max_grad_norm: float = _help("gradient clipping norm", default=1.0)
    optimizer: Literal["adamw_torch", "adafactor"] = _help("optimizer (adafactor is what T5 authors use)", default="adamw_torch")
    precision: Literal["auto", "fp32", "bf16", "fp16"] = _help(
        "auto: bf16 on GPUs that support it, else fp16 on GPU, fp32 on CPU", default="auto"
    )
    group_by_length: bool = _help("batch articles of similar length together to cut padding", default=True)
    eval_strategy: Literal["steps", "epoch", "no"] = _help("when to score dev with ROUGE", default="epoch")
    eval_steps: int = _help("evaluate (and save) every N steps when eval_strategy is steps", default=500)
    save_total_limit: int = _help("checkpoints kept on disk (the best is always kept)", default=2)
    early_stopping_patience: int = _help("stop after N evaluations without ROUGE-L gain; 0 disables", default=0)
    logging_steps: int = _help("log the training loss every N steps", default=50)
    tensorboard: bool = _help("also write TensorBoard logs to output_dir/tensorboard", default=False)
    dataloader_workers: int = _help("data-loading worker processes", default=0)

    def check(self) -> list[str]:
        errors = []
        for name in ("logging_steps", "eval_steps"):
            if getattr(self, name) <= 0:
                errors.append(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("weight_decay", "max_grad_norm", "warmup_steps", "early_stopping_patience", "dataloader_workers",
                     "save_total_limit"):
            if getattr(self, name) < 0:
                errors.append(f"{name} must be >= 0, got {getattr(self, name)}")
        if not 0.0 <= self.label_smoothing < 1.0:
            errors.append(f"label_smoothing must be in [0, 1), got {self.label_smoothing}")
        if not 0 <= self.seed < 2**32:
            errors.append(f"seed must be in [0, 2**32), got {self.seed}")
        if self.max_steps < -1 or self.max_steps == 0:
            errors.append(f"max_steps must be -1 (use epochs) or positive, got {self.max_steps}")
        if self.epochs < 0:
            errors.append(f"epochs must be >= 0, got {self.epochs}")
        if self.batch_size <= 0 or self.eval_batch_size <= 0:
            errors.append("batch_size and eval_batch_size must be positive")
        if self.gradient_accumulation_steps <= 0:
            errors.append("gradient_accumulation_steps must be positive")
        if self.learning_rate <= 0:
            errors.append(f"learning_rate must be positive, got {self.learning_rate}")
        if not 0.0 <= self.warmup_ratio < 1.0:
            errors.append(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        if self.max_steps <= 0 and self.epochs <= 0:
            errors.append("set epochs > 0 or max_steps > 0")
        if self.eval_strategy == "steps" and self.eval_steps <= 0:
            errors.append("eval_steps must be positive when eval_strategy is steps")
        if self.early_stopping_patience > 0 and self.eval_strategy == "no":
            errors.append("early_stopping_patience needs evaluations: set eval_strategy to steps or epoch")
        return errors
