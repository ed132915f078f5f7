"""The generation benchmark script runs end to end (tiny model); its targets are measured by the script itself."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest


def test_bench_generate_quick(repo):
    proc = subprocess.run(
        [sys.executable, str(repo / "scripts" / "bench_generate.py"), "--quick", "--repeats", "1", "--threads", "1"],
        capture_output=True, text=True, timeout=300, cwd=repo,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    if importlib.util.find_spec("ctranslate2") is not None:  # else the CTranslate2 rows are skipped
        assert any(line.startswith("ctranslate2 (") and "docs/s" in line for line in lines)
        assert any(line.startswith("vocabulary restriction (") for line in lines)
        last = lines.pop()
        assert re.fullmatch(r"ct2_beam4_ratio=\d+\.\d{3} ct2_greedy_ratio=\d+\.\d{3} ct2_vocab_speedup=\d+\.\d{3} "
                            r"ct2_vocab_identical=\d\.\d{3}", last), last
        assert all(float(r) > 0 for r in re.findall(r"ratio=(\d+\.\d+)", last))
    assert re.fullmatch(r"uniform_ratio=\d+\.\d{3} realistic_ratio=\d+\.\d{3}", lines[-1]), lines[-1]
    assert any(line.startswith("uniform ") and "docs/s" in line for line in lines)
    assert any(line.startswith("realistic ") and "docs/s" in line for line in lines)
    # each ratio is the quotient of the two throughputs the script printed above it (not just "positive")
    uniform = next(line for line in lines if line.startswith("uniform "))
    realistic = next(line for line in lines if line.startswith("realistic "))
    plain, ours = map(float, re.findall(r"(\d+\.\d+) docs/s", uniform))
    file_order, by_length = map(float, re.findall(r"(\d+\.\d+) docs/s", realistic))
    ratios = dict(re.findall(r"(\w+)=(\d+\.\d+)", lines[-1]))
    assert float(ratios["uniform_ratio"]) == pytest.approx(ours / plain, rel=0.01, abs=0.002)
    assert float(ratios["realistic_ratio"]) == pytest.approx(by_length / file_order, rel=0.01, abs=0.002)
