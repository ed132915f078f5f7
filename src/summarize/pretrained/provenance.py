"""Which weights a run started from, for its metrics.json (a score means little without it)."""

from __future__ import annotations

import json
from pathlib import Path


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
