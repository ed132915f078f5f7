"""The learned extractive model: train on a small in-test corpus, save, load, generate; bad folders and data."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from summarize import HeadlineGenerator
from summarize.config import load_config
from summarize.headline.extractive.model import META_FILE, NO_CANDIDATE, RANKER_FILE
from summarize.headline.lead import NO_WORDS_WARNING
from summarize.headline.models import ModelLoadError
from summarize.io import InputError

REPO = Path(__file__).resolve().parents[1]
_SUBJECTS = ["高新区", "市政府", "科技公司", "研究团队", "铁路集团", "气象台", "教育局", "航天中心"]
_ACTIONS = ["发布新一代人工智能芯片", "启动老旧小区改造工程", "开通城际高速铁路", "建成全国最大光伏电站",
            "推出青少年编程课程", "完成深海探测任务", "签约十二个重点项目", "上调今年经济增长预期"]
_FILLER = ["天气晴好市民出行人数明显增加", "附近商户表示生意比往年更好", "现场吸引了不少群众围观拍照",
           "相关负责人接受了记者的采访", "活动持续到下午五点左右结束", "据了解此前曾多次组织类似活动"]


def _article(rng: random.Random) -> tuple[str, str]:
    """The headline is always the SECOND sentence's first clause: lead-v1 would take the first."""
    subject, action = rng.choice(_SUBJECTS), rng.choice(_ACTIONS)
    headline = f"{subject}{action}"
    filler = rng.sample(_FILLER, 4)
    text = (f"{filler[0]}，{filler[1]}。{headline}，{subject}负责人介绍了{action[:4]}的情况。"
            f"{filler[2]}。{filler[3]}，{subject}表示将继续{action[:4]}。")
    return text, headline


