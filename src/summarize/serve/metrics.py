"""Prometheus text-format metrics without a client library: counters, gauges and histograms, thread-safe.

A dozen lines of exposition format are cheaper than another dependency, and the
serve extra stays fastapi + uvicorn.
"""

from __future__ import annotations

import threading
from collections import defaultdict

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    body = ",".join(f'{k}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
                    for k, v in sorted(labels.items()))
    return "{" + body + "}"


class Metrics:
    def __init__(self):
        self._lock = threading.Lock()
        self._counters: dict[str, dict[tuple, float]] = defaultdict(lambda: defaultdict(float))
        self._gauges: dict[str, dict[tuple, float]] = defaultdict(dict)
        self._hists: dict[str, dict[tuple, list]] = defaultdict(dict)
        self._buckets: dict[str, tuple] = {}
        self._help: dict[str, tuple[str, str]] = {}

    def _declare(self, name: str, kind: str, text: str) -> None:
        self._help.setdefault(name, (kind, text))

    def inc(self, name: str, text: str, amount: float = 1.0, **labels) -> None:
        with self._lock:
            self._declare(name, "counter", text)
            self._counters[name][tuple(sorted(labels.items()))] += amount

    def set(self, name: str, text: str, value: float, **labels) -> None:
        with self._lock:
            self._declare(name, "gauge", text)
            self._gauges[name][tuple(sorted(labels.items()))] = value

    def observe(self, name: str, text: str, value: float, buckets: tuple = LATENCY_BUCKETS, **labels) -> None:
        with self._lock:
            self._declare(name, "histogram", text)
            self._buckets.setdefault(name, buckets)
            key = tuple(sorted(labels.items()))
            counts = self._hists[name].setdefault(key, [0] * len(self._buckets[name]) + [0, 0.0])
            for i, bound in enumerate(self._buckets[name]):
                if value <= bound:
                    counts[i] += 1
            counts[-2] += 1  # count
            counts[-1] += value  # sum

    def render(self) -> str:
        """The exposition text (version 0.0.4)."""
        lines = []
        with self._lock:
            for name, (kind, text) in sorted(self._help.items()):
                lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
                if kind == "counter":
                    for key, value in sorted(self._counters[name].items()):
                        lines.append(f"{name}{_labels(dict(key))} {value:g}")
                elif kind == "gauge":
                    for key, value in sorted(self._gauges[name].items()):
                        lines.append(f"{name}{_labels(dict(key))} {value:g}")
                else:
                    for key, counts in sorted(self._hists[name].items()):
                        labels = dict(key)
                        for bound, count in zip(self._buckets[name], counts):
                            lines.append(f"{name}_bucket{_labels({**labels, 'le': f'{bound:g}'})} {count}")
                        lines.append(f"{name}_bucket{_labels({**labels, 'le': '+Inf'})} {counts[-2]}")
                        lines.append(f"{name}_count{_labels(labels)} {counts[-2]}")
                        lines.append(f"{name}_sum{_labels(labels)} {counts[-1]:g}")
        return "\n".join(lines) + "\n"
