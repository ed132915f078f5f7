"""The local engine: a pool of processes on this machine, each loading the model once (or, for one worker, this process).

Processes are spawned (not forked: a forked copy of a process that already runs
torch threads can deadlock) and each watches its parent, so a killed driver
leaves no worker behind. A worker that dies (killed, out of memory) stops the
job with one error line; finished shards are kept and a re-run resumes.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from summarize.batch.plan import Piece
from summarize.batch.worker import BatchWorker, ModelSpec, PieceResult
from summarize.config.loader import ConfigError
from summarize.io.read import InputError

_worker: BatchWorker | None = None
_load_error: BaseException | None = None


def run_local(spec: ModelSpec, pieces: Iterable[Piece], workers: int) -> Iterator[PieceResult]:
    """Results of ``pieces`` in completion order; at most a few pieces per worker are in flight.

    One worker runs in this process: a pool would only add a process start and a copy of every piece.
    """
    if workers == 1:
        worker = BatchWorker(spec)
        yield from map(worker.process, pieces)
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(spec, os.getpid()))
    todo = iter(pieces)
    pending: set[Future] = set()
    broken = False
    try:
        _fill(pool, todo, pending, 2 * workers)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
            _fill(pool, todo, pending, 2 * workers)
    except BrokenProcessPool:  # from result() or from submit(), whichever notices first
        broken = True
        raise InputError("a worker process died (killed, or out of memory); finished shards are kept: "
                         "run the same command again to resume") from None
    finally:
        # A broken pool has already stopped its workers; waiting on it could only hang.
        pool.shutdown(wait=not broken, cancel_futures=True)


def _fill(pool: ProcessPoolExecutor, todo: Iterator[Piece], pending: set[Future], limit: int) -> None:
    while len(pending) < limit:
        piece = next(todo, None)
        if piece is None:
            return
        pending.add(pool.submit(_process, piece))


def _init(spec: ModelSpec, parent: int) -> None:
    global _worker, _load_error
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    try:
        _worker = BatchWorker(spec)
    except BaseException as exc:  # noqa: BLE001 - raised again by every task, so the driver sees the message
        _load_error = exc


def _process(piece: Piece) -> PieceResult:
    if _worker is None:
        if isinstance(_load_error, ConfigError):  # its list of errors does not survive pickling: send the text
            raise InputError("invalid config: " + "; ".join(_load_error.errors))
        raise _load_error or RuntimeError("the model worker did not start")
    return _worker.process(piece)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)
