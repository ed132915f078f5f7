"""Sliding windows and span labels: an answer is labelled only in windows that contain all of it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from summarize.qa.data import Answer, QAExample
from summarize.qa.decode import best_answers, decode_windows, window_candidates
from summarize.qa.features import label_window, make_windows, train_features

CJK = "".join(chr(0x4E00 + i) for i in range(300))


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    from transformers import BertTokenizerFast

    folder = tmp_path_factory.mktemp("vocab")
    latin = "abcdefghijklmnopqrstuvwxyz0123456789"
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *CJK, "？", *latin, *("##" + c for c in latin)]
    (folder / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    return BertTokenizerFast.from_pretrained(str(folder), do_lower_case=True)


def _example(context: str, answer: str, start: int, question: str = "问题？") -> QAExample:
    assert context[start:start + len(answer)] == answer
    return QAExample("q", question, context, [Answer(answer, start)])


def test_answer_straddling_a_window_edge_is_labelled_only_where_whole(tokenizer):
    # question "丁七？" = 3 tokens, so each window holds 32 - 3 - 3 = 26 context tokens and
    # consecutive windows share 8 of them: windows start at context tokens 0, 18, 36, ...
    context = CJK[:200]
    answer_start, answer = 22, CJK[22:30]  # tokens 22..29: crosses the end of window 0 (0..25)
    example = _example(context, answer, answer_start, question=CJK[1] + CJK[2] + "？")
    built = train_features(tokenizer, [example], max_seq_len=32, doc_stride=8, max_question_tokens=8)
    windows, feats = built["windows"], built["features"]
    assert len(windows) >= 10
    assert all(len(ids) <= 32 for ids in feats["input_ids"])
    labelled = [w for w in range(len(windows)) if feats["start_positions"][w] != 0]
    assert labelled == [1]  # window 0 holds only the answer's first 4 characters
    assert feats["start_positions"][0] == feats["end_positions"][0] == 0
    w = labelled[0]
    s, e = feats["start_positions"][w], feats["end_positions"][w]
    offsets = windows.offsets[w]
    assert context[offsets[s, 0]:offsets[e, 1]] == answer
    assert tokenizer.decode(feats["input_ids"][w][s:e + 1]).replace(" ", "") == answer


def test_answer_longer_than_any_window_is_never_labelled(tokenizer):
    context = CJK[:120]
    example = _example(context, CJK[10:40], 10, question=CJK[5] + "？")
    feats = train_features(tokenizer, [example], max_seq_len=24, doc_stride=6, max_question_tokens=4)["features"]
    assert set(feats["start_positions"]) == {0} and set(feats["end_positions"]) == {0}


def test_labels_map_to_original_characters_through_normalization(tokenizer):
    context = "\u3000一二 CAFÉ\u00a0丁丁 Word42 五"
    answer = "丁丁 Word42"
    start = context.index(answer)
    built = train_features(tokenizer, [_example(context, answer, start)], max_seq_len=64, doc_stride=8,
                           max_question_tokens=8)
    s, e = built["features"]["start_positions"][0], built["features"]["end_positions"][0]
    offsets = built["windows"].offsets[0]
    assert context[offsets[s, 0]:offsets[e, 1]] == answer


def test_label_window_uses_cls_for_missing_answer():
    offsets = np.array([[-1, -1], [0, 1], [1, 2], [2, 3], [-1, -1]])
    span = np.array([1, 3])
    assert label_window(offsets, span, None, 0) == (0, 0)
    assert label_window(offsets, span, 1, 3) == (2, 3)
    assert label_window(offsets, span, 2, 4) == (0, 0)


def test_long_questions_are_truncated_not_fatal(tokenizer):
    windows = make_windows(tokenizer, [CJK[:100]], [CJK[100:140]], max_seq_len=32, doc_stride=4,
                           max_question_tokens=10)
    assert all(len(ids) <= 32 for ids in windows.input_ids)
    assert windows.input_ids[0][1:11] == tokenizer.convert_tokens_to_ids(list(CJK[:10]))


def test_bad_window_settings_are_rejected(tokenizer):
    with pytest.raises(ValueError, match="doc_stride"):
        make_windows(tokenizer, ["问"], ["文"], max_seq_len=32, doc_stride=30, max_question_tokens=8)
    with pytest.raises(ValueError, match="no room"):
        make_windows(tokenizer, ["问"], ["文"], max_seq_len=16, doc_stride=2, max_question_tokens=14)


# --- decoding ------------------------------------------------------------------------------


def test_window_candidates_respect_max_answer_tokens_and_context():
    start = torch.full((1, 10), -5.0)
    end = torch.full((1, 10), -5.0)
    start[0, 2], end[0, 8] = 5.0, 5.0  # best pair spans 7 tokens
    end[0, 4] = 3.0
    start[0, 9] = 9.0  # outside the context (a [SEP])
    span = np.array([[2, 8]])
    (best,) = window_candidates(start, end, span, max_answer_tokens=10)
    assert best[0][1:] == (2, 8)
    (short,) = window_candidates(start, end, span, max_answer_tokens=3)
    assert short[0][1:] == (2, 4)
    (top,) = window_candidates(start, end, span, max_answer_tokens=10, top_k=3)
    assert [t[1:] for t in top][:2] == [(2, 8), (2, 4)]
    assert top[0][0] >= top[1][0] >= top[2][0]


def test_decode_picks_across_windows_and_returns_original_text(tokenizer):
    context = "\u3000" + CJK[:60]
    windows = make_windows(tokenizer, ["问？"], [context], max_seq_len=24, doc_stride=6, max_question_tokens=4)
    n, width = len(windows), max(len(i) for i in windows.input_ids)
    start = np.full((n, width), -100.0)
    end = np.full((n, width), -100.0)
    start[:, 0] = end[:, 0] = 0.0
    for w in range(n):
        first, last = windows.context_span[w]
        start[w, first:last + 1] = end[w, first:last + 1] = -2.0
    last_w = n - 1
    first, _ = windows.context_span[last_w]
    start[last_w, first + 1] = end[last_w, first + 3] = 6.0  # a confident span in the last window
    start[0, 0] = end[0, 0] = 20.0  # window 0 says "not here" through [CLS]
    start[0, 2] = end[0, 3] = 8.0  # ... so its higher raw logits must not win
    (answers,) = decode_windows(start, end, windows, [context], max_answer_tokens=10)
    best = answers[0]
    offsets = windows.offsets[last_w]
    assert (best["start"], best["end"]) == (offsets[first + 1, 0], offsets[first + 3, 1])
    assert context[best["start"]:best["end"]] == best["answer"]


def test_best_answers_without_candidates_is_the_documented_empty_answer():
    assert best_answers([], "任何文本") == [{"answer": "", "score": 0.0, "start": 0, "end": 0}]
