"""Headline training end to end: tiny models from scratch on in-test data, real CLI and core function."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from summarize.config import load_config
from summarize.headline.dataset import read_pairs
from summarize.headline.train import train
from summarize.io.read import InputError

torch.set_num_threads(1)

REPO = Path(__file__).resolve().parents[1]
TINY = [
    "model.init=scratch", "model.name_or_path=init",
    "model.scratch.d_model=64", "model.scratch.layers=2", "model.scratch.heads=4", "model.scratch.ffn=128",
    "model.scratch.max_positions=128", "model.scratch.dropout=0.0",
    "data.max_source_tokens=96", "data.max_target_tokens=24",
    "generation.max_source_tokens=96", "generation.num_beams=1", "generation.max_chars=20",
    "training.batch_size=8", "training.logging_steps=10", "training.save_total_limit=1",
]


def tiny_config(tmp_path, headline_kit, *overrides, dev=True):
    data = headline_kit.write_jsonl(tmp_path / "pairs.jsonl", headline_kit.make_pairs())
    extra = [f"data.train={data}", f"data.dev={data}" if dev else "data.dev=null"]
    return load_config(None, [*TINY, *extra, *overrides], task="headline")


@pytest.mark.slow
def test_tiny_model_learns_eight_pairs(tmp_path, headline_kit):
    """Training, generation, cleaning and char ROUGE are wired: dev (= the 8 training pairs) reaches R-L >= 90."""
    cfg = tiny_config(tmp_path, headline_kit, "training.max_steps=120", "training.learning_rate=3e-3", "training.warmup_steps=10",
                      "training.eval_strategy=steps", "training.eval_steps=60")
    run = tmp_path / "run"
    result = train(cfg, output_dir=run)

    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["dev"]["rougeL"] >= 90, metrics
    assert metrics["global_step"] == 120 and metrics["train_samples"] == 8
    assert metrics["train_loss"] > 0 and metrics["train_samples_per_second"] > 0
    assert metrics["best_checkpoint"].startswith("checkpoints/checkpoint-")
    # predictions are scored against the raw references, in dev order
    rows = [json.loads(line) for line in (run / "dev_predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [f"a{i}" for i in range(8)]
    assert [r["reference"] for r in rows] == [p["title"] for p in headline_kit.make_pairs()]
    assert sum(r["prediction"] == r["reference"] for r in rows) >= 6
    # the run folder: resolved config (with the actual output dir), final model with decoding defaults
    saved = load_config(run / "config.yaml")
    assert saved.training.output_dir == str(run) and saved.model.init == "scratch"
    gen = json.loads((run / "model" / "generation_config.json").read_text(encoding="utf-8"))
    assert gen["headline_max_chars"] == 20 and gen["num_beams"] == 1
    assert (run / "model" / "model.safetensors").is_file() and (run / "model" / "tokenizer_config.json").is_file()
    assert result.model_dir == run / "model"

    # the saved model loads through the normal path and writes a training headline
    from summarize.text.clean import clean_headline
    from summarize.headline.config import ModelSection
    from summarize.headline.models import load_pretrained

    loaded = load_pretrained(ModelSection(name_or_path=str(run / "model")))
    article = headline_kit.make_pairs()[3]
    enc = loaded.tokenizer([article["text"]], return_tensors="pt", truncation=True, max_length=96)
    out = loaded.model.generate(**enc)
    assert clean_headline(loaded.tokenizer.decode(out[0], skip_special_tokens=True)) == article["title"]


def test_same_seed_same_loss_curve_and_tensorboard(tmp_path, headline_kit):
    cfg = tiny_config(tmp_path, headline_kit, "training.max_steps=4", "training.logging_steps=1", "training.eval_strategy=\"no\"",
                      "training.learning_rate=1e-3", "training.tensorboard=true", dev=False)
    first = train(cfg, output_dir=tmp_path / "a")
    second = train(cfg, output_dir=tmp_path / "b")
    losses = [[h["loss"] for h in r.log_history if "loss" in h] for r in (first, second)]
    assert len(losses[0]) == 4
    assert losses[0] == losses[1]
    assert losses[0][-1] < losses[0][0]
    assert list((tmp_path / "a" / "tensorboard").glob("events.out.tfevents.*"))
    different = train(tiny_config(tmp_path, headline_kit, "training.max_steps=4", "training.logging_steps=1",
                                  "training.eval_strategy=\"no\"", "training.learning_rate=1e-3", "training.seed=7",
                                  dev=False), output_dir=tmp_path / "c")
    assert [h["loss"] for h in different.log_history if "loss" in h] != losses[0]


def test_gradient_accumulation_reports_the_mean_loss(tmp_path, headline_kit):
    """Batch 8 in one step and 2 x 4 accumulated give the same first loss (not twice it) and nearly the same update."""
    losses = []
    for batch, accumulation in ((8, 1), (4, 2)):
        cfg = tiny_config(tmp_path, headline_kit, "training.max_steps=2", "training.logging_steps=1", "training.eval_strategy=\"no\"",
                          f"training.batch_size={batch}", f"training.gradient_accumulation_steps={accumulation}",
                          "training.group_by_length=false", dev=False)
        result = train(cfg, output_dir=tmp_path / f"b{batch}")
        losses.append([h["loss"] for h in result.log_history if "loss" in h])
    assert losses[0][0] == pytest.approx(losses[1][0], rel=0.05)
    assert losses[0][1] == pytest.approx(losses[1][1], rel=0.05)


@pytest.mark.slow
def test_resume_continues_after_kill(tmp_path, headline_kit):
    """SIGKILL after the first checkpoint, then --resume: training continues from that step and finishes."""
    data = headline_kit.write_jsonl(tmp_path / "pairs.jsonl", headline_kit.make_pairs())
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("task: headline\n", encoding="utf-8")
    run = tmp_path / "run"
    args = [sys.executable, "-m", "summarize", "train", str(cfg), *TINY, f"data.train={data}", "data.dev=null",
            "training.max_steps=200", "training.eval_strategy=\"no\"", "training.eval_steps=5", "training.save_total_limit=3",
            "--output-dir", str(run), "-q"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        state = run / "checkpoints" / "checkpoint-5" / "trainer_state.json"
        while not state.is_file():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint within 120 s"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL  # really killed mid-run, not finished
    assert not (run / "metrics.json").exists()
    killed_at = max(int(p.name.split("-")[1]) for p in (run / "checkpoints").glob("checkpoint-*")
                    if (p / "trainer_state.json").is_file())
    assert killed_at < 200

    done = subprocess.run([*args, "--resume"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["resumed_from_step"] >= killed_at  # the newest complete checkpoint
    assert metrics["resumed_from_step"] >= 5
    assert metrics["global_step"] == 200
    final_state = json.loads((run / "checkpoints" / "checkpoint-200" / "trainer_state.json").read_text())
    assert final_state["global_step"] == 200
    # the log history carries on from the checkpoint instead of restarting at step 1
    steps = [h["step"] for h in final_state["log_history"] if "loss" in h]
    assert steps == sorted(steps) and len(steps) == len(set(steps))


def test_quickstart_config_runs_a_few_steps(tmp_path, monkeypatch):
    """The shipped quickstart config, shrunk: real bundled data, real scratch path, 2 steps, final dev score."""
    if not (REPO / "data" / "corpus" / "train.jsonl").is_file():
        pytest.skip("data/corpus is not built yet")
    monkeypatch.chdir(REPO)
    cfg = load_config(REPO / "configs" / "quickstart.yaml",
                      ["training.max_steps=2", "model.scratch.d_model=32", "model.scratch.ffn=64", "model.scratch.layers=1",
                       "data.max_source_tokens=64", "generation.max_source_tokens=64", "generation.num_beams=1",
                       "training.eval_strategy=\"no\""])
    result = train(cfg, output_dir=tmp_path / "qs")
    assert result.metrics["global_step"] == 2
    assert result.metrics["dev_samples"] == 1 and set(result.metrics["dev"]) == {"rouge1", "rouge2", "rougeL"}
    assert (tmp_path / "qs" / "model" / "generation_config.json").is_file()
    assert (tmp_path / "qs" / "init" / "tokenizer.json").is_file()  # the char vocabulary, built from data.train


# --- data errors -------------------------------------------------------------------------


def test_bad_rows_are_reported_with_file_and_line_and_skipped(tmp_path, caplog, headline_kit):
    rows = headline_kit.make_pairs(3)
    lines = [json.dumps(rows[0], ensure_ascii=False), "{broken", json.dumps({**rows[1], "title": "  "}, ensure_ascii=False),
             "[1, 2]", json.dumps({**rows[2], "text": 5}), json.dumps(rows[2], ensure_ascii=False)]
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="summarize"):
        pairs = read_pairs(path)
    assert [p.id for p in pairs] == ["a0", "a2"]
    messages = caplog.text
    for line, reason in [(2, "invalid JSON"), (3, "'title' is empty"), (4, "expected a JSON object"),
                         (5, "'text' must be a string")]:
        assert f"{path}:{line}: {reason}" in messages


def test_missing_field_is_an_error_listing_the_keys(tmp_path, headline_kit):
    path = headline_kit.write_jsonl(tmp_path / "train.jsonl", [{"id": "x", "headline": "标题", "body": "正文"}])
    with pytest.raises(InputError, match=r"train.jsonl:1: no 'text' field \(this row has: body, headline, id\)"):
        read_pairs(path)
    # the CLI turns it into one line and exit status 2
    from summarize.cli import main

    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(f"task: headline\nmodel: {{init: scratch, name_or_path: init}}\ndata: {{train: {path}, dev: null}}\n",
                   encoding="utf-8")
    assert main(["train", str(cfg), "--output-dir", str(tmp_path / "run"), "-q"]) == 2


def test_no_usable_rows_is_an_error(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text("{broken\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"train.jsonl: no usable rows \(1 bad\)"):
        read_pairs(path)


def test_dev_generation_decodes_like_the_shipped_generator(tmp_path, tiny_model):
    """The best checkpoint is chosen by the decoder users get: during training, dev headlines go
    through the generator's character-length processor (min_chars, max_chars), so a model that
    wants to stop at once still writes min_chars characters, exactly the headlines
    HeadlineGenerator writes."""
    from transformers import LogitsProcessorList

    from summarize.config.sections import TrainingSection
    from summarize.headline.dataset import Pair, encode_pairs, make_collator
    from summarize.headline.generator import HeadlineGenerator
    from summarize.headline.length import length_processor
    from summarize.headline.models import ModelSection, load_pretrained
    from summarize.headline.train import DevScorer
    from summarize.training import OrderedSeq2SeqTrainer, build_training_arguments

    folder = tiny_model(tmp_path / "m", bias="terse", generation={"num_beams": 1, "min_chars": 4, "max_chars": 8})
    loaded = load_pretrained(ModelSection(name_or_path=str(folder)))
    model, tokenizer = loaded.model, loaded.tokenizer
    pairs = [Pair(f"a{i}", text, "高新区开工") for i, text in
             enumerate(["高新区今天发布新政策", "中国银行科技园项目开工建设", "新华社北京电"])]
    features = encode_pairs(pairs, tokenizer, decoder_start_token_id=model.config.decoder_start_token_id,
                            source_prefix="", max_source_tokens=64, max_target_tokens=16)
    args = build_training_arguments(TrainingSection(precision="fp32", eval_batch_size=2), tmp_path / "run")
    headlines = {}
    for name, kwargs in (("plain", {}), ("shipped", {"logits_processor": LogitsProcessorList(
            [length_processor(model, tokenizer, max_chars=8, min_chars=4, device="cpu")])})):
        scorer = DevScorer(tokenizer, pairs, max_chars=8)
        trainer = OrderedSeq2SeqTrainer(model=model, args=args, eval_dataset=features, processing_class=tokenizer,
                                        data_collator=make_collator(tokenizer, model, None), compute_metrics=scorer,
                                        generation_kwargs=kwargs)
        trainer.evaluate()
        headlines[name] = scorer.predictions
    assert headlines["plain"] == ["", "", ""]  # plain generate() stops at once: what dev scored before
    assert all(4 <= len(h) <= 8 for h in headlines["shipped"])
    generator = HeadlineGenerator.from_pretrained(folder, device="cpu")
    assert headlines["shipped"] == [r.headline for r in generator.generate([p.text for p in pairs])]


# `torchrun --nproc_per_node 2 -m summarize train` on CPU (gloo): one consistent run folder, written once.
@pytest.mark.slow
def test_two_process_training_on_cpu(tmp_path, headline_kit):
    data = headline_kit.write_jsonl(tmp_path / "pairs.jsonl", headline_kit.make_pairs())
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
    # .summarize.lock: the run folder's (released) lock file, reused by the next run
    assert sorted(p.name for p in run.iterdir()) == [".summarize.lock", "checkpoints", "config.yaml",
                                                     "dev_predictions.jsonl", "init", "metrics.json", "model"]
    assert load_config(run / "config.yaml").training.output_dir == str(run)
    # the final model loads through the normal path
    from summarize.headline.config import ModelSection
    from summarize.headline.models import load_pretrained

    loaded = load_pretrained(ModelSection(name_or_path=str(run / "model")))
    assert loaded.family == "bart"


@pytest.mark.slow
def test_accelerate_launch_runs_the_same_command(tmp_path, headline_kit):
    # One CPU process: multi-process accelerate on CPU needs MPI, which CI lacks; this
    # checks that `accelerate launch -m summarize train` reaches the same engine.
    data = headline_kit.write_jsonl(tmp_path / "pairs.jsonl", headline_kit.make_pairs())
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


class HubStandIn:
    """huggingface_hub.HfApi as --push-to-hub uses it, copying instead of uploading (never the network)."""

    def __init__(self, root):
        self.root, self.calls = root, []

    def __call__(self):  # HfApi() -> this object
        return self

    def create_repo(self, repo_id, private=False, exist_ok=False):
        self.calls.append(("create_repo", repo_id, private))

    def upload_folder(self, folder_path, repo_id, commit_message=""):
        import shutil

        self.calls.append(("upload_folder", repo_id))
        shutil.copytree(folder_path, self.root / repo_id)


def test_saved_model_follows_hub_habits_and_pushes(tmp_path, monkeypatch, capsys, headline_kit):
    """model/ has a model card (metadata, data hashes, dev scores, decoding defaults, load snippets
    that work), no pickled training_args.bin; --push-to-hub uploads exactly that folder."""
    import hashlib

    import huggingface_hub
    import yaml

    from summarize.cli import main as cli

    hub = HubStandIn(tmp_path / "hub")
    monkeypatch.setattr(huggingface_hub, "HfApi", hub)
    data = headline_kit.write_jsonl(tmp_path / "pairs.jsonl", headline_kit.make_pairs())
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("task: headline\n", encoding="utf-8")
    run = tmp_path / "run"
    assert cli(["train", str(cfg), *TINY, f"data.train={data}", f"data.dev={data}", "training.max_steps=2",
                "--output-dir", str(run), "--push-to-hub", "me/tiny-headline", "-q"]) == 0
    model = run / "model"
    assert not (model / "training_args.bin").exists()
    assert list((run / "checkpoints").glob("checkpoint-*/training_args.bin"))  # checkpoints keep it for --resume
    card = (model / "README.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(card.split("---")[1])
    assert meta["pipeline_tag"] == "summarization" and meta["language"] == ["zh"] and "base_model" not in meta
    assert meta["summarize"]["data"]["train"]["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert meta["summarize"]["dev_scores"] == metrics["dev"] and "ROUGE-1.5.5" in meta["summarize"]["scoring"]
    assert meta["summarize"]["decoding"]["max_chars"] == 20 and meta["summarize"]["decoding"]["num_beams"] == 1
    # the card's plain-transformers snippet runs as written and writes the headline summarize writes for a
    # short article (where token and character bounds agree)
    snippets = [block.split("\n", 1)[1] for block in card.split("```python")[1:]]
    article = headline_kit.make_pairs()[0]["text"]
    scope = {"article": article}
    exec(snippets[0].split("```")[0].replace("path/to/model", str(model)), scope)
    from summarize.text.clean import clean_headline

    scope2 = {"article": article}
    exec(snippets[1].split("```")[0].replace("path/to/model", str(model)), scope2)
    assert clean_headline(scope["headline"])[:20] == scope2["generator"].generate(article).headline
    assert hub.calls == [("create_repo", "me/tiny-headline", True), ("upload_folder", "me/tiny-headline")]
    assert sorted(p.name for p in (tmp_path / "hub" / "me/tiny-headline").iterdir()) == sorted(
        p.name for p in model.iterdir())
