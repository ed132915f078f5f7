"""summarize: Chinese headline summarization and extractive reading comprehension.

The public API is small and imported lazily, so ``import summarize`` is cheap::

    from summarize import HeadlineGenerator, Reader, rouge_scores, load_config
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_API = {
    "load_config": "summarize.config",
    "ConfigError": "summarize.config",
    "normalize_text": "summarize.text.normalize",
    "InputError": "summarize.io.read",
    "convert_file": "summarize.data",
    "split_records": "summarize.data",
    "read_records": "summarize.data",
    "HeadlineGenerator": "summarize.headline.generator",
    "lead_headline": "summarize.headline.lead",
    "Reader": "summarize.qa.reader",
    "rouge_scores": "summarize.metrics.rouge",
    "cmrc_scores": "summarize.metrics.cmrc",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'summarize' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
