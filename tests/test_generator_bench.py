"""The generation benchmark script runs end to end (tiny model); its targets are measured by the script itself."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys


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
    ratios = [float(x) for x in re.findall(r"=(\d+\.\d+)", lines[-1])]
    assert all(r > 0 for r in ratios)
