"""The checked-in corpus is reproducible, and the public corpora convert to their published row counts."""

from __future__ import annotations

import json

import pytest

from summarize.cli import main
from summarize.data import convert_file, read_records

CORPUS_FILES = ("train.jsonl", "dev.jsonl", "test.jsonl", "manifest.json")


def test_checked_in_split_is_reproduced(repo, tmp_path, capsys):
    corpus = repo / "data" / "corpus"
    assert main(["data", "split", str(corpus / "articles.jsonl"), "--output-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    for name in CORPUS_FILES:
        assert (tmp_path / name).read_bytes() == (corpus / name).read_bytes(), name


def test_checked_in_corpus_is_consistent(repo):
    corpus = repo / "data" / "corpus"
    articles = read_records(corpus / "articles.jsonl")
    assert len(articles) == 10
    assert {r["meta"]["source"] for r in articles} == {"000_b98bbe3fd1689322.txt"}
    parts = {name: read_records(corpus / f"{name}.jsonl") for name in ("train", "dev", "test")}
    assert all(parts.values())
    assert sorted(r["id"] for rows in parts.values() for r in rows) == sorted(r["id"] for r in articles)


def test_checked_in_articles_are_reproduced_from_the_seed(shared_file, repo, tmp_path, capsys):
    seed = shared_file("seed/000_b98bbe3fd1689322.txt")
    out = tmp_path / "articles.jsonl"
    assert main(["data", "convert", "--format", "newspaper", str(seed), str(out)]) == 0
    capsys.readouterr()
    assert out.read_bytes() == (repo / "data" / "corpus" / "articles.jsonl").read_bytes()


@pytest.mark.parametrize(("relative", "fmt", "count"), [
    ("data/lcsts/train.tsv", "lcsts", 8591),
    ("data/lcsts/val.tsv", "lcsts", 978),
    ("data/lcsts/test.tsv", "lcsts", 997),
    ("data/thucnews/train.csv", "thucnews", 2400),
    ("data/thucnews/val.csv", "thucnews", 200),
    ("data/csl/dev.tsv", "csl", 1000),
    ("data/csl/clge_cs_val.tsv", "csl", 1000),
    ("data/csl/clge_cs_test.tsv", "csl", 1000),
])
def test_public_corpora_counts(shared_file, relative, fmt, count):
    result = convert_file(shared_file(relative), fmt)
    assert result.bad_rows == []
    assert len(result.records) == count
    assert len({r["id"] for r in result.records}) == count
    for record in result.records[:50]:
        json.dumps(record, ensure_ascii=False)
        assert record["title"] and record["text"]


def test_thucnews_bodies_keep_paragraphs(shared_file):
    records = convert_file(shared_file("data/thucnews/val.csv"), "thucnews").records
    assert sum("\n" in r["text"] for r in records) > 100
    assert not any("\u3000" in r["text"] or "\n\n" in r["text"] for r in records)
    assert {type(r["meta"]["label"]) for r in records} == {int}
