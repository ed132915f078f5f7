"""scripts/gpu_quality_check.py --quick runs both full-run paths on CPU with a tiny random BERT and a few rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

CONTEXTS = ["高新区今天发布新政策，支持企业研发，总投资三亿元。", "科技园项目今天开工建设，预计明年投入运营。"]
QUESTIONS = [("高新区发布了什么？", "新政策"), ("科技园项目何时开工？", "今天")]


def squad(n: int) -> dict:
    paragraphs = []
    for i in range(n):
        context = CONTEXTS[i % 2]
        question, answer = QUESTIONS[i % 2]
        paragraphs.append({"context": context, "qas": [{"id": f"q{i}", "question": question,
                                                         "answers": [{"text": answer, "answer_start": context.find(answer)}]}]})
    return {"version": "test", "data": [{"title": "t", "paragraphs": paragraphs}]}


def fake_shared(root: Path) -> Path:
    for sub in ("lcsts", "cmrc2018", "drcd"):
        (root / "data" / sub).mkdir(parents=True)
    rows = "".join(f"{'高新区发布新政策' if i % 2 else '科技园项目开工'}\t{CONTEXTS[i % 2]}\n" for i in range(10))
    for split in ("train", "val", "test"):
        (root / "data/lcsts" / f"{split}.tsv").write_text(rows, encoding="utf-8")
    for path in ("cmrc2018/train.json", "cmrc2018/dev.json", "drcd/dev.json"):
        (root / "data" / path).write_text(json.dumps(squad(10), ensure_ascii=False), encoding="utf-8")
    return root


@pytest.mark.slow
def test_quick_runs_qa_and_bert2bert_on_cpu(tmp_path):
    shared = fake_shared(tmp_path / "shared")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(REPO / "scripts/gpu_quality_check.py"), "--quick", "--out", str(out),
                           "--shared", str(shared)], capture_output=True, text=True, timeout=900,
                          env={**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""})
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("device=cpu ") and "cmrc_f1=" in last and "drcd_f1=" in last and "bert2bert_rougeL=" in last
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["qa"]["cmrc_dev"]["n"] == 4 and summary["qa"]["drcd_dev"]["n"] == 4
    assert set(summary["bert2bert"]["lcsts_test"]) == {"bert2bert", "lead-v1"}
    assert summary["bert2bert"]["n"] == 4 and summary["qa"]["started_from"]["name_or_path"].endswith("tiny-bert")
    assert "4-bit re-quantization" in summary["note"]
