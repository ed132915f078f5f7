"""Every shipped config validates, and each headline config says how to run it and where its numbers come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarize.config import load_config

CONFIGS = sorted((Path(__file__).resolve().parents[1] / "configs").glob("*.yaml"))


def test_configs_exist():
    names = {p.name for p in CONFIGS}
    assert {"quickstart.yaml", "bart-base-chinese.yaml", "t5-small-chinese.yaml", "mt5-small.yaml",
            "randeng-pegasus-238m.yaml"} <= names


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_validates(path):
    cfg = load_config(path)
    assert cfg.task in ("headline", "qa", "extractive")


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_header_gives_the_command(path):
    header = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                     if line.startswith("#"))
    assert f"configs/{path.name}" in header, f"{path.name}: the header comment must show the command that runs it"


@pytest.mark.parametrize("name, hub_id, family", [
    ("bart-base-chinese.yaml", "fnlp/bart-base-chinese", "bart"),
    ("t5-small-chinese.yaml", "uer/t5-small-chinese-cluecorpussmall", "t5"),
    ("mt5-small.yaml", "google/mt5-small", "mt5"),
    ("randeng-pegasus-238m.yaml", "IDEA-CCNL/Randeng-Pegasus-238M-Summary-Chinese", "pegasus"),
])
def test_family_configs_point_at_the_public_checkpoint_and_lcsts(name, hub_id, family):
    path = CONFIGS[0].parent / name
    cfg = load_config(path)
    assert (cfg.model.name_or_path, cfg.model.family, cfg.model.init) == (hub_id, family, "pretrained")
    assert cfg.data.train == "data/lcsts/train.jsonl"
    assert not cfg.model.trust_remote_code
    text = path.read_text(encoding="utf-8")
    assert "summarize data convert --format lcsts ../shared/data/lcsts/train.tsv data/lcsts/train.jsonl" in text
    assert "Hyperparameters:" in text  # the source of the numbers is named


def test_quickstart_is_offline_and_bundled():
    cfg = load_config(CONFIGS[0].parent / "quickstart.yaml")
    assert cfg.model.init == "scratch"
    assert cfg.data.train == "data/corpus/train.jsonl" and cfg.data.dev == "data/corpus/dev.jsonl"
    assert "../shared" not in cfg.data.train + str(cfg.data.dev)


def test_cross_field_rules():
    from summarize.config import ConfigError

    with pytest.raises(ConfigError, match="early_stopping_patience needs evaluations"):
        load_config(None, ["training.early_stopping_patience=2", 'training.eval_strategy="no"'])
    with pytest.raises(ConfigError) as info:
        load_config(None, ["model.init=scratch", "model.scratch.max_positions=128", "data.max_source_tokens=256",
                           "training.early_stopping_patience=2", "data.dev=null"])
    text = "\n".join(info.value.errors)
    assert "data.max_source_tokens (256) exceeds model.scratch.max_positions (128)" in text
    assert "training.early_stopping_patience needs a dev set (data.dev)" in text
