"""The output folder's ``manifest.json``: what the job is, and which shards are finished.

A shard is finished when its entry is here, its input still hashes to the
recorded ``input_sha256`` and its output still hashes to ``output_sha256``. The
entry is written only after the output and error files are in place, so a job
killed at any moment leaves every shard either finished or to be redone::

    {"format": 1,
     "job": {"task": "headline", "model": null, "config": null, ...},
     "shards": {"part-000.jsonl": {"input": "in/part-000.jsonl", "input_sha256": "…", "rows": 512,
                                   "bad_rows": 1, "model": "lead-v1", "output": "part-000.jsonl",
                                   "output_sha256": "…", "errors": "part-000.errors.txt", ...}}}
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from summarize.io.atomic import atomic_write_json
from summarize.io.read import InputError

FORMAT = 1


def file_sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Manifest:
    def __init__(self, folder: str | Path, job: dict[str, Any]):
        self.folder = Path(folder)
        self.path = self.folder / "manifest.json"
        self.job = job
        self.shards: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            previous, shards = data["job"], data["shards"]
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{self.path}: not a batch manifest ({exc}); use another --output") from None
        if previous != self.job:
            changed = sorted(k for k in set(previous) | set(self.job) if previous.get(k) != self.job.get(k))
            detail = ", ".join(f"{k}: {previous.get(k)!r} -> {self.job.get(k)!r}" for k in changed)
            raise InputError(f"{self.folder} holds the results of a different job ({detail}); "
                             "re-run with the same arguments to resume, or choose another --output")
        self.shards = shards

    def is_finished(self, name: str, input_sha256: str) -> bool:
        entry = self.shards.get(name)
        if entry is None or entry.get("input_sha256") != input_sha256:
            return False
        return file_sha256(self.folder / entry["output"]) == entry.get("output_sha256")

    def finish(self, name: str, entry: dict[str, Any]) -> None:
        self.shards[name] = entry
        self.save()

    def save(self) -> None:
        atomic_write_json(self.path, {"format": FORMAT, "job": self.job, "shards": dict(sorted(self.shards.items()))})
