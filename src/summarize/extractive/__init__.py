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

META_FILE = "extractive.json"  # marks a model folder as extractive (summarize.extractive.model)


def is_extractive_folder(path: str | os.PathLike) -> bool:
    """Is ``path`` a folder of the extractive model? Cheap: the CLI asks before importing anything heavy."""
    return (Path(path) / META_FILE).is_file()
