"""lead-v1, the offline extractive headline: datelines, sentence choice, compression, length."""

from __future__ import annotations

import csv
import sys

import pytest

from summarize.headline.lead import (
    LeadGenerator,
    bound_length,
    drop_adverbials,
    first_sentence,
    lead_headline,
    strip_datelines,
)


@pytest.mark.parametrize("text,expected", [
    ("本报讯(记者高轶鹏 通讯员曹倩)高新区举行开工仪式。", "高新区举行开工仪式。"),
    ("本报讯（记者 张三）高新区举行开工仪式。", "高新区举行开工仪式。"),
    ("本报讯 高新区举行开工仪式。", "高新区举行开工仪式。"),
    ("新华社北京6月1日电(记者王某)国务院发布新规。", "国务院发布新规。"),
    ("新华社北京6月1日电 国务院发布新规。", "国务院发布新规。"),
    ("中新网上海6月1日电 上海发布人才政策。", "上海发布人才政策。"),
    ("新浪科技讯 北京时间9月16日早间消息，微软表示。", "北京时间9月16日早间消息，微软表示。"),
    ("【环球时报综合报道】某公司宣布裁员。", "某公司宣布裁员。"),
    ("（记者 李四）某市出台新规。", "某市出台新规。"),
    ("本报记者 徐洁\n虽然每个学校只有1个名额。", "虽然每个学校只有1个名额。"),
    ("导语：即使天气变冷，女生仍穿短裤。", "即使天气变冷，女生仍穿短裤。"),
    ("高新区举行开工仪式。", "高新区举行开工仪式。"),  # nothing to strip
    ("国家电网发布公告。", "国家电网发布公告。"),  # "电" inside a word is not a dateline
])
def test_strip_datelines(text, expected):
    assert strip_datelines(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("6月26日，高新区举行开工仪式", "高新区举行开工仪式"),
    ("日前，高新区举行开工仪式", "高新区举行开工仪式"),
    ("北京时间9月16日早间消息，微软表示", "微软表示"),
    ("据新华社报道，高新区举行开工仪式", "高新区举行开工仪式"),
    ("2023年6月26日上午，高新区举行开工仪式", "高新区举行开工仪式"),
    ("高新区6月26日举行开工仪式", "高新区6月26日举行开工仪式"),  # only leading adverbials go
])
def test_drop_adverbials(text, expected):
    assert drop_adverbials(text) == expected


def test_bound_length_cuts_at_a_clause_boundary():
    text = "高新区举行二〇二三年重点项目集中开工仪式，共有十五个项目开工，总投资达八十亿元"
    out = bound_length(text, 30)
    assert out == "高新区举行二〇二三年重点项目集中开工仪式，共有十五个项目开工"
    assert len(bound_length(text, 12)) == 12  # no clause boundary fits: hard cut
    assert bound_length("短标题。", 30) == "短标题"


def test_lead_headline_on_articles_with_datelines():
    article = ("本报讯(记者高轶鹏 通讯员曹倩)6月26日，高新区举行2023年重点项目集中开工仪式，共有15个项目开工。"
               "此次开工的项目总投资达80亿元，涵盖新能源、新材料等领域。\n高新区负责人表示，项目将带动就业。")
    assert lead_headline(article) == "高新区举行2023年重点项目集中开工仪式，共有15个项目开工"
    assert lead_headline(article, max_chars=20) == "高新区举行2023年重点项目集中开工仪式"
    article = "新华社北京6月1日电(记者王某)日前，国务院常务会议审议通过新规，将于明年实施。会议指出，新规意义重大。"
    assert lead_headline(article) == "国务院常务会议审议通过新规，将于明年实施"
    for limit in (5, 10, 18, 30):
        assert len(lead_headline(article, max_chars=limit)) <= limit


def test_a_connective_sentence_loses_to_the_lead():
    article = "市政府今天发布新的人才政策，吸引高校毕业生。其中，人才政策包括住房补贴和人才政策落户便利。"
    assert lead_headline(article).startswith("市政府今天发布新的人才政策")


def test_first_sentence_baseline_definition():
    assert first_sentence("  本报讯 今天下雨。明天晴！") == "本报讯 今天下雨"
    assert first_sentence("没有句号的文本") == "没有句号的文本"
    assert first_sentence("问题？回答。") == "问题"


def test_lead_generator_interface():
    gen = LeadGenerator(max_chars=12)
    one = gen.generate("本报讯 高新区今天举行重点项目集中开工仪式。")
    assert one.method == "lead-v1" and one.score is None and len(one.headline) <= 12
    many = gen.generate(["本报讯 甲地举行活动。", "乙地举行活动。"], max_chars=30, num_beams=4)
    assert [r.headline for r in many] == ["甲地举行活动", "乙地举行活动"]
    with pytest.raises(ValueError, match="article 0"):
        gen.generate([""])


def _lcsts(path):
    rows = [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return [(r[0], r[1]) for r in rows if len(r) == 2]


def _thucnews(path):
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["title"], row["context"]) for row in csv.DictReader(handle)]


@pytest.mark.parametrize("name,reader", [("lcsts/val.tsv", _lcsts), ("thucnews/val.csv", _thucnews)])
def test_lead_beats_first_sentence_on_val(shared_file, name, reader):
    from summarize.metrics.rouge import rouge_scores

    pairs = reader(shared_file(f"data/{name}"))
    refs = [title for title, _ in pairs]

    def rouge_l(method):
        preds = [method(text) for _, text in pairs]
        return rouge_scores(preds, refs, word_level=False, bootstrap=0)["char"]["rougeL"]["f"]

    lead, baseline = rouge_l(lead_headline), rouge_l(first_sentence)
    # val gains measured: LCSTS +0.84, THUCNews +1.20 ROUGE-L F (scripts/eval_lead.py)
    assert lead > baseline + 0.5, (lead, baseline)
