"""End to end: train a tiny reader from scratch, then answer / predict / evaluate through the CLI."""

from __future__ import annotations

import json

import pytest

from summarize.cli import main as cli
from summarize.config import load_config

CONTEXTS = [
    "6月26日下午,高新区临港物流产业园区党支部书记徐战胜作专题党课。上半年,园区协助企业招工300余人。",
    "6月15日,平顶山鑫生科技有限公司在高新火炬园二楼成功签约,目前已签约项目5个。",
    "科技部火炬中心主任贾敬敦到高新区调研,从11个方面提出了新的要求。",
    "6月27日上午,高新区开展“夏送清凉”慰问活动,送去清凉饮料480箱。",
]
QUESTIONS = [
    (0, "谁作专题党课?", "徐战胜"), (0, "园区协助企业招工多少人?", "300余人"),
    (1, "哪家公司成功签约?", "平顶山鑫生科技有限公司"), (1, "已签约项目几个?", "5个"),
    (2, "火炬中心主任是谁?", "贾敬敦"), (2, "从多少个方面提出要求?", "11个方面"),
    (3, "送去清凉饮料多少箱?", "480箱"), (3, "活动在哪天上午开展?", "6月27日"),
]


def _rows():
    for i, (c, question, answer) in enumerate(QUESTIONS):
        context = CONTEXTS[c]
        yield {"id": f"q{i}", "context": context, "question": question,
               "answers": [{"text": answer, "answer_start": context.index(answer)}]}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Overfit 8 questions with a tiny from-scratch model (about 80 optimizer steps)."""
    from summarize.qa.train import train

    root = tmp_path_factory.mktemp("qa-train")
    data = root / "train.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows()), encoding="utf-8")
    cfg = load_config(None, [
        "task=qa", "model.init=scratch", f"model.name_or_path={root / 'init'}",
        "model.scratch.hidden=64", "model.scratch.layers=2", "model.scratch.heads=2",
        "model.scratch.intermediate=128", "model.scratch.max_positions=128", "model.scratch.dropout=0.0",
        f"data.train={data}", f"data.dev={data}", "data.max_seq_len=64", "data.doc_stride=16",
        "data.max_question_tokens=16", "data.max_answer_tokens=16",
        "training.max_steps=80", "training.batch_size=8", "training.learning_rate=3e-3",
        'training.eval_strategy="no"', "training.logging_steps=40", "training.precision=fp32",
    ], task="qa")
    result = train(cfg, root / "run")
    assert result.output_dir == root / "run" and result.model_dir == root / "run" / "model"
    return root, result.metrics


@pytest.mark.slow
def test_tiny_model_learns_its_training_questions(run):
    root, metrics = run
    assert metrics["dev"]["n"] == 8
    assert metrics["dev"]["em"] >= 75.0
    assert metrics["train_fit"]["n"] == 8 and metrics["train_fit"]["em"] == pytest.approx(metrics["dev"]["em"])
    out = root / "run"
    for name in ("config.yaml", "metrics.json", "dev_predictions.jsonl", "model/config.json", "model/tokenizer.json"):
        assert (out / name).is_file(), name
    rows = [json.loads(line) for line in (out / "dev_predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [f"q{i}" for i in range(8)]
    assert rows[0]["reference"] == [QUESTIONS[0][2]]
    predictions = {r["id"]: r["prediction"] for r in rows}
    right = sum(predictions[f"q{i}"] == answer for i, (_, _, answer) in enumerate(QUESTIONS))
    assert right / 8 * 100 == pytest.approx(metrics["dev"]["em"], abs=12.5)
    saved = load_config(out / "config.yaml", task="qa")
    assert saved.data.max_seq_len == 64
    # the same Hub habits as headline models: a model card whose load snippets run, no pickled arguments
    assert not (out / "model" / "training_args.bin").exists()
    card = (out / "model" / "README.md").read_text(encoding="utf-8")
    assert "pipeline_tag: question-answering" in card and "| em |" in card and "sha256" in card
    snippets = [block.split("\n", 1)[1].split("```")[0].replace("path/to/model", str(out / "model"))
                for block in card.split("```python")[1:]]
    context, question = CONTEXTS[0], QUESTIONS[0][1]
    plain, ours = ({}, {})
    exec(snippets[0].replace('"问题", "上下文"', f"{question!r}, {context!r}"), plain)
    exec(snippets[1].replace('reader.answer("问题", "上下文")', f"got = reader.answer({question!r}, {context!r})"), ours)
    assert plain["answer"] and plain["answer"] in context
    assert ours["got"]["answer"] == predictions["q0"]
    model_config = json.loads((out / "model/config.json").read_text(encoding="utf-8"))
    assert model_config["summarize_qa"]["max_seq_len"] == 64


@pytest.mark.slow
def test_reader_and_cli_use_the_trained_model(run, tmp_path, capsys):
    from summarize import Reader

    root, _ = run
    model = root / "run" / "model"
    reader = Reader.from_pretrained(model, device="cpu")
    got = reader.answer([(q, CONTEXTS[c]) for c, q, _ in QUESTIONS])
    assert sum(g["answer"] == a for g, (_, _, a) in zip(got, QUESTIONS)) >= 6

    context_file = tmp_path / "ctx.txt"
    context_file.write_text(CONTEXTS[2], encoding="utf-8")
    assert cli(["qa", "answer", "--model", str(model), "--question", "火炬中心主任是谁?",
                "--context-file", str(context_file), "--json", "-q"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert CONTEXTS[2][answer["start"]:answer["end"]] == answer["answer"]

    # predict: one bad row is reported with file:line, the others are answered
    data = tmp_path / "in.jsonl"
    rows = [json.dumps(r, ensure_ascii=False) for r in _rows()]
    rows.insert(2, '{"id": "broken", "context": "", "question": "谁?"}')
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    pred = tmp_path / "pred.json"
    assert cli(["qa", "predict", "--model", str(model), "--input", str(data), "--output", str(pred)]) == 0
    err = capsys.readouterr().err
    assert f"{data}:3: 'context' is missing or empty" in err
    predictions = json.loads(pred.read_text(encoding="utf-8"))
    assert set(predictions) == {f"q{i}" for i in range(8)}
    assert cli(["qa", "predict", "--model", str(model), "--input", str(data), "--output", str(pred),
                "--strict", "-q"]) == 1

    # evaluate the predictions against a SQuAD-style copy of the same questions
    squad = tmp_path / "gold.json"
    paragraphs = [{"context": c, "qas": [{"id": f"q{i}", "question": q, "answers": [
        {"text": a, "answer_start": c.index(a)}]} for i, (ci, q, a) in enumerate(QUESTIONS) if ci == k]}
        for k, c in enumerate(CONTEXTS)]
    squad.write_text(json.dumps({"data": [{"paragraphs": paragraphs}]}, ensure_ascii=False), encoding="utf-8")
    assert cli(["qa", "evaluate", "--dataset", str(squad), "--predictions", str(pred), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["n"] == 8 and scores["em"] >= 75.0


@pytest.mark.slow
def test_quickstart_config_trains(repo, tmp_path):
    """The shipped quickstart config runs as written (shortened here to a few steps)."""
    from summarize.qa.train import train

    cfg = load_config(repo / "configs/qa-quickstart.yaml", [
        f"model.name_or_path={tmp_path / 'init'}", f"data.train={repo / 'data/rc/train.jsonl'}",
        f"data.dev={repo / 'data/rc/dev.jsonl'}", "training.max_steps=3", 'training.eval_strategy="no"',
    ], task="qa")
    metrics = train(cfg, tmp_path / "run").metrics
    assert metrics["train"]["questions"] == 41 and metrics["dev"]["n"] == 12
    assert (tmp_path / "run" / "model" / "model.safetensors").is_file()


def test_train_rejects_a_headline_config(repo, capsys):
    assert cli(["qa", "train", str(repo / "configs/qa-quickstart.yaml"), "task=headline"]) == 2
    assert "needs a 'qa' config" in capsys.readouterr().err


def test_answer_cli_errors_are_one_line(tmp_path, capsys):
    assert cli(["qa", "answer", "--model", str(tmp_path / "none" / "model"), "--question", "谁?",
                "--context", "高新区"]) == 2
    assert "no such model folder" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert cli(["qa", "answer", "--model", str(tmp_path), "--question", "谁?", "--context-file", str(empty)]) == 2
    assert "file is empty" in capsys.readouterr().err
    assert cli(["qa", "answer", "--model", str(tmp_path), "--question", " ", "--context", "高新区"]) == 2
    assert "--question is empty" in capsys.readouterr().err


@pytest.mark.slow
def test_resume_continues_and_a_new_run_starts_clean(run, tmp_path):
    """--resume picks up the newest complete checkpoint; without it, old outputs are removed first."""
    from summarize.qa.train import train

    root, _ = run
    base = [
        "task=qa", "model.init=scratch", f"model.name_or_path={tmp_path / 'init'}",
        "model.scratch.hidden=32", "model.scratch.layers=1", "model.scratch.heads=2",
        "model.scratch.intermediate=64", "model.scratch.max_positions=64",
        f"data.train={root / 'train.jsonl'}", f"data.dev={root / 'train.jsonl'}", "data.max_seq_len=64",
        "data.doc_stride=16", "data.max_question_tokens=16", "training.batch_size=8",
        "training.eval_strategy=steps", "training.eval_steps=2", "training.save_total_limit=5",
    ]
    out = tmp_path / "run"
    train(load_config(None, [*base, "training.max_steps=2"], task="qa"), out)
    assert (out / "checkpoints" / "checkpoint-2").is_dir()
    metrics = train(load_config(None, [*base, "training.max_steps=4"], task="qa"), out, resume=True).metrics
    assert metrics["train"]["steps"] == 4
    # the same run-folder conventions as headline: relative best checkpoint, config.yaml naming the real folder
    assert metrics["best_checkpoint"] in ("checkpoints/checkpoint-2", "checkpoints/checkpoint-4")
    assert load_config(out / "config.yaml", task="qa").training.output_dir == str(out)
    assert metrics["train"]["resumed_from"].endswith("checkpoint-2")
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == ["checkpoint-2", "checkpoint-4"]
    train(load_config(None, [*base, "training.max_steps=2"], task="qa"), out, overwrite=True)
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == ["checkpoint-2"]


def test_config_rules_for_qa(capsys):
    from summarize.config import ConfigError

    with pytest.raises(ConfigError, match="label_smoothing"):
        load_config(None, ["task=qa", "training.label_smoothing=0.1"], task="qa")
    with pytest.raises(ConfigError, match="needs a dev set"):
        load_config(None, ["task=qa", "data.dev=null", "training.early_stopping_patience=2"], task="qa")
    with pytest.raises(ConfigError, match="doc_stride"):
        load_config(None, ["task=qa", "data.max_seq_len=64", "data.max_question_tokens=16", "data.doc_stride=60"],
                    task="qa")


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("config", ["qa-bert-base-chinese.yaml", "qa-roberta-wwm-ext.yaml", "qa-macbert-base.yaml"])
def test_pretrained_configs_run_on_cmrc_files(repo, shared_file, tmp_path, config):
    """The shipped CMRC configs run end to end: a stand-in checkpoint (random weights, the real
    bert-base-chinese vocabulary) in place of the hub id, the real CMRC files, a few steps."""
    from transformers import BertConfig, BertForQuestionAnswering, BertTokenizerFast

    from summarize.qa.train import train

    vocab = shared_file("vocab/bert-base-chinese/vocab.txt")
    checkpoint = tmp_path / "checkpoint"
    BertTokenizerFast(vocab=str(vocab)).save_pretrained(str(checkpoint))
    BertForQuestionAnswering(BertConfig(vocab_size=21128, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                        intermediate_size=64)).save_pretrained(str(checkpoint))
    cfg = load_config(repo / "configs" / config, [
        f"model.name_or_path={checkpoint}",
        f"data.train={shared_file('data/cmrc2018/train.json')}",
        f"data.dev={shared_file('data/cmrc2018/dev.json')}",
        "data.max_train_samples=12", "data.max_dev_samples=6", "data.max_seq_len=128", "data.doc_stride=32",
        "training.max_steps=2", "training.batch_size=4", "training.gradient_accumulation_steps=1",
        "training.eval_steps=2", "training.precision=fp32",
    ], task="qa")
    metrics = train(cfg, tmp_path / "run").metrics
    assert metrics["train"]["questions"] == 12 and metrics["dev"]["n"] == 6
    # Alignment is counted over the whole files, before sampling.
    assert metrics["dev"]["answer_alignment"]["misaligned"] == 200
    assert metrics["train"]["answer_alignment"]["answers"] == 10142
    assert metrics["best_checkpoint"] is not None
    lines = (tmp_path / "run" / "dev_predictions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6
