"""Is a model or data name a local path or a Hugging Face Hub id? One rule for every loader.

A hub id is ``name`` or ``owner/name``. Anything else (absolute, ``./x``, ``~/x``,
``runs/x/model``, a path with the OS separator) can only be a path, so a missing one
is an error naming the path at once, instead of minutes of hub retries that end in
a traceback. ``runs/x`` has the shape of a hub id; it counts as local when its first
component exists here (``runs/`` is a folder of this checkout), which is what the
user meant by it.

Thread safety: stateless.
"""

from __future__ import annotations

import os
from pathlib import Path


def looks_local(name: str | os.PathLike) -> bool:
    """True when ``name`` can only be (or was clearly meant as) a local path."""
    text = str(name)
    if os.path.isabs(text) or text.startswith((".", "~")) or text.count("/") > 1:
        return True
    if os.sep != "/" and os.sep in text:
        return True
    first = text.split("/", 1)[0]
    return "/" in text and Path(first).is_dir()


_DATA_SUFFIXES = (".jsonl", ".json", ".txt", ".gz", ".tsv")


def looks_like_data_file(name: str | os.PathLike) -> bool:
    """True when a data source given in Python names a file (it exists, has a data suffix, or is path-shaped),
    False for what can only be a hub dataset id (``owner/name``)."""
    text = str(name)
    return Path(text).expanduser().exists() or text.endswith(_DATA_SUFFIXES) or text.startswith((".", "/", "~"))


def describe_source(source: object) -> str:
    """How messages and metrics name a data source: its path, or ``a Dataset`` for one given in Python."""
    return str(source) if isinstance(source, (str, os.PathLike)) else f"a {type(source).__name__}"


__all__ = ["looks_local", "looks_like_data_file", "describe_source"]
