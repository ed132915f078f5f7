"""Reading RC files and aligning answers: wrong offsets are re-aligned or reported, never trained on silently."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from summarize.io.read import InputError
from summarize.qa.data import align_answer, read_qa_file


def test_align_answer_keeps_correct_offsets():
    assert align_answer("甲乙丙乙", "乙", 3) == (3, "ok")


def test_align_answer_moves_to_nearest_occurrence():
    context = "乙甲甲甲甲甲乙甲甲乙"
    assert align_answer(context, "乙", 7) == (6, "fixed")
    assert align_answer(context, "乙", 8) == (9, "fixed")
    assert align_answer(context, "乙", -1) == (0, "fixed")


def test_align_answer_reports_missing_text():
    assert align_answer("甲乙丙", "丁", 0) == (None, "missing")
    assert align_answer("甲乙丙", "", 0) == (None, "missing")


def _write_jsonl(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")


def test_jsonl_bad_rows_are_reported_with_line_numbers_and_skipped(tmp_path):
    path = tmp_path / "qa.jsonl"
    _write_jsonl(path, [
        {"id": "a", "context": "徐战胜作专题党课", "question": "谁?", "answers": [{"text": "徐战胜", "answer_start": 0}]},
        "{not json",
        {"id": "b", "context": "", "question": "谁?"},
        {"id": "c", "context": "文本", "question": "  "},
        {"id": "d", "context": "文本", "question": "何?", "answers": [{"text": "文", "answer_start": "x"}]},
        {"id": "a", "context": "重复", "question": "何?"},
        {"id": "e", "context": "高新区", "question": "哪里?", "answers": [{"text": "新区", "answer_start": 0}]},
    ])
    data = read_qa_file(path)
    assert [ex.id for ex in data.examples] == ["a", "e"]
    joined = "\n".join(data.problems)
    for line, reason in ((2, "invalid JSON"), (3, "'context'"), (4, "'question'"), (5, "answer_start"), (6, "duplicate id")):
        assert f"qa.jsonl:{line}: " in joined and reason in joined
    assert data.examples[1].answers[0].start == 1
    assert data.stats.as_dict() == {"answers": 2, "misaligned": 1, "fixed": 1, "not_found": 0,
                                    "examples_without_span": 0}
    with pytest.raises(InputError, match="qa.jsonl:2"):
        read_qa_file(path, strict=True)


def test_squad_json_is_read_and_answers_without_a_span_are_counted(tmp_path):
    path = tmp_path / "set.json"
    doc = {"version": "v1", "data": [{"paragraphs": [{"context": "园区负责人李凯表示", "qas": [
        {"id": "q1", "question": "负责人是谁?", "answers": [{"text": "李凯", "answer_start": 5}]},
        {"id": "q2", "question": "表示什么?", "answers": [{"text": "改写过的答案", "answer_start": -1}]},
    ]}]}]}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    data = read_qa_file(path)
    assert [ex.id for ex in data.examples] == ["q1", "q2"]
    assert data.examples[0].first_span().start == 5
    assert data.examples[1].first_span() is None
    assert data.stats.not_found == 1 and data.stats.examples_without_span == 1


def test_unusable_file_is_an_input_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"data": [', encoding="utf-8")
    with pytest.raises(InputError, match="broken.json:1: invalid JSON"):
        read_qa_file(path)
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"id": "x", "context": "", "question": "q"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="no usable questions"):
        read_qa_file(empty)


@pytest.mark.shared
def test_cmrc_dev_misaligned_answers_are_all_fixed_or_reported(shared_file):
    path = shared_file("data/cmrc2018/dev.json")
    data = read_qa_file(path)
    stats = data.stats
    assert stats.answers == 9657
    assert stats.misaligned == 200
    assert stats.fixed + stats.not_found == stats.misaligned
    assert stats.fixed > 0 and stats.not_found > 0
    # Every answer with a position now points at its own text.
    for ex in data.examples:
        for answer in ex.answers:
            if answer.start is not None:
                assert ex.context[answer.start:answer.start + len(answer.text)] == answer.text
    located = sum(a.start is not None for ex in data.examples for a in ex.answers)
    assert located == stats.answers - stats.not_found


@pytest.mark.shared
def test_drcd_dev_traditional_chinese_is_read(shared_file):
    data = read_qa_file(shared_file("data/drcd/dev.json"))
    assert len(data.examples) == 3524
    assert data.stats.misaligned == 0


def test_bundled_rc_set_is_built_from_the_corpus_and_up_to_date(repo):
    result = subprocess.run([sys.executable, str(repo / "scripts/build_rc_set.py"), "--check"],
                            capture_output=True, text=True, cwd=repo)
    assert result.returncode == 0, result.stderr
    articles = {json.loads(l)["id"]: json.loads(l)["text"]
                for l in (repo / "data/corpus/articles.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()}
    total = 0
    for split in ("train", "dev"):
        data = read_qa_file(repo / f"data/rc/{split}.jsonl", strict=True)
        assert data.stats.misaligned == 0
        rows = [json.loads(l) for l in (repo / f"data/rc/{split}.jsonl").read_text(encoding="utf-8").splitlines()]
        for row in rows:
            assert row["context"] == articles[row["article_id"]]
        total += len(data.examples)
    assert 40 <= total <= 60


def test_rc_builder_fails_loudly_on_missing_or_ambiguous_answers(repo, tmp_path):
    articles = tmp_path / "articles.jsonl"
    articles.write_text(json.dumps({"id": "a1", "title": "t", "text": "甲乙甲丙", "meta": {}}, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    questions = tmp_path / "q.tsv"
    questions.write_text("# comment\na1\ttrain\t问?\t甲\na1\tdev\t问?\t丁\na1\ttrain\t问?\t甲\t2\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(repo / "scripts/build_rc_set.py"), "--articles", str(articles),
                             "--questions", str(questions), "--output-dir", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "q.tsv:2: answer '甲' occurs 2 times" in result.stderr
    assert "q.tsv:3: answer '丁' does not occur" in result.stderr
    questions.write_text("a1\ttrain\t问?\t甲\t2\na1\tdev\t问?\t丙\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(repo / "scripts/build_rc_set.py"), "--articles", str(articles),
                             "--questions", str(questions), "--output-dir", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    row = json.loads((tmp_path / "train.jsonl").read_text(encoding="utf-8"))
    assert row["answers"] == [{"text": "甲", "answer_start": 2}]


def test_file_form_is_detected_by_content(tmp_path):
    row = {"id": "a", "context": "高新区", "question": "哪?", "answers": [{"text": "高新区", "answer_start": 0}]}
    misnamed = tmp_path / "rows.json"
    misnamed.write_text(json.dumps(row, ensure_ascii=False) + "\n" + json.dumps(dict(row, id="b"), ensure_ascii=False),
                        encoding="utf-8")
    assert [ex.id for ex in read_qa_file(misnamed).examples] == ["a", "b"]
    squad = tmp_path / "one-line.jsonl"
    squad.write_text(json.dumps({"data": [{"paragraphs": [{"context": "高新区", "qas": [dict(row, context=None)]}]}]}),
                     encoding="utf-8")
    assert [ex.id for ex in read_qa_file(squad).examples] == ["a"]
    with pytest.raises(InputError, match="no such file"):
        read_qa_file(tmp_path / "absent.json")
