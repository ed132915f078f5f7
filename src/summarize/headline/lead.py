"""``lead-v1``: an extractive headline that needs no model weights.

News puts the gist first, so the headline is taken from the lead:

1. strip datelines and bylines (``本报讯(记者…)``, ``新华社北京6月1日电(记者…)``,
   ``中新网…电``, ``新浪科技讯``, ``【…】``, ``（记者 …）``, ``本报记者 XX``);
2. split the first paragraphs into sentences (。！？!?; and line breaks);
3. score the first few sentences by centrality - the share of their character
   bigrams found in the rest of the article - times a position prior, and take
   the best (a lead sentence usually wins; a dateline-only or off-topic opener
   does not; a sentence opening with a connective such as 其中/结果 is penalized);
4. compress: drop parentheticals (``(图)``, sources, English names) and leading
   time/place/source adverbials (``6月26日，``, ``日前，``, ``北京时间…消息，``, ``据…报道，``);
5. bound it to ``max_chars``: cut at the last clause boundary (，、；：) that
   fits, falling back to a hard cut only when the clause would be too short.

The weights of step 3 and the shortest acceptable clause of step 5 were tuned
on the LCSTS and THUCNews *train* files; ``scripts/eval_lead.py`` reports the
val scores against the plain first sentence (``first_sentence``).

    from summarize import lead_headline
    lead_headline("本报讯(记者高轶鹏)6月26日，高新区举行…。…")   # -> "高新区举行…"
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from summarize.headline.result import HeadlineResult
from summarize.text.normalize import normalize_whitespace

METHOD = "lead-v1"

_OPEN, _CLOSE = "[（(]", "[）)]"
_PAREN = rf"{_OPEN}[^（()）\n]{{0,40}}{_CLOSE}"
# Prefixes removed from the start of the article (repeatedly, in any order).
_DATELINES = [
    re.compile(r"^【[^】\n]{0,40}】"),
    re.compile(r"^\[[^\]\n]{0,30}\]"),
    re.compile(r"^⊙[^\n/，。]{0,20}?(报道|讯|电)"),
    # 本报讯 / 新浪科技讯 / 新华社北京6月1日电 / 中新网上海6月1日电 / 本报北京6月1日电
    re.compile(rf"^[^\s，。,：:（()）“”]{{2,26}}?(讯|电)(\s*{_PAREN})?(?=[\s（(【“]|$|[^\u4e00-\u9fff])"),
    re.compile(rf"^{_OPEN}\s*(本报)?(记者|通讯员|通讯|实习生|编辑)[^（()）\n]{{0,40}}{_CLOSE}"),
    re.compile(r"^(本报|本刊)?(特约)?记者\s*[\u4e00-\u9fff]{2,4}(\s*(报道|摄影?|/))?(?=[\s/]|$)"),
    re.compile(r"^(文|图|来源|作者|编辑)\s*[：:/][^\s，。]{0,20}\s"),
    re.compile(rf"^{_PAREN}"),
    re.compile(r"^(导语|摘要|编者按|核心提示|提要)\s*[：:]"),
    re.compile(r"^[*＊#]+[^*＊#\n]{0,12}[*＊#]+"),
]
# Leading adverbials dropped from the chosen sentence: when and where it
# happened or who reported it is rarely headline material.
_TIME = r"(\d{2,4}年)?(\d{1,2}月)?(\d{1,2}[日号])?(凌晨|早间|早上|上午|中午|午间|下午|傍晚|晚间|晚上|晚|夜间)?"
_ADVERBIALS = [
    re.compile(r"^(北京时间|当地时间|美国东部时间|东部时间|格林尼治时间)[^，,。]{0,16}[，,]"),
    re.compile(r"^[^，,。]{0,16}消息[，,:：]"),
    re.compile(rf"^{_TIME}(?<=\S)[，,]"),
    re.compile(r"^(日前|近日|近期|目前|昨天|昨日|前天|今天|今日|今晨|昨晚|今年|去年|本周|上周|近年来|近年|最近|此前|据悉|据了解|据介绍|另悉|记者获悉|记者了解到)[^，,。]{0,4}[，,]"),
    re.compile(r"^据[^，,。]{1,24}(报道|消息|了解|介绍|透露|统计|显示|称)[，,]"),
    re.compile(r"^记者[^，,。]{0,24}(获悉|了解到|发现|注意到)[，,]"),
    re.compile(rf"^(在|于)?{_TIME}(?<=\S)"),
]
# A sentence ends at 。！？!?; or a line break; closing quotes/brackets right
# after the stop stay with it ("“……。”习近平说。" is one sentence, not a stray "”习近平说").
_SENTENCE = re.compile(r'[^。！？!?；;\n]+(?:[。！？!?；;]+[”"’』」)）]*)?|[”"’』」)）]+')
# Parentheticals (sources, English names, "(图)") cost characters and rarely carry the news.
_PARENTHETICAL = re.compile(r"[（(][^（()）]{0,30}[）)]|\[[^\]]{0,30}\]")
# A sentence opening with a connective continues the previous one; it rarely stands alone.
_CONNECTIVE = re.compile(r"^(其中|结果|此外|另外|但是?|而且?|同时|因此|所以|不过|对此|随后|然而|原来|于是|并且|这|他们?|她们?|它)")
_CLAUSE_END = "，、；：,;:"
_TRAILING = "，、；：,;:。！？!?…—-·.\u3000 《“「『‘【（("
_FIRST_SENTENCE_END = re.compile(r"[。！？]")


@dataclass(frozen=True)
class LeadSettings:
    """Knobs of lead-v1 (defaults tuned on the train files)."""

    candidates: int = 3  # how many leading sentences compete
    connective_penalty: float = 0.6  # prior factor of a sentence opening with 其中/结果/但…
    position_decay: float = 0.8  # prior of sentence k is decay ** k
    centrality_weight: float = 0.5  # score = prior * (1 - w + w * centrality)
    min_sentence_chars: int = 6  # shorter "sentences" (labels, bylines) are skipped
    # A clause cut shorter than this falls back to a hard cut at max_chars: on
    # train, 10 -> 14 gained ~0.5 ROUGE-L; longer minimums gain < 0.2 and read worse.
    min_clause_chars: int = 14
    target_chars: int | None = None  # prefer a clause cut at or below this length (None: max_chars)


DEFAULT = LeadSettings()


def first_sentence(text: str) -> str:
    """The baseline ``lead_headline`` is measured against: the text up to its first 。！？
    (exclusive; the whole text when there is none), whitespace-normalized, nothing else."""
    text = normalize_whitespace(text)
    match = _FIRST_SENTENCE_END.search(text)
    return text[: match.start()] if match else text


def strip_datelines(text: str) -> str:
    """Remove datelines, bylines and bracketed source labels from the start of ``text``."""
    text = text.lstrip()
    changed = True
    while changed and text:
        changed = False
        for pattern in _DATELINES:
            match = pattern.match(text)
            if match and match.end() > 0 and match.end() < len(text):
                text = text[match.end():].lstrip(" \u3000\n/：:，,")
                changed = True
    return text


def drop_adverbials(sentence: str) -> str:
    """Drop leading time, place and source adverbials (``6月26日，``, ``据…报道，``)."""
    changed = True
    while changed:
        changed = False
        for pattern in _ADVERBIALS:
            match = pattern.match(sentence)
            if match and 0 < match.end() < len(sentence) - 1:
                sentence = sentence[match.end():].lstrip(_TRAILING)
                changed = True
    return sentence


def split_sentences(text: str) -> list[str]:
    return [s.strip(" \u3000") for s in _SENTENCE.findall(text) if s.strip(" \u3000")]


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if not c.isspace()]
    return {a + b for a, b in zip(chars, chars[1:])}


def bound_length(text: str, max_chars: int, settings: LeadSettings = DEFAULT) -> str:
    """Cut ``text`` to ``max_chars`` at the last clause boundary that fits (or hard, if none is long enough)."""
    text = text.strip(_TRAILING)
    limit = min(max_chars, settings.target_chars or max_chars)
    if len(text) <= limit:
        return text
    for cap in (limit, max_chars):
        cut = max((i for i, c in enumerate(text[: cap + 1]) if c in _CLAUSE_END), default=-1)
        if cut >= settings.min_clause_chars:
            return text[:cut].strip(_TRAILING)
    return text[:max_chars].strip(_TRAILING) if len(text) > max_chars else text


def choose_sentence(text: str, settings: LeadSettings = DEFAULT) -> str:
    """The lead sentence most central to the article among the first ``settings.candidates``."""
    body = strip_datelines(normalize_whitespace(text, keep_newlines=True))
    sentences = [s for s in (strip_datelines(s) for s in split_sentences(body)) if len(s) >= settings.min_sentence_chars]
    if not sentences:
        return first_sentence(body) or normalize_whitespace(text)
    pool = sentences[: settings.candidates]
    best, best_score = pool[0], float("-inf")
    for k, sentence in enumerate(pool):
        grams = _bigrams(sentence)
        rest = _bigrams("".join(s for j, s in enumerate(sentences) if j != k))
        centrality = len(grams & rest) / len(grams) if grams and rest else 0.0
        prior = settings.position_decay**k * (settings.connective_penalty if _CONNECTIVE.match(sentence) else 1.0)
        score = prior * (1 - settings.centrality_weight + settings.centrality_weight * centrality)
        if score > best_score:
            best, best_score = sentence, score
    return best


def lead_headline(text: str, max_chars: int = 30, settings: LeadSettings = DEFAULT) -> str:
    """An extractive headline of at most ``max_chars`` characters (see the module docstring)."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be >= 1, got {max_chars}")
    sentence = drop_adverbials(_PARENTHETICAL.sub("", choose_sentence(text, settings)))
    headline = bound_length(sentence, max_chars, settings)
    # Punctuation alone ("”", "……") is no headline: callers get "" and say so (LeadGenerator warns).
    return headline if has_words(headline) else ""


