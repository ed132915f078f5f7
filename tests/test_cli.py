"""The dispatcher and `summarize validate`, run as a user would run them."""

import subprocess
import sys

from summarize.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "summarize", *args], capture_output=True, text=True, timeout=120)


def test_help_lists_verbs(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for verb in ("data", "train", "evaluate", "headline", "qa", "validate"):
        assert f"  {verb}" in out


def test_unknown_verb_suggests(capsys):
    assert main(["trian"]) == 2
    assert "did you mean 'train'" in capsys.readouterr().err


def test_validate_reports_every_error_and_exits_nonzero(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("task: headline\nmodel:\n  familly: bart\ntraining:\n  epochs: many\n", encoding="utf-8")
    proc = run("validate", str(path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{path}: unknown key 'model.familly' (did you mean 'model.family'?)" in proc.stderr
    assert f"{path}: training.epochs: expected float, got 'many'" in proc.stderr


def test_validate_ok_and_show_with_override(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("task: headline\n", encoding="utf-8")
    proc = run("validate", str(path), "generation.num_beams=2", "--show")
    assert proc.returncode == 0, proc.stderr
    assert "num_beams: 2" in proc.stdout


def test_options_may_follow_overrides_and_precede_more(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("task: headline\n", encoding="utf-8")
    proc = run("validate", str(path), "generation.num_beams=2", "--show", "generation.max_chars=12")
    assert proc.returncode == 0, proc.stderr
    assert "num_beams: 2" in proc.stdout and "max_chars: 12" in proc.stdout


def test_subcommand_options_may_follow_overrides(tmp_path):
    from summarize.cli import qa
    from summarize.cli.common import parse_args

    args = parse_args(qa.build_parser(), ["train", "c.yaml", "--output-dir", "d", "training.max_steps=3", "-q"])
    assert (args.command, args.config, args.output_dir, args.overrides, args.verbosity) == (
        "train", "c.yaml", "d", ["training.max_steps=3"], -1)
