"""The ``datasets`` path of reading comprehension: any source through the one RC reader, windows built by a
cached batched ``map`` that equal the in-memory windowing, and ``datasets.Dataset``s accepted by training."""

from __future__ import annotations

import json
import logging

import datasets
import numpy as np
import pytest

from summarize.io.read import InputError
from summarize.qa.arrow import as_windows, load_examples, model_inputs, tokenize_examples
from summarize.qa.data import read_qa_file
from summarize.qa.features import train_features
from summarize.qa.scratch import build_scratch_qa
from summarize.config import load_config

CONTEXT = "6月26日下午，高新区临港物流产业园区党支部书记徐战胜作专题党课。上半年，园区协助企业招工300余人。" * 3
ROWS = [
    {"id": "q0", "question": "谁作专题党课？", "context": CONTEXT, "answers": [{"text": "徐战胜", "answer_start": CONTEXT.index("徐战胜")}]},
    # a wrong answer_start: re-aligned by text
    {"id": "q1", "question": "招工多少人？", "context": CONTEXT, "answers": [{"text": "300余人", "answer_start": 3}]},
    {"id": "q2", "question": "", "context": CONTEXT, "answers": []},  # bad row: empty question
    # an answer that is nowhere in the context: kept for scoring, no training windows
    {"id": "q3", "question": "哪一天？", "context": CONTEXT, "answers": [{"text": "7月1日", "answer_start": 0}]},
    {"id": "q0", "question": "重复", "context": CONTEXT, "answers": []},  # duplicate id
]


