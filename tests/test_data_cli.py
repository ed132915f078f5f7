"""``summarize data convert|split`` from the command line: bad rows, missing columns, bad files, atomic output."""

from __future__ import annotations

import json
import os

import pytest

from summarize.cli import main
from summarize.data import write_records


def run(capsys, *argv):
    code = main(["data", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def lcsts_with_bad_rows(tmp_path):
    path = tmp_path / "val.tsv"
    path.write_text("摘要一\t正文一\n坏行没有制表符\n摘要三\t正文三\n摘要四\t\n", encoding="utf-8")
    return path


def test_bad_row_is_one_clear_error_and_nothing_is_written(capsys, tmp_path, lcsts_with_bad_rows):
    out_path = tmp_path / "out.jsonl"
    code, out, err = run(capsys, "convert", "--format", "lcsts", str(lcsts_with_bad_rows), str(out_path))
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: {lcsts_with_bad_rows}:2: expected 2 tab-separated columns (summary, text), found 1; "
        "1 more bad row (nothing written; --skip-bad skips bad rows)"
    ]
    assert "Traceback" not in err
    assert not out_path.exists()
    assert os.listdir(tmp_path) == ["val.tsv"]


def test_skip_bad_reports_each_row_and_counts(capsys, tmp_path, lcsts_with_bad_rows):
    out_path = tmp_path / "out.jsonl"
    code, out, err = run(capsys, "convert", "-f", "lcsts", "--skip-bad", "-q", str(lcsts_with_bad_rows), str(out_path))
    assert code == 0
    assert f"skipped {lcsts_with_bad_rows}:2: expected 2 tab-separated columns" in err
    assert f"skipped {lcsts_with_bad_rows}:4: empty text" in err
    assert out.startswith("converted 2 rows, skipped 2 bad rows")
    records = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["val-1", "val-3"]
    assert records[0] == {"id": "val-1", "title": "摘要一", "text": "正文一", "meta": {"source": "val.tsv", "line": 1}}


def test_failed_conversion_does_not_clobber_existing_output(capsys, tmp_path, lcsts_with_bad_rows):
    out_path = tmp_path / "out.jsonl"
    out_path.write_text("old content\n", encoding="utf-8")
    code, _, _ = run(capsys, "convert", "-f", "lcsts", str(lcsts_with_bad_rows), str(out_path))
    assert code == 2
    assert out_path.read_text(encoding="utf-8") == "old content\n"


def test_write_failure_midway_leaves_old_file_and_no_temp(tmp_path):
    out_path = tmp_path / "out.jsonl"
    out_path.write_text("old content\n", encoding="utf-8")

    def records():
        yield {"id": "a", "title": "t", "text": "x", "meta": {}}
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_records(out_path, records())
    assert out_path.read_text(encoding="utf-8") == "old content\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_missing_column_lists_available_columns(capsys, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("headline,body\n标题,正文\n", encoding="utf-8")
    code, _, err = run(capsys, "convert", "-f", "csv", "--text-col", "content", str(path), str(tmp_path / "o.jsonl"))
    assert code == 2
    assert err.strip() == f"error: {path}: no column 'content' (--text-col); available columns: 'headline', 'body'"


@pytest.mark.parametrize("kind", ["missing", "empty", "directory"])
def test_unusable_input_is_a_clear_error(capsys, tmp_path, kind):
    path = tmp_path / "in.tsv"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "directory":
        path.mkdir()
    code, _, err = run(capsys, "convert", "-f", "lcsts", str(path), str(tmp_path / "o.jsonl"))
    assert code == 2
    expected = {"missing": "no such file", "empty": "file is empty", "directory": "is a directory, expected a file"}[kind]
    assert err.strip() == f"error: {path}: {expected}"
    assert not (tmp_path / "o.jsonl").exists()


def test_blank_only_input_is_a_clear_error(capsys, tmp_path):
    path = tmp_path / "in.tsv"
    path.write_text("\n\n  \n", encoding="utf-8")
    code, _, err = run(capsys, "convert", "-f", "lcsts", str(path), str(tmp_path / "o.jsonl"))
    assert code == 2 and err.strip() == f"error: {path}: no lcsts records found"


def test_all_rows_bad_with_skip_bad_writes_nothing(capsys, tmp_path):
    path = tmp_path / "in.tsv"
    path.write_text("一列\n", encoding="utf-8")
    code, _, err = run(capsys, "convert", "-f", "lcsts", "--skip-bad", str(path), str(tmp_path / "o.jsonl"))
    assert code == 2 and "no usable rows" in err
    assert not (tmp_path / "o.jsonl").exists()


def test_option_for_another_format_is_an_error(capsys, tmp_path):
    path = tmp_path / "in.tsv"
    path.write_text("摘要\t正文\n", encoding="utf-8")
    code, _, err = run(capsys, "convert", "-f", "csl", "--min-label", "3", str(path), str(tmp_path / "o.jsonl"))
    assert code == 2 and err.strip() == "error: --min-label does not apply to --format csl"


def test_split_cli_and_bad_input(capsys, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": f"r{i}", "title": f"标题{i}", "text": f"正文{i}", "meta": {}},
                                       ensure_ascii=False) + "\n" for i in range(10)), encoding="utf-8")
    code, out, _ = run(capsys, "split", str(path), "--output-dir", str(tmp_path / "s"))
    assert code == 0 and out.startswith("split 10 records: train 8, dev 1, test 1")
    assert sorted(os.listdir(tmp_path / "s")) == ["dev.jsonl", "manifest.json", "test.jsonl", "train.jsonl"]

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a", "title": "t", "text": "x", "meta": {}}\n{"id": "b", "title": "t"}\n', encoding="utf-8")
    code, _, err = run(capsys, "split", str(broken), "-o", str(tmp_path / "s2"))
    assert code == 2 and err.strip() == f"error: {broken}:2: missing key 'text'; missing key 'meta'"
    assert not (tmp_path / "s2").exists()

    assert main(["data", "split", str(path), "-o", str(tmp_path / "s3"), "--ratios", "0.5,0.5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: summarize data split: argument --ratios:") and "expected three values" in err
    assert len(err.splitlines()) == 1  # one line, no usage block
