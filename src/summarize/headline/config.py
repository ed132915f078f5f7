"""Schema of a headline run config (``task: headline``): model, data, training, generation.

Every shipped YAML in ``configs/`` is validated against these dataclasses; an
unknown key is an error with a suggestion. Field help strings are the docs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from summarize.config.sections import TrainingSection, help_field as _help


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
        if self.heads > 0 and self.d_model % self.heads:
            errors.append(f"d_model ({self.d_model}) must be divisible by heads ({self.heads})")
        for name in ("d_model", "layers", "heads", "ffn", "max_positions", "vocab_min_count"):
            if getattr(self, name) <= 0:
                errors.append(f"{name} must be positive, got {getattr(self, name)}")
        if not 0.0 <= self.dropout < 1.0:
            errors.append(f"dropout must be in [0, 1), got {self.dropout}")
        return errors


@dataclass
class EncoderDecoderShape:
    """BERT2BERT from a BERT-family encoder (``model.init: encoder-decoder``, Rothe et al. 2020)."""

    share: bool = _help("decoder reuses the encoder's embeddings, self-attention and feed-forward (BERT2BERTshare)",
                        default=False)
    decoder_layers: int | None = _help("decoder depth; null copies the encoder's (required with share)", default=None)
    from_scratch: bool = _help("same shape, random weights: the baseline that shows what the checkpoint adds",
                               default=False)

    def check(self) -> list[str]:
        errors = []
        if self.decoder_layers is not None and self.decoder_layers <= 0:
            errors.append(f"decoder_layers must be positive, got {self.decoder_layers}")
        if self.share and self.decoder_layers is not None:
            errors.append("share reuses every encoder layer: leave decoder_layers null")
        return errors


@dataclass
class ModelSection:
    name_or_path: str = _help(
        "hub id (fnlp/bart-base-chinese) or local folder of a pretrained checkpoint; for init: scratch, "
        "the folder the from-scratch model and its character vocabulary are written to first "
        "(a relative path is inside the run folder)",
        default="fnlp/bart-base-chinese",
    )
    family: Literal["auto", "bart", "t5", "mt5", "pegasus"] = _help(
        "model family; auto reads it from the checkpoint's config.json", default="auto"
    )
    init: Literal["pretrained", "scratch", "encoder-decoder"] = _help(
        "pretrained: load weights; scratch: build a new model (model.scratch) with a character vocabulary "
        "built from data.train; encoder-decoder: build BERT2BERT (model.encoder_decoder) from the BERT-family "
        "encoder at name_or_path, written to the run folder's init/ first", default="pretrained"
    )
    tokenizer: str | None = _help("tokenizer hub id or folder when it differs from name_or_path", default=None)
    revision: str | None = _help("hub revision (branch, tag or commit) to pin", default=None)
    trust_remote_code: bool = _help("run code shipped with the checkpoint; off unless you trust its author", default=False)
    scratch: ScratchModel = field(default_factory=ScratchModel)
    encoder_decoder: EncoderDecoderShape = field(default_factory=EncoderDecoderShape)


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
    num_proc: int | None = _help("processes that tokenize the training data (cached, so only the first run "
                                 "pays); null: one", default=None)

    def check(self) -> list[str]:
        errors = []
        if self.max_source_tokens <= 0 or self.max_target_tokens <= 0:
            errors.append("max_source_tokens and max_target_tokens must be positive")
        for name in ("max_train_samples", "max_dev_samples"):
            if getattr(self, name) is not None and getattr(self, name) <= 0:
                errors.append(f"{name} must be positive or null, got {getattr(self, name)}")
        if self.num_proc is not None and self.num_proc < 1:
            errors.append(f"num_proc must be >= 1 or null, got {self.num_proc}")
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
    backend: Literal["torch", "ctranslate2"] = _help(
        "torch: transformers generate; ctranslate2: the converted copy (summarize export ctranslate2, the fast extra)",
        default="torch",
    )
    compute_type: Literal[
        "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32"
    ] = _help("ctranslate2 only: weight/compute precision; auto keeps the export's quantization where the device can run it",
              default="auto")
    inter_threads: int = _help("ctranslate2 only: batches decoded in parallel", default=1)
    intra_threads: int = _help("ctranslate2 only: threads per batch; 0 divides the machine's cores by inter_threads",
                               default=0)
    vocab_restrict: bool = _help(
        "ctranslate2 only: decode over the training headlines' vocabulary (export with --vocab-from)", default=False
    )

    def check(self) -> list[str]:
        errors = []
        if self.inter_threads < 1 or self.intra_threads < 0:
            errors.append("generation.inter_threads must be >= 1 and generation.intra_threads >= 0")
        if self.num_beams < 1:
            errors.append(f"generation.num_beams must be >= 1, got {self.num_beams}")
        if self.max_chars < 1:
            errors.append(f"generation.max_chars must be >= 1, got {self.max_chars}")
        if not 0 <= self.min_chars <= self.max_chars:
            errors.append(f"generation.min_chars must be in [0, max_chars], got {self.min_chars}")
        if self.no_repeat_ngram_size < 0:
            errors.append(f"generation.no_repeat_ngram_size must be >= 0, got {self.no_repeat_ngram_size}")
        if self.repetition_penalty <= 0:
            errors.append(f"generation.repetition_penalty must be positive, got {self.repetition_penalty}")
        if self.max_source_tokens < 1:
            errors.append(f"generation.max_source_tokens must be >= 1, got {self.max_source_tokens}")
        if self.batch_size < 1:
            errors.append(f"generation.batch_size must be >= 1, got {self.batch_size}")
        return [e.removeprefix("generation.") for e in errors]


@dataclass
class HeadlineConfig:
    task: Literal["headline"] = _help("which schema this file follows", default="headline")
    model: ModelSection = field(default_factory=ModelSection)
    data: DataSection = field(default_factory=DataSection)
    training: TrainingSection = field(default_factory=TrainingSection)
    generation: GenerationSection = field(default_factory=GenerationSection)

    def check(self) -> list[str]:
        errors = []
        shape = self.model.scratch
        if self.model.init == "scratch" and shape.architecture == "bart":
            # BART's learned position table has max_positions rows; a longer
            # input fails with an index error in the middle of training or inference.
            for key, value in (("data.max_source_tokens", self.data.max_source_tokens),
                               ("data.max_target_tokens", self.data.max_target_tokens),
                               ("generation.max_source_tokens", self.generation.max_source_tokens)):
                if value > shape.max_positions:
                    errors.append(f"{key} ({value}) exceeds model.scratch.max_positions ({shape.max_positions})")
        if self.training.early_stopping_patience > 0 and not self.data.dev:
            errors.append("training.early_stopping_patience needs a dev set (data.dev)")
        return errors
