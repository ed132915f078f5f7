"""The serving load test runs end to end in --quick mode (six short-lived servers: slow, so marked slow)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")


@pytest.mark.slow
def test_bench_serve_quick(repo):
    proc = subprocess.run(
        [sys.executable, str(repo / "scripts" / "bench_serve.py"), "--quick", "--seconds", "1", "--clients", "2"],
        capture_output=True, text=True, timeout=600, cwd=repo,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    last = dict(field.split("=") for field in lines[-1].split())
    assert set(last) == {f"{m}_{k}" for m in ("lead", "extractive", "tiny") for k in ("rps", "p50_ms", "p99_ms", "batching_gain")} | {
        "errors"}
    assert last["errors"] == "0" and all(float(last[f"{m}_rps"]) > 0 for m in ("lead", "extractive", "tiny"))
    assert any(re.match(r"tiny\s+batching gain \d+\.\d+x", line) for line in lines)
