"""The final ``model/`` folder of a run, as the Hugging Face Hub expects it.

``save_final_model`` saves the trained model and tokenizer without the pickled
``training_args.bin`` (checkpoints keep theirs, for ``--resume``), then writes a
model card: ``README.md`` whose YAML front matter the Hub reads (language,
pipeline, base model) and whose body says what a user needs - the base
checkpoint, the sha256 of the data it was trained and scored on, the dev scores
with how they were computed, the decoding defaults, and how to load the folder
in plain transformers and in summarize. ``push_to_hub`` uploads such a folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from summarize.io.atomic import atomic_write_text

log = logging.getLogger("summarize")

CARD = "README.md"
PICKLED_ARGS = "training_args.bin"


@dataclass
class ModelCard:
    task: str                       # "headline" or "qa"
    pipeline_tag: str               # the Hub's pipeline name: "summarization", "question-answering"
    base_model: str                 # hub id, local folder, or "none (from scratch)"
    data: Mapping[str, str | None]  # split name -> file path
    dev_scores: Mapping[str, Any]
    scoring: str                    # how dev_scores were computed
    decoding: Mapping[str, Any]     # inference defaults saved with the model
    load_transformers: str          # Python that loads the folder with plain transformers
    load_summarize: str             # Python that loads it with summarize
    notes: list[str] = field(default_factory=list)


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


def _is_hub_id(name: str) -> bool:
    """``owner/name`` or ``name`` that is not a local folder (only a hub id belongs in ``base_model``)."""
    return bool(_HUB_ID.match(name)) and not Path(name).expanduser().exists()


def render_card(card: ModelCard) -> str:
    data = {split: {"file": Path(p).name, "sha256": file_sha256(p)} for split, p in card.data.items()
            if p and Path(p).is_file()}
    meta: dict[str, Any] = {
        "language": ["zh"],
        "library_name": "transformers",
        "pipeline_tag": card.pipeline_tag,
        "tags": ["summarize", card.task],
    }
    if _is_hub_id(card.base_model):
        meta["base_model"] = card.base_model
    meta["summarize"] = {"task": card.task, "data": data, "dev_scores": dict(card.dev_scores),
                         "scoring": card.scoring, "decoding": dict(card.decoding)}
    lines = ["---", yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).rstrip(), "---", "",
             f"# {card.task} model trained with summarize", "",
             f"- **Base checkpoint:** {card.base_model}"]
    for split, info in data.items():
        lines.append(f"- **{split} data:** `{info['file']}`, sha256 `{info['sha256']}`")
    lines += ["", "## Dev scores", ""]
    scalar = {k: v for k, v in card.dev_scores.items() if not isinstance(v, Mapping)}
    if scalar:
        lines += ["| metric | value |", "|---|---|"]
        lines += [f"| {k} | {v:.2f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in scalar.items()]
    else:
        lines.append("No dev set: not scored.")
    lines += ["", f"Scoring: {card.scoring}", "", "## Decoding defaults", ""]
    lines += [f"- `{k}`: {v!r}" for k, v in card.decoding.items()]
    lines += ["", "## How to load", "", "Plain transformers:", "", "```python", card.load_transformers.strip(), "```",
              "", "summarize:", "", "```python", card.load_summarize.strip(), "```"]
    if card.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in card.notes]
    return "\n".join(lines) + "\n"


def save_final_model(trainer, model_dir: str | os.PathLike, card: ModelCard | None = None) -> Path:
    """``trainer.save_model`` (all ranks; rank 0 writes), minus ``training_args.bin``, plus the model card."""
    from summarize.training.rundir import is_main_process

    model_dir = Path(model_dir)
    trainer.save_model(str(model_dir))
    if is_main_process():
        # A pickle of TrainingArguments: not needed to use the model, and unpickling it runs code.
        (model_dir / PICKLED_ARGS).unlink(missing_ok=True)
        if card is not None:
            atomic_write_text(model_dir / CARD, render_card(card))
    return model_dir


def push_to_hub(model_dir: str | os.PathLike, repo_id: str, *, private: bool = True, api: Any = None) -> str:
    """Upload a saved ``model/`` folder (card included) to the Hub repository ``repo_id``; returns its URL.

    ``api`` is a ``huggingface_hub.HfApi`` (the default) or a stand-in with the same
    ``create_repo``/``upload_folder`` methods, which is how the tests run it offline.
    """
    from summarize.io.read import InputError

    model_dir = Path(model_dir)
    if not (model_dir / "config.json").is_file():
        raise InputError(f"{model_dir}: not a model folder (no config.json); nothing to push")
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()
    try:
        api.create_repo(repo_id, private=private, exist_ok=True)
        api.upload_folder(folder_path=str(model_dir), repo_id=repo_id, commit_message="Upload model trained with summarize")
    except Exception as exc:  # huggingface_hub raises many types: offline, auth, permissions
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"--push-to-hub {repo_id}: upload failed ({type(exc).__name__}: {reason}); "
                         f"the model is saved in {model_dir}") from exc
    url = f"https://huggingface.co/{repo_id}"
    log.info("pushed %s to %s", model_dir, url)
    return url
