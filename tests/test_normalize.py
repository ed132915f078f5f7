from summarize.text.normalize import fullwidth_to_halfwidth, normalize_text, normalize_whitespace


def test_whitespace_including_ideographic_space_and_zero_width():
    assert normalize_whitespace("\u3000\u3000新浪科技讯 \t北京\u200b时间\n\n9月") == "新浪科技讯 北京时间 9月"


def test_keep_newlines_collapses_blank_lines_and_indentation():
    text = "　　第一段。\r\n\r\n\r\n　　第二段 有  空格。\n   \n"
    assert normalize_whitespace(text, keep_newlines=True) == "第一段。\n第二段 有 空格。"


def test_fullwidth_fold_keeps_chinese_punctuation():
    assert fullwidth_to_halfwidth("ＧＤＰ增长５．２％，好！　") == "GDP增长5.2%,好! "
    assert fullwidth_to_halfwidth("。、「」") == "。、「」"


def test_options_are_off_by_default():
    assert normalize_text("ＡＢＣ ①") == "ＡＢＣ ①"
    assert normalize_text("ＡＢＣ ①", fullwidth=True) == "ABC ①"
    assert normalize_text("ＡＢＣ ①", nfkc=True) == "ABC 1"
    assert normalize_text("ＡＢＣ", fullwidth=True, lowercase=True) == "abc"
