"""The newspaper-page splitter: synthetic pages written here, and the real seed page from ../shared."""

from __future__ import annotations

import pytest

from summarize.data import convert_file
from summarize.data.formats.newspaper import ends_sentence, parse_dateline, split_credit
from summarize.io.read import InputError

# A made-up page with the layouts of a real dump: a page label, an editor's note, a kicker, a three-deck
# headline under a column label, a credited caption and an uncredited one cutting sentences, words split
# across blank lines, a photo-news item between articles whose caption is broken too, a dateline without
# parentheses and a date-led body paragraph after a wide gap that is NOT a caption.
PAGE = """\
社区新闻

编者按

为展示基层治理新成效,本报今起推出系列报道,敬请关注。

城南街道:

“微网格”织密服务网

本报讯（记者张明 李华 通讯员王芳）5月8日,城南街道召开网格化管理推进会。

街道将辖区划分为120个微网格,每个网格配备专职网格员,确保问题



5月8日,网格员在社区走访居民。 记者 张明 摄

早发现、早处置。今年以来,共解决群众诉求300余件,满意率达98%。

下一步,街道将继续完善

网格服务机制。

百姓身边事

老旧小区加装电梯
开启居民“上下楼自由”

全区已完成45部

本报讯(通讯员赵强)近日,幸福里小区首部加装电梯正式投入



图为居民乘坐新装的电梯。

使用。目前,全区已完成加装电梯45部,惠及居

民2000余户。

雨后彩虹

5月9日傍晚,雨后城区上空出现彩虹,市民驻足拍

照。本报记者 孙丽 摄

夏粮收购工作启动

本报讯 近日,全市夏粮收购工作全面启动。



5月10日,记者在收储库点看到,烘干设备已调试完毕。
"""