def _write(path: Path, pairs: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": str(i), "title": h, "text": t}, ensure_ascii=False) + "\n"
                            for i, (t, h) in enumerate(pairs)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from summarize.headline.extractive.train import train

    rng = random.Random(0)
    root = tmp_path_factory.mktemp("ext")
    train_a = _write(root / "a.jsonl", [_article(rng) for _ in range(60)])
    train_b = _write(root / "b.jsonl", [_article(rng) for _ in range(60)])
    dev = _write(root / "dev.jsonl", [_article(rng) for _ in range(30)])
    cfg = load_config(None, [f"data.train=[{train_a},{train_b}]", f"data.dev={dev}", "name=tiny",
                             "ranker.trees=30", "ranker.min_data_in_leaf=5", "training.threads=1"], task="extractive")
    result = train(cfg, output_dir=root / "run")
    return result, root


def test_run_folder_holds_model_config_metrics_and_predictions(trained):
    result, root = trained
    run = result.output_dir
    assert {p.name for p in run.iterdir()} >= {"model", "config.yaml", "metrics.json", "dev_predictions.jsonl"}
    meta = json.loads((run / "model" / META_FILE).read_text(encoding="utf-8"))
    assert meta["format_version"] == 2 and meta["name"] == "tiny"
    assert (run / "model" / "bigrams.json").is_file() and meta["bigrams"]["articles"] == 120
    assert [f["file"] for f in meta["train_data"]] == ["a.jsonl", "b.jsonl"]
    assert all(len(f["sha256"]) == 64 for f in meta["train_data"])
    assert meta["dev"]["dev.jsonl"]["rougeL"] == result.metrics["dev"]["dev.jsonl"]["rougeL"]
    assert load_config(run / "config.yaml").data.train == [str(root / "a.jsonl"), str(root / "b.jsonl")]
    rows = [json.loads(line) for line in (run / "dev_predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 30 and {"set", "id", "prediction", "reference"} <= set(rows[0])


def test_learns_which_sentence_makes_the_headline(trained):
    result, _ = trained
    dev = result.metrics["dev"]["dev.jsonl"]
    # lead-v1 takes the first sentence; the model learned the second one holds the headline.
    assert dev["rougeL"] > dev["lead_v1"]["rougeL"] + 30
    gen = HeadlineGenerator.from_pretrained(result.model_dir)
    text, headline = _article(random.Random(99))
    best = gen.generate(text, num_return_sequences=3)
    assert best.headline == headline and best.method == "extractive:tiny"
    assert len(best.alternatives) == 2 and best.score >= max(a.score for a in best.alternatives)
    assert [r.headline for r in gen.generate([text, text])] == [headline, headline]


def test_numpy_forest_equals_lightgbm(trained):
    import lightgbm as lgb

    from summarize.headline.extractive.trees import Forest

    path = trained[0].model_dir / RANKER_FILE
    booster, forest = lgb.Booster(model_file=str(path)), Forest.from_file(path)
    x = np.random.default_rng(0).normal(size=(200, booster.num_feature())) * 20
    assert np.allclose(forest.predict_numpy(x), booster.predict(x), atol=1e-9)
    big = np.random.default_rng(1).normal(size=(2500, booster.num_feature())) * 20
    assert np.allclose(forest.predict(big), forest.predict_numpy(big), atol=1e-9)
    fresh, small = Forest.from_file(path), big[:50]
    assert np.allclose(fresh.predict(small), fresh.predict_numpy(small), atol=1e-9) and fresh._booster is None
    assert np.allclose(fresh.predict(small, many=True), fresh.predict_numpy(small), atol=1e-9)
    assert fresh._booster is not None  # a long job's small batches go to LightGBM too


def test_faithfulness_warnings_and_fallback_for_unusable_articles(trained):
    gen = HeadlineGenerator.from_pretrained(trained[0].model_dir)
    dateline_only = gen.generate("本报讯(记者张三)")
    assert dateline_only.headline.strip() and NO_CANDIDATE in dateline_only.warnings
    # punctuation alone is no headline for any method: "" and a warning (the CLI then exits 1), as lead-v1
    punctuation = gen.generate("。。。！！")
    assert punctuation.headline == "" and punctuation.warnings == (NO_WORDS_WARNING,)
    warned = gen.generate("高新区利润增长35%。", max_chars=12)
    assert warned.headline and isinstance(warned.warnings, tuple)


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize("damage, message", [
    (lambda m: (m / RANKER_FILE).unlink(), "ranker file ranker.txt is missing"),
    (lambda m: (m / "bigrams.json").unlink(), "unreadable bigrams.json"),
    (lambda m: (m / "bigrams.json").write_text('{"articles": 3}', encoding="utf-8"), "unreadable bigrams.json"),
    (lambda m: _edit(m, format_version=99), "format version 99 is newer"),
    (lambda m: _edit(m, feature_names=["position", "length"]), "feature mismatch"),
])
def test_bad_model_folders_are_one_line_errors_naming_the_folder(trained, tmp_path, damage, message):
    folder = _copy(trained[0].model_dir, tmp_path / "model")
    damage(folder)
    with pytest.raises(ModelLoadError, match=message) as info:
        HeadlineGenerator.from_pretrained(folder)
    assert str(folder) in str(info.value) and "\n" not in str(info.value)
    proc = subprocess.run([sys.executable, "-m", "summarize", "headline", "--model", str(folder), "文章。"],
                          capture_output=True, text=True, env=_env(), check=False)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1


def _edit(folder: Path, **changes) -> None:
    path = folder / META_FILE
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(changes)
    path.write_text(json.dumps(meta), encoding="utf-8")


def _env() -> dict:
    import os

    return {**os.environ, "PYTHONPATH": str(REPO / "src")}


def test_a_format_1_folder_without_bigram_statistics_still_loads(trained, tmp_path):
    """Models trained before bigram statistics (format 1, no features.bigram_stats key) keep working."""
    from summarize.headline.extractive.train import train

    result, root = trained
    cfg = load_config(None, [f"data.train={root / 'a.jsonl'}", "data.dev=null", "name=old", "ranker.trees=20",
                             "ranker.min_data_in_leaf=5", "training.threads=1", "features.bigram_stats=false"],
                      task="extractive")
    folder = train(cfg, output_dir=tmp_path / "run").model_dir
    assert not (folder / "bigrams.json").exists()
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    del meta["features"]["bigram_stats"]
    _edit(folder, format_version=1, features=meta["features"])
    gen = HeadlineGenerator.from_pretrained(folder)
    assert gen.bigrams is None and gen.generate(_article(random.Random(4))[0]).method == "extractive:old"


def test_training_data_without_usable_pairs_is_a_clear_error(tmp_path):
    from summarize.headline.extractive.train import train

    data = _write(tmp_path / "bad.jsonl", [("今天天气很好，大家出门散步。", "xyz")] * 5)
    cfg = load_config(None, [f"data.train={data}", "data.dev=null"], task="extractive")
    with pytest.raises(InputError, match="no usable training pairs"):
        train(cfg, output_dir=tmp_path / "run")


def test_cli_train_headline_and_evaluate_with_the_model(trained, tmp_path):
    result, root = trained
    cfg = tmp_path / "ext.yaml"
    cfg.write_text("task: extractive\nname: cli\nranker:\n  trees: 5\n  min_data_in_leaf: 5\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "summarize", "train", str(cfg), "-q", "--output-dir", str(tmp_path / "r"),
                          f"data.train=[{root / 'a.jsonl'},{root / 'b.jsonl'}]", f"data.dev={root / 'dev.jsonl'}"],
                         capture_output=True, text=True, env=_env(), check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["model"].endswith("model")
    text, _ = _article(random.Random(5))
    out = subprocess.run([sys.executable, "-m", "summarize", "headline", "--model", str(tmp_path / "r" / "model"), text],
                         capture_output=True, text=True, env=_env(), check=False)
    assert out.returncode == 0 and json.loads(out.stdout)["method"] == "extractive:cli"
    ev = subprocess.run([sys.executable, "-m", "summarize", "evaluate", "--model", str(result.model_dir), "--data",
                         str(root / "dev.jsonl"), "--json", "--bootstrap", "0", "--no-word-level"],
                        capture_output=True, text=True, env=_env(), check=False)
    assert ev.returncode == 0, ev.stderr
    assert json.loads(ev.stdout)["char"]["rougeL"]["f"] == pytest.approx(result.metrics["dev"]["dev.jsonl"]["rougeL"], abs=1e-3)


def test_default_method_is_the_bundled_model_when_there_is_one(trained, tmp_path, monkeypatch):
    from summarize.headline import extractive
    from summarize.headline.predict import load_generator

    monkeypatch.setattr(extractive, "BUNDLED", tmp_path / "none")
    assert load_generator(None).method == "lead-v1"
    monkeypatch.setattr(extractive, "BUNDLED", _copy(trained[0].model_dir, tmp_path / "bundled"))
    assert load_generator(None).method == "extractive:tiny"
    assert load_generator("lead").method == "lead-v1"
    text, headline = _article(random.Random(3))
    assert load_generator(None).generate(text).headline == headline


def test_speed_benchmark_quick_run_ends_with_a_machine_readable_line(trained):
    result, root = trained
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "bench_extractive.py"), "--quick", "--model",
                           str(result.model_dir), "--data", str(root / "dev.jsonl")],
                          capture_output=True, text=True, env=_env(), check=False)
    assert proc.returncode == 0, proc.stderr
    fields = dict(item.split("=") for item in proc.stdout.strip().splitlines()[-1].split())
    assert float(fields["extractive_articles_per_s"]) > 0 and float(fields["lead_articles_per_s"]) > 0
    assert fields["cold_start_torch"] == "0"


def test_eval_script_quick_run_scores_every_method_on_the_shared_sets(trained, shared):
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "eval_extractive.py"), "--quick", "--model",
                           str(trained[0].model_dir), "--shared", str(shared)],
                          capture_output=True, text=True, env=_env(), check=False)
    assert proc.returncode == 0, proc.stderr
    fields = dict(item.split("=") for item in proc.stdout.strip().splitlines()[-1].split())
    for name in ("lcsts_test", "thucnews_val", "csl_dev"):
        oracle, model = float(fields[f"{name}_oracle_rougeL"]), float(fields[f"{name}_extractive_rougeL"])
        assert oracle >= model and oracle >= float(fields[f"{name}_lead_v1_rougeL"]) - 5
