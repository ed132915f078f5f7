"""Convert a saved headline model folder to CTranslate2, with a manifest that detects stale copies.

    from summarize.headline.backends.ct2_export import export_ctranslate2
    export_ctranslate2("runs/x/model", "runs/x/model-ct2", quantization="int8")

or ``summarize export ctranslate2 runs/x/model [runs/x/model-ct2] --quantization int8``.

The export folder is self-contained: the CTranslate2 weights, the tokenizer,
``generation_config.json`` (decoding defaults, source prefix)
and ``ct2_manifest.json``: the source folder (relative path), a hash of its
weights, config and tokenizer files, the CTranslate2 version, the quantization,
and the parity check's verdict once ``--check`` has run.

Why not CTranslate2's own converter as is: on transformers 5 it fails on BART
configs (``normalize_before`` is no longer an attribute) and writes ``null``
BOS/EOS for BERT-vocabulary checkpoints (BertTokenizer has neither), so the
converted model never stops. We load the model through ``headline.models``
(the same family-aware loading and special-id alignment as training and the
torch backend) and hand the converter a vocabulary of unique strings whose
special tokens are named from the model's own ids. Unique strings matter:
CTranslate2 maps tokens to ids by string, and a vocab.txt with a repeated line
would otherwise send two ids to one embedding.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarize.io import atomic_write_json, atomic_write_text
from summarize.io.read import InputError

log = logging.getLogger("summarize.headline")

MANIFEST = "ct2_manifest.json"
VMAP = "vmap.txt"
QUANTIZATIONS = ("int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32")
# Files of a model folder whose change makes a converted copy stale.
_HASHED_SUFFIXES = (".json", ".safetensors", ".bin", ".txt", ".model")
_SKIP_HASH = {"trainer_state.json", "training_args.bin", MANIFEST}
DEFAULT_SUFFIX = "-ct2"


class ExportError(InputError):
    """A model folder that cannot be converted, or an export that cannot be used (the message names the folder)."""


def require_ctranslate2():
    try:
        import ctranslate2
    except ImportError as exc:
        raise ExportError("the ctranslate2 backend needs the 'fast' extra: pip install 'summarize[fast]'") from exc
    return ctranslate2


def default_export_dir(model_dir: str | os.PathLike) -> Path:
    """Where a model folder's converted copy lives by default: beside it, ``<name>-ct2``."""
    path = Path(model_dir).resolve()
    return path.with_name(path.name + DEFAULT_SUFFIX)


def source_hash(model_dir: str | os.PathLike) -> str:
    """sha256 over the names and bytes of the folder's weights, configs and tokenizer files (not sub-folders)."""
    folder = Path(model_dir)
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name in _SKIP_HASH or not path.name.endswith(_HASHED_SUFFIXES):
            continue
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def ct2_vocabulary(tokenizer, size: int) -> list[str]:
    """One unique string per model id: the tokenizer's token where it is unique, else ``<ct2_id_N>``."""
    seen: set[str] = set()
    tokens = []
    for i in range(size):
        tok = tokenizer.convert_ids_to_tokens(i)  # ids past the tokenizer's vocabulary: None or its unknown token
        if not isinstance(tok, str) or not tok or tok in seen or any(c.isspace() for c in tok):
            tok = f"<ct2_id_{i}>"
        seen.add(tok)
        tokens.append(tok)
    return tokens


