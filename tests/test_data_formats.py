"""Format readers on tiny files written here: LCSTS, CSL, THUCNews, SogouCS, generic JSONL/CSV/TSV."""

from __future__ import annotations

import json

import pytest

from summarize.data import convert_file, make_record, validate_record
from summarize.data.records import RowError
from summarize.io.read import InputError


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rows(result):
    return [(r["id"], r["title"], r["text"]) for r in result.records]


def bad(result):
    return [(b.line, b.reason) for b in result.bad_rows]


# --- records ------------------------------------------------------------------------------------------

def test_make_record_cleans_and_rejects_empty():
    record = make_record(source="a.tsv", line=3, title=" 标题\u3000一 ", text="\u3000\u3000第一段\n\n\u3000第二段 ", meta={"x": 1})
    assert record == {"id": "a-3", "title": "标题 一", "text": "第一段\n第二段", "meta": {"source": "a.tsv", "line": 3, "x": 1}}
    with pytest.raises(RowError, match="empty title"):
        make_record(source="a.tsv", line=1, title="\u3000", text="x")
    with pytest.raises(RowError, match="empty text"):
        make_record(source="a.tsv", line=1, title="t", text=" \n ")
    with pytest.raises(RowError, match="title must be a string"):
        make_record(source="a.tsv", line=1, title=["t"], text="x")


def test_validate_record():
    assert validate_record({"id": "a", "title": "t", "text": "x", "meta": {}}) == []
    problems = validate_record({"id": "", "title": "t", "extra": 1, "meta": []})
    assert "missing key 'text'" in problems
    assert "'id' must be a non-empty string" in problems
    assert "'meta' must be an object" in problems
    assert any("unexpected keys 'extra'" in p for p in problems)


# --- LCSTS --------------------------------------------------------------------------------------------

def test_lcsts_tsv_keeps_quotes_and_reports_bad_columns(tmp_path):
    path = write(tmp_path, "val.tsv", '摘要"一\t正文"带引号\n摘要二\t正文二\n只有一列\n摘要四\t\n')
    result = convert_file(path, "lcsts")
    assert rows(result) == [("val-1", '摘要"一', '正文"带引号'), ("val-2", "摘要二", "正文二")]
    assert bad(result) == [(3, "expected 2 tab-separated columns (summary, text), found 1"), (4, "empty text")]


LCSTS_XML = """<doc id=0>
    <human_label>5</human_label>
    <summary>
        第一条摘要
    </summary>
    <short_text>
        第一条正文 & 符号
    </short_text>
</doc>
<doc id=1>
    <human_label>2</human_label>
    <summary>
        第二条摘要
    </summary>
    <short_text>
        第二条正文
    </short_text>
</doc>
<doc id=2>
    <human_label>x</human_label>
    <summary>s</summary>
    <short_text>t</short_text>
</doc>
<doc id=3>
    <human_label>4</human_label>
    <summary>没有正文</summary>
</doc>
"""


def test_lcsts_xml_labels_and_min_label(tmp_path):
    path = write(tmp_path, "PART_II.txt", LCSTS_XML)
    result = convert_file(path, "lcsts")
    assert rows(result) == [("PART_II-1", "第一条摘要", "第一条正文 & 符号"), ("PART_II-10", "第二条摘要", "第二条正文")]
    assert [r["meta"]["human_label"] for r in result.records] == [5, 2]
    assert result.records[1]["meta"]["doc_id"] == "1"
    assert bad(result) == [(19, "human_label 'x' is not an integer"), (24, "<doc> has no <short_text>")]
    filtered = convert_file(path, "lcsts", min_label=3)
    assert [r["title"] for r in filtered.records] == ["第一条摘要"]
    assert filtered.filtered == 1


def test_lcsts_part_i_has_no_labels(tmp_path):
    path = write(tmp_path, "PART_I.txt", "<doc id=0>\n<summary>\n摘要\n</summary>\n<short_text>\n正文\n</short_text>\n</doc>\n")
    result = convert_file(path, "lcsts")
    assert rows(result) == [("PART_I-1", "摘要", "正文")]
    assert "human_label" not in result.records[0]["meta"]
    with pytest.raises(InputError, match="--min-label needs <human_label>"):
        convert_file(path, "lcsts", min_label=3)
    tsv = write(tmp_path, "a.tsv", "摘要\t正文\n")
    with pytest.raises(InputError, match="--min-label needs the PART_II/III layout"):
        convert_file(tsv, "lcsts", min_label=3)


