"""The bridge between a config's ``generation`` section and a model's ``generation_config``.

Training writes the section into ``generation_config.json`` (transformers keeps
unknown keys), so a trained model folder carries its headline decoding
defaults; inference reads them back. Character bounds are stored under
``headline_*`` keys because transformers only knows token bounds.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from types import SimpleNamespace

from transformers import GenerationConfig

from summarize.headline.config import GenerationSection

PREFIX = "headline_"
# Keys of GenerationSection that transformers has no field for.
CUSTOM_KEYS = ("max_chars", "min_chars", "max_source_tokens", "batch_size")
# A token yields at least one character except for specials and bare
# sentencepiece word markers; the margin only bounds runaway decoding, the
# character limit itself is enforced during generation.
TOKEN_MARGIN = 16


def to_generation_config(
    section: GenerationSection, base: GenerationConfig | None = None, source_prefix: str = ""
) -> GenerationConfig:
    """Return ``base`` (or a new config) updated with the section's decoding defaults.

    ``source_prefix`` (``data.source_prefix``, a T5 task prefix) is saved too: a
    model trained with a prefix must see the same prefix at inference.
    """
    gc = GenerationConfig.from_dict(base.to_dict()) if base is not None else GenerationConfig()
    # A config flagged as derived from the model config is loaded back WITHOUT
    # its custom keys (transformers 5 GenerationConfig.__init__), which would
    # silently drop the headline_* defaults; this one is user-set.
    gc._from_model_config = False
    gc.num_beams = section.num_beams
    gc.do_sample = False
    gc.no_repeat_ngram_size = section.no_repeat_ngram_size
    gc.repetition_penalty = section.repetition_penalty
    gc.length_penalty = section.length_penalty
    gc.early_stopping = section.num_beams > 1
    # Bounded by max_length, not max_new_tokens: a generation_config.json without
    # max_length reloads with transformers' default of 20, and then every
    # generate() call warns that both are set. For encoder-decoder models
    # max_length counts decoder tokens, the decoder start token included.
    gc.max_new_tokens = None
    gc.max_length = section.max_chars + TOKEN_MARGIN + 1
    for key in CUSTOM_KEYS:
        setattr(gc, PREFIX + key, getattr(section, key))
    setattr(gc, PREFIX + "source_prefix", source_prefix)
    return gc


def read_saved_generation_config(folder: str | os.PathLike) -> SimpleNamespace:
    """A folder's ``generation_config.json`` as plain attributes, for readers of its decoding defaults.

    Not ``GenerationConfig.from_pretrained``: loading that imports torch (through transformers'
    configuration utilities), about 250 MB that a CTranslate2 server never needs. transformers 5 leaves
    each decoding key it does not find at None, so an absent key reads as None here as well.
    """
    from summarize.io.checkpoint import read_json_object

    path = Path(folder) / "generation_config.json"
    if not path.is_file():
        from summarize.io.checkpoint import ModelLoadError

        raise ModelLoadError(f"{folder}: no generation_config.json")
    return SimpleNamespace(**read_json_object(path))


def saved_source_prefix(gc: GenerationConfig | SimpleNamespace | None) -> str:
    """The text the model was trained to see before every article ("" when none was saved)."""
    return getattr(gc, PREFIX + "source_prefix", None) or ""


def section_from_generation_config(gc: GenerationConfig | SimpleNamespace | None) -> GenerationSection:
    """Read a model's saved decoding defaults; missing keys keep the schema defaults."""
    section = GenerationSection()
    if gc is None:
        return section
    values = {}
    for f in dataclasses.fields(GenerationSection):
        key = PREFIX + f.name if f.name in CUSTOM_KEYS else f.name
        value = getattr(gc, key, None)
        if value is not None:
            values[f.name] = value
    return dataclasses.replace(section, **values)