class _TokenizerView:
    """What CTranslate2's loaders read from a tokenizer, answered from the model's ids and a unique vocabulary."""

    def __init__(self, tokens: list[str], model_config, tokenizer):
        self._tokens = tokens

        def name(*ids):
            for i in ids:
                if isinstance(i, int) and 0 <= i < len(tokens):
                    return tokens[i]
            return None

        def config_id(key):  # transformers 5 configs lack keys their model type never set (T5: bos_token_id)
            value = getattr(model_config, key, None)
            return value[0] if isinstance(value, (list, tuple)) and value else value

        start = config_id("decoder_start_token_id")
        self.eos_token = name(config_id("eos_token_id"))
        self.pad_token = name(config_id("pad_token_id"), tokenizer.pad_token_id)
        self.bos_token = name(config_id("bos_token_id"), start, tokenizer.bos_token_id,
                              getattr(tokenizer, "cls_token_id", None))
        self.unk_token = name(tokenizer.unk_token_id) or self.pad_token
        if self.eos_token is None:
            raise ExportError("the model defines no eos_token_id; a converted model would never stop")

    def get_vocab(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self._tokens)}

    def convert_ids_to_tokens(self, i):
        return self._tokens[i] if isinstance(i, int) else [self._tokens[j] for j in i]

    def __len__(self) -> int:
        return len(self._tokens)


def _patch_config(model, family: str) -> None:
    """Fill the attributes CTranslate2's loaders expect and transformers 5 no longer sets."""
    config = model.config
    if family in ("bart", "pegasus") and not hasattr(config, "normalize_before"):
        # BART is post-norm, Pegasus pre-norm; CTranslate2's BART loader (Pegasus's too) reads the flag.
        config.normalize_before = family == "pegasus"
    if family == "pegasus" and not hasattr(config, "normalize_embedding"):
        config.normalize_embedding = False  # Pegasus has no layer norm after its embeddings


def _converter(loaded, tokens: list[str]):
    ctranslate2 = require_ctranslate2()
    from ctranslate2.converters import TransformersConverter

    model, tokenizer = loaded.model, loaded.tokenizer
    view = _TokenizerView(tokens, model.config, tokenizer)

    class _Converter(TransformersConverter):
        # The converter loads by name; we hand it the model and tokenizer already loaded our way.
        def load_model(self, model_class, model_name_or_path, **kwargs):
            return model

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            return view

    return ctranslate2, _Converter(str(loaded.path))


def headline_vocabulary(tokenizer, titles: list[str], always: list[int]) -> list[int]:
    """Ids the training headlines use (tokenized as targets), plus ``always`` (special ids)."""
    ids = set(always)
    for start in range(0, len(titles), 1024):
        for row in tokenizer(titles[start : start + 1024], add_special_tokens=False)["input_ids"]:
            ids.update(row)
    return sorted(ids)


def export_ctranslate2(
    model_dir: str | os.PathLike,
    dest: str | os.PathLike | None = None,
    *,
    quantization: str = "int8",
    vocab_titles: list[str] | None = None,
    force: bool = False,
) -> Path:
    """Convert ``model_dir`` into ``dest`` (default ``<model_dir>-ct2``); returns ``dest``.

    ``vocab_titles``: training headlines; their token ids become a vocabulary map
    (``vmap.txt``) so decoding can be restricted to them (``vocab_restrict``).
    An existing ``dest`` is replaced only with ``force`` or when it is a stale
    export of the same source.
    """
    from summarize.headline.config import ModelSection
    from summarize.headline.models import load_pretrained

    if quantization not in QUANTIZATIONS:
        raise ExportError(f"--quantization must be one of {', '.join(QUANTIZATIONS)}, got {quantization!r}")
    source = Path(model_dir)
    if not source.is_dir():
        raise ExportError(f"{source}: no such model folder")
    dest = Path(dest) if dest is not None else default_export_dir(source)
    if dest.resolve() == source.resolve():
        raise ExportError(f"{dest}: the export folder must differ from the model folder")
    from summarize.io.safety import refuse_inside

    refuse_inside(source, dest, "the model folder")  # replacing dest must never delete the model
    if dest.exists() and not force:
        manifest = read_manifest(dest) if (dest / MANIFEST).is_file() else None
        if manifest is None:
            raise ExportError(f"{dest}: exists and is not an export of ours; choose another folder or pass --force")
    loaded = load_pretrained(ModelSection(name_or_path=str(source)))
    _patch_config(loaded.model, loaded.family)
    size = loaded.model.get_output_embeddings().weight.shape[0]
    tokens = ct2_vocabulary(loaded.tokenizer, size)
    ctranslate2, converter = _converter(loaded, tokens)
    tmp = dest.with_name(f".{dest.name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    vmap_file = None
    if vocab_titles:
        always = [i for i in (loaded.model.config.eos_token_id, loaded.tokenizer.unk_token_id) if isinstance(i, int)]
        keep = headline_vocabulary(loaded.tokenizer, vocab_titles, always)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        vmap_file = dest.with_name(f".{dest.name}.{VMAP}")
        # An empty source side: these target tokens are always allowed, whatever the input.
        atomic_write_text(vmap_file, "\t" + " ".join(tokens[i] for i in keep) + "\n")
    try:
        log.info("converting %s to CTranslate2 (%s)", source, quantization)
        converter.convert(str(tmp), quantization=quantization, vmap=str(vmap_file) if vmap_file else None, force=True)
    except ExportError:
        raise
    except Exception as exc:
        raise ExportError(f"{source}: CTranslate2 cannot convert this model ({type(exc).__name__}: {exc})") from exc
    finally:
        if vmap_file is not None:
            vmap_file.unlink(missing_ok=True)
    loaded.tokenizer.save_pretrained(str(tmp))
    loaded.model.generation_config.save_pretrained(str(tmp))
    # config.json is CTranslate2's own; what the backend needs of the transformers config goes in the manifest.
    positions = getattr(loaded.model.config, "max_position_embeddings", None)
    atomic_write_json(tmp / MANIFEST, {
        "format": "summarize-ctranslate2/1",
        "source": os.path.relpath(source.resolve(), dest.resolve().parent),
        "source_hash": source_hash(source),
        "family": loaded.family,
        "ctranslate2_version": ctranslate2.__version__,
        "quantization": quantization,
        "vocab_restricted_size": len(keep) if vocab_titles else None,
        "max_source_tokens": int(positions) if positions else None,
        "tokens": tokens,
        "check": None,
    })
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)
    return dest


