"""``summarize qa evaluate`` on the real CMRC 2018 and DRCD dev files equals the library's CMRC scores."""

from __future__ import annotations

import json

import pytest

from summarize.cli import main as cli
from summarize.metrics.cmrc import cmrc_scores, evaluate_squad_files, load_squad_golds


def _imperfect(golds: dict[str, list[str]]) -> dict[str, str]:
    """Deterministic mix: exact, a gold's first half, a wrong answer, padded, and missing questions."""
    predictions = {}
    for i, (qid, answers) in enumerate(sorted(golds.items())):
        gold = answers[i % len(answers)]
        kind = i % 5
        if kind == 0:
            predictions[qid] = gold
        elif kind == 1:
            predictions[qid] = gold[: max(1, len(gold) // 2)]
        elif kind == 2:
            predictions[qid] = "完全无关的回答"
        elif kind == 3:
            predictions[qid] = f"“{gold}”。"
        # kind 4: unanswered
    return predictions


def _run(capsys, dataset, predictions_path, *extra) -> str:
    assert cli(["qa", "evaluate", "--dataset", str(dataset), "--predictions", str(predictions_path), *extra]) == 0
    return capsys.readouterr().out


@pytest.mark.shared
@pytest.mark.parametrize("relative", ["data/cmrc2018/dev.json", "data/drcd/dev.json"])
def test_evaluate_cli_matches_the_library_on_real_dev_files(shared_file, tmp_path, capsys, relative):
    dataset = shared_file(relative)
    golds = load_squad_golds(dataset)
    predictions = _imperfect(golds)
    pred_path = tmp_path / "pred.json"
    pred_path.write_text(json.dumps(predictions, ensure_ascii=False), encoding="utf-8")

    got = json.loads(_run(capsys, dataset, pred_path, "--json"))
    expected = cmrc_scores(predictions, golds)
    assert got["n"] == expected["n"] == len(golds)
    assert got["em"] == pytest.approx(expected["em"], abs=1e-9)
    assert got["f1"] == pytest.approx(expected["f1"], abs=1e-9)
    assert got["em"] == pytest.approx(evaluate_squad_files(dataset, pred_path)["em"], abs=1e-9)
    assert 15.0 < got["em"] < 60.0 and got["em"] < got["f1"] < 90.0
    assert got["n_unanswered"] == len(golds) - len(predictions)

    text = _run(capsys, dataset, pred_path)
    assert f"{got['em']:6.2f}" in text and f"{got['f1']:6.2f}" in text

    gold_path = tmp_path / "gold.json"
    gold_path.write_text(json.dumps({q: a[0] for q, a in golds.items()}, ensure_ascii=False), encoding="utf-8")
    perfect = json.loads(_run(capsys, dataset, gold_path, "--json"))
    assert perfect["em"] == pytest.approx(100.0) and perfect["f1"] == pytest.approx(100.0)


def test_evaluate_cli_reports_bad_files_in_one_line(tmp_path, capsys):
    dataset = tmp_path / "set.json"
    dataset.write_text('{"data": [{"paragraphs": [{"context": "高新区", "qas": [{"id": "q", "question": "哪?", '
                       '"answers": [{"text": "高新区", "answer_start": 0}]}]}]}]}', encoding="utf-8")
    assert cli(["qa", "evaluate", "--dataset", str(dataset), "--predictions", str(tmp_path / "missing.json")]) == 2
    assert "missing.json" in capsys.readouterr().err
