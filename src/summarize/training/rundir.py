"""The run folder: where a run's resolved config and checkpoints live, and how to resume it.

Under torchrun or ``accelerate launch`` every rank runs the same command;
only rank 0 writes shared files, all ranks read them.

Safety rules every training verb follows (``open_run_dir``):

- the run folder is locked (``io.safety.FolderLock``) while a run uses it; a second
  training into the same folder is refused instead of corrupting the first;
- an earlier run's outputs are never removed unless ``--overwrite`` is given
  (``--resume`` continues them instead);
- ``--resume`` on a run that has nothing left to do returns the saved metrics and
  changes no file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from summarize.config.loader import save_config
from summarize.io.atomic import make_folder
from summarize.io.read import InputError
from summarize.io.safety import FolderLock, refuse_inside

log = logging.getLogger("summarize")

CHECKPOINTS = "checkpoints"
CONFIG_NAME = "config.yaml"
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
# A checkpoint is usable only if the trainer finished writing it: the state
# file is written after the weights, and the weights must be there too.
_WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_main_process() -> bool:
    """True on the process that writes reports (rank 0 under torchrun/accelerate, or a plain run)."""
    return int(os.environ.get("RANK", "0")) == 0


def prepare_run_dir(cfg: Any, output_dir: str | os.PathLike) -> Path:
    """Create the run folder and save the resolved config there as ``config.yaml`` (rank 0 only)."""
    run_dir = Path(output_dir)
    if is_main_process():
        make_folder(run_dir / CHECKPOINTS)
        save_config(cfg, run_dir / CONFIG_NAME)
    return run_dir


def _complete(path: Path) -> bool:
    state = path / "trainer_state.json"
    if not state.is_file() or not any((path / w).is_file() for w in _WEIGHTS):
        return False
    try:
        json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return True


def find_resume_checkpoint(run_dir: str | os.PathLike) -> str | None:
    """The newest complete checkpoint under ``run_dir/checkpoints``, or None.

    A process killed while saving leaves a partial ``checkpoint-N``; it is
    skipped (with a warning) in favour of the previous complete one.
    """
    folder = Path(run_dir) / CHECKPOINTS
    if not folder.is_dir():
        return None
    found = []
    for child in folder.iterdir():
        match = _CHECKPOINT.match(child.name)
        if match and child.is_dir():
            found.append((int(match.group(1)), child))
    for _, path in sorted(found, reverse=True):
        if _complete(path):
            return str(path)
        log.warning("%s: incomplete checkpoint (interrupted while saving?); skipping it", path)
    return None


def start_fresh(run_dir: str | os.PathLike, outputs: tuple[str, ...]) -> None:
    """Remove an earlier run's ``outputs`` (names under ``run_dir``) before a new run (rank 0 only).

    A crash then never leaves stale reports that look current; ``--resume`` skips this.
    """
    import shutil

    if not is_main_process():
        return
    run_dir = Path(run_dir)
    old = [run_dir / name for name in outputs if (run_dir / name).exists()]
    if old:
        log.warning("%s holds the outputs of an earlier run (%s); removing them to start over "
                    "(pass --resume to continue that run instead)", run_dir, ", ".join(p.name for p in old))
    for path in old:
        shutil.rmtree(path) if path.is_dir() else path.unlink()


METRICS_NAME = "metrics.json"


def lock_run_dir(run_dir: str | os.PathLike) -> FolderLock | None:
    """Lock the run folder for this process (rank 0 only; other ranks are part of the same run)."""
    if not is_main_process():
        return None
    return FolderLock(run_dir, "run folder").acquire()


def guard_outputs(run_dir: str | os.PathLike, outputs: tuple[str, ...], *, resume: bool, overwrite: bool,
                  inputs: tuple[str | os.PathLike | None, ...] = ()) -> None:
    """Refuse to replace an earlier run's outputs unless ``overwrite``; with it, remove them (rank 0).

    Call this after everything that can fail on bad input has been checked, so a
    mistyped path never costs the earlier run.
    """
    if resume and overwrite:
        raise InputError("--resume continues a run and --overwrite replaces it: give one of them")
    run_dir = Path(run_dir)
    existing = [name for name in outputs if (run_dir / name).exists()]
    if resume or not existing:
        return
    if not overwrite:
        raise InputError(f"{run_dir}: holds an earlier run ({', '.join(existing)}); pass --overwrite to replace it, "
                         "--resume to continue it, or choose another --output-dir")
    for name in existing:  # e.g. fine-tuning runs/x/model again into runs/x: the source would be deleted
        for path in inputs:
            if path is not None and Path(str(path)).exists():
                refuse_inside(path, run_dir / name, "an input of this run")
    start_fresh(run_dir, outputs)


def finished_metrics(run_dir: str | os.PathLike, checkpoint: str | None, max_steps: int, epochs: float) -> dict | None:
    """The saved metrics when ``--resume`` has nothing left to train, else None.

    Finished means: ``metrics.json`` exists and the newest checkpoint already
    reached the requested ``max_steps`` (or, with ``max_steps`` -1, the step count
    of ``epochs`` recorded in the checkpoint).
    """
    metrics_file = Path(run_dir) / METRICS_NAME
    if checkpoint is None or not metrics_file.is_file():
        return None
    try:
        state = json.loads((Path(checkpoint) / "trainer_state.json").read_text(encoding="utf-8"))
        metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    step = int(state.get("global_step", 0))
    if max_steps > 0:
        target = max_steps
    elif float(state.get("num_train_epochs", 0)) >= epochs:
        target = int(state.get("max_steps", 0) or 0)
    else:
        return None
    return metrics if target and step >= target else None


def resume_point(run_dir: str | os.PathLike, section: Any, *, resume: bool) -> tuple[str | None, dict | None]:
    """``(checkpoint to continue from, saved metrics when the run already finished)`` for a training verb.

    Without ``resume``: ``(None, None)``. A finished run gives its metrics (the
    caller returns them and writes nothing). A run with outputs but no complete
    checkpoint cannot be continued: an InputError says to pass ``--overwrite``.
    """
    if not resume:
        return None, None
    run_dir = Path(run_dir)
    checkpoint = find_resume_checkpoint(run_dir)
    done = finished_metrics(run_dir, checkpoint, section.max_steps, section.epochs)
    if done is not None:
        log.info("%s: this run already finished; nothing to resume, no file changed", run_dir)
        return checkpoint, done
    if checkpoint is None:
        if any((run_dir / name).exists() for name in ("model", METRICS_NAME)):
            raise InputError(f"{run_dir}: --resume found no complete checkpoint to continue from; "
                             "pass --overwrite to train this run again from the start")
        log.warning("--resume: no complete checkpoint under %s; starting from the beginning", run_dir)
    return checkpoint, None


@contextlib.contextmanager
def locked_run_dir(run_dir: str | os.PathLike, *, resume: bool, overwrite: bool) -> Iterator[None]:
    """Hold the run folder's lock (rank 0) for a training run; ``--resume`` with ``--overwrite`` is refused first."""
    if resume and overwrite:
        raise InputError("--resume continues a run and --overwrite replaces it: give one of them")
    lock = lock_run_dir(run_dir)
    try:
        yield
    finally:
        if lock is not None:
            lock.release()
