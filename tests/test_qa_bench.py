"""The QA benchmark script runs (smoke mode) and ends with the ratio line."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest


@pytest.mark.shared
def test_bench_qa_quick_runs(repo, shared):
    result = subprocess.run([sys.executable, str(repo / "scripts/bench_qa.py"), "--quick"],
                            capture_output=True, text=True, timeout=600, cwd=repo)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert re.fullmatch(r"ratio=\d+\.\d\d", lines[-1])
    assert any(line.startswith("summarize Reader:") for line in lines)
    assert re.search(r"same answer span on \d+/6 questions", result.stdout)
