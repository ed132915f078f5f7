"""Schema of a headline run config (``task: headline``): model, data, training, generation.

Every shipped YAML in ``configs/`` is validated against these dataclasses; an
unknown key is an error with a suggestion. Field help strings are the docs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


def _help(text: str, **kw):
    return field(metadata={"help": text}, **kw)


@dataclass
class ScratchModel:
    """Shape of a model initialized from scratch (``model.init: scratch``)."""

    architecture: Literal["bart", "t5"] = _help("model class to build", default="bart")
    d_model: int = _help("hidden size", default=256)
    layers: int = _help("layers in the encoder and in the decoder", default=2)
    heads: int = _help("attention heads", default=4)
    ffn: int = _help("feed-forward size", default=1024)
    max_positions: int = _help("longest sequence the position table covers (BART)", default=512)
    dropout: float = _help("dropout probability", default=0.1)
    vocab_min_count: int = _help("characters seen fewer times in the training corpus map to [UNK]", default=1)

    def check(self) -> list[str]:
        errors = []
        if self.d_model % self.heads:
            errors.append(f"d_model ({self.d_model}) must be divisible by heads ({self.heads})")
        for name in ("d_model", "layers", "heads", "ffn", "max_positions"):
            if getattr(self, name) <= 0:
                errors.append(f"{name} must be positive, got {getattr(self, name)}")
        return [f"scratch.{e}" for e in errors]


@dataclass
class ModelSection:
    name_or_path: str = _help(
        "hub id (fnlp/bart-base-chinese) or local folder of a pretrained checkpoint; for init: scratch, "
        "the folder the from-scratch model and its character vocabulary are written to first",
        default="fnlp/bart-base-chinese",
    )
    family: Literal["auto", "bart", "t5", "mt5", "pegasus"] = _help(
        "model family; auto reads it from the checkpoint's config.json", default="auto"
    )
    init: Literal["pretrained", "scratch"] = _help(
        "pretrained: load weights; scratch: build a new model (model.scratch) with a character vocabulary "
        "built from data.train", default="pretrained"
    )
    tokenizer: str | None = _help("tokenizer hub id or folder when it differs from name_or_path", default=None)
    revision: str | None = _help("hub revision (branch, tag or commit) to pin", default=None)
    trust_remote_code: bool = _help("run code shipped with the checkpoint; off unless you trust its author", default=False)
    scratch: ScratchModel = field(default_factory=ScratchModel)


@dataclass
class DataSection:
    train: str = _help("training JSONL in the canonical record format", default="data/corpus/train.jsonl")
    dev: str | None = _help("dev JSONL scored with ROUGE during training; null disables evaluation", default="data/corpus/dev.jsonl")
    text_field: str = _help("record key holding the article", default="text")
    title_field: str = _help("record key holding the reference headline", default="title")
    source_prefix: str = _help("text put before every article (T5 checkpoints trained with a task prefix)", default="")
    max_source_tokens: int = _help("articles are truncated to this many tokens, keeping the lead", default=512)
    max_target_tokens: int = _help("reference headlines are truncated to this many tokens", default=64)
    max_train_samples: int | None = _help("use only the first N training records (quick experiments)", default=None)
    max_dev_samples: int | None = _help("score only the first N dev records", default=None)

    def check(self) -> list[str]:
        errors = []
        if self.max_source_tokens <= 0 or self.max_target_tokens <= 0:
            errors.append("max_source_tokens and max_target_tokens must be positive")
        return errors


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
        return errors


@dataclass
class GenerationSection:
    """Headline decoding defaults; saved into the model's generation_config when training ends."""

    num_beams: int = _help("beam width; 1 is greedy", default=4)
    max_chars: int = _help("longest headline, in characters (not tokens)", default=30)
    min_chars: int = _help("shortest headline, in characters", default=0)
    no_repeat_ngram_size: int = _help("forbid repeating any n-gram of this size; 0 disables", default=0)
    repetition_penalty: float = _help("penalty on repeated tokens; 1.0 disables", default=1.0)
    length_penalty: float = _help("beam-search length penalty", default=1.0)
    max_source_tokens: int = _help("articles are truncated to this many tokens at inference, keeping the lead", default=512)
    batch_size: int = _help("articles per generation batch", default=16)

    def check(self) -> list[str]:
        errors = []
        if self.num_beams < 1:
            errors.append(f"generation.num_beams must be >= 1, got {self.num_beams}")
        if self.max_chars < 1:
            errors.append(f"generation.max_chars must be >= 1, got {self.max_chars}")
        if not 0 <= self.min_chars <= self.max_chars:
            errors.append(f"generation.min_chars must be in [0, max_chars], got {self.min_chars}")
        return [e.removeprefix("generation.") for e in errors]


@dataclass
class HeadlineConfig:
    task: Literal["headline"] = _help("which schema this file follows", default="headline")
    model: ModelSection = field(default_factory=ModelSection)
    data: DataSection = field(default_factory=DataSection)
    training: TrainingSection = field(default_factory=TrainingSection)
    generation: GenerationSection = field(default_factory=GenerationSection)
