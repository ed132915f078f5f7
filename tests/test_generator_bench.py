"""The generation benchmark script runs end to end (tiny model); its targets are measured by the script itself."""

from __future__ import annotations

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
    assert re.fullmatch(r"uniform_ratio=\d+\.\d{3} realistic_ratio=\d+\.\d{3}", lines[-1]), lines[-1]
    assert any(line.startswith("uniform ") and "docs/s" in line for line in lines)
    assert any(line.startswith("realistic ") and "docs/s" in line for line in lines)
    ratios = [float(x) for x in re.findall(r"=(\d+\.\d+)", lines[-1])]
    assert all(r > 0 for r in ratios)
