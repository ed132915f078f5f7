"""Schema of a reading-comprehension run config (``task: qa``): model, data, training.

The ``training`` section is the same dataclass the headline trainer uses, so both
tasks share optimizer, precision, checkpointing and distributed-launch behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from summarize.config.sections import TrainingSection, help_field as _help

# Written into the model's config.json by `summarize qa train`, so inference uses the training windows.
CONFIG_KEY = "summarize_qa"


@dataclass
class ScratchBert:
    """Shape of a BertForQuestionAnswering built from scratch (``model.init: scratch``)."""

    hidden: int = _help("hidden size", default=128)
    layers: int = _help("transformer layers", default=2)
    heads: int = _help("attention heads", default=4)
    intermediate: int = _help("feed-forward size", default=512)
    max_positions: int = _help("longest sequence the position table covers", default=512)
    dropout: float = _help("dropout probability", default=0.1)
    vocab_min_count: int = _help("characters seen fewer times in the training contexts+questions map to [UNK]", default=1)

    def check(self) -> list[str]:
        errors = []
        if self.heads > 0 and self.hidden % self.heads:
            errors.append(f"hidden ({self.hidden}) must be divisible by heads ({self.heads})")
        for name in ("hidden", "layers", "heads", "intermediate", "max_positions", "vocab_min_count"):
            if getattr(self, name) <= 0:
                errors.append(f"{name} must be positive, got {getattr(self, name)}")
        if not 0.0 <= self.dropout < 1.0:
            errors.append(f"dropout must be in [0, 1), got {self.dropout}")
        return [f"scratch.{e}" for e in errors]


@dataclass
class QAModelSection:
    name_or_path: str = _help(
        "hub id (hfl/chinese-macbert-base) or local folder of a pretrained checkpoint; for init: scratch, "
        "the folder (relative to the run folder) the from-scratch model and its character vocabulary are written to first",
        default="bert-base-chinese",
    )
    init: Literal["pretrained", "scratch"] = _help(
        "pretrained: load weights; scratch: build a new BertForQuestionAnswering (model.scratch) with a "
        "character vocabulary built from data.train", default="pretrained"
    )
    tokenizer: str | None = _help("tokenizer hub id or folder when it differs from name_or_path", default=None)
    revision: str | None = _help("hub revision (branch, tag or commit) to pin", default=None)
    trust_remote_code: bool = _help("run code shipped with the checkpoint; off unless you trust its author", default=False)
    scratch: ScratchBert = field(default_factory=ScratchBert)


@dataclass
class QADataSection:
    train: str = _help("training set: SQuAD-style JSON (CMRC 2018, DRCD) or JSONL with id/context/question/answers",
                       default="data/rc/train.jsonl")
    dev: str | None = _help("dev set scored with CMRC EM/F1 during training; null disables evaluation",
                            default="data/rc/dev.jsonl")
    max_seq_len: int = _help("tokens per window: [CLS] question [SEP] context-slice [SEP]", default=512)
    doc_stride: int = _help("tokens shared by consecutive windows of a long context (overlap, as in HF run_qa)", default=128)
    max_question_tokens: int = _help("longer questions are cut to this many tokens (with a warning)", default=64)
    max_answer_tokens: int = _help("longest answer span the decoder considers, in tokens", default=50)
    n_best: int = _help("candidate starts and ends kept per window before pairing", default=20)
    max_train_samples: int | None = _help("use only the first N training questions (quick experiments)", default=None)
    train_negative_windows: float = _help(
        "fraction of training windows WITHOUT the answer that are kept (sampled with training.seed); 1 keeps all, "
        "as HF run_qa does; lower it to spend CPU on the windows that hold answers", default=1.0)
    max_dev_samples: int | None = _help("score only the first N dev questions", default=None)
    num_proc: int | None = _help("processes that window the training questions (cached, so only the first run "
                                 "pays); null: one", default=None)
    question_field: str = _help("question column of a datasets.Dataset or hub dataset given in Python "
                                "(files use the SQuAD keys)", default="question")
    context_field: str = _help("context column of a datasets.Dataset or hub dataset given in Python", default="context")
    answers_field: str = _help("answers column ({text: [...], answer_start: [...]} or a list of "
                               "{text, answer_start}) of a datasets.Dataset or hub dataset", default="answers")

    def check(self) -> list[str]:
        errors = []
        if self.max_seq_len < 16:
            errors.append(f"max_seq_len must be >= 16, got {self.max_seq_len}")
        if self.max_question_tokens <= 0:
            errors.append(f"max_question_tokens must be positive, got {self.max_question_tokens}")
        elif self.max_question_tokens + 3 >= self.max_seq_len:
            errors.append(
                f"max_question_tokens ({self.max_question_tokens}) + 3 special tokens leaves no room for the "
                f"context in max_seq_len ({self.max_seq_len})"
            )
        if self.doc_stride < 0:
            errors.append(f"doc_stride must be >= 0, got {self.doc_stride}")
        elif self.doc_stride >= self.max_seq_len - self.max_question_tokens - 3:
            errors.append(
                f"doc_stride ({self.doc_stride}) must be smaller than the context part of a window "
                f"(max_seq_len - max_question_tokens - 3 = {self.max_seq_len - self.max_question_tokens - 3})"
            )
        if self.max_answer_tokens <= 0:
            errors.append(f"max_answer_tokens must be positive, got {self.max_answer_tokens}")
        if self.n_best <= 0:
            errors.append(f"n_best must be positive, got {self.n_best}")
        for name in ("max_train_samples", "max_dev_samples"):
            if getattr(self, name) is not None and getattr(self, name) <= 0:
                errors.append(f"{name} must be positive or null, got {getattr(self, name)}")
        if self.num_proc is not None and self.num_proc < 1:
            errors.append(f"num_proc must be >= 1 or null, got {self.num_proc}")
        if not 0.0 <= self.train_negative_windows <= 1.0:
            errors.append(f"train_negative_windows must be in [0, 1], got {self.train_negative_windows}")
        return errors


@dataclass
class QAConfig:
    task: Literal["qa"] = _help("which schema this file follows", default="qa")
    model: QAModelSection = field(default_factory=QAModelSection)
    data: QADataSection = field(default_factory=QADataSection)
    training: TrainingSection = field(default_factory=TrainingSection)

    def check(self) -> list[str]:
        errors = []
        if self.training.label_smoothing:
            errors.append("training.label_smoothing: not supported for span extraction; set it to 0")
        if self.training.early_stopping_patience > 0 and self.data.dev is None:
            errors.append("training.early_stopping_patience needs a dev set: set data.dev")
        return errors
