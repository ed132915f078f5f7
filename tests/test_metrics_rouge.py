"""Char-level ROUGE: hand-computed cases, normalization, the result contract, and per-pair
agreement with rouge-chinese (exclusive=False and default) and Google rouge-score."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from summarize.metrics.ngrams import ngram_overlap
from summarize.metrics.rouge import rouge_scores, score_samples
from summarize.metrics.bootstrap import small_sample_warning
from summarize.metrics.scoring_text import normalize_chars, normalize_words, word_tokens


def char(pred, ref, **kw):
    """The single sample's char-level scores."""
    return score_samples([pred], [ref], word_level=False, **kw)[0]["char"]


def approx(f, p, r):
    return {"f": pytest.approx(f), "p": pytest.approx(p), "r": pytest.approx(r)}


# --- hand-computed values -------------------------------------------------------------


def test_repeats_are_clipped():
    s = char("的的的", "的")
    assert s["rouge1"] == approx(50.0, 100 / 3, 100.0)  # 1 of 3 hypothesis chars match, clipped at 1
    assert s["rouge2"] == approx(0.0, 0.0, 0.0)  # the reference has no bigram
    assert s["rougeL"] == approx(50.0, 100 / 3, 100.0)


def test_distinct_mode_counts_each_ngram_once():
    s = char("的的的", "的", mode="distinct")
    assert s["rouge1"] == approx(100.0, 100.0, 100.0)
    assert s["rougeL"] == approx(50.0, 100 / 3, 100.0)  # rouge-chinese's ROUGE-L has no exclusive mode


def test_partial_overlap_hand_computed():
    def f1(p, r):
        return 2 * p * r / (p + r) * 100

    # hyp 高新区发布新政 (7 chars) vs ref 高新区出台新政策 (8 chars)
    s = char("高新区发布新政", "高新区出台新政策")
    # unigrams in common: 高 新 新 区 政 -> 5 (新 twice on both sides)
    assert s["rouge1"] == approx(f1(5 / 7, 5 / 8), 500 / 7, 500 / 8)
    # bigrams: hyp 高新 新区 区发 发布 布新 新政 (6); ref 高新 新区 区出 出台 台新 新政 政策 (7) -> 3 common
    assert s["rouge2"] == approx(f1(3 / 6, 3 / 7), 50.0, 300 / 7)
    # LCS 高新区新政 = 5
    assert s["rougeL"] == approx(f1(5 / 7, 5 / 8), 500 / 7, 500 / 8)


def test_traditional_chinese():
    s = char("臺灣新聞", "台灣新聞")  # 臺 vs 台 differ; 灣 新 聞 match
    assert s["rouge1"] == approx(75.0, 75.0, 75.0)
    assert s["rouge2"] == approx(200 / 3, 200 / 3, 200 / 3)
    assert s["rougeL"] == approx(75.0, 75.0, 75.0)


def test_empty_prediction_scores_zero_and_stays_in_the_average():
    result = rouge_scores(["高新区", "", "[SEP] [PAD]"], ["高新区", "高新区", "高新区"], bootstrap=0)
    assert result["n"] == 3
    assert result["n_empty"] == 2
    assert result["char"]["rougeL"]["f"] == pytest.approx(100 / 3)
    assert result["word"]["rouge1"]["f"] == pytest.approx(100 / 3)


def test_empty_reference_scores_zero_and_is_counted():
    result = rouge_scores(["abc", "abc"], ["", "abc"], word_level=False, bootstrap=0)
    assert result["n"] == 2 and result["n_empty_reference"] == 1 and result["n_empty"] == 0
    assert result["char"]["rouge1"] == approx(50.0, 50.0, 50.0)


# --- normalization ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "prediction",
    [
        "高 新 区 发 布 AI 计 划 [SEP]",  # BERT-vocab decoder output
        "[CLS] 高新区发布AI计划 [SEP] [PAD] [PAD]",
        "<pad> 高新区发布ai计划</s>",
        "高新区\u3000发布ＡＩ计划",  # ideographic space, full-width Latin
        "高新区发布ai计划\u200b",  # zero-width space
    ],
)
def test_tokenizer_artifacts_do_not_cost_points(prediction):
    assert char(prediction, "高新区发布AI计划")["rougeL"]["f"] == pytest.approx(100.0)


