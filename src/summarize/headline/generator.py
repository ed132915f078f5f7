"""``HeadlineGenerator``: articles in, printable headlines out.

Usage::

    from summarize import HeadlineGenerator

    gen = HeadlineGenerator.from_pretrained("runs/quickstart/model")   # cuda if available
    result = gen.generate("本报讯(记者…) 高新区…", max_chars=24)
    result.headline, result.score, result.warnings
    results = gen.generate(articles, batch_size=16)                    # a list in, a list out

    best = gen.generate(article, num_beams=4, num_return_sequences=3)
    [best.headline] + [alt.headline for alt in best.alternatives]

One text gives one ``HeadlineResult``; a list gives a list in input order. With
``num_return_sequences=n`` each result is the best hypothesis and carries the
other n-1, best first, in ``.alternatives`` (themselves results without
alternatives), so the shape of the output never depends on n.

The generator does the model-independent work - truncation (keeping the
lead), batching by length, cleaning, faithfulness warnings - and hands token
ids to a backend (``summarize.headline.backends``); it never calls torch itself.
Generation is deterministic (no sampling) and thread-safe.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarize.headline.backends import Backend, DecodeParams
from summarize.text.clean import clean_headline
from summarize.headline.config import GenerationSection, HeadlineConfig, ModelSection
from summarize.headline.faithfulness import faithfulness_warnings
from summarize.headline.result import HeadlineResult
from summarize.text.normalize import normalize_whitespace

if TYPE_CHECKING:
    from summarize.headline.extractive.model import ExtractiveGenerator

log = logging.getLogger(__name__)


def _load_weights(path_or_id: str | os.PathLike, model_section: ModelSection | None = None):
    """The one place the generator loads weights: ``summarize.headline.models`` (family-aware
    tokenizer pairing, clear errors naming the folder). ``model_section`` supplies family,
    tokenizer, revision and trust_remote_code; its name_or_path is replaced by ``path_or_id``."""
    from summarize.headline.models import load_pretrained

    loaded = load_pretrained(model_section or ModelSection(), name_or_path=str(path_or_id))
    return loaded.model, loaded.tokenizer


def generation_settings(
    model_defaults: GenerationSection,
    config: str | os.PathLike | HeadlineConfig | None = None,
    overrides: Sequence[str] = (),
) -> GenerationSection:
    """Decoding settings by precedence: overrides > config's generation section > the model's > schema defaults.

    ``config`` as a path: the whole file is validated, and only the generation
    keys it sets replace the model's. As a ``HeadlineConfig``: its generation
    section replaces the model's entirely. ``overrides`` are ``key.sub=value``
    strings validated against the headline schema (``generation.num_beams=2``).
    """
    from summarize.config import apply_overrides, build, load_config, read_yaml, to_dict

    overrides = list(overrides)
    if isinstance(config, HeadlineConfig):
        base = to_dict(config.generation)
    else:
        base = to_dict(model_defaults)
        if config is not None:
            load_config(config, overrides, task="headline")  # every error of the file, at once
            base.update(read_yaml(config).get("generation") or {})
        elif overrides:
            load_config(None, overrides, task="headline")
    merged = apply_overrides({"generation": base}, [o for o in overrides if o.strip().startswith("generation.")])
    return build(GenerationSection, merged["generation"], source=str(config or "<overrides>"))


class HeadlineGenerator:
    """Headlines from a seq2seq model; see the module docstring for usage.

    Thread safety: one generator may be shared by many threads (tokenizing and
    decoding take a lock; the backend only reads the model).
    """

    def __init__(self, backend: Backend, defaults: GenerationSection | None = None, source_prefix: str = ""):
        self.backend = backend
        self.tokenizer = backend.tokenizer
        self.defaults = defaults or backend.defaults
        self.source_prefix = source_prefix
        self.method = f"model:{backend.name}"
        # Rust tokenizers refuse concurrent use when their settings change;
        # tokenizing is cheap next to decoding, so one lock is enough.
        self._tokenizer_lock = threading.Lock()
        self._warned_source_max: set[int] = set()

    @classmethod
    def from_pretrained(
        cls,
        path_or_id: str | os.PathLike,
        device: Any = None,
        *,
        config: str | os.PathLike | HeadlineConfig | None = None,
        overrides: Sequence[str] = (),
        source_prefix: str | None = None,
        backend: str | None = None,
        compute_type: str | None = None,
    ) -> HeadlineGenerator | ExtractiveGenerator:
        """Load a model folder or hub id. ``device`` None: cuda if available, else cpu.

        Decoding defaults come from the folder's generation_config.json, then
        ``config`` and ``overrides`` (see ``generation_settings``). ``source_prefix``
        (T5 task prefixes) defaults to the config's ``data.source_prefix``, else to the
        prefix the model was trained with (saved in its generation_config.json).

        ``backend``: ``"torch"`` or ``"ctranslate2"`` (default: ``generation.backend``
        of the config, ``ctranslate2`` for an export folder, else torch). With
        ctranslate2 a model folder is converted once into ``<folder>-ct2`` (again
        when the folder changes); ``compute_type`` (default ``generation.compute_type``)
        picks int8, float32, ...

        A folder of the learned extractive model (``summarize.headline.extractive``) loads as
        an ``ExtractiveGenerator``: the same ``generate`` and ``HeadlineResult``s, no torch.
        """
        from summarize.headline.extractive import is_extractive_folder

        if is_extractive_folder(path_or_id):
            from summarize.headline.extractive.model import ExtractiveGenerator

            return ExtractiveGenerator.from_pretrained(path_or_id, config=config, overrides=overrides, device=device)
        resolved = _resolve_config(config, overrides)  # the file is read and validated once here
        name = _display_name(path_or_id)
        kind = _backend_kind(path_or_id, backend, resolved, config, overrides)
        if kind == "ctranslate2":
            from summarize.headline.backends.ct2_backend import CT2Backend

            section = resolved.generation
            chosen = compute_type or section.compute_type
            loaded: Backend = CT2Backend(
                _ct2_export_for(path_or_id, chosen), name=name, device=None if device is None else str(device),
                compute_type=chosen, inter_threads=section.inter_threads, intra_threads=section.intra_threads,
                vocab_restrict=section.vocab_restrict,
            )
        else:
            from summarize.headline.backends.torch_backend import TorchBackend

            model, tokenizer = _load_weights(path_or_id, resolved.model if config is not None else None)
            loaded = TorchBackend(model, tokenizer, name=name, device=device)
        defaults = generation_settings(loaded.defaults, config, overrides)
        if source_prefix is None:
            source_prefix = _source_prefix(resolved, config, overrides, loaded.source_prefix)
        return cls(loaded, defaults, source_prefix=source_prefix)

    # --- public API ---------------------------------------------------------------

    def generate(
        self,
        texts: str | Sequence[str],
        *,
        num_beams: int | None = None,
        max_chars: int | None = None,
        min_chars: int | None = None,
        num_return_sequences: int = 1,
        no_repeat_ngram_size: int | None = None,
        repetition_penalty: float | None = None,
        length_penalty: float | None = None,
        max_source_tokens: int | None = None,
        batch_size: int | None = None,
        max_new_tokens: int | None = None,
        min_new_tokens: int = 0,
        progress: bool | Callable[[int], Any] = False,
    ) -> HeadlineResult | list[HeadlineResult]:
        """Headline(s) for one article or a list; unset arguments take the generator's defaults.

        Lengths are in characters of the cleaned headline; ``max_new_tokens``/
        ``min_new_tokens`` are token-level caps for experiments and benchmarks.
        Inputs are decoded in batches of ``batch_size`` articles of similar
        token length (less padding); results come back in input order.
        """
        single = isinstance(texts, str)
        items = [texts] if isinstance(texts, str) else list(texts)
        for i, text in enumerate(items):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"article {i}: expected non-empty text, got {text!r:.40}")
        params, source_max, size = self._params(
            num_beams=num_beams, max_chars=max_chars, min_chars=min_chars, num_return_sequences=num_return_sequences,
            no_repeat_ngram_size=no_repeat_ngram_size, repetition_penalty=repetition_penalty,
            length_penalty=length_penalty, max_source_tokens=max_source_tokens, batch_size=batch_size,
            max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens,
        )
        encoded = self._encode(items, source_max)
        order = sorted(range(len(items)), key=lambda i: -len(encoded[i][0]))
        results: list[HeadlineResult | None] = [None] * len(items)
        batches = [order[k : k + size] for k in range(0, len(order), size)]
        for batch in _progress(batches, progress, total_items=len(items), size=size):
            hypotheses = self.backend.generate([encoded[i][0] for i in batch], params)
            for i, hyps in zip(batch, hypotheses):
                results[i] = self._result(items[i], hyps, encoded[i][1], params.max_chars)
        return results[0] if single else results  # type: ignore[return-value]

    # --- internals ----------------------------------------------------------------

    def _params(self, *, max_source_tokens, batch_size, max_new_tokens, min_new_tokens, num_return_sequences, **given):
        values = {k: v for k, v in given.items() if v is not None}
        section = dataclasses.replace(self.defaults, **values)
        errors = section.check()
        if num_return_sequences < 1 or num_return_sequences > section.num_beams:
            errors.append(
                f"num_return_sequences must be in [1, num_beams={section.num_beams}], got {num_return_sequences}"
            )
        size = batch_size if batch_size is not None else section.batch_size
        if size < 1:
            errors.append(f"batch_size must be >= 1, got {size}")
        if errors:
            raise ValueError("; ".join(errors))
        source_max = max_source_tokens if max_source_tokens is not None else section.max_source_tokens
        model_max = self.backend.max_source_tokens
        if model_max is not None and source_max > model_max:
            if source_max not in self._warned_source_max:
                self._warned_source_max.add(source_max)
                log.warning("max_source_tokens %d exceeds the model's %d positions; using %d", source_max, model_max, model_max)
            source_max = model_max
        params = DecodeParams(
            num_beams=section.num_beams,
            num_return_sequences=num_return_sequences,
            max_chars=section.max_chars,
            min_chars=section.min_chars,
            no_repeat_ngram_size=section.no_repeat_ngram_size,
            repetition_penalty=section.repetition_penalty,
            length_penalty=section.length_penalty,
            max_new_tokens=max_new_tokens,
            min_new_tokens=min_new_tokens,
        )
        return params, source_max, size

    def _encode(self, texts: list[str], max_tokens: int) -> list[tuple[list[int], int]]:
        """Token ids truncated at the right to ``max_tokens`` (special tokens kept), and how many were cut."""
        prepared = [self.source_prefix + normalize_whitespace(t) for t in texts]
        with self._tokenizer_lock:
            enc = self.tokenizer(
                prepared, add_special_tokens=True, return_special_tokens_mask=True,
                return_attention_mask=False, return_token_type_ids=False,
            )
        out = []
        for ids, special in zip(enc["input_ids"], enc["special_tokens_mask"]):
            if len(ids) <= max_tokens:
                out.append((list(ids), 0))
                continue
            body = [k for k, s in enumerate(special) if not s]
            first, last = (body[0], body[-1]) if body else (0, -1)
            head, tail = ids[:first], ids[last + 1 :]
            keep = max(0, max_tokens - len(head) - len(tail))
            out.append((list(head) + list(ids[first : first + keep]) + list(tail), len(ids) - len(head) - len(tail) - keep))
        return out

    def _result(self, article: str, hyps, truncated: int, max_chars: int) -> HeadlineResult:
        with self._tokenizer_lock:
            texts = self.tokenizer.batch_decode([list(h.token_ids) for h in hyps], skip_special_tokens=True)
        made = []
        for text, hyp in zip(texts, hyps):
            headline, notes = clean_headline(text), []
            if len(headline) > max_chars:
                # The length processor makes this unreachable for the tokenizers
                # we know; an unknown one must still not break a page layout.
                notes.append(f"headline cut from {len(headline)} to max_chars={max_chars} characters")
                headline = headline[:max_chars]
            notes = faithfulness_warnings(headline, article) + notes
            if not headline:
                notes.append("no headline: the model produced only special tokens, spaces or nothing")
            made.append(HeadlineResult(headline, self.method, hyp.score, truncated, tuple(notes)))
        return dataclasses.replace(made[0], alternatives=tuple(made[1:]))


def _display_name(path_or_id: str | os.PathLike) -> str:
    """``runs/news/model`` -> ``news/model``: a bare "model" or "checkpoint-500" says too little in outputs."""
    path = Path(str(path_or_id))
    if not path.exists():
        return str(path_or_id)  # a hub id
    path = path.resolve()
    generic = path.name == "model" or path.name.startswith("checkpoint-")
    return f"{path.parent.name}/{path.name}" if generic and path.parent.name else path.name


def _resolve_config(config: Any, overrides: Sequence[str]) -> HeadlineConfig:
    """``config`` (a HeadlineConfig, a YAML path or None for the defaults) with ``overrides`` applied."""
    from summarize.config import load_config

    if isinstance(config, HeadlineConfig):
        return config
    return load_config(config, list(overrides), task="headline")


def _backend_kind(path_or_id: Any, backend: str | None, resolved: HeadlineConfig, config: Any,
                  overrides: Sequence[str]) -> str:
    """torch or ctranslate2: the argument, else the config's choice, else what the folder holds."""
    from summarize.headline.backends.ct2_export import ExportError, is_export

    chosen = backend
    if chosen is None and (config is not None or any(o.strip().startswith("generation.backend") for o in overrides)):
        chosen = resolved.generation.backend
    if chosen not in (None, "torch", "ctranslate2"):
        raise ValueError(f"backend must be 'torch' or 'ctranslate2', got {chosen!r}")
    if is_export(path_or_id):
        if chosen == "torch":
            raise ExportError(f"{path_or_id}: a CTranslate2 export; load its source model folder for the torch backend")
        return "ctranslate2"
    return chosen or "torch"


