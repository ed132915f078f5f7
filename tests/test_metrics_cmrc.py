"""CMRC 2018 EM/F1: hand-computed cases, file handling, and per-question agreement with a
literal re-implementation of the official cmrc2018_evaluate.py on the shared dev sets."""

from __future__ import annotations

import json
import random
import re

import pytest

from summarize.io import InputError
from summarize.metrics.cmrc import cmrc_scores, em_f1, evaluate_squad_files, load_squad_golds, segment
from summarize.metrics.report import format_qa_report

# --- the official algorithm, written out literally (str.split stands in for nltk) ----------

SP_CHAR = ['-', ':', '_', '*', '^', '/', '\\', '~', '`', '+', '=',
           '，', '。', '：', '？', '！', '“', '”', '；', '’', '《', '》', '……', '·', '、',
           '「', '」', '（', '）', '－', '～', '『', '』']  # fmt: skip


def official_segmentation(in_str, rm_punc=False):
    in_str = str(in_str).lower().strip()
    segs_out = []
    temp_str = ""
    for char in in_str:
        if rm_punc and char in SP_CHAR:
            continue
        if re.search(r"[\u4e00-\u9fa5]", char) or char in SP_CHAR:
            if temp_str != "":
                segs_out.extend(temp_str.split())
                temp_str = ""
            segs_out.append(char)
        else:
            temp_str += char
    if temp_str != "":
        segs_out.extend(temp_str.split())
    return segs_out


def official_remove_punctuation(in_str):
    in_str = str(in_str).lower().strip()
    return "".join(char for char in in_str if char not in SP_CHAR)


def official_find_lcs(s1, s2):
    m = [[0 for _ in range(len(s2) + 1)] for _ in range(len(s1) + 1)]
    mmax = 0
    p = 0
    for i in range(len(s1)):
        for j in range(len(s2)):
            if s1[i] == s2[j]:
                m[i + 1][j + 1] = m[i][j] + 1
                if m[i + 1][j + 1] > mmax:
                    mmax = m[i + 1][j + 1]
                    p = i + 1
    return s1[p - mmax:p], mmax


def official_f1(answers, prediction):
    f1_scores = []
    for ans in answers:
        ans_segs = official_segmentation(ans, rm_punc=True)
        prediction_segs = official_segmentation(prediction, rm_punc=True)
        _, lcs_len = official_find_lcs(ans_segs, prediction_segs)
        if lcs_len == 0:
            f1_scores.append(0)
            continue
        precision = 1.0 * lcs_len / len(prediction_segs)
        recall = 1.0 * lcs_len / len(ans_segs)
        f1_scores.append((2 * precision * recall) / (precision + recall))
    return max(f1_scores)


def official_em(answers, prediction):
    for ans in answers:
        if official_remove_punctuation(ans) == official_remove_punctuation(prediction):
            return 1
    return 0


# --- hand-computed values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prediction", "answers", "em", "f1"),
    [
        ("北京", ["北京"], 1, 1.0),
        ("北京", ["北京市"], 0, 0.8),  # 2 common of 2 / 3 tokens
        ("北京。", ["北京"], 1, 1.0),  # a mark is not an error
        ("《红楼梦》", ["红楼梦"], 1, 1.0),
        ("", ["北京"], 0, 0.0),
        ("。。", ["北京"], 0, 0.0),
        ("京北", ["北京"], 0, 0.5),  # one common token of two on each side
        ("北京上海", ["上海北京"], 0, 0.5),  # contiguous: 北京 or 上海, 2 of 4
        ("New York", ["new york city"], 0, 0.8),  # case folded, Latin words are tokens
        ("3.5亿元", ["3.5亿"], 0, 0.8),  # the decimal stays one token
        ("1990年", ["1990"], 0, 2 / 3),
        ("臺北市", ["臺北"], 0, 0.8),  # Traditional characters are CJK tokens too
        ("上海", ["北京", "上海"], 1, 1.0),  # the best gold answer counts
    ],
)
def test_hand_computed(prediction, answers, em, f1):
    got_em, got_f1 = em_f1(prediction, answers)
    assert got_em == em
    assert got_f1 == pytest.approx(f1)


def test_segmentation():
    assert segment("2008年北京奥运会") == ["2008", "年", "北", "京", "奥", "运", "会"]
    assert segment(" U.S. 50%的人, OK ") == ["u", ".", "s", ".", "50", "%", "的", "人", ",", "ok"]
    assert segment("臺灣大學（NTU）", drop_marks=True) == ["臺", "灣", "大", "學", "ntu"]
    # Official quirk kept: a dropped mark does not split the run around it.
    assert segment("e-mail", drop_marks=True) == ["email"]
    assert all("\u4e00" <= ch <= "\u9fa5" for ch in "臺灣學與體發")


def test_unanswered_questions_score_zero():
    result = cmrc_scores({"a": "北京"}, {"a": ["北京"], "b": ["上海"]})
    assert result == {"em": 50.0, "f1": 50.0, "n": 2, "n_unanswered": 1}


def test_question_without_gold_is_refused():
    with pytest.raises(ValueError, match="'q'"):
        cmrc_scores({"q": "x"}, {"q": []})


# --- agreement with the official algorithm on real dev sets ----------------------------------


