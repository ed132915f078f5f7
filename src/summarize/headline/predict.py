"""Predictions for ``summarize evaluate --model``: load a generator, headline every record.

``summarize evaluate`` (``summarize.cli.evaluate``) calls ``generate_predictions(model, data, ...)``
and scores the result; the work is in plain functions usable from Python::

    gen = load_generator("runs/x/model")          # or "lead" for the offline method
    preds, refs, ids = predict_records(gen, records)

``--model lead`` scores the offline ``lead-v1`` method with the same report as a
model (use ``./lead`` for a model folder that happens to be called ``lead``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

from summarize.io import BadRow, InputError, bad_rows_error, iter_jsonl, report_bad_rows

log = logging.getLogger("summarize.headline")

LEAD = "lead"
_PROGRESS_FROM = 50


def load_generator(
    model: str | os.PathLike | None,
    *,
    device: Any = None,
    config: str | os.PathLike | None = None,
    overrides: Sequence[str] = (),
    backend: str | None = None,
):
    """A ``HeadlineGenerator`` for a model folder or hub id; ``"lead"``: the offline lead method;
    ``None``: the best offline method, the extractive model bundled in the package when
    there is one (``summarize.headline.extractive.bundled_model``), else lead-v1.

    ``backend``: torch or ctranslate2 (see ``HeadlineGenerator.from_pretrained``); ignored for lead.

    All answer ``generate(texts, ...)`` with ``HeadlineResult``s; decoding
    settings follow overrides > config > model defaults > schema defaults.
    """
    if model is None:
        from summarize.headline.extractive import bundled_model

        model = bundled_model() or LEAD
    if str(model) == LEAD:
        from summarize.headline.config import GenerationSection
        from summarize.headline.generator import generation_settings
        from summarize.headline.lead import LeadGenerator

        return LeadGenerator(max_chars=generation_settings(GenerationSection(), config, overrides).max_chars)
    from summarize.headline.generator import HeadlineGenerator

    return HeadlineGenerator.from_pretrained(model, device=device, config=config, overrides=overrides, backend=backend)


def record_problem(obj: dict, text_field: str, title_field: str | None) -> str | None:
    """Why a canonical record cannot be headlined (or scored, with ``title_field``), or None."""
    fields = [text_field] + ([title_field] if title_field else [])
    for name in fields:
        value = obj.get(name)
        if name not in obj:
            return f"missing key {name!r} (keys: {', '.join(map(repr, obj)) or 'none'})"
        if not isinstance(value, str):
            return f"{name!r} must be a string, got {type(value).__name__}"
        if not value.strip():
            return f"{name!r} is empty"
    return None


def read_article_rows(
    path: str | os.PathLike, *, text_field: str = "text", title_field: str | None = "title"
) -> tuple[list[tuple[int, dict]], list[BadRow]]:
    """``(line, record)`` pairs of a canonical JSONL file, and the rows that cannot be used."""
    good, bad = [], []
    for line, obj in iter_jsonl(path):
        if not isinstance(obj, BadRow):
            reason = record_problem(obj, text_field, title_field)
            if reason:
                obj = BadRow(str(path), line, reason)
        if isinstance(obj, BadRow):
            bad.append(obj)
        else:
            good.append((line, obj))
    return good, bad


def predict_records(
    generator,
    records: Sequence[dict],
    *,
    text_field: str = "text",
    title_field: str = "title",
    batch_size: int | None = None,
    progress: bool = False,
    ids: Sequence[str] | None = None,
) -> tuple[list[str], list[str], list[str]]:
    """(predictions, references, ids) for canonical records; ids default to the record's ``id`` or its position."""
    texts = [r[text_field] for r in records]
    kwargs = {"batch_size": batch_size} if batch_size else {}
    results = generator.generate(texts, progress=progress, **kwargs) if texts else []
    preds = [r.headline for r in results]
    refs = [r[title_field] for r in records]
    if ids is None:
        ids = [str(r.get("id", i)) for i, r in enumerate(records, start=1)]
    return preds, refs, list(ids)


def generate_predictions(
    model: str | os.PathLike | None,
    data: str | os.PathLike,
    *,
    config: str | os.PathLike | None = None,
    overrides: Sequence[str] = (),
    skip_bad: bool = False,
    device: Any = None,
    batch_size: int | None = None,
    backend: str | None = None,
) -> tuple[list[str], list[str], list[str]]:
    """(predictions, references, ids) of ``model`` on the canonical JSONL file ``data``.

    What ``summarize evaluate --model M --data FILE.jsonl [--config F] [key=value ...]`` scores.
    Bad rows (invalid JSON, missing or empty text/title) are an error listing
    each as file:line, unless ``skip_bad``: then they are logged and skipped.
    """
    overrides = list(overrides)
    text_field, title_field = "text", "title"
    if config is not None:
        from summarize.config import load_config

        fields = load_config(config, overrides, task="headline").data
        text_field, title_field = fields.text_field, fields.title_field
    rows, bad = read_article_rows(data, text_field=text_field, title_field=title_field)
    if bad and not skip_bad:
        raise bad_rows_error(data, bad, "fix them or pass --skip-bad to score the rest")
    report_bad_rows(bad, log.warning)
    if not rows:
        raise InputError(f"{data}: no records to headline")
    generator = load_generator(model, device=device, config=config, overrides=overrides, backend=backend)
    records = [r for _, r in rows]
    ids = [str(r.get("id", line)) for line, r in rows]
    show = len(records) >= _PROGRESS_FROM and logging.getLogger("summarize").isEnabledFor(logging.INFO)
    return predict_records(
        generator, records, text_field=text_field, title_field=title_field,
        batch_size=batch_size, progress=show, ids=ids,
    )
