"""Split the raw text dump of a printed newspaper page into articles.

A page dump is a run of blocks separated by blank lines: headlines, datelines
(``本报讯(记者… 通讯员…)``), body paragraphs, photo captions (``… 摄``),
column labels and editor's notes, in reading order, with layout artifacts:
a sentence cut by a photo caption or a column break and continued later.
The rules below use only what print conventions make reliable, never the
strings of one particular page:

* An article starts at a dateline. Its headline is the run of short,
  unpunctuated blocks right before the dateline (an editor's note such as
  ``开栏的话`` may sit between them and is kept in ``meta.editor_note``).
* Headline parts are joined as printed: lines wrapped inside one block join
  with nothing (``高新区举行迎“七一”`` + ``党工委书记专题党课活动``); a kicker ending in
  a colon joins the next part with nothing (``园区:“高标党建”引领稳步前行``);
  separate decks (main line and subtitle, each its own block) join with one
  space. Blocks above a kicker, or above the last two decks when there is no
  kicker, are section/column labels (``meta.section``), not part of the title.
* A paragraph that does not end a sentence (``。！？!?…；:`` possibly followed
  by a closing quote or bracket) continues in the next body paragraph, joined
  with nothing: the break was a column or caption break inside a word.
* A paragraph ending in a photographer's credit (``… 田泽宇 摄``) is a caption;
  so is a complete paragraph that opens like a caption (a date such as
  ``6月26日`` or ``图为``), sits after a wide layout gap (two or more blank
  lines) and interrupts an unfinished sentence. Captions go to
  ``meta.captions``, credits to ``meta.photographers``.
* A headline followed only by a credited caption and no dateline is a photo-news
  item: its text is the caption without the credit.
* A dump with (almost) no blank lines has every line as a block; there a
  headline wrapped over two lines cannot be told from two decks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from summarize.data.records import RowError, make_record
from summarize.text.normalize import normalize_whitespace


HEADLINE_MAX_CHARS = 30  # per printed line; body fragments of this size are told apart by context
HEADLINE_MAX_LINES = 3
CAPTION_MAX_CHARS = 200
WIDE_GAP = 2  # blank lines; a caption box or page region leaves more than one
MAX_NOTE_PARAGRAPHS = 3

_SENTENCE_END = "。！？!?…；;：:"
_CLOSERS = "”’」』）)》〉]\"'"
_NO_HEADLINE_END = "，,、；;"
_NOTE_LABELS = ("开栏的话", "开栏语", "编者按", "编者的话", "编者手记", "写在前面", "编后", "编后语", "编后记")

_DATELINE = re.compile(
    r"^(?P<lead>本报讯|本报[\u4e00-\u9fff]{0,8}(?:\d{1,2}月\d{1,2}日)?电"
    r"|(?:新华社|中新社|中新网|人民网|新华网)[\u4e00-\u9fff]{0,8}(?:\d{1,2}月\d{1,2}日)?电)"
    r"\s*(?:[（(](?P<who>[^（()）]{0,80})[)）])?\s*"
)
_ROLES = {
    "本报记者": "reporters", "特约记者": "reporters", "见习记者": "reporters", "记者": "reporters",
    "通讯员": "correspondents", "实习生": "interns",
}
_ROLE_SPLIT = re.compile("(" + "|".join(sorted(_ROLES, key=len, reverse=True)) + ")")
_CREDIT = re.compile(
    r"(?P<before>^|[。！？!?…”」）)])\s*[（(]?\s*(?P<credit>[^。！？!?…（()）]{1,30}?)\s*(?P<slash>[/／])?\s*摄(?:影)?\s*[)）]?\s*$"
)
_NAME = re.compile(r"^(?:[\u4e00-\u9fff·]{2,4}|[A-Za-z][A-Za-z.\-]*)$")
_CAPTION_OPENER = re.compile(r"^(?:\d{1,2}月\d{1,2}日|图为|图[:：]|[上下左右]图|图[0-9①-⑩])")


@dataclass
class Block:
    """Consecutive non-blank lines of the dump."""

    lines: list[str]
    line: int  # 1-based line number of the first line
    gap: int | None  # blank lines before the block; None where the dump has no blank lines to count

    @property
    def text(self) -> str:
        # Lines wrapped inside one block are one printed line broken by the layout: join with nothing.
        return "".join(self.lines)


def split_blocks(text: str) -> list[Block]:
    """Blocks of consecutive lines; a line after a finished sentence or a dateline starts a new block.

    Dumps differ: most separate paragraphs by blank lines, and then a line
    break inside a block is a printed line wrapped by the layout; some dumps
    have (almost) no blank lines, and then every line is a block of its own.
    """
    lines = [normalize_whitespace(raw) for raw in text.split("\n")]
    filled = sum(1 for line in lines if line)
    line_mode = (len(lines) - filled) * 4 < filled
    blocks: list[Block] = []
    current: list[str] = []
    start = gap = 0
    for number, line in enumerate(lines, start=1):
        if line and current and (line_mode or ends_sentence(current[-1]) or _DATELINE.match(line)):
            blocks.append(Block(current, start, None if line_mode else gap))
            current, gap = [], 0
        if line:
            if not current:
                start = number
            current.append(line)
            continue
        if current:
            blocks.append(Block(current, start, None if line_mode else gap))
            current, gap = [], 0
        gap += 1
    if current:
        blocks.append(Block(current, start, None if line_mode else gap))
    return blocks


def ends_sentence(text: str) -> bool:
    """Does ``text`` end where a paragraph may end (sentence-final punctuation, maybe a closing quote)?"""
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def is_headline_like(block: Block) -> bool:
    text = block.text
    return (
        len(block.lines) <= HEADLINE_MAX_LINES
        and all(len(line) <= HEADLINE_MAX_CHARS for line in block.lines)
        and not any(ch in "。！？!?" for ch in text)
        and text[-1] not in _NO_HEADLINE_END
        and not _DATELINE.match(text)
        and split_credit(text) is None
    )


def is_kicker(text: str) -> bool:
    return text[-1] in ":："


def note_label(text: str) -> tuple[str, str] | None:
    """``(label, rest)`` when the block is an editor's note label or a paragraph starting with one."""
    bare = text.strip("【】[]〔〕 ")
    for label in _NOTE_LABELS:
        if bare == label or bare.rstrip(":：") == label:
            return label, ""
        for colon in (":", "："):
            if bare.startswith(label + colon):
                return label, bare[len(label) + 1:].strip()
    return None


