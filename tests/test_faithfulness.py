"""Faithfulness warnings: figures and quotations a headline must not invent."""

from __future__ import annotations

import pytest

from summarize.headline.faithfulness import faithfulness_warnings, parse_chinese_number

ARTICLE = (
    "本报讯 2023年6月26日，高新区举行重点项目集中开工仪式，共有15个项目开工，总投资达1.5万亿元，"
    "同比增长百分之三十。区长表示，这是“高质量发展”的关键一步。《高新区日报》报道，增速达12.5%。"
)


@pytest.mark.parametrize("headline", [
    "高新区15个项目开工",
    "高新区6月26日开工15个项目",
    "2023年6月26日高新区开工",
    "总投资1.5万亿元 同比增长30%",  # 百分之三十 in the article
    "增速12.5%",
    "区长：“高质量发展”关键一步",
    "《高新区日报》：项目开工",
    "高新区十六个项目开工",  # Chinese numerals in the headline are not checked (16 is nowhere in the article)
    "１５个项目开工 增速１２.５％",  # full-width digits and percent sign
    "总投资15000亿元",  # 1.5万亿 = 15000亿
])
def test_supported_figures_give_no_warning(headline):
    assert faithfulness_warnings(headline, ARTICLE) == []


def test_invented_number():
    assert faithfulness_warnings("高新区16个项目开工", ARTICLE) == ['number "16" does not occur in the article']


def test_invented_date_and_year():
    assert faithfulness_warnings("6月27日开工", ARTICLE) == ['date "6月27日" does not occur in the article']
    assert faithfulness_warnings("2024年6月26日开工", ARTICLE) == ['year "2024" does not occur in the article']
    assert faithfulness_warnings("7月开工", ARTICLE) == ['date "7月" does not occur in the article']


def test_invented_percentage():
    assert faithfulness_warnings("同比增长35%", ARTICLE) == ['percentage "35%" does not occur in the article']
    # a number that occurs, but never as a percentage
    assert faithfulness_warnings("增长15%", ARTICLE) == ['percentage "15%" does not occur in the article']
    assert faithfulness_warnings("增长百分之四十", ARTICLE) == ['percentage "百分之四十" does not occur in the article']


def test_invented_quotation():
    for headline, quote in [("区长：“低质量发展”", "“低质量发展”"), ("《人民日报》报道", "《人民日报》"),
                            ("「新质生产力」", "「新质生产力」"), ('"AI新政"出台', '"AI新政"')]:
        assert faithfulness_warnings(headline, ARTICLE) == [f"quoted phrase {quote} does not occur in the article"]


def test_full_width_digits_match_half_width_on_both_sides():
    assert faithfulness_warnings("５０%的人", "有50％的人") == []
    assert faithfulness_warnings("50%的人", "有５０％的人") == []
    assert faithfulness_warnings("５１%的人", "有50％的人") == ['percentage "51%" does not occur in the article']


def test_repeated_figure_is_reported_once_and_numbers_are_whole_tokens():
    assert faithfulness_warnings("5个项目 5个项目", ARTICLE) == ['number "5" does not occur in the article']
    # "5" is part of "15" in the article, but not a number of its own there
    assert faithfulness_warnings("5个项目", "共有15个项目") == ['number "5" does not occur in the article']


def test_chinese_numerals_in_the_article_support_arabic_figures():
    assert faithfulness_warnings("30人受伤", "三十人受伤") == []
    assert faithfulness_warnings("6月1日开幕", "六月一日开幕") == []
    assert faithfulness_warnings("2023年开幕", "二〇二三年开幕") == []


@pytest.mark.parametrize("text,value", [
    ("三十", 30), ("十五", 15), ("一百零五", 105), ("两万三千", 23000), ("二〇二三", 2023), ("三点五", 3.5),
    ("一亿二千万", 120_000_000), ("一些", None), ("点", None),
])
def test_parse_chinese_number(text, value):
    assert parse_chinese_number(text) == value
