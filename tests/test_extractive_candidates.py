"""Candidate headlines: clause and word boundaries, quotes and brackets, numbers, datelines, budgets."""

from __future__ import annotations

import jieba
import pytest

from summarize.headline.extractive.candidates import (
    CandidateSettings,
    balance,
    cut_at_word,
    fallback_headline,
    make_candidates,
    prepare_article,
    split_clauses,
)

ARTICLE = (
    "本报讯(记者高轶鹏 通讯员曹倩)6月26日，高新区管委会举行重点项目集中签约仪式，共签约项目12个，总投资达35.7亿元。"
    "签约项目涵盖新一代信息技术、生物医药和“智能制造”等领域。"
    "管委会主任表示，《高新区产业发展规划》将为企业提供更好的服务。"
)


def _word_ends(text: str) -> set[int]:
    ends, at = set(), 0
    for word in jieba.cut(text, HMM=False):
        at += len(word)
        ends.add(at)
    return ends


def test_clauses_break_at_commas_but_not_inside_quotes_brackets_or_numbers():
    assert split_clauses("他说“我们来了，你们呢”，然后走了。") == ["他说“我们来了，你们呢”，", "然后走了。"]
    assert split_clauses("《红楼梦，续》出版，销量1,000册。") == ["《红楼梦，续》出版，", "销量1,000册。"]


def test_candidates_respect_budget_and_minimum_and_are_unique():
    settings = CandidateSettings(max_chars=20, min_chars=4)
    cands = make_candidates(prepare_article(ARTICLE, settings), settings)
    texts = [c.text for c in cands]
    assert texts and len(texts) == len(set(texts))
    assert all(4 <= len(t) <= 20 for t in texts)
    assert not any("本报讯" in t or "记者" in t for t in texts), "the dateline is never a candidate"
    assert "高新区管委会举行重点项目集中签约仪式" in texts  # the adverbial 6月26日 compressed away
    assert any(c.cut for c in cands) and any(c.compressed for c in cands)


@pytest.mark.parametrize("budget", range(6, 26))
def test_cuts_end_at_word_boundaries_and_never_split_a_number(budget):
    text = "高新区管委会举行重点项目集中签约仪式共签约项目12个总投资达35.7亿元同比增长12.5%"
    cut = cut_at_word(text, budget, 4, 10)
    if cut is None:
        return
    assert len(cut) <= budget and text.startswith(cut)
    assert len(cut) in _word_ends(text), f"{cut!r} ends inside a word"
    rest = text[len(cut):]
    assert not (cut[-1].isdigit() and rest[:1] and (rest[0].isdigit() or rest[0] in ".%")), f"{cut!r} splits a number"


def test_quotes_and_brackets_are_balanced_after_a_cut():
    settings = CandidateSettings(max_chars=14, min_chars=4, cut_ratios=[])
    text = "外交部发言人表示“中方坚决反对任何形式的单边制裁和长臂管辖”。"
    for cand in make_candidates(prepare_article(text, settings), settings):
        t = cand.text
        assert t.count("“") == t.count("”"), t
        assert len(t) <= 14
    assert balance("”他说“好的") == "他说“好的”"
    assert balance("《规划》（草案") == "《规划》（草案）"


def test_an_article_without_usable_text_has_no_candidates_but_a_fallback():
    settings = CandidateSettings()
    for text in ("。。。！！", "本报讯(记者张三)"):
        assert make_candidates(prepare_article(text, settings), settings) == []
        assert fallback_headline(text, 30).strip()