def split_credit(text: str) -> tuple[str, list[str]] | None:
    """``(caption without credit, photographers)`` when ``text`` ends with a photo credit, else None."""
    match = _CREDIT.search(text)
    if not match:
        return None
    credit = match.group("credit")
    has_role = bool(_ROLE_SPLIT.search(credit))
    names = [n for n in re.split(r"[\s、，,/／]+", _ROLE_SPLIT.sub(" ", credit)) if n]
    if not names or not all(_NAME.match(n) for n in names):
        return None
    # A bare "XX摄" at the very start of a paragraph could be a sentence ("我们拍摄");
    # accept it only when something marks it as a credit.
    if not match.group("before") and not (has_role or match.group("slash") or re.search(r"\s摄", match.group(0))):
        return None
    return text[: match.start("credit")].rstrip(" （(").rstrip(), names


def parse_dateline(paragraph: str) -> tuple[dict, str] | None:
    """``(meta, rest of the paragraph)`` when ``paragraph`` opens with a dateline."""
    match = _DATELINE.match(paragraph)
    if not match:
        return None
    meta: dict = {"dateline": match.group(0).strip(), "reporters": [], "correspondents": []}
    role = "reporters"  # names without a role word are the paper's own reporters
    for piece in _ROLE_SPLIT.split(match.group("who") or ""):
        if piece in _ROLES:
            role = _ROLES[piece]
            continue
        for name in re.split(r"[\s、，,]+", piece):
            if name:
                meta.setdefault(role, []).append(name)
    return meta, paragraph[match.end():]


