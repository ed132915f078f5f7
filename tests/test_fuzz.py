"""Property-based fuzzing: no reader, splitter or writer crashes, whatever text it gets.

- the newspaper page splitter: 0 crashes in 20,000 page-like texts (headlines, datelines,
  captions, ``摄`` credits, editor's notes, blank-line gaps), every row a record or a bad row;
- ``lead_headline``: any text gives a string within ``max_chars`` that has words, or ``""``;
- every corpus format reader: any text gives records that pass ``validate_record``, bad rows,
  or an ``InputError`` (never another exception);
- encoding detection: valid UTF-8 always decodes to itself; a UTF-8 text cut inside a
  character is refused, never decoded as GB18030 mojibake;
- the JSONL writer: whatever strings (U+2028, U+0085, lone surrogates, ...) it writes,
  the project's JSONL reader reads back the same objects; NaN is refused before the file is touched.

The ``fuzz`` profile has no deadline (shared CI machines are slow) and no example
database (runs are reproducible from the seed Hypothesis prints on failure).
"""

from __future__ import annotations

import json
import math
import time

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from summarize.data.records import RowError, validate_record
from summarize.io.read import InputError

settings.register_profile(
    "fuzz", deadline=None, database=None, suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)
FUZZ = settings.get_profile("fuzz")

# --- page-like text ------------------------------------------------------------------------

PAGE_PIECES = [
    "高新区举行迎“七一”", "党工委书记专题党课活动", "园区：", "临港物流产业园区:", "“高标党建”引领稳步前行",
    "本报讯(记者高轶鹏 通讯员曹倩)", "本报讯", "本报北京6月1日电（记者 王明）", "新华社北京6月1日电(记者王明)",
    "中新网上海6月1日电", "6月26日下午，高新区召开会议。", "会议强调，要加强建设，", "推动高质量发展。",
    "图为活动现场。", "6月26日，园区一角。", "田泽宇 摄", "记者 田泽宇 摄", "（田泽宇 摄）", "张三/摄", "A B 摄", "摄",
    "本报记者 李四 摄影", "开栏的话", "编者按：今天开栏。", "【编后】", "今天开会，", "上半年，园区协助企业招工300余人",
    "。", "，", "！", "……", "“", "”", "(", ")", "（", "）", "【", "】", " ", "\u3000", "\t", "\u2028", "\u0085", "\r",
]
SEPARATORS = ["", "\n", "\n\n", "\n\n\n", "\n\n\n\n"]


