"""Inference backends: what turns token ids into headline token ids.

The generator (batching, truncation, cleaning, warnings) talks to a backend
only through this protocol, so an int8 CTranslate2 or ONNX Runtime backend can
be added beside the torch one without touching callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from summarize.headline.config import GenerationSection


@dataclass(frozen=True)
class DecodeParams:
    """Decoding settings of one ``generate`` call; lengths of the headline are in characters.

    ``max_new_tokens``/``min_new_tokens`` are token-level safety caps (None: derived
    from max_chars); headlines are normally bounded by characters alone.
    """

    num_beams: int = 4
    num_return_sequences: int = 1
    max_chars: int = 30
    min_chars: int = 0
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0
    length_penalty: float = 1.0
    max_new_tokens: int | None = None
    min_new_tokens: int = 0


@dataclass(frozen=True)
class Hypothesis:
    """One decoded headline candidate: generated token ids (no prompt) and its score."""

    token_ids: tuple[int, ...]
    score: float


class Backend(Protocol):
    """A loaded seq2seq model able to decode batches of token ids."""

    name: str  # shown in results as method "model:<name>"
    tokenizer: Any  # a transformers tokenizer (encode/decode is shared by every backend)
    defaults: GenerationSection  # decoding defaults saved with the model
    source_prefix: str  # text the model was trained to see before every article ("" for none)
    max_source_tokens: int | None  # longest input the model accepts (position table), None: unbounded

    def generate(self, batch: list[list[int]], params: DecodeParams) -> list[list[Hypothesis]]:
        """Decode each input (unpadded token ids, specials included); per input, the best
        ``params.num_return_sequences`` hypotheses, best first. Must be deterministic and
        safe to call from several threads."""
        ...


__all__ = ["Backend", "DecodeParams", "Hypothesis"]