@dataclass
class _Page:
    blocks: list[Block]

    def __post_init__(self):
        texts = [b.text for b in self.blocks]
        self.dateline = [bool(_DATELINE.match(t)) for t in texts]
        self.headline = [is_headline_like(b) for b in self.blocks]
        self.note = [note_label(t) for t in texts]
        self.credit = [split_credit(t) is not None for t in texts]

    def is_paragraph(self, i: int) -> bool:
        return not (self.dateline[i] or self.headline[i] or self.note[i])

    def note_start(self, end: int, floor: int) -> int | None:
        """Start of an editor's note occupying blocks ``[start, end)``, if there is one."""
        j = end - 1
        while j >= floor and self.is_paragraph(j) and end - j <= MAX_NOTE_PARAGRAPHS:
            j -= 1
        if j >= floor and (note := self.note[j]) and (j < end - 1 or note[1]):
            return j
        return None

    def headline_start(self, end: int, floor: int) -> int:
        h = end
        while h - 1 >= floor and self.headline[h - 1] and not self.continues_previous(h - 1, floor):
            h -= 1
        return h

    def caption_part(self, i: int, floor: int) -> bool:
        """Is block ``i`` the unfinished first part of the caption that follows it?

        A short part can look like a headline; a comma gives it away when a
        headline-like block stands above it to be the real headline.
        """
        text = self.blocks[i].text
        if ends_sentence(text) or self.credit[i]:
            return False
        if self.is_paragraph(i):
            return True
        return self.headline[i] and any(ch in text for ch in ",，") and i - 1 >= floor and self.headline[i - 1]

    def continues_previous(self, i: int, floor: int) -> bool:
        # A short fragment right after an unfinished body paragraph is its continuation, not a headline.
        return i - 1 >= floor and self.unfinished(i - 1)

    def unfinished(self, i: int) -> bool:
        """A body paragraph cut mid-sentence (a credited caption is finished by its credit)."""
        return self.is_paragraph(i) and not self.credit[i] and not ends_sentence(self.blocks[i].text)


def build_headline(blocks: list[Block]) -> tuple[str, list[str]]:
    """``(title, section labels)`` from the headline blocks in print order."""
    texts = [b.text for b in blocks]
    kicker = max((i for i, t in enumerate(texts[:-1]) if is_kicker(t)), default=None)
    if kicker is not None:
        labels, parts = texts[:kicker], texts[kicker:]
        title = parts[0] + " ".join(parts[1:])
    else:
        labels, parts = texts[:-2], texts[-2:]
        title = " ".join(parts)
    return title, labels


def assemble_body(paragraphs: list[tuple[str, Block]]) -> tuple[list[str], list[str], list[str]]:
    """``(body paragraphs, captions, photographers)``: captions removed, broken sentences rejoined."""
    body: list[str] = []
    captions: list[str] = []
    photographers: list[str] = []
    pending = ""
    for i, (text, block) in enumerate(paragraphs):
        credit = split_credit(text)
        if credit is not None:
            captions.append(text)
            photographers.extend(n for n in credit[1] if n not in photographers)
            continue
        more = i + 1 < len(paragraphs)
        if pending and more and _interrupting_caption(text, block):
            captions.append(text)
            continue
        pending += text
        if ends_sentence(pending) or not more:
            body.append(pending)
            pending = ""
    if pending:
        body.append(pending)
    return body, captions, photographers


def _interrupting_caption(text: str, block: Block) -> bool:
    """An uncredited caption set into an unfinished sentence: it opens like a caption, after a wide gap.

    Without blank lines in the dump there is no gap to see; the opening and the interruption must do.
    """
    return (
        (block.gap is None or block.gap >= WIDE_GAP)
        and len(text) <= CAPTION_MAX_CHARS
        and ends_sentence(text)
        and bool(_CAPTION_OPENER.match(text))
    )


def _meta(**fields) -> dict:
    base: dict[str, Any] = {"kind": "article", "section": None, "dateline": None, "reporters": [], "correspondents": [],
            "captions": [], "photographers": []}
    base.update(fields)
    return base