@pytest.fixture()
def page_records(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    result = convert_file(path, "newspaper")
    assert result.bad_rows == []
    return result.records


def test_synthetic_page_headlines(page_records):
    assert [r["title"] for r in page_records] == [
        "城南街道:“微网格”织密服务网",
        "老旧小区加装电梯开启居民“上下楼自由” 全区已完成45部",
        "雨后彩虹",
        "夏粮收购工作启动",
    ]
    assert [r["meta"]["kind"] for r in page_records] == ["article", "article", "photo", "article"]
    assert [r["meta"]["line"] for r in page_records] == [7, 27, 42, 48]
    assert [r["id"] for r in page_records] == ["page-7", "page-27", "page-42", "page-48"]


def test_synthetic_page_datelines_and_notes(page_records):
    first, second, photo, third = page_records
    assert first["meta"]["dateline"] == "本报讯（记者张明 李华 通讯员王芳）"
    assert first["meta"]["reporters"] == ["张明", "李华"]
    assert first["meta"]["correspondents"] == ["王芳"]
    assert first["meta"]["editor_note"] == {"label": "编者按", "text": "为展示基层治理新成效,本报今起推出系列报道,敬请关注。"}
    assert second["meta"]["section"] == "百姓身边事"
    assert second["meta"]["reporters"] == [] and second["meta"]["correspondents"] == ["赵强"]
    assert third["meta"]["dateline"] == "本报讯"
    assert photo["meta"]["dateline"] is None
    for record in page_records:
        assert "本报讯" not in record["text"]
        assert "编者按" not in record["text"] and "敬请关注" not in record["text"]
        assert "社区新闻" not in record["text"] + record["title"]


def test_synthetic_page_captions_and_rejoined_sentences(page_records):
    first, second, photo, third = page_records
    assert first["text"] == (
        "5月8日,城南街道召开网格化管理推进会。\n"
        "街道将辖区划分为120个微网格,每个网格配备专职网格员,确保问题早发现、早处置。今年以来,共解决群众诉求300余件,满意率达98%。\n"
        "下一步,街道将继续完善网格服务机制。"
    )
    assert first["meta"]["captions"] == ["5月8日,网格员在社区走访居民。 记者 张明 摄"]
    assert first["meta"]["photographers"] == ["张明"]
    assert second["text"] == "近日,幸福里小区首部加装电梯正式投入使用。目前,全区已完成加装电梯45部,惠及居民2000余户。"
    assert second["meta"]["captions"] == ["图为居民乘坐新装的电梯。"]
    # A date-led paragraph after a wide gap that does not interrupt a sentence stays in the body.
    assert third["text"] == "近日,全市夏粮收购工作全面启动。\n5月10日,记者在收储库点看到,烘干设备已调试完毕。"
    assert third["meta"]["captions"] == []


def test_photo_news_item(page_records):
    photo = page_records[2]
    assert photo["text"] == "5月9日傍晚,雨后城区上空出现彩虹,市民驻足拍照。"
    assert photo["meta"]["photographers"] == ["孙丽"]


def test_dateline_without_headline_is_a_bad_row(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("\n本报讯(记者周某)没有标题的稿件。\n\n第二段。\n", encoding="utf-8")
    result = convert_file(path, "newspaper")
    assert result.records == []
    assert [(b.line, b.reason) for b in result.bad_rows] == [(2, "no headline before the dateline")]


def test_page_without_articles_is_an_error(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("只有一段文字,没有电头也没有图片说明。\n", encoding="utf-8")
    with pytest.raises(InputError, match="no newspaper records"):
        convert_file(path, "newspaper")


@pytest.mark.parametrize(("text", "expected"), [
    ("句子结束。", True), ("他说:“好。”", True), ("问号?", True), ("没有结束", False),
    ("打造“服务城管”", False), ("列举如下:", True), ("逗号,", False),
])
def test_ends_sentence(text, expected):
    assert ends_sentence(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("居民在走访。田泽宇 摄", ("居民在走访。", ["田泽宇"])),
    ("居民在走访。(本报记者 张三 李四 摄)", ("居民在走访。", ["张三", "李四"])),
    ("居民在走访。 王五/摄", ("居民在走访。", ["王五"])),
    ("本报记者 张三 摄", ("", ["张三"])),
    ("我们拍摄", None),
    ("这是一个很长的句子后面跟着摄", None),
])
def test_split_credit(text, expected):
    assert split_credit(text) == expected


def test_parse_dateline_roles():
    meta, rest = parse_dateline("本报北京5月1日电（记者 甲乙、丙丁 通讯员戊己 实习生庚辛）正文。")
    assert meta["dateline"] == "本报北京5月1日电（记者 甲乙、丙丁 通讯员戊己 实习生庚辛）"
    assert meta["reporters"] == ["甲乙", "丙丁"]
    assert meta["correspondents"] == ["戊己"]
    assert meta["interns"] == ["庚辛"]
    assert rest == "正文。"
    assert parse_dateline("本报记者今天看到") is None


# --- the real seed page -------------------------------------------------------------------------------

SEED = "seed/000_b98bbe3fd1689322.txt"
SEED_HEADLINES = [
    "高新区让科技成果从“纸上”落到“地上” 百家企业进高校 推动产学研合作",
    "临港物流产业园区:“高标党建”引领稳步前行",
    "创新创业服务园区:“链上发力”释放磁吸效应",
    "有“烟火气”更有“人情味” 区城管执法局打造“服务城管”",
    "皇台产业园区:建设“清廉园区”优化营商环境",
    "电气装备产业园区:贴心服务助推项目建设",
    "高新区举行迎“七一”党工委书记专题党课活动",
    "科技部火炬中心调研重点产业发展情况",
    "今年以来经济运行情况如何 来听一听汇报、分析、研判",
    "送清凉到岗位",
]


@pytest.fixture(scope="module")
def seed_records(shared_file):
    return convert_file(shared_file(SEED), "newspaper").records


def test_seed_page_headlines(seed_records):
    assert [r["title"] for r in seed_records] == SEED_HEADLINES
    assert [r["meta"]["kind"] for r in seed_records] == ["article"] * 9 + ["photo"]
    assert seed_records[1]["meta"]["section"] == "百名博士进高新"


def test_seed_page_datelines(seed_records):
    articles = seed_records[:9]
    assert articles[0]["meta"]["dateline"] == "本报讯(记者高轶鹏)"
    assert articles[0]["meta"]["correspondents"] == []
    assert [r["meta"]["correspondents"] for r in articles[1:]] == [
        ["曹倩"], ["张腾飞"], ["禄建涛"], ["孙喜来"], ["何军慧"], ["陈河泽"], ["李星莹"], ["董莹"]]
    for record in articles:
        assert record["meta"]["dateline"].startswith("本报讯(记者高轶鹏")
        assert record["meta"]["reporters"] == ["高轶鹏"]
    for record in seed_records:
        assert "本报讯" not in record["text"] and "记者高轶鹏" not in record["text"]


def test_seed_page_captions_and_notes_not_in_bodies(seed_records):
    first = seed_records[0]
    assert first["meta"]["captions"] == [
        "6月26日,参加活动的企业负责人、技术骨干与河南城建学院河南省煤盐资源高效利用工程中心负责人沟通交流,就下一步深度合作达成共识。"]
    assert first["meta"]["editor_note"]["label"] == "开栏的话"
    everything = "\n".join(r["title"] + "\n" + r["text"] for r in seed_records)
    assert "参加活动的企业负责人" not in everything
    assert "开栏的话" not in everything and "本版今起开设" not in everything
    assert "摄" not in everything
    assert "百名博士进高新" not in [r["title"] for r in seed_records]


def test_seed_page_column_breaks_repaired(seed_records):
    texts = {r["title"]: r["text"] for r in seed_records}
    joins = {
        SEED_HEADLINES[0]: ["帮助企业业链接上下游资源", "更直观和深入地跟高校交流学习", "持续深入开展“百名博士进高新”产学研合作对接系列活动"],
        SEED_HEADLINES[3]: ["助力企业“一次都不跑”。", "带动就业320余人"],
        SEED_HEADLINES[4]: ["进一步规范干部职工的行为底线", "将创建“清廉园区”作为打造一流营商环境"],
        SEED_HEADLINES[5]: ["园区树牢“盯着项目看", "针对谋划的新开工项目,园区安排项目服务员全程跟进"],
        SEED_HEADLINES[6]: ["平顶山高新区创新驱动高质量发展的探索。"],
        SEED_HEADLINES[8]: ["坚持目标导向,强化问题导向,加压奋进"],
        SEED_HEADLINES[9]: ["环卫工人、建筑工人、消防队员和警务人员"],
    }
    for title, pieces in joins.items():
        for piece in pieces:
            assert piece in texts[title]
    # Every paragraph of every body ends a sentence: nothing was left cut.
    for text in texts.values():
        for paragraph in text.split("\n"):
            assert ends_sentence(paragraph), paragraph
    assert texts[SEED_HEADLINES[0]].count("\n") == 6


def test_seed_photo_news(seed_records):
    photo = seed_records[-1]
    assert photo["meta"]["photographers"] == ["田泽宇"]
    assert photo["text"].startswith("6月27日上午,高新区开展基层一线“夏送清凉”慰问活动")
    assert photo["text"].endswith("其他消暑物资2400件(盒)。")


def test_crlf_and_indented_dump_gives_the_same_records(tmp_path, page_records):
    path = tmp_path / "page.txt"
    path.write_bytes("\r\n".join("\u3000\u3000" + line if line else line for line in PAGE.split("\n")).encode("gb18030"))
    result = convert_file(path, "newspaper")
    assert [(r["title"], r["text"], r["meta"]) for r in result.records] == [
        (r["title"], r["text"], r["meta"]) for r in page_records]


def test_seed_page_without_blank_lines(shared_file, seed_records, tmp_path):
    # Some dumps separate paragraphs by line breaks only: then every line is its own block, and
    # a headline wrapped over two lines can no longer be told from two decks (it gets a space).
    text = shared_file(SEED).read_text(encoding="utf-8")
    path = tmp_path / "dense.txt"
    path.write_text("\n".join(line for line in text.split("\n") if line.strip()), encoding="utf-8")
    dense = convert_file(path, "newspaper").records
    assert [r["text"] for r in dense] == [r["text"] for r in seed_records]
    assert [r["meta"]["captions"] for r in dense] == [r["meta"]["captions"] for r in seed_records]
    expected = list(SEED_HEADLINES)
    expected[6] = "高新区举行迎“七一” 党工委书记专题党课活动"
    expected[7] = "科技部火炬中心 调研重点产业发展情况"
    assert [r["title"] for r in dense] == expected
