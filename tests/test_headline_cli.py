"""``summarize headline`` and ``summarize evaluate --model``: inputs, outputs, bad rows, settings."""

from __future__ import annotations

import io
import json
import sys

import pytest

from summarize.cli import main as cli
from summarize.headline import predict as headline_predict

ARTICLES = [
    {"id": "a1", "title": "高新区开工", "text": "本报讯(记者王某)6月26日，高新区举行重点项目集中开工仪式，共有15个项目开工。总投资80亿元。"},
    {"id": "a2", "title": "新政策发布", "text": "新华社北京6月1日电 国务院今天发布新政策，支持企业研发。"},
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, tiny_model):
    return tiny_model(tmp_path_factory.mktemp("cli") / "model", bias="wordy", generation={"max_chars": 9, "num_beams": 2})


def write_jsonl(path, rows, extra_lines=()):
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_model_lead_uses_the_lead_method(capsys):
    assert cli(["headline", "--model", "lead", ARTICLES[0]["text"]]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"headline": "高新区举行重点项目集中开工仪式，共有15个项目开工", "method": "lead-v1", "warnings": []}


def test_jsonl_in_jsonl_out_with_ids(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", ARTICLES + [{"text": "上海市今天发布了新的人才政策。"}])
    assert cli(["headline", "--model", "lead", "--input", str(src)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x.get("id") for x in lines] == ["a1", "a2", None]
    assert "id" not in lines[2]
    assert all(x["method"] == "lead-v1" and x["warnings"] == [] for x in lines)
    assert lines[1]["headline"] == "国务院今天发布新政策，支持企业研发"


def test_txt_input_and_output_and_overrides(tmp_path, capsys):
    src = tmp_path / "articles.txt"
    src.write_text("本报讯 甲地今天举行大型文化活动。\n\n乙地今天举行大型体育活动。\n", encoding="utf-8")
    assert cli(["headline", "--model", "lead", "--input", str(src), "--format", "txt", "generation.max_chars=6"]) == 0
    assert capsys.readouterr().out.splitlines() == ["甲地今天举行", "乙地今天举行"]


def test_stdin(monkeypatch, capsys):
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in ARTICLES).encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert cli(["headline", "-", "--format", "txt"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_bad_rows_are_reported_and_skipped(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", ARTICLES, ["{not json", '{"id": "x", "text": ""}', '{"id": "y"}', '["list"]'])
    assert cli(["headline", "--input", str(src), "--format", "txt"]) == 1
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2
    for line, reason in [(3, "invalid JSON"), (4, "'text' is empty"), (5, "missing key 'text'"), (6, "expected a JSON object")]:
        assert f"in.jsonl:{line}: {reason}" in captured.err
    assert "skipped 4 bad row(s)" in captured.err
    bad_only = write_jsonl(tmp_path / "bad.jsonl", [], ["{oops"])
    assert cli(["headline", "--input", str(bad_only)]) == 2
    assert "no articles to headline" in capsys.readouterr().err


def test_output_is_written_atomically(tmp_path, monkeypatch, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", ARTICLES)
    out = tmp_path / "out.jsonl"
    out.write_text("OLD\n", encoding="utf-8")

    class Broken:
        method = "broken"

        def generate(self, texts, **kwargs):
            raise RuntimeError("boom")

    monkeypatch.setattr(headline_predict, "load_generator", lambda *a, **k: Broken())
    with pytest.raises(RuntimeError):
        cli(["headline", "--input", str(src), "--output", str(out)])
    assert out.read_text(encoding="utf-8") == "OLD\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]  # no temp file left
    monkeypatch.undo()
    assert cli(["headline", "--input", str(src), "--output", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["a1", "a2"]


def test_usage_errors(tmp_path, capsys):
    for argv in (["headline"], ["headline", "text", "--input", "x.jsonl"], ["headline", "a", "b"]):
        assert cli(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: summarize headline: ") and len(err.splitlines()) == 1, err
    assert cli(["headline"]) == 2
    assert "exactly one of TEXT" in capsys.readouterr().err
    assert cli(["headline", "--input", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli(["headline", "文本", "generation.num_beam=2"]) == 2
    assert "did you mean 'generation.num_beams'" in capsys.readouterr().err


def test_model_headlines_follow_saved_config_and_overrides(model_dir, tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", ARTICLES)
    assert cli(["headline", "--model", str(model_dir), "--input", str(src)]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a2"]
    assert all(r["method"] == f"model:{model_dir.parent.name}/model" and r["score"] <= 0 and isinstance(r["warnings"], list) for r in rows)
    assert all(len(r["headline"]) <= 9 for r in rows)  # the model's saved max_chars
    assert max(len(r["headline"]) for r in rows) >= 6
    config = tmp_path / "gen.yaml"
    config.write_text("task: headline\ngeneration:\n  max_chars: 15\n", encoding="utf-8")
    assert cli(["headline", "--model", str(model_dir), "--input", str(src), "--config", str(config), "--format", "txt"]) == 0
    lengths = [len(x) for x in capsys.readouterr().out.splitlines()]
    assert max(lengths) > 9 and all(n <= 15 for n in lengths)
    # key=value beats the config file
    assert cli(["headline", "--model", str(model_dir), "--input", str(src), "--config", str(config),
                "--format", "txt", "generation.max_chars=4"]) == 0
    assert all(len(x) <= 4 for x in capsys.readouterr().out.splitlines())


def test_missing_model_folder_is_a_clear_error(tmp_path, capsys):
    assert cli(["headline", "--model", str(tmp_path / "nope"), "文本"]) == 2
    assert "nope" in capsys.readouterr().err


def test_generate_predictions_with_a_model(model_dir, tmp_path):
    data = write_jsonl(tmp_path / "test.jsonl", ARTICLES)
    preds, refs, ids = headline_predict.generate_predictions(str(model_dir), str(data))
    assert ids == ["a1", "a2"] and refs == ["高新区开工", "新政策发布"]
    assert len(preds) == 2 and all(0 < len(p) <= 9 for p in preds)
    preds2, _, _ = headline_predict.generate_predictions(
        str(model_dir), str(data), overrides=["generation.max_chars=3"])
    assert all(len(p) <= 3 for p in preds2)


def test_generate_predictions_with_lead_and_bad_rows(tmp_path):
    data = write_jsonl(tmp_path / "test.jsonl", ARTICLES, ['{"id": "z", "text": "正文"}', "{broken"])
    with pytest.raises(Exception) as info:
        headline_predict.generate_predictions("lead", str(data))
    assert "test.jsonl:3: missing key 'title'" in str(info.value) and "test.jsonl:4: invalid JSON" in str(info.value)
    preds, refs, ids = headline_predict.generate_predictions("lead", str(data), skip_bad=True)
    assert ids == ["a1", "a2"] and preds[1] == "国务院今天发布新政策，支持企业研发"


def test_summarize_evaluate_model_end_to_end(model_dir, tmp_path, capsys):
    data = write_jsonl(tmp_path / "test.jsonl", ARTICLES)
    assert cli(["evaluate", "--model", str(model_dir), "--data", str(data), "--json", "--bootstrap", "0",
                "--no-word-level"]) == 0
    report = json.loads(capsys.readouterr().out)
    # the command scores exactly the headlines the model writes for these articles
    from summarize import rouge_scores

    preds, refs, _ = headline_predict.generate_predictions(str(model_dir), str(data))
    expected = rouge_scores(preds, refs, word_level=False, bootstrap=0)
    assert report["n"] == 2 and report["char"] == expected["char"]
    assert cli(["evaluate", "--model", "lead", "--data", str(data), "--json", "--bootstrap", "0", "--no-word-level"]) == 0
    report = json.loads(capsys.readouterr().out)
    # the lead headlines share most characters with these references
    assert report["n"] == 2 and report["char"]["rougeL"]["f"] > 30
