"""Locating a checkpoint by local folder or hub id, for every task: one rule, clear errors.

    folder = resolve_checkpoint("runs/x/model")          # the folder itself
    folder = resolve_checkpoint("owner/name", revision)  # a hub snapshot in the HF cache
    config = check_model_folder(folder)                  # config.json contents, or ModelLoadError

A path that looks local (``./x``, ``runs/x``, ``/abs``) and does not exist is an
error naming it at once, never a hub request that retries for a minute.
"""

from __future__ import annotations

import json
from pathlib import Path

from summarize.io.locate import looks_local
from summarize.io.read import InputError

WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")


class ModelLoadError(InputError):
    """A checkpoint folder or hub id cannot be used; the message says which and why."""


# --- locating a checkpoint ------------------------------------------------------------


def resolve_checkpoint(name: str, revision: str | None = None) -> Path:
    """The local folder holding ``name``: the folder itself, or a hub snapshot downloaded into the HF cache."""
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelLoadError(f"{path}: expected a model folder (config.json + weights), got a file")
        return path
    if looks_local(name):
        raise ModelLoadError(f"{path}: no such model folder")
    return _download(name, revision)


def _download(repo_id: str, revision: str | None) -> Path:
    from huggingface_hub import snapshot_download

    try:
        # Configs, vocabularies and safetensors weights; .bin weights only if
        # the repository has no safetensors (never download both).
        folder = Path(snapshot_download(repo_id, revision=revision,
                                        allow_patterns=["*.json", "*.txt", "*.model", "*.safetensors"]))
        if not any((folder / w).is_file() for w in WEIGHT_FILES):
            folder = Path(snapshot_download(repo_id, revision=revision,
                                            allow_patterns=["*.json", "*.txt", "*.model", "pytorch_model*.bin"]))
    except Exception as exc:  # huggingface_hub raises many types: offline, 404, auth, network
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelLoadError(
            f"{repo_id}: could not download this model from the Hugging Face Hub ({type(exc).__name__}: {reason}). "
            "Check the id and the network, or download the checkpoint elsewhere and set model.name_or_path "
            "to its local folder"
        ) from exc
    return folder


def read_json_object(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{path}: not a valid JSON file ({exc})") from exc
    if not isinstance(data, dict):
        raise ModelLoadError(f"{path}: expected a JSON object")
    return data


def check_model_folder(folder: Path) -> dict:
    """Return the folder's config.json contents, or raise naming what is missing or broken."""
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise ModelLoadError(f"{folder}: not a model folder (no config.json)")
    config = read_json_object(config_file)
    if not any((folder / w).is_file() for w in WEIGHT_FILES):
        raise ModelLoadError(f"{folder}: no model weights (expected one of {', '.join(WEIGHT_FILES)})")
    return config


# Which weights a run started from, for its metrics.json (a score means little without it).
def weights_provenance(name_or_path: str, init: str) -> dict:
    """``name_or_path`` and ``init``, plus what a local folder says about itself (model card title, trimming)."""
    info: dict = {"name_or_path": str(name_or_path), "init": init}
    folder = Path(name_or_path).expanduser()
    if init == "scratch" or not folder.is_dir():
        return info  # a hub id (or a scratch build): the id says it all
    card = folder / "README.md"
    if card.is_file():
        titles = [ln.lstrip("# ").strip() for ln in card.read_text(encoding="utf-8").splitlines() if ln.startswith("# ")]
        if titles:
            info["model_card"] = titles[0]
    report = folder / "trim_report.json"
    if report.is_file():
        data = json.loads(report.read_text(encoding="utf-8"))
        info["vocabulary_trimmed"] = {k: data.get(k) for k in ("source", "original", "kept")}
    return info


__all__ = ["ModelLoadError", "WEIGHT_FILES", "check_model_folder", "read_json_object", "resolve_checkpoint",
           "weights_provenance"]