def read_manifest(export_dir: str | os.PathLike) -> dict[str, Any]:
    path = Path(export_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"{path}: not a readable export manifest ({exc})") from exc
    for key in ("source", "source_hash", "ctranslate2_version", "tokens", "family"):
        if key not in manifest:
            raise ExportError(f"{path}: manifest lacks {key!r}; re-run summarize export ctranslate2")
    return manifest


def write_check(export_dir: str | os.PathLike, check: dict[str, Any]) -> None:
    """Record the parity gate's verdict in the manifest."""
    manifest = read_manifest(export_dir)
    manifest["check"] = check
    atomic_write_json(Path(export_dir) / MANIFEST, manifest)


@dataclass(frozen=True)
class Staleness:
    stale: bool
    reason: str = ""


def staleness(export_dir: str | os.PathLike, manifest: dict[str, Any] | None = None) -> Staleness:
    """Whether the export no longer matches its source folder (changed weights, or another CTranslate2)."""
    export_dir = Path(export_dir)
    manifest = manifest or read_manifest(export_dir)
    ctranslate2 = require_ctranslate2()
    major = str(manifest["ctranslate2_version"]).split(".")[0]
    if major != ctranslate2.__version__.split(".")[0]:
        return Staleness(True, f"converted with CTranslate2 {manifest['ctranslate2_version']}, "
                               f"{ctranslate2.__version__} is installed")
    source = (export_dir.resolve().parent / manifest["source"]).resolve()
    if not source.is_dir():
        return Staleness(False, f"source {source} is not present; its hash cannot be checked")
    if source_hash(source) != manifest["source_hash"]:
        return Staleness(True, f"{source} changed since it was converted")
    return Staleness(False)


def source_dir(export_dir: str | os.PathLike, manifest: dict[str, Any]) -> Path:
    return (Path(export_dir).resolve().parent / manifest["source"]).resolve()


def is_export(path: str | os.PathLike) -> bool:
    return (Path(path) / MANIFEST).is_file()


__all__ = [
    "ExportError",
    "default_export_dir",
    "export_ctranslate2",
    "is_export",
    "read_manifest",
    "source_hash",
    "staleness",
    "write_check",
]
