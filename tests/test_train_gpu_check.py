"""scripts/gpu_train_check.py runs on CPU with a tiny shape (the real check needs a GPU and ../shared)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_gpu_train_check_tiny_on_cpu(tmp_path):
    data = tmp_path / "lcsts.tsv"
    data.write_text("高新区发布新政策\t高新区今天发布新政策，支持企业研发。\nbad row without tab\n"
                    "科技园项目开工\t科技园项目今天开工建设。\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "gpu_train_check.py"), "--tiny", "--steps", "3",
                           "--warmup", "1", "--batch", "2", "--data", str(data)],
                          capture_output=True, text=True, timeout=300, env={"OMP_NUM_THREADS": "1", "PATH": ""})
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["device"] == "cpu" and result["precision"] == "fp32" and result["data"] == "lcsts"
    assert result["steps"] == 3 and result["timed_steps"] == 2 and result["samples_per_s"] > 0
    assert result["final_loss"] > 0
    assert f"{data}:2: skipped" in proc.stderr
