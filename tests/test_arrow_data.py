"""The ``datasets`` data path: JSONL -> Arrow (streamed), batched tokenization cached by content,
and a ``datasets.Dataset`` or hub id accepted wherever the Python API takes a JSONL file."""

from __future__ import annotations

import json
import logging

import datasets
import pytest

from summarize.headline import arrow
from summarize.headline.arrow import as_pairs, load_pairs, stream_jsonl, tokenize_pairs
from summarize.headline.dataset import Pair, encode_pairs, read_pairs
from summarize.io.jsonl import iter_jsonl
from summarize.io.read import InputError
from summarize.training.scratch import build_char_tokenizer

ROWS = [{"id": f"a{i}", "text": f"第{i}篇正文，高新区发布新政策\u2028支持企业", "title": f"标题{i}"} for i in range(7)]


def write(path, lines, bom=False):
    text = "\r\n".join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


@pytest.fixture
def jsonl(tmp_path):
    lines = [json.dumps(r, ensure_ascii=False) for r in ROWS]
    lines[2:2] = ["", "{broken", '{"id": "e", "text": " ", "title": "x"}', "[1, 2]"]
    return write(tmp_path / "d.jsonl", lines, bom=True)


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def test_streaming_reader_yields_exactly_what_the_whole_file_reader_does(jsonl, monkeypatch):
    monkeypatch.setattr(arrow, "_LINES_PER_BLOCK", 3)  # rows and line numbers across block boundaries
    streamed = list(stream_jsonl(jsonl))
    assert streamed == list(iter_jsonl(jsonl))
    assert [line for line, _ in streamed] == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]


def test_load_pairs_from_a_file_matches_read_pairs_and_reports_bad_rows(jsonl, cache, caplog):
    with caplog.at_level(logging.WARNING, logger="summarize"):
        ds = load_pairs(jsonl, cache_dir=cache)
    assert ds.column_names == ["id", "text", "title"]
    assert as_pairs(ds) == read_pairs(jsonl)
    assert [p.id for p in as_pairs(ds)] == [f"a{i}" for i in range(7)]
    assert "d.jsonl:4: invalid JSON" in caplog.text and "d.jsonl:5: 'text' is empty" in caplog.text
    assert len(load_pairs(jsonl, cache_dir=cache, limit=3)) == 3


def test_file_errors_are_one_input_error(tmp_path, cache):
    with pytest.raises(InputError, match="no such file"):
        load_pairs(tmp_path / "missing.jsonl", cache_dir=cache)
    bad = write(tmp_path / "keys.jsonl", ['{"id": "1", "body": "x", "title": "y"}'])
    with pytest.raises(InputError, match=r"keys.jsonl:1: no 'text' field \(this row has: body, id, title\)"):
        load_pairs(bad, cache_dir=cache)
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes('{"text": "x", "title": "y"}\n{"text": "高新区", "title": "y"}\n'.encode("gbk"))
    with pytest.raises(InputError, match="gbk.jsonl:2: not UTF-8"):
        load_pairs(gbk, cache_dir=cache)


def test_tokenization_equals_the_list_path_and_is_cached_by_content(jsonl, cache, tmp_path):
    tok = build_char_tokenizer([r["text"] + r["title"] for r in ROWS], model_input_names=["input_ids", "attention_mask"])
    settings = dict(decoder_start_token_id=tok.cls_token_id, source_prefix="摘要：", max_source_tokens=12,
                    max_target_tokens=5)
    features = tokenize_pairs(load_pairs(jsonl, cache_dir=cache), tok, **settings)
    assert features.column_names == ["input_ids", "attention_mask", "labels"]
    assert list(features) == encode_pairs(read_pairs(jsonl), tok, **settings)
    # a second run is served from the cache files of the first
    again = tokenize_pairs(load_pairs(jsonl, cache_dir=cache), tok, **settings)
    assert again.cache_files == features.cache_files and again.cache_files
    # other settings, or an edited file, are never served stale
    assert tokenize_pairs(load_pairs(jsonl, cache_dir=cache), tok, **{**settings, "max_source_tokens": 6}
                          )[0]["input_ids"] != features[0]["input_ids"]
    rows = [dict(r, title="新" + r["title"]) for r in ROWS]
    write(jsonl, [json.dumps(r, ensure_ascii=False) for r in rows])
    edited = tokenize_pairs(load_pairs(jsonl, cache_dir=cache), tok, **settings)
    assert list(edited) == encode_pairs(read_pairs(jsonl), tok, **settings) != list(features)
    # several processes give the same features
    assert list(tokenize_pairs(load_pairs(jsonl, cache_dir=cache), tok, num_proc=2, **settings)) == list(edited)