def _perturb(rng: random.Random, text: str) -> str:
    kind = rng.randrange(10)
    if kind == 0:
        return text[: max(0, len(text) - rng.randint(1, 3))]  # truncate
    if kind == 1:
        return text + rng.choice(["的", "年", "市", "了"])  # add chars
    if kind == 2 and len(text) > 1:
        i = rng.randrange(len(text) - 1)
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]  # swap
    if kind == 3:
        return ""  # empty
    if kind == 4:
        return rng.choice(["《", "“", "（"]) + text + rng.choice(["》", "”", "。", "、"])  # marks only
    if kind == 5:
        return text + rng.choice([" Inc", " the City", " ABC"])  # Latin words
    if kind == 6:
        return rng.choice(["1998年", "3.5", "第12"]) + text  # numbers
    if kind == 7:
        return text.upper()  # case
    if kind == 8:
        return text[len(text) // 2:]  # the second half
    return text


@pytest.mark.parametrize("relative", ["data/cmrc2018/dev.json", "data/drcd/dev.json"])
def test_equals_official_algorithm_per_question(shared_file, relative):
    golds = load_squad_golds(shared_file(relative))
    rng = random.Random(2018)
    ids = rng.sample(sorted(golds), 400)
    differ_f1 = 0
    for qid in ids:
        answers = golds[qid]
        prediction = _perturb(rng, rng.choice(answers))
        em, f1 = em_f1(prediction, answers, tokenize=str.split)
        assert em == official_em(answers, prediction), (qid, prediction, answers)
        assert f1 == pytest.approx(official_f1(answers, prediction), abs=1e-12), (qid, prediction, answers)
        # The default (regex) tokenizer changes only F1, and only where Latin runs carry symbols.
        em_default, f1_default = em_f1(prediction, answers)
        assert em_default == em
        if f1_default != pytest.approx(f1, abs=1e-12):
            differ_f1 += 1
            assert re.search(r"[^\w\s\u4e00-\u9fa5]", prediction + "".join(answers)), (prediction, answers)
    assert differ_f1 < len(ids) // 10


@pytest.mark.parametrize("relative", ["data/cmrc2018/dev.json", "data/drcd/dev.json"])
def test_gold_as_prediction_scores_100(shared_file, tmp_path, relative):
    dataset = shared_file(relative)
    golds = load_squad_golds(dataset)
    predictions = tmp_path / "pred.json"
    predictions.write_text(json.dumps({qid: answers[0] for qid, answers in golds.items()}, ensure_ascii=False))
    result = evaluate_squad_files(dataset, predictions)
    assert (result["em"], result["f1"]) == (100.0, 100.0)
    assert result["n"] == len(golds) and result["n_unanswered"] == 0 and result["n_unknown"] == 0


# --- files -------------------------------------------------------------------------------------


def _squad(qas):
    return {"data": [{"title": "t", "paragraphs": [{"context": "北京是首都", "qas": qas}]}]}


def test_evaluate_files_reports_unknown_and_unanswered(tmp_path):
    dataset = tmp_path / "dev.json"
    dataset.write_text(json.dumps(_squad([
        {"id": "q1", "question": "?", "answers": [{"text": "北京", "answer_start": 0}]},
        {"id": "q2", "question": "?", "answers": [{"text": "首都", "answer_start": 3}, {"text": "首都。"}]},
        {"id": "q3", "question": "?", "answers": [{"text": "1949"}]},
    ]), ensure_ascii=False))
    predictions = tmp_path / "pred.json"
    predictions.write_text(json.dumps({"q1": "北京", "q2": "首", "q3": 1949, "zzz": "x"}, ensure_ascii=False))
    result = evaluate_squad_files(dataset, predictions)
    assert result["n"] == 3 and result["n_unanswered"] == 0
    assert result["n_unknown"] == 1 and result["unknown_ids"] == ["zzz"]
    assert result["em"] == pytest.approx(200 / 3)  # q1 and q3 (a number is read as its text)
    assert result["f1"] == pytest.approx((1 + 2 / 3 + 1) / 3 * 100)
    text = format_qa_report(result)
    assert "EM   66.67" in text and "F1   88.89" in text and "3 questions" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"version": 1}', "'data' list"),
        ('{"data": [{"title": "x"}]}', "data[0]: missing 'paragraphs'"),
        (json.dumps(_squad([{"id": "q1", "answers": []}])), "qas[0] (id q1): 'answers' must be a non-empty list"),
        (json.dumps(_squad([{"answers": [{"text": "a"}]}])), "missing or non-string 'id'"),
        (json.dumps(_squad([{"id": "q", "answers": [{"text": "a"}]}, {"id": "q", "answers": [{"text": "b"}]}])),
         "duplicate question id 'q'"),
    ],
)
def test_bad_dataset_names_the_file_and_place(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=re.escape(message)) as info:
        load_squad_golds(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [("[1, 2]", "expected a JSON object"), ('{"q1": ["a"]}', "'q1'"), ('{"q1": "a",', "not valid JSON")],
)
def test_bad_predictions_name_the_file(tmp_path, content, message):
    dataset = tmp_path / "dev.json"
    dataset.write_text(json.dumps(_squad([{"id": "q1", "answers": [{"text": "a"}]}])))
    predictions = tmp_path / "pred.json"
    predictions.write_text(content)
    with pytest.raises(InputError, match=re.escape(message)) as info:
        evaluate_squad_files(dataset, predictions)
    assert str(predictions) in str(info.value)


def test_golds_from_the_jsonl_form(tmp_path):
    from summarize.metrics.cmrc import load_squad_golds

    path = tmp_path / "dev.jsonl"
    rows = [
        {"id": "q1", "context": "高新区在平顶山。", "question": "高新区在哪？", "answers": [{"text": "平顶山", "answer_start": 4}]},
        {"id": "q2", "context": "签约项目5个。", "question": "签约几个？", "answers": [{"text": "5个", "answer_start": 4}, {"text": "5"}]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert load_squad_golds(path) == {"q1": ["平顶山"], "q2": ["5个", "5"]}
    path.write_text(path.read_text(encoding="utf-8") + '{"id": "q3", "answers": []}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3 \(id q3\): 'answers' must be a non-empty list"):
        load_squad_golds(path)
