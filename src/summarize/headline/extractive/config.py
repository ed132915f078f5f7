"""Schema of an extractive headline run config (``task: extractive``).

    summarize validate configs/extractive.yaml --show      # every key with its resolved value
    summarize train configs/extractive.yaml data.train=[a.jsonl,b.jsonl] data.dev=c.jsonl

Sections: ``data`` (JSONL files, one or a list), ``candidates`` (how candidate
headlines are cut, ``summarize.headline.extractive.candidates``), ``features``
(``summarize.headline.extractive.features``, optional encoder), ``ranker`` (LightGBM) and
``training`` (run folder, seed, threads). Field help strings are the docs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from summarize.config.sections import help_field as _help
from summarize.headline.extractive.candidates import CandidateSettings
from summarize.headline.extractive.features import FeatureSettings


def as_list(value: str | list[str] | None) -> list[str]:
    """``data.train``/``data.dev`` as a list of paths (one path or a list in the config)."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@dataclass
class ExtractiveData:
    # field(...) rather than _help(...): ruff reads a list in the type as a mutable default.
    train: str | list[str] = field(default="data/corpus/train.jsonl", metadata={
        "help": "training JSONL file(s) in the canonical record format (one path or a list)"})
    dev: str | list[str] | None = field(default="data/corpus/dev.jsonl", metadata={
        "help": "dev JSONL file(s), each scored separately (one path or a list); null: none"})
    text_field: str = _help("record key holding the article", default="text")
    title_field: str = _help("record key holding the reference headline", default="title")
    max_train_samples: int | None = _help("use only the first N records of each training file", default=None)
    max_dev_samples: int | None = _help("score only the first N records of each dev file", default=None)

    def check(self) -> list[str]:
        errors = []
        if not as_list(self.train):
            errors.append("train must name at least one file")
        for name in ("max_train_samples", "max_dev_samples"):
            value = getattr(self, name)
            if value is not None and value < 1:
                errors.append(f"{name} must be >= 1 or null, got {value}")
        return errors


@dataclass
class RankerSection:
    """LightGBM settings. lambdarank (LambdaMART) learns an order of the candidates of each article."""

    objective: Literal["lambdarank", "regression"] = _help(
        "lambdarank: learn to put the best candidate of each article first (LambdaMART); "
        "regression: predict each candidate's ROUGE on its own", default="lambdarank")
    trees: int = _help("boosting rounds", default=400)
    learning_rate: float = _help("shrinkage per tree", default=0.05)
    num_leaves: int = _help("leaves per tree", default=31)
    min_data_in_leaf: int = _help("fewest candidates in a leaf", default=50)
    feature_fraction: float = _help("share of features each tree may use", default=0.9)
    label_levels: int = _help("relevance grades the candidates' ROUGE-L is binned into (lambdarank)", default=20)
    target: Literal["rougeL", "mean"] = _help(
        "what a candidate is scored by against the reference: char ROUGE-L F, or the mean of ROUGE-1/2/L F",
        default="rougeL")

    def check(self) -> list[str]:
        errors = []
        if self.trees < 1 or self.num_leaves < 2 or self.min_data_in_leaf < 1:
            errors.append("trees >= 1, num_leaves >= 2 and min_data_in_leaf >= 1 are required")
        if not 0 < self.learning_rate <= 1:
            errors.append(f"learning_rate must be in (0, 1], got {self.learning_rate}")
        if not 0 < self.feature_fraction <= 1:
            errors.append(f"feature_fraction must be in (0, 1], got {self.feature_fraction}")
        if not 2 <= self.label_levels <= 30:
            errors.append(f"label_levels must be in [2, 30], got {self.label_levels}")
        return errors


@dataclass
class ExtractiveTraining:
    output_dir: str = _help("run folder: model/, config.yaml, metrics.json, dev_predictions.jsonl", default="runs/extractive")
    seed: int = _help("seed of LightGBM's sampling", default=42)
    threads: int = _help("CPU threads for LightGBM (and torch, with an encoder)", default=2)

    def check(self) -> list[str]:
        return [] if self.threads >= 1 else [f"threads must be >= 1, got {self.threads}"]


@dataclass
class ExtractiveConfig:
    task: Literal["extractive"] = _help("which schema this file follows", default="extractive")
    name: str = _help("model name; results carry method 'extractive:<name>'", default="extractive")
    data: ExtractiveData = field(default_factory=ExtractiveData)
    candidates: CandidateSettings = field(default_factory=CandidateSettings)
    features: FeatureSettings = field(default_factory=FeatureSettings)
    ranker: RankerSection = field(default_factory=RankerSection)
    training: ExtractiveTraining = field(default_factory=ExtractiveTraining)

    def check(self) -> list[str]:
        return [] if self.name.strip() and "/" not in self.name else [f"name must be a non-empty word, got {self.name!r}"]