def has_words(text: str) -> bool:
    """Does ``text`` hold at least one letter or digit (CJK characters included)?"""
    return any(ch.isalnum() for ch in text)


NO_WORDS_WARNING = "no headline: the article has no letters or digits"
EMPTY_WARNING = "no headline: nothing usable was left after removing datelines and punctuation"


class LeadGenerator:
    """The lead method behind the same ``generate`` interface as ``HeadlineGenerator``.

    Decoding options a model would take (beams, min_chars, ...) do not apply
    and are ignored; ``max_chars`` is honoured. An article without words gets
    ``""`` with a warning in ``result.warnings``, never a stray punctuation mark.

    Thread safety: stateless after construction; share it freely.
    """

    method = METHOD

    def __init__(self, max_chars: int = 30, settings: LeadSettings = DEFAULT):
        self.max_chars = max_chars
        self.settings = settings

    def generate(self, texts: str | Sequence[str], *, max_chars: int | None = None, progress: Any = False,
                 **_ignored) -> HeadlineResult | list[HeadlineResult]:
        limit = max_chars if max_chars is not None else self.max_chars
        single = isinstance(texts, str)
        items = [texts] if isinstance(texts, str) else list(texts)
        for i, text in enumerate(items):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"article {i}: expected non-empty text, got {text!r:.40}")
        results = []
        for text in items:
            headline = lead_headline(text, limit, self.settings)
            warnings = () if headline else (NO_WORDS_WARNING if not has_words(text) else EMPTY_WARNING,)
            results.append(HeadlineResult(headline, METHOD, warnings=warnings))
            if callable(progress):
                progress(1)
        return results[0] if single else results