def _ct2_export_for(path_or_id: Any, compute_type: str) -> Path:
    """An export folder as given, or a model folder's ``<folder>-ct2`` copy, (re)converted when missing or stale."""
    from summarize.headline.backends.ct2_export import (
        ExportError,
        default_export_dir,
        export_ctranslate2,
        is_export,
        staleness,
    )

    if is_export(path_or_id):
        return Path(path_or_id)
    if not Path(str(path_or_id)).is_dir():
        raise ExportError(f"{path_or_id}: the ctranslate2 backend needs a local model folder or export folder")
    dest = default_export_dir(path_or_id)
    if is_export(dest):
        state = staleness(dest)
        if not state.stale:
            return dest
        log.warning("%s is stale (%s); converting again", dest, state.reason)
    quantization = compute_type if compute_type != "auto" else "int8"
    return export_ctranslate2(path_or_id, dest, quantization=quantization, force=is_export(dest))


def _source_prefix(resolved: HeadlineConfig, config: Any, overrides: Sequence[str], saved: str) -> str:
    """The config's ``data.source_prefix`` when a config or override names one, else the model's saved one."""
    if config is None and not any(o.strip().startswith("data.source_prefix") for o in overrides):
        return saved
    return resolved.data.source_prefix


def _progress(batches: list, progress: Any, *, total_items: int, size: int):
    """Yield batches. ``progress``: False, True (a tqdm bar on stderr counting articles),
    or a callable given the number of articles each finished batch held (a caller's own bar)."""
    if not progress:
        yield from batches
        return
    if callable(progress):
        for batch in batches:
            yield batch
            progress(len(batch))
        return
    from tqdm import tqdm

    with tqdm(total=total_items, unit="article", desc="headlines", leave=False) as bar:
        for batch in batches:
            yield batch
            bar.update(len(batch))