def _page(data: bytes) -> str:
    """Bytes -> a page: cheap to generate, so 20,000 examples take seconds of Hypothesis overhead, not minutes."""
    n = len(PAGE_PIECES)
    return "".join(PAGE_PIECES[b % n] + SEPARATORS[(b // n) % len(SEPARATORS)] for b in data)


pages = st.binary(max_size=40).map(_page)
mixed_pages = st.lists(st.one_of(st.sampled_from(PAGE_PIECES + SEPARATORS), st.text(max_size=6)), max_size=30).map("".join)


def _check_rows(rows, text: str) -> None:
    lines = text.count("\n") + 1
    ids = set()
    for line, row in rows:
        assert isinstance(line, int) and 1 <= line <= lines
        if isinstance(row, RowError):
            assert str(row)
            continue
        assert row is None or validate_record(row) == [], row
        if row is not None:
            assert row["id"] not in ids
            ids.add(row["id"])


def test_newspaper_splitter_never_crashes_on_20000_pages():
    from summarize.data.formats.newspaper import parse

    count = 0

    @settings(FUZZ, max_examples=20_000)
    @given(pages)
    def check(text):
        nonlocal count
        count += 1
        _check_rows(list(parse(text, source="page.txt", path="page.txt")), text)

    started = time.perf_counter()
    check()
    print(f"\nnewspaper fuzz: {count} pages, 0 crashes, {time.perf_counter() - started:.1f} s")
    assert count >= 20_000


@settings(FUZZ, max_examples=800)
@given(mixed_pages)
def test_newspaper_splitter_with_arbitrary_text_pieces(text):
    from summarize.data.formats.newspaper import parse

    _check_rows(list(parse(text, source="page.txt", path="page.txt")), text)


# --- lead_headline -----------------------------------------------------------------------------


@settings(FUZZ, max_examples=1500)
@given(st.one_of(st.text(max_size=200), pages), st.integers(min_value=1, max_value=40))
def test_lead_headline_is_bounded_and_has_words_or_is_empty(text, max_chars):
    from summarize.headline.lead import LeadGenerator, has_words, lead_headline

    headline = lead_headline(text, max_chars)
    assert isinstance(headline, str) and len(headline) <= max_chars
    assert headline == "" or has_words(headline)
    if text.strip():
        result = LeadGenerator(max_chars).generate(text)
        assert result.headline == headline
        assert bool(result.warnings) == (headline == "")


# --- every format reader -------------------------------------------------------------------------

STRUCTURE = ["\t", "\n", "\r\n", '"', '""', ",", "<doc>", "</doc>", "<doc id=1>", "<summary>", "</summary>",
             "<short_text>", "</short_text>", "<human_label>", "</human_label>", "<contenttitle>", "</contenttitle>",
             "<content>", "</content>", "<url>", "{", "}", ":", '"text"', '"title"', "[", "]", "title,context,label",
             "text\ttitle", "标题", "正文内容。", "3", "\u2028", "\u3000", "\x00", "\ufeff", "null", "1e999"]
structured = st.lists(st.one_of(st.sampled_from(STRUCTURE), st.text(max_size=5)), max_size=40).map("".join)

FORMAT_CALLS = {
    "lcsts": ("summarize.data.formats.lcsts", "parse", {}),
    "lcsts-min-label": ("summarize.data.formats.lcsts", "parse", {"min_label": 3}),
    "csl": ("summarize.data.formats.csl", "parse", {}),
    "thucnews": ("summarize.data.formats.thucnews", "parse", {}),
    "sogoucs": ("summarize.data.formats.sogoucs", "parse", {}),
    "newspaper": ("summarize.data.formats.newspaper", "parse", {}),
    "jsonl": ("summarize.data.formats.tabular", "parse_jsonl", {}),
    "csv": ("summarize.data.formats.tabular", "parse_csv", {}),
    "tsv": ("summarize.data.formats.tabular", "parse_tsv", {}),
    "tsv-no-header": ("summarize.data.formats.tabular", "parse_tsv", {"header": False, "text_col": "1", "title_col": "0"}),
}


@pytest.mark.parametrize("fmt", list(FORMAT_CALLS))
def test_format_readers_give_records_bad_rows_or_input_errors(fmt):
    import importlib

    module, name, options = FORMAT_CALLS[fmt]
    parse = getattr(importlib.import_module(module), name)

    @settings(FUZZ, max_examples=400)
    @given(structured)
    def check(text):
        try:
            rows = list(parse(text, source="in.txt", path="in.txt", **options))
        except InputError:
            return
        for _, row in rows:
            assert row is None or isinstance(row, RowError) or validate_record(row) == [], row

    check()


@settings(FUZZ, max_examples=1500)
@given(st.text(max_size=80))
def test_utf8_decodes_to_itself_and_a_cut_character_is_refused(text):
    from summarize.io.read import decode_bytes

    data = text.encode("utf-8", errors="surrogatepass")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return
    assert decode_bytes(data, "x")[0] == text.removeprefix("\ufeff")
    if data and data[-1] >= 0x80:  # the last character is multi-byte: cut it
        cut = data[:-1]
        if cut.decode("utf-8", errors="ignore").encode() != cut:
            with pytest.raises(InputError, match="middle of a UTF-8 character"):
                decode_bytes(cut, "x")


@settings(FUZZ, max_examples=1500)
@given(st.binary(max_size=64))
def test_any_bytes_decode_or_are_refused(data):
    from summarize.io.read import decode_bytes

    try:
        text, encoding = decode_bytes(data, "x")
    except InputError:
        return
    assert encoding in ("utf-8", "gb18030") and isinstance(text, str)


# --- the JSONL writer ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)
rows_strategy = st.lists(st.dictionaries(st.text(), json_values, max_size=5), max_size=8)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("jsonl")


@settings(FUZZ, max_examples=150)
@given(rows=rows_strategy)
def test_jsonl_writer_output_always_reads_back(out_dir, rows):
    from summarize.io.atomic import atomic_write_jsonl
    from summarize.io.jsonl import BadRow, iter_jsonl

    path = out_dir / "out.jsonl"  # replaced by every example, as a rerun replaces its output
    assert atomic_write_jsonl(path, rows) == len(rows)
    if not rows:
        return
    back = list(iter_jsonl(path))
    assert not any(isinstance(obj, BadRow) for _, obj in back)
    assert [obj for _, obj in back] == rows
    assert [line for line, _ in back] == list(range(1, len(rows) + 1))  # one physical line per row
    for line in path.read_text(encoding="utf-8").split("\n")[:-1]:
        json.loads(line, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


@settings(FUZZ, max_examples=200)
@given(st.sampled_from([math.nan, math.inf, -math.inf]), st.text(max_size=10))
def test_jsonl_writer_refuses_nan_before_touching_the_file(tmp_path_factory, value, key):
    from summarize.io.atomic import atomic_write_json, atomic_write_jsonl

    folder = tmp_path_factory.mktemp("nan")
    target = folder / "out.jsonl"
    target.write_text("earlier\n", encoding="utf-8")
    with pytest.raises(ValueError):
        atomic_write_jsonl(target, [{"ok": 1}, {key: value}])
    with pytest.raises(ValueError):
        atomic_write_json(target, {key: [value]})
    assert target.read_text(encoding="utf-8") == "earlier\n"
    assert sorted(p.name for p in folder.iterdir()) == ["out.jsonl"]  # no temporary left behind