def test_normalization_details():
    assert normalize_chars("２０２３年ＧＤＰ增长５％，好！") == "2023年gdp增长5%,好!"
    assert normalize_chars("高 新 区 [UNK] 。") == "高新区。"  # punctuation stays a token
    assert normalize_chars(" \u3000 \n") == ""
    assert normalize_words("高 新 区 new  York") == "高新区new york"  # the Latin word boundary survives


def test_word_level_uses_jieba_words():
    tokens = word_tokens("高 新 区 举办 new york 创新 大赛 [SEP]")
    assert "new" in tokens and "york" in tokens and " " not in tokens
    assert "".join(tokens) == normalize_chars("高新区举办new york创新大赛")
    # word level punishes a wrong word more than char level does
    result = rouge_scores(["高新区举办创新大赛"], ["高新区举行创新大赛"], bootstrap=0)
    assert result["char"]["rouge1"]["f"] > result["word"]["rouge1"]["f"]


# --- multiple references ----------------------------------------------------------------


def test_multiple_references_best_f_per_metric():
    s = score_samples(["abcd"], [["dcba", "ab"]], word_level=False)[0]
    assert s["char"]["rouge1"] == approx(100.0, 100.0, 100.0)  # from "dcba"
    assert s["char"]["rouge2"] == approx(50.0, 100 / 3, 100.0)  # from "ab"
    assert s["char"]["rougeL"] == approx(200 / 3, 50.0, 100.0)  # from "ab"
    assert s["ref_chars"] == 2  # the reference chosen for ROUGE-L


def test_multiple_and_single_references_mix():
    one = rouge_scores(["高新区", "物流园"], ["高新区", "物流园区"], word_level=False, bootstrap=0)
    mixed = rouge_scores(["高新区", "物流园"], [["高新区"], ["无关的", "物流园区"]], word_level=False, bootstrap=0)
    assert mixed["char"] == one["char"]


# --- the contract other modules code against --------------------------------------------


def test_result_shape():
    result = rouge_scores(["高新区发布", "物流"], ["高新区", "物流园区"], bootstrap=200, seed=3)
    for level in ("char", "word"):
        for metric in ("rouge1", "rouge2", "rougeL"):
            assert set(result[level][metric]) == {"f", "p", "r"}
            for stat in "fpr":
                lo, hi = result["ci"][level][metric][stat]
                assert lo <= result[level][metric][stat] <= hi
    assert result["n"] == 2 and result["n_empty"] == 0
    assert result["mode"] == "rouge155"
    assert result["bootstrap"] == {"method": "percentile", "confidence": 0.95, "resamples": 200, "seed": 3,
                                   "warning": small_sample_warning(2)}
    assert result["normalization"]["lowercase"] is True

    fast = rouge_scores(["高新区发布"], ["高新区"], word_level=False, bootstrap=0)
    assert "word" not in fast and "ci" not in fast


def test_bootstrap_is_seeded_and_brackets_the_mean():
    rng = random.Random(0)
    preds = ["".join(rng.choice("高新区发布物流园") for _ in range(8)) for _ in range(300)]
    refs = ["".join(rng.choice("高新区发布物流园") for _ in range(8)) for _ in range(300)]
    a = rouge_scores(preds, refs, word_level=False, bootstrap=500, seed=1)
    b = rouge_scores(preds, refs, word_level=False, bootstrap=500, seed=1)
    c = rouge_scores(preds, refs, word_level=False, bootstrap=500, seed=2)
    assert a["ci"] == b["ci"]
    assert a["ci"] != c["ci"]
    lo, hi = a["ci"]["char"]["rougeL"]["f"]
    assert lo < a["char"]["rougeL"]["f"] < hi
    assert 0.5 < hi - lo < 15  # 300 samples: a CI of a few points, neither degenerate nor vacuous


