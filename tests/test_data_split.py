"""Deterministic splits: sizes, duplicate grouping, order independence, manifest hashes."""

from __future__ import annotations

import hashlib
import json

import pytest

from summarize.data import split_records
from summarize.data.split import content_key, split_file, target_sizes
from summarize.io.read import InputError


def rec(i: int, text: str | None = None) -> dict:
    return {"id": f"r{i}", "title": f"标题{i}", "text": text if text is not None else f"第{i}篇正文。", "meta": {}}


def ids(rows):
    return [r["id"] for r in rows]


@pytest.mark.parametrize(("n", "expected"), [
    (1, {"train": 1, "dev": 0, "test": 0}),
    (2, {"train": 2, "dev": 0, "test": 0}),
    (3, {"train": 1, "dev": 1, "test": 1}),
    (10, {"train": 8, "dev": 1, "test": 1}),
    (11, {"train": 9, "dev": 1, "test": 1}),
    (1000, {"train": 800, "dev": 100, "test": 100}),
])
def test_target_sizes(n, expected):
    assert target_sizes(n, (0.8, 0.1, 0.1)) == expected


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [3, 4, 5, 7, 10, 19, 20, 21, 33, 60])
def test_tiny_corpora_get_nonempty_dev_and_test(n, seed):
    result = split_records([rec(i) for i in range(n)], (0.8, 0.1, 0.1), seed)
    sizes = {name: len(rows) for name, rows in result.splits.items()}
    assert sizes == target_sizes(n, (0.8, 0.1, 0.1))
    assert sizes["dev"] >= 1 and sizes["test"] >= 1
    assert sorted(ids(sum(result.splits.values(), []))) == sorted(f"r{i}" for i in range(n))


def test_same_input_same_bytes_and_order_independent():
    records = [rec(i) for i in range(40)]
    a = split_records(records, seed=7)
    b = split_records([dict(r) for r in records], seed=7)
    assert a.files == b.files and a.manifest == b.manifest
    shuffled = split_records(list(reversed(records)), seed=7)
    for name in a.splits:
        assert sorted(ids(a.splits[name])) == sorted(ids(shuffled.splits[name]))
    # Within a split, records keep the input order.
    assert ids(a.splits["train"]) == sorted(ids(a.splits["train"]), key=lambda x: int(x[1:]))
    other = split_records(records, seed=8)
    assert other.files != a.files


def test_duplicates_land_in_one_split_and_are_reported():
    records = [rec(i) for i in range(30)]
    records.append(rec(30, records[3]["text"]))                           # exact copy of r3
    records.append(rec(31, "  ＡＢＣ第5篇正文!  "))                         # differs from r32 only in width/case/punct
    records.append(rec(32, "abc第5篇正文。"))
    result = split_records(records, seed=0)
    where = {r["id"]: name for name, rows in result.splits.items() for r in rows}
    assert where["r3"] == where["r30"]
    assert where["r31"] == where["r32"]
    dup = result.manifest["duplicates"]
    assert dup["exact"]["groups"] == 1 and dup["exact"]["extra_records"] == 1
    assert dup["normalized"]["groups"] == 2 and dup["normalized"]["extra_records"] == 2
    assert dup["exact"]["across_split_groups"] == 0 and dup["normalized"]["across_split_groups"] == 0
    assert sum(dup["normalized"]["within_split_groups"].values()) == 2
    assert sorted(sorted(g["ids"]) for g in dup["listed_groups"]) == [["r3", "r30"], ["r31", "r32"]]


def test_content_key_ignores_width_case_punctuation_space():
    assert content_key("ＡＢＣ，你好！ 世界") == content_key("abc你好世界") == "abc你好世界"
    assert content_key("。。。") == "。。。"


def test_manifest_hashes_match_files(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(rec(i), ensure_ascii=False) + "\n" for i in range(12)), encoding="utf-8")
    result = split_file(path, tmp_path / "out", (0.5, 0.25, 0.25), seed=3)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["input"] == "corpus.jsonl"
    assert manifest["input_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["ratios"] == {"train": 0.5, "dev": 0.25, "test": 0.25} and manifest["seed"] == 3
    total = 0
    for name, info in manifest["splits"].items():
        data = (tmp_path / "out" / info["file"]).read_bytes()
        assert info["sha256"] == hashlib.sha256(data).hexdigest()
        lines = data.decode("utf-8").splitlines()
        assert info["count"] == len(lines) == len(result.splits[name])
        assert list(info["records"].values()) == [hashlib.sha256(line.encode()).hexdigest() for line in lines]
        assert list(info["records"]) == [json.loads(line)["id"] for line in lines]
        total += info["count"]
    assert total == 12
    # Re-running gives the same bytes.
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    split_file(path, tmp_path / "out", (0.5, 0.25, 0.25), seed=3)
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before


def test_split_reads_records_with_unicode_line_separators(tmp_path):
    path = tmp_path / "corpus.jsonl"
    records = [rec(i, f"正文{i}\u2028续\x85完") for i in range(5)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    result = split_file(path, tmp_path / "out")
    assert sorted(ids(sum(result.splits.values(), []))) == ids(records)


def test_split_refuses_bad_input(tmp_path):
    with pytest.raises(InputError, match="ratios"):
        split_records([rec(0)], (0.5, 0.5, 0.5))
    with pytest.raises(InputError, match="no records"):
        split_records([], (0.8, 0.1, 0.1))
    dup = tmp_path / "dup.jsonl"
    dup.write_text(json.dumps(rec(1)) + "\n" + json.dumps(rec(1)) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"dup.jsonl:2: duplicate id 'r1' \(first at line 1\)"):
        split_file(dup, tmp_path / "out")
    inside = tmp_path / "out2"
    inside.mkdir()
    (inside / "train.jsonl").write_text(json.dumps(rec(1)) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="would be overwritten"):
        split_file(inside / "train.jsonl", inside)
