"""``HeadlineResult``: one headline, from a model or an extractive method.

Its own module so that extractive methods (``lead.py``) need not import the
model generator to return the same type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HeadlineResult:
    """One headline.

    score: for a model, the beam score transformers ranks by - sum of the
    token log-probabilities divided by length ** length_penalty (<= 0, higher
    is better; comparable between alternatives of one article); for the learned
    extractive model, its ranker's score (higher is better, comparable within
    one article); None for lead-v1. truncated_tokens: input tokens cut off the end of the
    article to fit max_source_tokens. warnings: figures or quotations of the
    headline missing from the article (see ``faithfulness``), and other notes.
    method: ``model:<name>`` or the extractive method (e.g. ``lead-v1``).

    Thread safety: immutable (frozen), safe to share.
    """

    headline: str
    method: str
    score: float | None = None
    truncated_tokens: int = 0
    warnings: tuple[str, ...] = ()
    alternatives: tuple[HeadlineResult, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"headline": self.headline, "method": self.method}
        if self.score is not None:
            out["score"] = round(self.score, 6)
        out["truncated_tokens"] = self.truncated_tokens
        out["warnings"] = list(self.warnings)
        if self.alternatives:
            out["alternatives"] = [a.to_dict() for a in self.alternatives]
        return out
