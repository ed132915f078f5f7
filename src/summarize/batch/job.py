"""``run``: a resumable batch job over many files, on this machine's cores or on a Ray cluster.

    from summarize.batch import run
    summary = run("headline", "archive/*.jsonl", "out/")                       # lead-v1, all local cores
    summary = run("headline", "archive/*.parquet", "out/", model="runs/bart/model",
                  engine="ray", ray_address="auto", workers=8, gpus_per_worker=1, batch_size=64)
    summary = run("answer", "questions.jsonl", "out/", model="runs/qa/model")

The driver plans every unfinished shard (hash, pieces), the engine turns pieces
into output lines in any order, and the driver writes a shard - output, error
file, then its manifest entry - as soon as its last piece is back. Writing is the
driver's alone, in one thread, so nothing is ever written twice.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarize.batch.manifest import Manifest, file_sha256
from summarize.batch.plan import MANIFEST, Piece, Shard, ShardPlan, find_inputs, plan_shard
from summarize.batch.worker import TASKS, ModelSpec, PieceResult
from summarize.io.atomic import atomic_open
from summarize.io.locate import looks_local
from summarize.io.safety import FolderLock
from summarize.io.read import InputError

log = logging.getLogger("summarize.batch")

ENGINES = ("local", "ray")
CHUNK_ROWS = 512  # rows per piece and per generate() call; as ``summarize headline`` groups its input


@dataclass
class BatchSummary:
    output: Path
    shards: int = 0
    skipped: int = 0  # finished by an earlier run
    written: int = 0
    failed: list[str] = field(default_factory=list)  # shards that could not be read at all
    rows: int = 0  # rows written by this run
    bad_rows: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        text = (f"{self.written} shard(s) written, {self.skipped} already finished, {self.rows} rows "
                f"in {self.seconds:.1f}s")
        if self.bad_rows:
            text += f"; {self.bad_rows} bad row(s) reported in the .errors.txt files"
        if self.failed:
            text += f"; {len(self.failed)} unreadable shard(s): {', '.join(self.failed[:3])}"
        return text


def run(
    task: str,
    input: str | os.PathLike | Sequence[str | os.PathLike],
    output: str | os.PathLike,
    *,
    model: str | None = None,
    engine: str = "local",
    ray_address: str | None = None,
    workers: int | None = None,
    gpus_per_worker: float = 0,
    cpus_per_worker: int | None = None,
    batch_size: int | None = None,
    config: str | None = None,
    overrides: Sequence[str] = (),
    device: str | None = None,
    model_options: dict[str, Any] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: bool | None = None,
) -> BatchSummary:
    """Run ``task`` (``headline`` or ``answer``) over every row of the input files; see the module doc.

    ``model`` None for headlines means what ``summarize headline`` uses without
    ``--model`` (``load_generator``'s default). ``model_options`` are passed to the
    model loader (``HeadlineGenerator.from_pretrained``/``Reader.from_pretrained``).
    ``progress`` None: a progress bar when logging is at INFO or below.
    """
    _check_arguments(task, model, engine, workers, gpus_per_worker, cpus_per_worker, batch_size, chunk_rows)
    if ray_address and engine != "ray":
        raise InputError("--ray-address needs --engine ray")
    if engine == "ray":
        from summarize.batch.ray_engine import ray_available

        if not ray_available():
            raise InputError("--engine ray needs Ray Data: pip install 'summarize[ray]'")
    if task == "headline" and (config is not None or overrides):
        _check_decoding(config, overrides)
    started = time.perf_counter()
    out = Path(output)
    inputs = [input] if isinstance(input, (str, os.PathLike)) else list(input)
    shards = find_inputs([str(p) for p in inputs], out)
    _check_output_folder(out)
    if engine == "local" and workers is None:
        workers = max(1, (os.cpu_count() or 1) // (cpus_per_worker or 1))
    spec = ModelSpec(task, _model_path(model), None if config is None else str(Path(config).resolve()),
                     tuple(overrides), batch_size, chunk_rows, device, _threads(engine, workers, cpus_per_worker),
                     dict(model_options or {}), quiet=not logging.getLogger("summarize").isEnabledFor(logging.INFO))
    lock = FolderLock(out, "batch output folder").acquire()  # two jobs writing one manifest would lose shards
    try:
        return _run_locked(out, shards, spec, engine, workers, gpus_per_worker, ray_address, chunk_rows, progress,
                           started)
    finally:
        lock.release()


def _run_locked(out: Path, shards: list[Shard], spec: ModelSpec, engine: str, workers: int | None,
                gpus_per_worker: float, ray_address: str | None, chunk_rows: int, progress: bool | None,
                started: float) -> BatchSummary:
    manifest = Manifest(out, _job_identity(spec))
    manifest.save()  # marks the folder as this job's before anything else is written into it
    summary = BatchSummary(out, shards=len(shards))

    plans: dict[str, ShardPlan] = {}
    for shard in shards:
        try:
            plan = plan_shard(shard, chunk_rows)
        except (InputError, OSError) as exc:
            _fail_shard(out, shard, str(exc), summary)
            continue
        if manifest.is_finished(shard.name, plan.sha256):
            summary.skipped += 1
        else:
            plans[shard.name] = plan
    if summary.skipped:
        log.info("%d of %d shard(s) already finished in %s; skipping them", summary.skipped, len(shards), out)

    writer = _ShardWriter(out, manifest, plans, engine, summary)
    for plan in plans.values():
        if not plan.pieces:  # an input with no rows still gets its (empty) output and manifest entry
            writer.commit(plan, [])
    pieces = [p for plan in plans.values() for p in plan.pieces]
    bar = _progress_bar(sum(p.rows for p in pieces), progress)
    with _logs_above(bar):
        try:
            for result in _results(engine, spec, pieces, workers, gpus_per_worker, ray_address):
                writer.add(result)
                if bar is not None:
                    bar.update(result.rows)
        finally:
            if bar is not None:
                bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _results(engine: str, spec: ModelSpec, pieces: list[Piece], workers: int | None, gpus: float,
             address: str | None) -> Iterator[PieceResult]:
    if engine == "ray":
        from summarize.batch.ray_engine import run_ray

        return run_ray(spec, pieces, workers=workers, gpus_per_worker=gpus, address=address)
    from summarize.batch.local import run_local

    if not pieces:
        return iter(())
    assert workers is not None  # run() sets the local engine's count when none was given
    return run_local(spec, pieces, min(workers, len(pieces)))


class _ShardWriter:
    """Collects piece results per shard and writes each shard once all of its pieces are in."""

    def __init__(self, out: Path, manifest: Manifest, plans: dict[str, ShardPlan], engine: str,
                 summary: BatchSummary):
        self.out, self.manifest, self.plans, self.engine, self.summary = out, manifest, plans, engine, summary
        self.parts: dict[str, dict[int, PieceResult]] = {}

    def add(self, result: PieceResult) -> None:
        parts = self.parts.setdefault(result.shard, {})
        parts[result.index] = result  # a piece retried by the engine replaces, never duplicates
        plan = self.plans[result.shard]
        if len(parts) == len(plan.pieces):
            self.commit(plan, [parts[i] for i in range(len(plan.pieces))])
            del self.parts[result.shard]

    def commit(self, plan: ShardPlan, results: list[PieceResult]) -> None:
        shard = plan.shard
        lines = [line for r in results for line in r.lines]
        bad = [b for r in results for b in r.bad]
        with atomic_open(self.out / shard.output) as handle:
            handle.writelines(line + "\n" for line in lines)
        errors = self.out / shard.errors
        if bad:
            with atomic_open(errors) as handle:
                handle.writelines(b + "\n" for b in bad)
        elif errors.exists():
            errors.unlink()  # left by an earlier, unfinished run over an older input
        self.manifest.finish(shard.name, {
            "input": shard.source,
            "input_sha256": plan.sha256,
            "input_bytes": plan.size,
            "rows": len(lines),
            "bad_rows": len(bad),
            "model": results[0].method if results else None,
            "output": shard.output,
            "output_sha256": file_sha256(self.out / shard.output),
            "errors": shard.errors if bad else None,
            "engine": self.engine,
        })
        self.summary.written += 1
        self.summary.rows += len(lines)
        self.summary.bad_rows += len(bad)
        if bad:
            log.warning("%s: %d bad row(s), listed in %s (first: %s)", shard.source, len(bad), errors, bad[0])


def _fail_shard(out: Path, shard: Shard, message: str, summary: BatchSummary) -> None:
    with atomic_open(out / shard.errors) as handle:
        handle.write(message + "\n")
    summary.failed.append(shard.source)
    log.warning("skipping %s: %s", shard.source, message)


def _threads(engine: str, workers: int | None, cpus_per_worker: int | None) -> int | None:
    """Torch threads per worker: as asked; else a Ray actor's one CPU, or a pool worker's share of the cores.

    None (one local worker, in this process): torch's own default, every core, left as it is.
    """
    if cpus_per_worker is not None:
        return cpus_per_worker
    if engine == "ray":
        return 1
    assert workers is not None  # run() sets the local engine's count before asking
    return None if workers == 1 else max(1, (os.cpu_count() or 1) // workers)


def _job_identity(spec: ModelSpec) -> dict[str, Any]:
    """What must match for a re-run to resume: everything that can change an output line.

    Engine, worker count and device do not: a job started locally may be finished on Ray.
    """
    config_sha = file_sha256(Path(spec.config)) if spec.config else None
    return {"task": spec.task, "model": spec.model, "config": spec.config, "config_sha256": config_sha,
            "overrides": list(spec.overrides), "batch_size": spec.batch_size, "chunk_rows": spec.chunk_rows,
            "model_options": spec.options}


def _model_path(model: str | os.PathLike | None) -> str | None:
    """A model folder on this machine as an absolute path (workers may run elsewhere or in another folder);
    a hub id or ``lead`` as given. A missing folder is an error here, not in every worker."""
    if model is None or str(model) == "lead":
        return None if model is None else "lead"
    path = Path(model).expanduser()
    if path.exists():
        return str(path.resolve())
    if looks_local(str(model)):
        raise InputError(f"--model {model}: no such model folder")
    return str(model)


def _check_decoding(config, overrides) -> None:
    """A bad --config or key=value is one error here, before any worker starts (and loads a model)."""
    from summarize.headline.config import GenerationSection
    from summarize.headline.generator import generation_settings

    generation_settings(GenerationSection(), config, list(overrides))


def _check_output_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"--output {out}: exists and is not a folder")
    # Hidden entries are ours: the folder lock, temporaries of a write that was killed.
    if out.is_dir() and not (out / MANIFEST).exists() and any(not p.name.startswith(".") for p in out.iterdir()):
        raise InputError(f"--output {out}: folder is not empty and holds no {MANIFEST}; "
                         "a batch job writes into a new or empty folder (or resumes its own)")


def _check_arguments(task, model, engine, workers, gpus, cpus, batch_size, chunk_rows) -> None:
    if task not in TASKS:
        raise InputError(f"unknown task {task!r} (expected one of {', '.join(TASKS)})")
    if task == "answer" and not model:
        raise InputError("answer: --model is required (a question-answering model folder or hub id)")
    if engine not in ENGINES:
        raise InputError(f"--engine {engine!r}: expected one of {', '.join(ENGINES)}")
    for name, value, low in (("--workers", workers, 1), ("--cpus-per-worker", cpus, 1),
                             ("--batch-size", batch_size, 1), ("chunk_rows", chunk_rows, 1)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < low):
            raise InputError(f"{name} must be an integer >= {low}, got {value!r}")
    if not isinstance(gpus, (int, float)) or isinstance(gpus, bool) or not 0 <= gpus < float("inf"):
        raise InputError(f"--gpus-per-worker must be a number >= 0, got {gpus!r}")
    if gpus and engine != "ray":
        raise InputError("--gpus-per-worker needs --engine ray (the local engine uses the default device)")


def _logs_above(bar):
    """Log lines printed above the progress bar instead of through it."""
    if bar is None:
        return contextlib.nullcontext()
    from tqdm.contrib.logging import logging_redirect_tqdm

    return logging_redirect_tqdm()  # the root logger's stderr handler, which setup_logging installs


def _progress_bar(total: int, progress: bool | None):
    if progress is None:
        progress = logging.getLogger("summarize").isEnabledFor(logging.INFO)
    if not progress or not total:
        return None
    from tqdm import tqdm

    # tqdm shows rows/s and the ETA from the total.
    return tqdm(total=total, unit="row", desc="batch", file=sys.stderr, smoothing=0.1, dynamic_ncols=True,
                leave=False)
