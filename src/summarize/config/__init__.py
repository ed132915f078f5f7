"""Config loading: pick the schema by the file's ``task`` key, apply overrides, validate.

Usage::

    cfg = load_config("configs/quickstart.yaml", ["training.learning_rate=3e-4"])
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from summarize.config.loader import (
    ConfigError,
    apply_overrides,
    build,
    dump_yaml,
    field_help,
    read_yaml,
    save_config,
    to_dict,
)

# task name -> "module:Class"; imported lazily so `summarize validate` stays light.
TASKS = {
    "headline": "summarize.headline.config:HeadlineConfig",
    "qa": "summarize.qa.config:QAConfig",
    "extractive": "summarize.headline.extractive.config:ExtractiveConfig",
}
DEFAULT_TASK = "headline"


def schema_for(task: str) -> type:
    if task not in TASKS:
        import difflib

        match = difflib.get_close_matches(str(task), list(TASKS), n=1)
        hint = f" (did you mean {match[0]!r}?)" if match else ""
        raise ConfigError([f"task: unknown task {task!r}{hint}; valid tasks: {', '.join(TASKS)}"])
    module, name = TASKS[task].split(":")
    return getattr(importlib.import_module(module), name)


def default_run_folder(data: dict, path: str | os.PathLike) -> None:
    """Without ``training.output_dir``, a config's runs go to ``runs/<config file stem>``.

    One shared default (``runs/headline``) made every config train into the same
    folder, so a second experiment replaced the first.
    """
    training = data.get("training")
    if training is None:
        training = data["training"] = {}
    if isinstance(training, dict) and "output_dir" not in training:
        training["output_dir"] = f"runs/{Path(path).stem}"


def load_config(
    path: str | os.PathLike | None,
    overrides: list[str] | tuple[str, ...] = (),
    *,
    task: str | None = None,
) -> Any:
    """Read ``path`` (or start from the schema defaults when None), apply overrides, validate.

    Raises ConfigError listing every problem, each naming the file and dotted key.
    """
    data = read_yaml(path) if path is not None else {}
    source = str(path) if path is not None else "<defaults>"
    data = apply_overrides(data, list(overrides))
    if path is not None:
        default_run_folder(data, path)
    chosen = data.get("task", task or DEFAULT_TASK)
    if task is not None and chosen != task:
        raise ConfigError([f"{source}: task: this command needs a {task!r} config, got {chosen!r}"])
    try:
        schema = schema_for(chosen)
    except ConfigError as exc:
        raise ConfigError([f"{source}: {e}" for e in exc.errors]) from None
    data.setdefault("task", chosen)
    return build(schema, data, source)


__all__ = [
    "ConfigError",
    "TASKS",
    "apply_overrides",
    "build",
    "dump_yaml",
    "field_help",
    "load_config",
    "read_yaml",
    "save_config",
    "schema_for",
    "to_dict",
]
