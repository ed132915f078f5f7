"""The batch scaling benchmark runs (--quick, on the bundled corpus) and ends with its figures line."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def test_bench_batch_quick_runs(repo, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(repo / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, str(repo / "scripts/bench_batch.py"), "--quick",
                             "--shared", str(tmp_path / "absent")],
                            capture_output=True, text=True, timeout=300, cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    fields = dict(item.split("=", 1) for item in last.split()[1:])
    assert last.startswith("bench_batch ") and fields["rows"] == "2000"
    assert float(fields["lead_rows_per_s_1"]) > 0 and float(fields["lead_rows_per_s_2"]) > 0
    assert re.fullmatch(r"\d+\.\d{3}", fields["lead_ratio"])
