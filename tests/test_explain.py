"""The schema's field documentation reaches the user: ``validate --explain`` and ``--help``."""

from __future__ import annotations

import pytest

from summarize.cli import main as cli
from summarize.config import field_help
from summarize.config.explain import plain_text
from summarize.headline.config import HeadlineConfig
from summarize.qa.config import QAConfig


def test_explain_one_key_shows_value_default_type_and_help(repo, capsys):
    assert cli(["validate", str(repo / "configs/quickstart.yaml"), "training.seed=7",
                "--explain", "training.seed"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["training.seed = 7  (default 42)    [int]",
                   "    seed for initialization, shuffling and dropout"]


def test_explain_a_section_and_everything(repo, capsys):
    assert cli(["validate", str(repo / "configs/quickstart.yaml"), "--explain", "model.scratch"]) == 0
    keys = [line.split(" = ")[0] for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")]
    assert keys == [k for k in field_help(HeadlineConfig) if k.startswith("model.scratch.")]
    assert cli(["validate", str(repo / "configs/qa-quickstart.yaml"), "--explain"]) == 0
    out = capsys.readouterr().out
    assert all(f"\n{k} = " in "\n" + out for k in field_help(QAConfig))
    assert "(undocumented)" not in out and "``" not in out


def test_explain_unknown_key_is_one_error_line_with_a_suggestion(repo, capsys):
    assert cli(["validate", str(repo / "configs/quickstart.yaml"), "--explain", "training.learning_rat"]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'training.learning_rat'" in err and "did you mean 'training.learning_rate'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv, schema", [(["train", "--help"], HeadlineConfig), (["qa", "train", "--help"], QAConfig)])
def test_help_lists_every_config_key_without_rest_markup(argv, schema, capsys):
    with pytest.raises(SystemExit):
        cli(argv)
    out = capsys.readouterr().out
    for key, doc in field_help(schema).items():
        assert f"  {key} (default " in out and plain_text(doc).split()[0] in out
    assert "``" not in out and ":func:" not in out


def test_plain_text_strips_rest_markup():
    assert plain_text("run ``summarize train`` via :func:`summarize.headline.train.train` or :mod:`~a.b.c`; `x`") == (
        "run summarize train via summarize.headline.train.train or c; x")
