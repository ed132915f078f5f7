"""The learned extractive headline model: candidates cut from the article, ranked by LightGBM.

    summarize train configs/extractive.yaml --output-dir runs/extractive
    summarize headline --model runs/extractive/model "文章……"

Modules: ``candidates`` (editor-like spans and compressions), ``features``,
``encoder`` (optional sentence-encoder features), ``trees`` (numpy inference of
the saved LightGBM model), ``model`` (the folder and the generator), ``train``.
"""

from __future__ import annotations

import os
from pathlib import Path

META_FILE = "extractive.json"  # marks a model folder as extractive (summarize.headline.extractive.model)


def is_extractive_folder(path: str | os.PathLike) -> bool:
    """Is ``path`` a folder of the extractive model? Cheap: the CLI asks before importing anything heavy."""
    return (Path(path) / META_FILE).is_file()


# The model shipped inside the package, if any (see data/README.md for its provenance and
# scores); ``summarize headline`` without --model uses it, ``--model lead`` keeps lead-v1.
BUNDLED = Path(__file__).resolve().parent / "bundled"


def bundled_model() -> Path | None:
    """The bundled extractive model folder, or None when the package ships none."""
    return BUNDLED if is_extractive_folder(BUNDLED) else None
