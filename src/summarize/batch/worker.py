"""A model worker: loads the model once, then turns pieces into output lines.

Both engines run this same class (the local engine in each pool process, the Ray
engine inside each actor), so the serialization of every output line is shared.
Models load through the project's entry points only: ``load_generator`` (model
folders and hub ids through ``HeadlineGenerator.from_pretrained``, ``lead`` for the
offline method; ``options`` such as a backend choice are passed straight to it)
and ``Reader.from_pretrained`` for question answering.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from summarize.batch.plan import Piece
from summarize.batch.rows import read_piece
from summarize.io.atomic import finite_or_none, json_line
from summarize.io.jsonl import BadRow

log = logging.getLogger("summarize.batch")

TASKS = ("headline", "answer")


@dataclass(frozen=True)
class ModelSpec:
    """Everything a worker needs to load the model and run it; the same for every worker."""

    task: str
    model: str | None = None
    config: str | None = None
    overrides: tuple[str, ...] = ()
    batch_size: int | None = None  # articles (questions) per forward pass
    chunk_rows: int = 512  # rows per generate() call: fixed, so results never depend on the engine
    device: str | None = None
    threads: int | None = None  # torch threads per worker; None: leave torch's default
    options: dict[str, Any] = field(default_factory=dict)  # extra keyword arguments for the loader
    quiet: bool = False  # the driver logs warnings only: so do library progress bars in the workers

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        data = json.loads(text)
        data["overrides"] = tuple(data["overrides"])
        return cls(**data)


@dataclass
class PieceResult:
    shard: str
    index: int
    rows: int  # planned rows of the piece (progress)
    lines: list[str]  # output lines, input order
    bad: list[str]  # "file:line: reason"
    method: str  # the model id written into the manifest

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> PieceResult:
        return cls(**json.loads(text))


@contextlib.contextmanager
def _one_loader_at_a_time(model: str | None):
    """Workers on one machine load a model folder one after another.

    A backend may convert the folder on first load (the CTranslate2 backend writes
    ``<model>-ct2`` beside it); the first worker converts, the others wait and reuse
    the result instead of racing to write the same folder. Machines of a cluster do
    not see each other's lock: convert once before such a job (``summarize export``).
    """
    if model in (None, "lead") or not os.path.isdir(model):
        yield
        return
    import fcntl

    key = hashlib.sha256(os.path.realpath(model).encode()).hexdigest()[:16]
    path = os.path.join(tempfile.gettempdir(), f"summarize-load-{key}.lock")
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes, or when the process dies
        yield


class BatchWorker:
    def __init__(self, spec: ModelSpec):
        self.spec = spec
        if spec.quiet and spec.model not in (None, "lead"):
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" once per worker
        if spec.task not in TASKS:
            raise ValueError(f"unknown task {spec.task!r} (expected one of {', '.join(TASKS)})")
        with _one_loader_at_a_time(spec.model):
            if spec.task == "headline":
                from summarize.headline.predict import load_generator

                self.model = load_generator(spec.model, device=spec.device, config=spec.config,
                                            overrides=spec.overrides, **spec.options)
                self.method = self.model.method
            else:
                from summarize.qa.reader import Reader

                assert spec.model is not None  # run() refuses the answer task without --model
                self.model = Reader.from_pretrained(spec.model, device=spec.device, batch_size=spec.batch_size,
                                                    **spec.options)
                self.method = f"qa:{spec.model}"
        if spec.threads is not None and "torch" in sys.modules:  # a model was loaded: give it its share of cores
            import torch

            torch.set_num_threads(spec.threads)

    def process(self, piece: Piece) -> PieceResult:
        rows: list[tuple] = []
        problems: list[BadRow | str] = []
        for line, obj in read_piece(piece):
            row = obj if isinstance(obj, BadRow) else self._row(piece, line, obj)
            if isinstance(row, (BadRow, str)):
                problems.append(row)
            else:
                rows.append(row)
        bad = [str(b) for b in problems]
        lines: list[str] = []
        step = self.spec.chunk_rows
        for start in range(0, len(rows), step):
            group = rows[start : start + step]
            done = self._run_group(group)
            for row, out in zip(group, done):
                if isinstance(out, Exception):
                    bad.append(f"{piece.source}:{row[0]}: {type(out).__name__}: {out}")
                else:
                    lines.append(out)
        return PieceResult(piece.shard, piece.index, piece.rows, lines, bad, self.method)

    # --- one task's rows --------------------------------------------------------------

    def _row(self, piece: Piece, line: int, obj: dict):
        """(line, id, payload) for a usable row; a BadRow or a "file:line: reason" string otherwise."""
        if self.spec.task == "headline":
            from summarize.headline.predict import record_problem

            reason = record_problem(obj, "text", None)
            if reason:
                return BadRow(piece.source, line, reason)
            return (line, None if obj.get("id") is None else str(obj["id"]), obj["text"])
        from summarize.qa.data import AlignStats, _make_example

        problems: list[str] = []
        example = _make_example(obj, f"{piece.source}:{line}", AlignStats(), problems, default_id=f"line-{line}")
        return problems[0] if example is None else (line, example.id, (example.question, example.context))

    def _outputs(self, group: list[tuple]) -> list[str]:
        if self.spec.task == "headline":
            from summarize.headline.output import result_line

            kwargs = {"batch_size": self.spec.batch_size} if self.spec.batch_size else {}
            results = self.model.generate([payload for _, _, payload in group], **kwargs)
            return [result_line(result, row_id) for (_, row_id, _), result in zip(group, results)]
        answers = self.model.answer_many([q for _, _, (q, _) in group], [c for _, _, (_, c) in group])
        return [json_line({"id": row_id, **answer, "score": finite_or_none(answer["score"])})
                for (_, row_id, _), answer in zip(group, answers)]

    def _run_group(self, group: list[tuple]) -> Sequence[str | Exception]:
        """Outputs for a group; when the group fails, row by row so one bad article costs one row.

        If every row fails on its own too, the fault is the model's or the machine's
        (out of memory, a broken model), not the data's: that error stops the job.
        """
        try:
            return self._outputs(group)
        except Exception as exc:
            if len(group) == 1:
                return [exc]
            log.warning("a group of %d rows failed (%s: %s); retrying row by row", len(group), type(exc).__name__, exc)
            first = exc
        done: list[str | Exception] = []
        for row in group:
            try:
                done.append(self._outputs([row])[0])
            except Exception as exc:  # noqa: BLE001 - reported as a bad row with its line
                done.append(exc)
        if all(isinstance(d, Exception) for d in done):
            raise first
        return done