def parse(text: str, *, source: str, path: str) -> Iterator[tuple[int, dict | RowError]]:
    page = _Page(split_blocks(text))
    datelines = [i for i, flag in enumerate(page.dateline) if flag]

    # Each article: where its region starts (headline, or an editor's note above it), its headline, its note.
    layout: list[tuple[int, int, tuple[int, int] | None]] = []
    floor = 0
    for d in datelines:
        end, note = d, None
        s = page.note_start(end, floor)
        if s is not None:
            note, end = (s, d), s
        h = page.headline_start(end, floor)
        region = h
        if note is None and (s := page.note_start(h, floor)) is not None:
            note, region = (s, h), s
        layout.append((region, h, note))
        floor = d + 1

    rows: list[tuple[int, dict | RowError]] = []
    lead_end = layout[0][0] if layout else len(page.blocks)
    rows += [row for _, row in _photo_news(page, 0, lead_end, source)]
    for k, d in enumerate(datelines):
        _, h, note = layout[k]
        stop = layout[k + 1][0] if k + 1 < len(layout) else len(page.blocks)
        news = _photo_news(page, d + 1, stop, source)
        rows.append(_article(page, h, note, d, news[0][0] if news else stop, source))
        rows += [row for _, row in news]
    yield from rows


def _photo_news(page: _Page, start: int, stop: int, source: str) -> list[tuple[int, tuple[int, dict | RowError]]]:
    """Photo-news items (headline + credited caption) at the tail of blocks ``[start, stop)``."""
    found: list[tuple[int, tuple[int, dict | RowError]]] = []
    while stop - 1 >= start and page.credit[stop - 1]:
        c = stop - 1
        while c - 1 >= start and page.caption_part(c - 1, start):
            c -= 1  # a caption broken across a column: its first parts end mid-sentence
        h = c
        while h - 1 >= start and page.headline[h - 1]:
            h -= 1
        if h == c:
            break
        if h - 1 >= start and page.unfinished(h - 1):
            break  # the "headline" continues an unfinished paragraph: this is a caption inside an article
        found.insert(0, (h, _photo_item(page, h, c, stop, source)))
        stop = h
    return found


def _photo_item(page: _Page, h: int, c: int, stop: int, source: str) -> tuple[int, dict | RowError]:
    title, labels = build_headline(page.blocks[h:c])
    line = page.blocks[h + len(labels)].line
    # The credit is read from the last block alone (that is where it was found):
    # joined to the parts above, a short credit such as "张三/摄" may no longer parse.
    credit = split_credit(page.blocks[stop - 1].text)
    assert credit is not None  # page.credit, the same call on the same block, is why this item exists
    last, names = credit
    body = "".join(b.text for b in page.blocks[c:stop - 1]) + last
    meta = _meta(kind="photo", section=" ".join(labels) or None, photographers=names)
    try:
        return line, make_record(source=source, line=line, title=title, text=body, meta=meta)
    except RowError as exc:
        return line, exc


def _article(page: _Page, h: int, note: tuple[int, int] | None, d: int, stop: int,
             source: str) -> tuple[int, dict | RowError]:
    blocks = page.blocks
    head_end = note[0] if note is not None and note[1] == d else d
    if h >= head_end:
        return blocks[d].line, RowError("no headline before the dateline")
    title, labels = build_headline(blocks[h:head_end])
    dateline = parse_dateline(blocks[d].text)
    assert dateline is not None  # d is where page.dateline found one, with the same pattern
    dateline_meta, first = dateline
    paragraphs = [(first, blocks[d])] if first.strip() else []
    paragraphs += [(b.text, b) for b in blocks[d + 1:stop]]
    body, captions, photographers = assemble_body(paragraphs)
    meta = _meta(section=" ".join(labels) or None, **dateline_meta, captions=captions, photographers=photographers)
    if note is not None:
        labelled = page.note[note[0]]
        assert labelled is not None  # note_start only returns a block that note_label recognised
        label, rest = labelled
        texts = ([rest] if rest else []) + [b.text for b in blocks[note[0] + 1:note[1]]]
        meta["editor_note"] = {"label": label, "text": "\n".join(texts)}
    line = blocks[h + len(labels)].line  # the headline's own first line, not a section label's
    try:
        return line, make_record(source=source, line=line, title=title, text="\n".join(body), meta=meta)
    except RowError as exc:
        return line, exc