def test_lcsts_unclosed_doc_is_bad(tmp_path):
    path = write(tmp_path, "p.txt", "<doc id=0>\n<summary>a</summary>\n<short_text>b</short_text>\n<doc id=1>\n"
                                    "<summary>c</summary>\n<short_text>d</short_text>\n</doc>\n")
    result = convert_file(path, "lcsts")
    assert rows(result) == [("p-4", "c", "d")]
    assert bad(result) == [(1, "<doc> is not closed by </doc>")]


# --- CSL ----------------------------------------------------------------------------------------------

def test_csl_three_and_two_column_layouts(tmp_path):
    three = write(tmp_path, "dev.tsv", "to title\t摘要一。\t标题一\nto title\t摘要二\n")
    result = convert_file(three, "csl")
    assert rows(result) == [("dev-1", "标题一", "摘要一。")]
    assert result.records[0]["meta"]["prompt"] == "to title"
    assert bad(result) == [(2, "expected 3 tab-separated columns (prompt, abstract, title) like the first row, found 2")]
    two = write(tmp_path, "clge.tsv", '标题"一\t摘要"一\n标题二\t摘要二\n')
    assert rows(convert_file(two, "csl")) == [("clge-1", '标题"一', '摘要"一'), ("clge-2", "标题二", "摘要二")]


# --- THUCNews -----------------------------------------------------------------------------------------

THUC = (
    'title,context,label,class,title_len,context_len\n'
    '标题一,"\u3000\u3000第一段，有""引号""。\n\u3000\u3000第二段。\n\n",3,房产,3,10\n'
    '标题二,,1,体育,3,0\n'
    '标题三,"正文三",2\n'
)


def test_thucnews_keeps_paragraphs_and_meta(tmp_path):
    path = write(tmp_path, "train.csv", THUC)
    result = convert_file(path, "thucnews")
    assert rows(result) == [("train-2", "标题一", '第一段，有"引号"。\n第二段。')]
    assert result.records[0]["meta"] == {"source": "train.csv", "line": 2, "class": "房产", "label": 3}
    assert bad(result) == [(6, "empty text"), (7, "expected 6 columns (title,context,label,class,title_len,context_len), found 3")]




def test_csv_quoting_error_is_a_bad_row(tmp_path):
    path = write(tmp_path, "t.csv", 'title,text\n标题,"正文"多余\n标题二,正文二\n')
    result = convert_file(path, "csv")
    assert rows(result) == [("t-3", "标题二", "正文二")]
    assert bad(result)[0][0] == 2 and "malformed CSV" in bad(result)[0][1]


# --- SogouCS ------------------------------------------------------------------------------------------

SOGOU = """<doc>
<url>http://news.sohu.com/a/1.shtml</url>
<docno>0001</docno>
<contenttitle>搜狐新闻标题 A&amp;B</contenttitle>
<content>第一段内容。\ue40c第二段内容。</content>
</doc>
<doc>
<url>http://news.sohu.com/a/2.shtml</url>
<docno>0002</docno>
<contenttitle>没有正文</contenttitle>
<content></content>
</doc>
<doc>
<url>http://news.sohu.com/a/3.shtml</url>
<docno>0003</docno>
<contenttitle>未闭合的正文 & 裸符号
<content>正文没有结束标签
</doc>
<doc>
<docno>0004</docno>
<content>没有标题</content>
</doc>
"""


def test_sogoucs_gb18030_tolerant(tmp_path):
    path = write(tmp_path, "news.sohunews.010806.txt", SOGOU, encoding="gb18030")
    result = convert_file(path, "sogoucs")
    assert result.encoding == "gb18030"
    assert rows(result) == [
        ("news.sohunews.010806-1", "搜狐新闻标题 A&B", "第一段内容。\n第二段内容。"),
        ("news.sohunews.010806-13", "未闭合的正文 & 裸符号", "正文没有结束标签"),
    ]
    assert result.records[0]["meta"]["url"] == "http://news.sohu.com/a/1.shtml"
    assert result.records[0]["meta"]["docno"] == "0001"
    assert bad(result) == [(7, "empty text"), (19, "<doc> has no <contenttitle>")]


# --- encodings ----------------------------------------------------------------------------------------

