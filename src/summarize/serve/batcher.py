"""Micro-batching: concurrent requests share one model call, behind a bounded queue.

Each request puts its items (articles, or question/context pairs) on the queue
with a key (its decoding settings); a single worker thread takes the first
waiting item, gathers more for at most ``max_wait`` seconds or until
``max_batch`` items, and runs one model call per key. The queue is bounded in
items: a request that does not fit is refused at once (the server answers 503
with Retry-After) instead of waiting without bound. The model runs in the
worker thread, so the event loop keeps accepting and answering.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("summarize.serve")


class QueueFull(Exception):
    """The queue cannot take the request's items now."""


@dataclass
class _Item:
    key: Hashable
    payload: Any
    future: Future = field(default_factory=Future)


class MicroBatcher:
    """``submit(key, payloads)`` -> futures; ``run(key, payloads) -> results`` is called in batches per key."""

    def __init__(self, run: Callable[[Hashable, list], list], *, name: str, max_batch: int = 16,
                 max_wait: float = 0.01, max_queue: int = 256, on_batch: Callable[[int, float], None] | None = None):
        if max_batch < 1 or max_queue < 1 or max_wait < 0:
            raise ValueError("max_batch and max_queue must be >= 1 and max_wait >= 0")
        self.run, self.name = run, name
        self.max_batch, self.max_wait, self.max_queue = max_batch, max_wait, max_queue
        self.on_batch = on_batch
        self._items: collections.deque[_Item] = collections.deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name=f"batcher-{name}", daemon=True)
        self._thread.start()

    def depth(self) -> int:
        with self._cond:
            return len(self._items)

    def submit(self, key: Hashable, payloads: list) -> list[Future]:
        """Queue all of ``payloads`` or none (``QueueFull``)."""
        items = [_Item(key, p) for p in payloads]
        with self._cond:
            if self._stopping:
                raise QueueFull("shutting down")
            if len(self._items) + len(items) > self.max_queue:
                raise QueueFull(f"queue holds {len(self._items)} of {self.max_queue} items")
            self._items.extend(items)
            self._cond.notify()
        return [i.future for i in items]

    def close(self, timeout: float = 30.0) -> None:
        """Finish what is queued, then stop the worker."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join(timeout)

    def _take(self) -> list[_Item] | None:
        with self._cond:
            while not self._items:
                if self._stopping:
                    return None
                self._cond.wait(0.5)
            deadline = time.monotonic() + self.max_wait
            while len(self._items) < self.max_batch and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return [self._items.popleft() for _ in range(min(self.max_batch, len(self._items)))]

    def _loop(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                return
            groups: dict[Hashable, list[_Item]] = {}
            for item in batch:
                groups.setdefault(item.key, []).append(item)
            for key, items in groups.items():
                start = time.perf_counter()
                try:
                    results = self.run(key, [i.payload for i in items])
                    if len(results) != len(items):
                        raise RuntimeError(f"{self.name}: {len(results)} results for {len(items)} inputs")
                except Exception as exc:  # noqa: BLE001 - the requests get the error; the worker goes on
                    for item in items:
                        item.future.set_exception(exc)
                    continue
                finally:
                    if self.on_batch is not None:
                        self.on_batch(len(items), time.perf_counter() - start)
                for item, result in zip(items, results):
                    item.future.set_result(result)