def test_a_dataset_with_its_own_column_names(caplog):
    ds = datasets.Dataset.from_dict({"body": ["甲乙丙", "丁戊", ""], "headline": ["甲", "丁", "空"], "n": [1, 2, 3]})
    with caplog.at_level(logging.WARNING, logger="summarize"):
        pairs = as_pairs(load_pairs(ds, text_field="body", title_field="headline"))
    assert pairs == [Pair("0", "甲乙丙", "甲"), Pair("1", "丁戊", "丁")]
    assert "1 rows without text or title skipped" in caplog.text
    with pytest.raises(InputError, match="no column 'text' or 'title' \\(columns: body, headline, n\\)"):
        load_pairs(ds)


def test_a_hub_dataset_id_goes_to_load_dataset(monkeypatch):
    calls = []

    def stand_in(name, split=None, cache_dir=None):  # never the network
        calls.append((name, split))
        if name == "owner/missing":
            raise FileNotFoundError("Couldn't find a dataset script\nmore detail")
        return datasets.Dataset.from_dict({"id": ["x"], "article": ["正文"], "summary": ["标题"]})

    monkeypatch.setattr(datasets, "load_dataset", stand_in)
    pairs = as_pairs(load_pairs("owner/news", text_field="article", title_field="summary", split="validation"))
    assert pairs == [Pair("x", "正文", "标题")] and calls == [("owner/news", "validation")]
    with pytest.raises(InputError) as info:
        load_pairs("owner/missing", text_field="article", title_field="summary")
    assert str(info.value) == ("owner/missing: not a file, and not loadable as a hub dataset "
                               "(FileNotFoundError: Couldn't find a dataset script)")


@pytest.mark.slow
def test_train_accepts_datasets_in_place_of_files(tmp_path):
    from summarize.config import load_config
    from summarize.headline.train import train

    rows = {"body": [r["text"] for r in ROWS], "headline": [r["title"] for r in ROWS]}
    cfg = load_config(None, [
        "model.init=scratch", "model.name_or_path=init", "model.scratch.d_model=32", "model.scratch.layers=1",
        "model.scratch.heads=2", "model.scratch.ffn=64", "model.scratch.max_positions=64",
        "data.max_source_tokens=48", "data.max_target_tokens=12", "data.text_field=body", "data.title_field=headline",
        "generation.max_source_tokens=48", "generation.num_beams=1", "generation.max_chars=8",
        "training.max_steps=2", "training.batch_size=4", "data.num_proc=2",
    ], task="headline")
    ds = datasets.Dataset.from_dict(rows)
    result = train(cfg, tmp_path / "run", train_data=ds, dev_data=ds.select(range(3)))
    assert result.metrics["train_samples"] == 7 and result.metrics["dev_samples"] == 3
    assert [r["reference"] for r in result.dev_predictions] == rows["headline"][:3]


@pytest.mark.slow
def test_bench_data_runs_both_paths_and_ends_with_a_machine_readable_line(repo):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(repo / "src")}
    proc = subprocess.run([sys.executable, str(repo / "scripts/bench_data.py"), "--pairs", "300", "--num-proc", "1"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    last = dict(item.split("=", 1) for item in proc.stdout.strip().splitlines()[-1].split()[1:])
    assert last["pairs"] == "300" and float(last["new_s"]) > 0 and float(last["old_s"]) > 0
    assert float(last["cached_s"]) < float(last["new_s"])  # the second run reads the cache
    assert 0 < float(last["new_peak_mb"]) < 2048