def test_gb18030_tsv_is_decoded_and_garbage_is_refused(tmp_path):
    path = write(tmp_path, "g.tsv", "摘要\t正文内容\n", encoding="gb18030")
    result = convert_file(path, "lcsts")
    assert rows(result) == [("g-1", "摘要", "正文内容")] and result.encoding == "gb18030"
    junk = tmp_path / "junk.tsv"
    junk.write_bytes(b"\xff\xfe\xfa\x80\x81\t\xfe\xff\n")
    with pytest.raises(InputError, match="junk.tsv: cannot decode as utf-8 or gb18030"):
        convert_file(junk, "lcsts")


# --- generic JSONL / CSV / TSV ------------------------------------------------------------------------

def test_jsonl_mapping_meta_and_bad_rows(tmp_path):
    lines = [
        {"headline": "标题一", "body": "正文一", "cat": "体育", "meta": {"year": 2020}},
        {"headline": "标题二"},
        "not json",
        {"headline": "标题三", "body": "正文三", "cat": "财经"},
        [1, 2],
    ]
    text = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    path = write(tmp_path, "in.jsonl", text)
    result = convert_file(path, "jsonl", text_col="body", title_col="headline")
    assert rows(result) == [("in-1", "标题一", "正文一"), ("in-4", "标题三", "正文三")]
    assert result.records[0]["meta"] == {"source": "in.jsonl", "line": 1, "cat": "体育", "year": 2020}
    reasons = bad(result)
    assert reasons[0] == (2, "missing key 'body' (row has keys: 'headline')")
    assert reasons[1][0] == 3 and reasons[1][1].startswith("invalid JSON")
    assert reasons[2] == (5, "expected a JSON object, got list")


def test_jsonl_mapping_missing_in_first_row_is_an_error(tmp_path):
    path = write(tmp_path, "in.jsonl", '{"title": "t", "body": "x"}\n')
    with pytest.raises(InputError, match=r"in.jsonl:1: no key 'text' \(--text-col\); available keys: 'title', 'body'"):
        convert_file(path, "jsonl")


def test_jsonl_with_a_line_separator_inside_a_string(tmp_path):
    # U+2028 is legal raw inside a JSON string; it must not split the row.
    path = write(tmp_path, "in.jsonl", json.dumps({"title": "t", "text": "a\u2028b"}, ensure_ascii=False) + "\n")
    assert len(convert_file(path, "jsonl").records) == 1


def test_tsv_and_csv_with_id_column_and_duplicates(tmp_path):
    path = write(tmp_path, "in.tsv", 'key\theadline\tbody\tcat\nA\t标题"一\t正文"一\t体育\nB\t标题二\t正文二\t财经\nA\t标题三\t正文三\t其他\n')
    result = convert_file(path, "tsv", text_col="body", title_col="headline", id_col="key")
    assert rows(result) == [("A", '标题"一', '正文"一'), ("B", "标题二", "正文二")]
    assert result.records[0]["meta"] == {"source": "in.tsv", "line": 2, "cat": "体育"}
    assert bad(result) == [(4, "duplicate id 'A' (first at line 2)")]
    csv_path = write(tmp_path, "in.csv", "标题,正文\n标题一,\"正文,一\"\n")
    result = convert_file(csv_path, "csv", text_col="1", title_col="0", header=False)
    assert rows(result) == [("in-1", "标题", "正文"), ("in-2", "标题一", "正文,一")]


@pytest.mark.parametrize(("name", "text", "fmt", "message"), [
    ("t.csv", "title,body\n标题,正文\n", "thucnews", "no column 'context' (THUCNews layout); available columns: 'title', 'body'"),
    ("in.tsv", "headline\tbody\n标题\t正文\n", "tsv",
     "no column 'text' (--text-col); available columns: 'headline', 'body'"),
])
def test_missing_column_lists_available(tmp_path, name, text, fmt, message):
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as exc:
        convert_file(path, fmt)
    assert str(exc.value) == f"{path}: {message}"


def test_options_must_fit_the_format(tmp_path):
    path = write(tmp_path, "a.tsv", "摘要\t正文\n")
    with pytest.raises(InputError, match="--text-col does not apply to --format lcsts"):
        convert_file(path, "lcsts", text_col="x")
    with pytest.raises(InputError, match="unknown format 'xml'"):
        convert_file(path, "xml")
