"""The typed config loader: suggestions, all errors at once, overrides, round trip."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest

from summarize.config import ConfigError, apply_overrides, build, dump_yaml, load_config, read_yaml, save_config
from summarize.config.loader import parse_override


@dataclass
class Inner:
    lr: float = 1e-3
    steps: int = 10
    name: str | None = None
    mode: Literal["fast", "slow"] = "fast"
    tags: list[str] = field(default_factory=list)

    def check(self) -> list[str]:
        return ["steps must be positive"] if self.steps <= 0 else []


@dataclass
class Outer:
    flag: bool = False
    inner: Inner = field(default_factory=Inner)


def test_defaults_and_types():
    cfg = build(Outer, {"inner": {"lr": 1, "steps": 3, "tags": ["a"]}})
    assert cfg.inner.lr == 1.0 and isinstance(cfg.inner.lr, float)
    assert cfg.inner.steps == 3 and cfg.inner.tags == ["a"] and cfg.flag is False


def test_float_written_without_dot_is_accepted():
    # YAML 1.1 reads 1e-4 as a string; users write it that way all the time.
    assert build(Outer, {"inner": {"lr": "1e-4"}}).inner.lr == pytest.approx(1e-4)


def test_unknown_key_suggests_nearest_with_dotted_path_and_file():
    with pytest.raises(ConfigError) as err:
        build(Outer, {"inner": {"lrr": 1}}, source="cfg.yaml")
    (message,) = err.value.errors
    assert message == "cfg.yaml: unknown key 'inner.lrr' (did you mean 'inner.lr'?)"


def test_all_errors_are_reported_at_once():
    data = {"flgg": True, "inner": {"steps": "many", "mode": "fsat", "tags": "x"}}
    with pytest.raises(ConfigError) as err:
        build(Outer, data, source="c.yaml")
    text = str(err.value)
    assert len(err.value.errors) == 4
    assert "unknown key 'flgg' (did you mean 'flag'?)" in text
    assert "inner.steps: expected int, got 'many'" in text
    assert "inner.mode: must be one of 'fast', 'slow', got 'fsat' (did you mean 'fast'?)" in text
    assert "inner.tags: expected a list" in text


def test_cross_field_check_names_the_section():
    with pytest.raises(ConfigError, match=r"c.yaml: inner.steps must be positive"):
        build(Outer, {"inner": {"steps": 0}}, source="c.yaml")


def test_bool_is_not_an_int():
    with pytest.raises(ConfigError, match="inner.steps: expected int, got True"):
        build(Outer, {"inner": {"steps": True}})


def test_section_must_be_a_mapping():
    with pytest.raises(ConfigError, match="inner: expected a mapping"):
        build(Outer, {"inner": 3})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a.b=3", ("a.b", 3)), ("a=1e-4", ("a", "1e-4")), ("a=true", ("a", True)), ("a=[1, 2]", ("a", [1, 2])), ("a=x=y", ("a", "x=y"))],
)
def test_parse_override(text, expected):
    assert parse_override(text) == expected


@pytest.mark.parametrize("bad", ["novalue", "=3", "a..b=1"])
def test_bad_override_is_an_error(bad):
    with pytest.raises(ConfigError, match="override"):
        parse_override(bad)


def test_apply_overrides_does_not_mutate_input():
    data = {"inner": {"lr": 1}}
    out = apply_overrides(data, ["inner.lr=2", "inner.steps=5", "flag=true"])
    assert data == {"inner": {"lr": 1}}
    assert out == {"inner": {"lr": 2, "steps": 5}, "flag": True}


def test_load_config_file_with_override_and_unknown_key(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("task: headline\ntraining:\n  learning_rate: 1e-4\n", encoding="utf-8")
    cfg = load_config(path, ["training.batch_size=4"])
    assert cfg.training.learning_rate == pytest.approx(1e-4) and cfg.training.batch_size == 4
    with pytest.raises(ConfigError) as err:
        load_config(path, ["training.learnig_rate=3"])
    assert "unknown key 'training.learnig_rate' (did you mean 'training.learning_rate'?)" in str(err.value)
    assert str(path) in str(err.value)


def test_unknown_task_is_suggested(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("task: headlin\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="did you mean 'headline'"):
        load_config(path)


def test_invalid_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("training:\n  lr: [1, 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.yaml:\d+: invalid YAML"):
        read_yaml(path)


def test_missing_and_non_mapping_files(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        read_yaml(tmp_path / "nope.yaml")
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        read_yaml(path)


def test_resolved_config_round_trips(tmp_path):
    cfg = load_config(None, ["generation.num_beams=2", "data.max_source_tokens=256"])
    save_config(cfg, tmp_path / "config.yaml")
    again = load_config(tmp_path / "config.yaml")
    assert again == cfg
    assert "num_beams: 2" in dump_yaml(cfg)


def test_bare_yaml_no_means_the_word_no(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("task: headline\ndata:\n  dev: null\ntraining:\n  eval_strategy: no\n", encoding="utf-8")
    assert load_config(path).training.eval_strategy == "no"


def test_nested_section_checks_name_the_key_once():
    with pytest.raises(ConfigError) as info:
        load_config(None, ["model.scratch.d_model=250", "model.scratch.heads=4"], task="headline")
    assert "model.scratch.d_model (250) must be divisible by heads (4)" in str(info.value)
    assert "scratch.scratch" not in str(info.value)
