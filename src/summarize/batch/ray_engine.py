"""The Ray engine: Ray Data ``map_batches`` with a callable class, one model per actor.

Each dataset row is one piece (a descriptor: file, byte range or row group); the
actor reads it itself, so the driver sends kilobytes, not articles, and the
input files must be readable at the same path on every node (a shared or
synced folder, as for the model). ``batch_size=1`` piece per call keeps the
groups the model sees identical to the local engine's. Ray restarts a killed
actor and retries its piece (``max_restarts``/``max_task_retries`` default to
-1 in Ray Data), and the driver keys results by (shard, piece), so a retried
piece is never written twice.

    ray start --head                  # on the head node
    summarize batch headline --input 'in/*.jsonl' --output out --engine ray --ray-address auto
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict

from summarize.batch.plan import Piece
from summarize.batch.worker import BatchWorker, ModelSpec, PieceResult
from summarize.io.read import InputError

log = logging.getLogger("summarize.batch")


class RayWorker:
    """The callable class Ray Data turns into actors: the model loads once, in ``__init__``."""

    def __init__(self, spec: str):
        self.worker = BatchWorker(ModelSpec.from_json(spec))

    def __call__(self, batch: dict) -> dict:
        results = [self.worker.process(Piece(**json.loads(p))).to_json() for p in batch["piece"]]
        return {"result": results}


def ray_available() -> bool:
    try:
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True


def run_ray(spec: ModelSpec, pieces: Sequence[Piece], *, workers: int | None, gpus_per_worker: float,
            address: str | None) -> Iterator[PieceResult]:
    import ray
    import ray.data

    started = not ray.is_initialized()
    if started:
        # Ray's own INFO logs and progress bars would bury ours; its warnings still show.
        ray.init(address=address, logging_level=logging.WARNING, include_dashboard=False,
                 configure_logging=True, log_to_driver=True)
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        assert spec.threads is not None  # job._threads gives every Ray worker a thread count
        if workers is None:
            workers = _default_workers(ray.cluster_resources(), spec.threads, gpus_per_worker)
        log.info("ray: %d workers (%d CPU%s%s each) on %s", workers, spec.threads, "s" if spec.threads > 1 else "",
                 f", {gpus_per_worker:g} GPU" if gpus_per_worker else "", address or "a local cluster")
        if not pieces:
            return
        items = [{"piece": json.dumps(asdict(p), ensure_ascii=False)} for p in pieces]
        # One block per piece: Ray hands a whole block to one actor, so bigger blocks would serialize the work.
        dataset = ray.data.from_items(items, override_num_blocks=len(items))
        dataset = dataset.map_batches(
            RayWorker,
            fn_constructor_kwargs={"spec": spec.to_json()},
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=spec.threads,
            num_gpus=gpus_per_worker or None,
        )
        try:
            for row in dataset.iter_rows():
                yield PieceResult.from_json(row["result"])
        except Exception as exc:  # Ray wraps a worker's error in its own; say what actually went wrong
            raise _worker_error(exc) from exc
    finally:
        if started:
            ray.shutdown()


def _worker_error(exc: BaseException) -> BaseException:
    """The first error in ``exc``'s chain that is not Ray's own, as one line (our input errors keep their text)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if not type(cause).__module__.startswith("ray") and not isinstance(cause, KeyboardInterrupt):
            break
        cause = getattr(cause, "cause", None) or cause.__cause__ or cause.__context__
    if cause is None or cause is exc and type(exc).__module__.startswith("ray"):
        cause = exc
    lines = [line for line in str(cause).strip().splitlines() if line.strip()]
    message = lines[-1] if lines else type(cause).__name__
    if isinstance(cause, InputError):
        return InputError(message)
    return InputError(f"a Ray worker failed: {type(cause).__name__}: {message}")


def _default_workers(resources: dict, threads: int, gpus_per_worker: float) -> int:
    if gpus_per_worker:
        return max(1, int(resources.get("GPU", 0) // gpus_per_worker))
    return max(1, int(resources.get("CPU", 1) // threads))
