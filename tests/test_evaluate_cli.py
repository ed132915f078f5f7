"""``summarize evaluate``: predictions mode end to end (table, JSON, report folder), bad lines,
compat mode, and model mode's hand-off to the headline package."""

from __future__ import annotations

import json

import pytest

from summarize.cli import main
from summarize.headline import predict as headline_predict
from summarize.metrics.report import evaluate_and_report

ROWS = [
    {"prediction": "高 新 区 举 办 创 新 大 赛 [SEP]", "reference": "高新区举办创新大赛", "id": "a"},
    {"prediction": "的的的", "reference": "的"},
    {"prediction": "", "reference": ["临港物流产业园区开工", "物流园开工"]},
    {"prediction": "ＡＩ新闻　发布", "reference": "AI新闻发布会"},
]


@pytest.fixture
def predictions(tmp_path):
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(["evaluate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_on_stdout(capsys, predictions):
    code, out, err = run(capsys, "--predictions", str(predictions), "--bootstrap", "100", "-q")
    assert code == 0
    assert "CHAR-LEVEL ROUGE" in out and "WORD-LEVEL ROUGE" in out
    assert out.index("CHAR-LEVEL") < out.index("WORD-LEVEL")
    assert "4 samples: 1 empty predictions" in out
    assert "normalization (both sides)" in out and "95% CI" in out
    for metric in ("rouge1", "rouge2", "rougeL"):
        assert f"\n{metric} " in out
    # 4 samples: the CIs are printed with a warning, in the table and (even with -q) on stderr, nothing else
    assert "WARNING: the 95% CIs rest on 4 samples (< 30)" in out
    assert err.count("\n") == 1 and "rest on 4 samples" in err


def test_no_small_sample_warning_from_30_samples_or_without_cis(capsys, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps({"prediction": "高新区", "reference": f"高新区{i}"}) + "\n" for i in range(30)),
                    encoding="utf-8")
    code, out, err = run(capsys, "--predictions", str(path), "--bootstrap", "50", "--json", "-q")
    assert code == 0 and "warning" not in json.loads(out)["bootstrap"] and err == ""
    code, out, err = run(capsys, "--predictions", str(predictions_file(tmp_path)), "--bootstrap", "0", "-q")
    assert code == 0 and "WARNING" not in out and err == ""


def predictions_file(tmp_path):
    path = tmp_path / "four.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    return path


def test_json_matches_the_api(capsys, predictions):
    from summarize import rouge_scores

    code, out, _ = run(capsys, "--predictions", str(predictions), "--json", "--seed", "4", "-q")
    assert code == 0
    report = json.loads(out)
    expected = rouge_scores([r["prediction"] for r in ROWS], [r["reference"] for r in ROWS], seed=4)
    assert report["char"] == expected["char"]
    assert report["word"] == expected["word"]
    assert report["ci"] == expected["ci"]
    assert (report["n"], report["n_empty"], report["mode"]) == (4, 1, "rouge155")
    # recall per sample: 9/9, 1/1, empty prediction 0, ai新闻发布 in ai新闻发布会 6/7
    assert report["char"]["rouge1"]["r"] == pytest.approx((100 + 100 + 0 + 600 / 7) / 4)
    assert {"summarize", "numpy", "jieba", "python"} <= set(report["versions"])
    assert report["normalization"]["fullwidth_to_halfwidth"] is True
    assert report["source"] == {"predictions": str(predictions)}


def test_output_folder(capsys, predictions, tmp_path):
    out_dir = tmp_path / "report"
    code, out, _ = run(capsys, "--predictions", str(predictions), "--output", str(out_dir), "--json", "-q")
    assert code == 0
    assert json.loads((out_dir / "report.json").read_text(encoding="utf-8")) == json.loads(out)
    samples = [json.loads(line) for line in (out_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [s["id"] for s in samples] == ["a", "2", "3", "4"]  # the row's id, else its line number
    assert samples[0]["char"]["rougeL"]["f"] == 100.0
    assert samples[2]["empty"] is True and samples[2]["reference"] == ROWS[2]["reference"]
    assert (out_dir / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")]  # no temp files left behind


def test_compat_mode_is_labelled_and_matches_distinct_counting(capsys, predictions):
    code, out, _ = run(capsys, "--predictions", str(predictions), "--compat", "rouge-chinese", "--json", "-q")
    report = json.loads(out)
    assert report["mode"] == "distinct" and "rouge-chinese" in report["mode_description"]
    _, table, _ = run(capsys, "--predictions", str(predictions), "--compat", "rouge-chinese", "--bootstrap", "0", "-q")
    assert "compatibility mode, not ROUGE-1.5.5" in table
    # 的的的 vs 的 has precision 100 (not 33.3) when each distinct character counts once
    assert report["char"]["rouge1"]["p"] == pytest.approx((100 + 100 + 0 + 100) / 4)


def test_bad_lines_are_errors_unless_skipped(capsys, tmp_path):
    path = tmp_path / "preds.jsonl"
    path.write_text(
        '{"prediction": "高新区", "reference": "高新区"}\n'
        "not json\n"
        '{"prediction": "高新区"}\n'
        '{"prediction": 3, "reference": "x"}\n'
        '{"prediction": "x", "reference": []}\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--predictions", str(path))
    assert code == 2 and out == ""
    assert f"{path}:2: invalid JSON" in err
    assert f"{path}:3: missing key 'reference'" in err
    assert f"{path}:4: 'prediction' must be a string" in err
    assert f"{path}:5: 'reference' list must be non-empty" in err
    assert "--skip-bad" in err

    code, out, err = run(capsys, "--predictions", str(path), "--skip-bad", "--json", "--bootstrap", "0")
    assert code == 0
    report = json.loads(out)
    assert report["n"] == 1 and report["n_skipped"] == 4
    assert f"skipped {path}:2" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--model", "m"],  # no --data
        ["--predictions", "p.jsonl", "--data", "d.jsonl"],
        ["--predictions", "p.jsonl", "k=v"],
        ["--predictions", "p.jsonl", "--model", "m", "--data", "d"],
        ["--predictions", "p.jsonl", "--bootstrap", "-1"],
        [],
    ],
)
def test_argument_errors(capsys, argv):
    assert main(["evaluate", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: summarize evaluate: ") and len(err.splitlines()) == 1, err


def test_missing_file_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "--predictions", str(tmp_path / "nope.jsonl"))
    assert code == 2 and "nope.jsonl" in err and "Traceback" not in err


def test_model_mode_scores_what_the_headline_package_generates(capsys, monkeypatch, tmp_path):
    seen = {}
    generated = ["高新区举办大赛", "物流园开工"], ["高新区举办创新大赛", ["物流园区开工", "物流园开工"]], ["x1", "x2"]

    def generate_predictions(model, data, *, config=None, overrides=(), skip_bad=False, backend=None):
        seen.update(model=model, data=data, config=config, overrides=list(overrides), skip_bad=skip_bad,
                    backend=backend)
        return generated

    # Stands in for the headline package's generation; this test covers the hand-off.
    monkeypatch.setattr(headline_predict, "generate_predictions", generate_predictions)
    out_dir = tmp_path / "rep"
    code, out, _ = run(capsys, "--model", "runs/m", "--data", "test.jsonl", "--config", "c.yaml",
                       "generation.num_beams=2", "--output", str(out_dir), "--json", "-q")
    assert code == 0
    assert seen == {"model": "runs/m", "data": "test.jsonl", "config": "c.yaml", "overrides": ["generation.num_beams=2"],
                    "skip_bad": False, "backend": None}
    report = json.loads(out)
    assert report["n"] == 2 and report["source"]["model"] == "runs/m"
    expected = evaluate_and_report(["高新区举办大赛", "物流园开工"], ["高新区举办创新大赛", ["物流园区开工", "物流园开工"]])
    assert report["char"] == expected["char"]
    ids = [json.loads(line)["id"] for line in (out_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines()]
    assert ids == ["x1", "x2"]