def test_fast_path_imports_neither_jieba_nor_matplotlib():
    code = (
        "import sys\n"
        "from summarize import rouge_scores\n"
        "r = rouge_scores(['高新区'], ['高新区'], word_level=False, bootstrap=0)\n"
        "assert r['char']['rougeL']['f'] == 100.0\n"
        "print(sorted(m for m in ('jieba', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("preds", "refs", "error"),
    [
        (["a"], ["a", "b"], ValueError),
        ("abc", "abc", TypeError),
        ([None], ["a"], TypeError),
        (["a"], [[]], TypeError),
        (["a"], [["a", 3]], TypeError),
        ([], [], ValueError),
    ],
)
def test_bad_inputs_are_refused(preds, refs, error):
    with pytest.raises(error):
        rouge_scores(preds, refs)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="rouge155"):
        rouge_scores(["a"], ["a"], mode="rouge-1.5.5")


# --- agreement with the reference implementations -----------------------------------------

_ALPHABETS = [
    "的",  # heavy repeats
    "高新区发",
    "高新区发布物流产业园开工建设项目签约，。！？“”ab1",
    "".join(chr(c) for c in range(0x4E00, 0x4E00 + 300)) + "，。！？ＡＢ１２　 x",
]


def _generated_pairs(count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    pairs = []
    while len(pairs) < count:
        alphabet = rng.choice(_ALPHABETS)
        pred = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        if rng.random() < 0.5:  # a reference that shares a stretch with the prediction
            cut = rng.randint(0, len(pred))
            ref = pred[cut:] + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        else:
            ref = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        if normalize_chars(pred) and normalize_chars(ref):  # rouge-chinese raises on empty input
            pairs.append((pred, ref))
    return pairs


PAIRS = _generated_pairs(300, seed=7)


@pytest.mark.parametrize(("mode", "exclusive"), [("rouge155", False), ("distinct", True)])
def test_every_pair_equals_rouge_chinese(mode, exclusive):
    from rouge_chinese import Rouge

    ours = score_samples([p for p, _ in PAIRS], [r for _, r in PAIRS], word_level=False, mode=mode)
    # exclusive=True is rouge-chinese's default: the compat mode must match its plain Rouge().
    rouge = Rouge(exclusive=False) if not exclusive else Rouge()
    theirs = rouge.get_scores([" ".join(normalize_chars(p)) for p, _ in PAIRS],
                              [" ".join(normalize_chars(r)) for _, r in PAIRS])
    for mine, ref in zip(ours, theirs):
        for metric, key in (("rouge1", "rouge-1"), ("rouge2", "rouge-2"), ("rougeL", "rouge-l")):
            for stat in "fpr":
                assert mine["char"][metric][stat] / 100 == pytest.approx(ref[key][stat], abs=1e-6)


def test_every_pair_equals_google_rouge_score_with_a_char_tokenizer():
    from rouge_score import rouge_scorer

    class Chars:
        def tokenize(self, text):
            return list(text)

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=Chars())
    ours = score_samples([p for p, _ in PAIRS], [r for _, r in PAIRS], word_level=False)
    for (pred, ref), mine in zip(PAIRS, ours):
        theirs = scorer.score(normalize_chars(ref), normalize_chars(pred))  # (target, prediction)
        for metric in ("rouge1", "rouge2", "rougeL"):
            got = mine["char"][metric]
            assert got["f"] / 100 == pytest.approx(theirs[metric].fmeasure, abs=1e-6)
            assert got["p"] / 100 == pytest.approx(theirs[metric].precision, abs=1e-6)
            assert got["r"] / 100 == pytest.approx(theirs[metric].recall, abs=1e-6)


def test_ngram_overlap_with_renumbered_ids():
    # Trigrams of code points near U+10FFFF do not fit one int64 key: the ids are renumbered first.
    from collections import Counter

    rng = random.Random(5)
    alphabet = [chr(0x10FFF0 + i) for i in range(6)] + ["a", "高"]
    hyps = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(40)]
    refs = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(40)]
    overlap, h_total, r_total = ngram_overlap(hyps, refs, 3)
    for i, (h, r) in enumerate(zip(hyps, refs)):
        hc = Counter(h[j:j + 3] for j in range(len(h) - 2))
        rc = Counter(r[j:j + 3] for j in range(len(r) - 2))
        assert overlap[i] == sum((hc & rc).values())
        assert h_total[i] == sum(hc.values()) and r_total[i] == sum(rc.values())
