"""Loading headline models by hub id or local folder, and building small ones from scratch.

Four families are supported explicitly, because each pairs a model class with
a tokenizer AutoTokenizer does not always pick on its own:

- ``bart``: BART; Chinese checkpoints (fnlp/bart-base-chinese) use a BERT
  vocabulary through BertTokenizer;
- ``t5``: T5 with a sentencepiece vocabulary, or with a BERT vocabulary
  (uer/t5-*-chinese-cluecorpussmall; sequences end with [SEP]);
- ``mt5``: mT5 (sentencepiece);
- ``pegasus``: Randeng-style Chinese Pegasus, whose jieba tokenizer is
  :class:`~summarize.headline.tokenization_pegasus.PegasusChineseTokenizer`.

Every failure to load names the folder (or hub id) and what is wrong with it.
Remote code is never run unless the config sets ``trust_remote_code``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarize.headline.config import ModelSection, ScratchModel
from summarize.io.checkpoint import (  # noqa: F401  (re-exported: the loading API of this module)
    WEIGHT_FILES,
    ModelLoadError,
    check_model_folder,
    read_json_object,
    resolve_checkpoint,
)

log = logging.getLogger("summarize")

# config.model_type -> family; "encoder-decoder" is BERT2BERT (headline/bert2bert.py)
FAMILIES = {"bart": "bart", "t5": "t5", "mt5": "mt5", "pegasus": "pegasus", "encoder-decoder": "bert2bert"}
SENTENCEPIECE_FILES = ("spiece.model", "sentencepiece.bpe.model", "tokenizer.model")
# Seq2seq models take no token_type_ids; BERT tokenizers would produce them.
SEQ2SEQ_INPUTS = ["input_ids", "attention_mask"]


@dataclass
class LoadedModel:
    model: Any
    tokenizer: Any
    family: str
    path: Path


def detect_family(config: dict | Any, source: str = "") -> str:
    model_type = config.get("model_type") if isinstance(config, dict) else getattr(config, "model_type", None)
    if model_type not in FAMILIES:
        where = f"{source}: " if source else ""
        raise ModelLoadError(
            f"{where}unsupported model type {model_type!r}; headline models must be one of {', '.join(FAMILIES)}"
        )
    return FAMILIES[model_type]


# --- loading ---------------------------------------------------------------------------


def load_tokenizer(folder: Path, family: str, *, trust_remote_code: bool = False):
    """The tokenizer for ``family`` from ``folder`` (see the module docstring for the pairing rules)."""
    # AutoTokenizer only where needed: importing it imports torch (about 250 MB), which a CTranslate2
    # server over a BERT-vocabulary model never needs.
    from transformers import BertTokenizer

    from summarize.headline.tokenization_pegasus import PegasusChineseTokenizer

    tok_config = folder / "tokenizer_config.json"
    declared = read_json_object(tok_config).get("tokenizer_class") if tok_config.is_file() else None
    if declared is None and (folder / "config.json").is_file():
        declared = read_json_object(folder / "config.json").get("tokenizer_class")
    has_vocab_txt = (folder / "vocab.txt").is_file()
    has_spm = any((folder / f).is_file() for f in SENTENCEPIECE_FILES)
    try:
        if family == "pegasus" and has_vocab_txt:
            tokenizer = PegasusChineseTokenizer.from_pretrained(str(folder))
        elif has_vocab_txt and not has_spm and (declared is None or str(declared).startswith("Bert")):
            # BART/T5 over a BERT vocabulary: without a tokenizer_class naming
            # BertTokenizer, AutoTokenizer would pick the model's own BPE or
            # sentencepiece class and silently build an empty vocabulary.
            tokenizer = BertTokenizer.from_pretrained(str(folder))
        elif (named := _transformers_tokenizer_class(declared)) is not None:
            # The class the folder names, as AutoTokenizer would pick it, without importing AutoTokenizer.
            tokenizer = named.from_pretrained(str(folder))
        else:
            from transformers import AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(str(folder), trust_remote_code=trust_remote_code)
    except ModelLoadError:
        raise
    except Exception as exc:
        raise ModelLoadError(f"{folder}: cannot load the tokenizer ({type(exc).__name__}: {exc})") from exc
    tokenizer.model_input_names = list(SEQ2SEQ_INPUTS)
    if tokenizer.pad_token_id is None:
        raise ModelLoadError(f"{folder}: the tokenizer has no padding token")
    return tokenizer


def _transformers_tokenizer_class(name: object):
    """``transformers.<name>`` when ``name`` is a tokenizer class transformers itself exports (never remote code)."""
    if not isinstance(name, str) or not name.isidentifier() or not name.endswith(("Tokenizer", "TokenizerFast")):
        return None
    import transformers

    try:
        return getattr(transformers, name)
    except (AttributeError, ImportError):
        return None


def load_model(folder: Path, *, trust_remote_code: bool = False, dtype: Any = None):
    """The seq2seq model in ``folder``; safetensors are preferred when present."""
    import torch
    from transformers import AutoModelForSeq2SeqLM

    use_safetensors = any(folder.glob("*.safetensors"))
    try:
        return AutoModelForSeq2SeqLM.from_pretrained(
            str(folder),
            trust_remote_code=trust_remote_code,
            use_safetensors=use_safetensors,
            # Training keeps fp32 master weights; mixed precision is the trainer's job.
            dtype=dtype if dtype is not None else torch.float32,
        )
    except Exception as exc:
        raise ModelLoadError(f"{folder}: cannot load the model weights ({type(exc).__name__}: {exc})") from exc


def load_pretrained(section: ModelSection, *, name_or_path: str | None = None, dtype: Any = None) -> LoadedModel:
    """Load the model and its tokenizer named by ``section`` (or ``name_or_path``)."""
    name = name_or_path or section.name_or_path
    folder = resolve_checkpoint(name, section.revision)
    config = check_model_folder(folder)
    family = detect_family(config, str(folder))
    if section.family != "auto" and section.family != family:
        # mt5 checkpoints are T5 underneath; accept the pair but not e.g. bart vs pegasus.
        if {section.family, family} != {"t5", "mt5"}:
            raise ModelLoadError(f"{folder}: model.family is {section.family!r} but the checkpoint is {family!r}")
    tok_folder = resolve_checkpoint(section.tokenizer, section.revision) if section.tokenizer else folder
    tokenizer = load_tokenizer(tok_folder, family, trust_remote_code=section.trust_remote_code)
    model = load_model(folder, trust_remote_code=section.trust_remote_code, dtype=dtype)
    vocab = model.get_input_embeddings().num_embeddings
    if len(tokenizer) > vocab:
        raise ModelLoadError(
            f"{tok_folder}: the tokenizer has {len(tokenizer)} tokens but the model in {folder} embeds only {vocab}"
        )
    if model.config.decoder_start_token_id is None:
        raise ModelLoadError(f"{folder}/config.json: decoder_start_token_id is not set")
    align_special_ids(model, tokenizer, str(folder))
    if family == "bert2bert":
        from summarize.headline.bert2bert import after_load

        after_load(model)
    return LoadedModel(model=model, tokenizer=tokenizer, family=family, path=folder)


def end_token_id(tokenizer) -> int | None:
    """The special id the tokenizer closes every sequence with ([SEP] for BERT vocabularies, else </s>), if any."""
    probe = tokenizer("a")["input_ids"]
    return probe[-1] if probe and probe[-1] in tokenizer.all_special_ids else None


def align_special_ids(model, tokenizer, source: str = "") -> None:
    """Make the model stop where its tokenizer ends sequences, and pad with the tokenizer's pad id.

    uer/t5-*-chinese-cluecorpussmall ships ``eos_token_id: 1`` ([unused1])
    while its BertTokenizer ends every sequence with [SEP] (102): fine-tuned
    as is, the model learns to emit [SEP] but generation never stops on it.
    """
    end = end_token_id(tokenizer)
    if end is None:
        return
    for cfg in (model.config, model.generation_config):
        if cfg.eos_token_id != end:
            if cfg is model.config:
                log.info("%s: eos_token_id %s -> %s (%s, the token the tokenizer ends sequences with)",
                         source, cfg.eos_token_id, end, tokenizer.convert_ids_to_tokens(end))
            cfg.eos_token_id = end
        if cfg.pad_token_id != tokenizer.pad_token_id:
            cfg.pad_token_id = tokenizer.pad_token_id
    if getattr(model.config, "forced_eos_token_id", None) not in (None, end):
        model.config.forced_eos_token_id = end
        model.generation_config.forced_eos_token_id = end


def load_model_and_tokenizer(path_or_id: str | os.PathLike, *, revision: str | None = None,
                             trust_remote_code: bool = False, dtype: Any = None):
    """``(model, tokenizer)`` for inference from a trained run's ``model/`` folder or a hub id.

    Same checks and tokenizer pairing as training (Randeng's jieba tokenizer
    included); the model is returned in eval mode.
    """
    section = ModelSection(name_or_path=str(path_or_id), revision=revision, trust_remote_code=trust_remote_code)
    loaded = load_pretrained(section, dtype=dtype)
    loaded.model.eval()
    return loaded.model, loaded.tokenizer


# --- from scratch ---------------------------------------------------------------------


def scratch_config(shape: ScratchModel, tokenizer):
    """The BART or T5 config of ``shape`` over ``tokenizer``'s vocabulary.

    The decoder starts from [CLS] and stops at [SEP], so a label is
    ``headline [SEP]`` and generation needs no special casing.
    """
    from transformers import BartConfig, T5Config

    ids = dict(
        vocab_size=len(tokenizer),
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.cls_token_id,
        eos_token_id=tokenizer.sep_token_id,
        decoder_start_token_id=tokenizer.cls_token_id,
    )
    if shape.architecture == "bart":
        return BartConfig(
            d_model=shape.d_model,
            encoder_layers=shape.layers,
            decoder_layers=shape.layers,
            encoder_attention_heads=shape.heads,
            decoder_attention_heads=shape.heads,
            encoder_ffn_dim=shape.ffn,
            decoder_ffn_dim=shape.ffn,
            max_position_embeddings=shape.max_positions,
            dropout=shape.dropout,
            forced_eos_token_id=tokenizer.sep_token_id,
            forced_bos_token_id=None,
            **ids,
        )
    return T5Config(
        d_model=shape.d_model,
        d_kv=shape.d_model // shape.heads,
        d_ff=shape.ffn,
        num_layers=shape.layers,
        num_decoder_layers=shape.layers,
        num_heads=shape.heads,
        dropout_rate=shape.dropout,
        **ids,
    )


def build_scratch_checkpoint(shape: ScratchModel, texts, folder: str | os.PathLike, seed: int) -> Path:
    """Build tokenizer + model from scratch (:mod:`summarize.training.scratch`) and save both to ``folder``."""
    from summarize.training.scratch import build_scratch, save_scratch

    model, tokenizer = build_scratch(
        texts, lambda tok: scratch_config(shape, tok), auto_class="AutoModelForSeq2SeqLM", seed=seed,
        min_count=shape.vocab_min_count, model_input_names=SEQ2SEQ_INPUTS,
    )
    return save_scratch(model, tokenizer, folder)