@pytest.fixture
def jsonl(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tokenizer():
    _, tok = build_scratch_qa(load_config(None, ["task=qa"], task="qa").model.scratch, [CONTEXT, "谁作专题党课招工多少人哪一天"], 0)
    return tok


SETTINGS = dict(max_seq_len=40, doc_stride=8, max_question_tokens=8)


def test_a_file_gives_the_readers_examples_and_counts(jsonl, tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        source = load_examples(jsonl, cache_dir=tmp_path / "cache")
    expected = read_qa_file(jsonl)
    assert source.examples == expected.examples and [e.id for e in source.examples] == ["q0", "q1", "q3"]
    assert source.data.stats == expected.stats and source.data.stats.fixed == 1 and source.data.stats.not_found == 1
    assert "qa.jsonl:3: 'question' is missing or empty" in caplog.text and "duplicate id 'q0'" in caplog.text
    table = source.dataset
    assert table.column_names == ["id", "question", "context", "answers"]
    assert table[1]["answers"] == [{"text": "300余人", "start": CONTEXT.index("300余人")}]
    assert table[2]["answers"] == [{"text": "7月1日", "start": -1}]
    assert len(load_examples(jsonl, cache_dir=tmp_path / "cache", limit=2).dataset) == 2


def test_windows_equal_the_in_memory_windowing_and_are_cached_by_content(jsonl, tmp_path, tokenizer):
    cache = tmp_path / "cache"
    source = load_examples(jsonl, cache_dir=cache)
    table = tokenize_examples(source.dataset, tokenizer, labels=False, **SETTINGS)
    built = train_features(tokenizer, source.examples, **SETTINGS)
    assert len(table) == len(built["windows"]) > len(source.examples)  # the contexts are cut into several windows
    assert table["input_ids"] == built["features"]["input_ids"]
    assert table["start_positions"] == built["features"]["start_positions"]
    windows = as_windows(table)
    assert np.array_equal(windows.example_index, built["windows"].example_index)
    assert all(np.array_equal(a, b) for a, b in zip(windows.offsets, built["windows"].offsets))
    assert np.array_equal(windows.context_span, built["windows"].context_span)
    # Training windows leave out the question whose answer is not in its context, and label the rest.
    train = tokenize_examples(source.dataset, tokenizer, labels=True, **SETTINGS)
    assert set(train["example_index"]) == {0, 1} and any(s > 0 for s in train["start_positions"])
    assert model_inputs(train, with_token_types=False).column_names == ["input_ids", "start_positions", "end_positions"]
    # A second run is served from the first one's cache files; an edited file never is.
    again = tokenize_examples(load_examples(jsonl, cache_dir=cache).dataset, tokenizer, labels=False, **SETTINGS)
    assert again.cache_files == table.cache_files and again.cache_files
    rows = [dict(r, question="请问" + r["question"]) if r["question"] else r for r in ROWS]
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    edited = tokenize_examples(load_examples(jsonl, cache_dir=cache).dataset, tokenizer, labels=False, **SETTINGS)
    assert edited.cache_files != table.cache_files and edited["input_ids"] != table["input_ids"]
    # several processes give the same windows, in the same order
    two = tokenize_examples(load_examples(jsonl, cache_dir=cache).dataset, tokenizer, labels=False, num_proc=2,
                            **SETTINGS)
    assert two["input_ids"] == edited["input_ids"] and two["example_index"] == edited["example_index"]


def test_a_dataset_with_hub_style_answers_and_its_own_column_names(caplog):
    ds = datasets.Dataset.from_dict({
        "passage": [CONTEXT, CONTEXT], "q": ["谁作专题党课？", ""],
        "answers": [{"text": ["徐战胜"], "answer_start": [0]}, {"text": [], "answer_start": []}],
    })
    with caplog.at_level(logging.WARNING):
        source = load_examples(ds, question_field="q", context_field="passage")
    assert [(e.id, e.answers[0].start) for e in source.examples] == [("0", CONTEXT.index("徐战胜"))]
    assert "the dataset[1]: 'question' is missing or empty" in caplog.text
    assert source.dataset["answers"] == [[{"text": "徐战胜", "start": CONTEXT.index("徐战胜")}]]
    with pytest.raises(InputError, match=r"the dataset: no column 'question' or 'context' \(columns: passage, q, answers\); name them"):
        load_examples(ds)


def test_a_hub_dataset_id_goes_to_load_dataset(monkeypatch):
    calls = []

    def stand_in(name, split=None, cache_dir=None):  # never the network
        calls.append((name, split))
        if name == "owner/missing":
            raise FileNotFoundError("Couldn't find a dataset\nmore detail")
        return datasets.Dataset.from_dict({"id": ["x"], "question": ["谁？"], "context": [CONTEXT],
                                           "answers": [{"text": ["徐战胜"], "answer_start": [23]}]})

    monkeypatch.setattr(datasets, "load_dataset", stand_in)
    source = load_examples("owner/cmrc", split="validation")
    assert [e.id for e in source.examples] == ["x"] and calls == [("owner/cmrc", "validation")]
    with pytest.raises(InputError) as info:
        load_examples("owner/missing")
    assert str(info.value) == ("owner/missing: not a file, and not loadable as a hub dataset "
                               "(FileNotFoundError: Couldn't find a dataset)")


@pytest.mark.slow
def test_train_accepts_datasets_in_place_of_files(tmp_path):
    from summarize.qa.train import train

    rows = [r for r in ROWS if r["question"] and r["id"] != "q3"][:2]
    ds = datasets.Dataset.from_dict({
        "id": [r["id"] for r in rows], "question": [r["question"] for r in rows], "context": [r["context"] for r in rows],
        "answers": [{"text": [a["text"] for a in r["answers"]], "answer_start": [a["answer_start"] for a in r["answers"]]}
                    for r in rows],
    })
    cfg = load_config(None, [
        "task=qa", "model.init=scratch", "model.name_or_path=init", "model.scratch.hidden=32",
        "model.scratch.layers=1", "model.scratch.heads=2", "model.scratch.intermediate=64",
        "model.scratch.max_positions=64", "data.train=unused.json", "data.dev=null", "data.max_seq_len=40",
        "data.doc_stride=8", "data.max_question_tokens=8", "training.max_steps=2", "training.batch_size=4",
        "data.num_proc=2",
    ], task="qa")
    result = train(cfg, tmp_path / "run", train_data=ds, dev_data=ds)
    assert result.metrics["train"]["questions"] == 2 and result.metrics["dev"]["n"] == 2
    assert result.metrics["dev"]["source"] == "a Dataset"
    assert [r["id"] for r in result.dev_predictions] == ["q0", "q1"]
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["dev"]["n"] == 2
