"""Input shards and output checks shared by the batch engine tests (local and Ray).

Loaded as a plugin by conftest.py; tests take the ``batch_kit`` fixture rather than importing this module."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[1]

ARTICLES = [
    "本报讯(记者高轶鹏 通讯员曹倩)6月26日，高新区举行科技成果转化签约仪式，百家企业与高校签约。"
    "高新区负责人表示，将推动产学研合作。签约项目涉及新材料、智能制造等领域。",
    "新华社北京6月1日电 国务院今天发布政策，支持企业加大研发投入。政策明确，研发费用加计扣除比例提高到100%。",
    "中国银行今日宣布，将在科技园设立分行。该行负责人说，分行将为园区企业提供融资服务。",
    "据报道，某市地铁5号线今日开工建设，全长23.6公里，设站18座，预计2027年建成通车。",
]
BAD_LINES = ["{broken", '{"id": "empty", "text": "  "}', '["not", "an", "object"]']


def write_shards(folder: Path, shards: int, rows: int, *, bad_every: int = 0) -> list[Path]:
    """``shards`` JSONL files of ``rows`` good rows each (ids unique across shards); a bad line every ``bad_every``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for s in range(shards):
        lines = []
        for i in range(rows):
            text = ARTICLES[(s + i) % len(ARTICLES)] + f"第{i}条。"
            lines.append(json.dumps({"id": f"s{s}-{i}", "title": "t", "text": text}, ensure_ascii=False))
            if bad_every and i % bad_every == bad_every - 1:
                lines.append(BAD_LINES[(i // bad_every) % len(BAD_LINES)])
        path = folder / f"part-{s:03d}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def output_ids(out: Path) -> list[str]:
    """Every id written to the output shards, with repeats (a duplicate shows up twice)."""
    return [json.loads(line)["id"] for path in sorted(out.glob("part-*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def expected_ids(shards: int, rows: int) -> list[str]:
    return [f"s{s}-{i}" for s in range(shards) for i in range(rows)]


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def source_env() -> dict:
    """This checkout's src/ first on PYTHONPATH, for a `python -m summarize` child process."""
    return dict(os.environ, PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))


def wait_for_first_shard(out: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the job ended before it could be killed mid-way"
        if (out / "manifest.json").exists() and manifest(out)["shards"]:
            return
        time.sleep(0.02)
    raise AssertionError("no shard finished in time")


@pytest.fixture
def batch_kit():
    """The helpers above, as one namespace: ``batch_kit.write_shards(...)``."""
    return SimpleNamespace(ARTICLES=ARTICLES, BAD_LINES=BAD_LINES, expected_ids=expected_ids, manifest=manifest,
                           output_ids=output_ids, source_env=source_env, wait_for_first_shard=wait_for_first_shard,
                           write_shards=write_shards)
