"""`torchrun --nproc_per_node 2 -m summarize train` on CPU (gloo): one consistent run folder, written once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from summarize.config import load_config

sys.path.insert(0, os.path.dirname(__file__))
from test_train import TINY, make_pairs, write_jsonl  # noqa: E402


@pytest.mark.slow
def test_two_process_training_on_cpu(tmp_path):
    data = write_jsonl(tmp_path / "pairs.jsonl", make_pairs())
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("task: headline\n", encoding="utf-8")
    run = tmp_path / "run"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "-m", "summarize", "train", str(cfg),
         *TINY, f"data.train={data}", f"data.dev={data}", "training.batch_size=2", "training.eval_batch_size=3",
         "training.max_steps=6", "training.eval_strategy=steps", "training.eval_steps=3", "--output-dir", str(run)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["world_size"] == 2 and metrics["global_step"] == 6
    # 8 pairs / (2 per device x 2 processes) = 2 steps per epoch: the processes split the data
    assert metrics["epochs"] == pytest.approx(3.0)
    # dev predictions gathered from both ranks, in dev order, each example once (eval batch 3 pads the last batch)
    rows = [json.loads(line) for line in (run / "dev_predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [f"a{i}" for i in range(8)]
    # one set of outputs: the JSON summary printed once (rank 0), no per-rank report files
    assert proc.stdout.count('"global_step"') == 1
    assert sorted(p.name for p in run.iterdir()) == ["checkpoints", "config.yaml", "dev_predictions.jsonl", "init",
                                                     "metrics.json", "model"]
    assert load_config(run / "config.yaml").training.output_dir == str(run)
    # the final model loads through the normal path
    from summarize.headline.config import ModelSection
    from summarize.headline.models import load_pretrained

    loaded = load_pretrained(ModelSection(name_or_path=str(run / "model")))
    assert loaded.family == "bart"


@pytest.mark.slow
def test_accelerate_launch_runs_the_same_command(tmp_path):
    # One CPU process: multi-process accelerate on CPU needs MPI, which CI lacks; this
    # checks that `accelerate launch -m summarize train` reaches the same engine.
    data = write_jsonl(tmp_path / "pairs.jsonl", make_pairs())
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("task: headline\n", encoding="utf-8")
    run = tmp_path / "run"
    accelerate = os.path.join(os.path.dirname(sys.executable), "accelerate")
    proc = subprocess.run(
        [accelerate, "launch", "--cpu", "--num_processes", "1", "--num_machines", "1", "--mixed_precision", "no",
         "--dynamo_backend", "no", "-m", "summarize", "train", str(cfg), *TINY, f"data.train={data}",
         f"data.dev={data}", "training.max_steps=2", "--output-dir", str(run)],
        env={**os.environ, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["global_step"] == 2 and (run / "model" / "generation_config.json").is_file()
