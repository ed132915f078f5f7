"""Flag figures and quotations in a headline that the article does not contain.

A generated headline that invents "35%" or a date is worse than a dull one, so
every number, percentage, date and quoted phrase (“…”, "…", 《…》, 「…」, 『…』,
‘…’) of the headline must be found in the article; each one that is not gives a
warning an editor can read::

    faithfulness_warnings("利润增长35%", "公司利润增长了百分之三十。")
    -> ['percentage "35%" does not occur in the article']

How figures are compared (both sides are folded full-width -> half-width first,
so ``５０％`` is ``50%``):

- numbers compare by value, so ``1,000`` = ``1000`` and ``3万`` = ``30000``;
- percentages compare with percentages only (``50%`` or ``百分之五十``);
- dates compare by (month, day), so ``6月1日`` is found in ``2023年6月1日``;
  a year is checked as a number;
- quoted phrases must occur verbatim (spaces ignored), with or without quotes.

Chinese numerals: in the ARTICLE they count as evidence (``三十`` supports a
headline's ``30``, ``六月一日`` supports ``6月1日``). In the HEADLINE they are
not checked, except inside ``百分之…``: headline words like 一带一路, 十四五 or
第一 would otherwise drown editors in false alarms, and models copy such words
rather than invent them.
"""

from __future__ import annotations

import re

from summarize.text.normalize import fullwidth_to_halfwidth

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_SECTIONS = {"万": 10_000, "亿": 100_000_000}
_CN_NUM = "[零〇一二两三四五六七八九十百千万亿]+"
_CN_RUN = re.compile(_CN_NUM)

_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_MULTIPLIER = {"万": 1e4, "亿": 1e8, "千": 1e3}
_PERCENT = re.compile(rf"(\d+(?:\.\d+)?)\s*%|百分之\s*(\d+(?:\.\d+)?|{_CN_NUM}(?:点[零〇一二三四五六七八九]+)?)")
_DATE = re.compile(
    r"(?:(\d{2,4})\s*年\s*)?(\d{1,2})\s*月\s*(?:(\d{1,2})\s*[日号])?"
    r"|(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"
)
_QUOTES = re.compile(r"“([^”]+)”|\"([^\"]+)\"|《([^》]+)》|「([^」]+)」|『([^』]+)』|‘([^’]+)’")


def parse_chinese_number(text: str) -> float | None:
    """``三十`` -> 30, ``一百零五`` -> 105, ``二〇二三`` -> 2023, ``三点五`` -> 3.5; None if not a number."""
    whole, _, frac = text.partition("点")
    if frac and not all(c in _CN_DIGITS for c in frac):
        return None
    if not whole:
        return None
    if not any(c in _CN_UNITS or c in _CN_SECTIONS for c in whole):
        if not all(c in _CN_DIGITS for c in whole):
            return None
        value = float("".join(str(_CN_DIGITS[c]) for c in whole))
    else:
        total = section = 0
        digit: int | None = None
        for c in whole:
            if c in _CN_DIGITS:
                if digit not in (None, 0) and _CN_DIGITS[c] != 0:
                    return None  # two digits in a row with units around: not a number
                digit = _CN_DIGITS[c]
            elif c in _CN_UNITS:
                section += (1 if digit is None else digit) * _CN_UNITS[c]
                digit = None
            else:
                section += digit or 0
                if c == "亿":
                    total = (total + section) * _CN_SECTIONS[c]
                else:
                    total += section * _CN_SECTIONS[c]
                section, digit = 0, None
        value = float(total + section + (digit or 0))
    if frac:
        value += float("0." + "".join(str(_CN_DIGITS[c]) for c in frac))
    return value


def _number_values(text: str, start: int, end: int) -> set[float]:
    """Values one number mention stands for: itself, and scaled when followed by 万/亿/千."""
    raw = float(text[start:end].replace(",", ""))
    values = {round(raw, 6)}
    follow = text[end:end + 1]
    if follow in _MULTIPLIER:
        values.add(round(raw * _MULTIPLIER[follow], 6))
    return values


def _percent_value(match: re.Match) -> float | None:
    if match.group(1) is not None:
        return round(float(match.group(1)), 6)
    body = match.group(2)
    value = float(body) if body[0].isdigit() else parse_chinese_number(body)
    return None if value is None else round(value, 6)


def _date_key(match: re.Match) -> tuple[int, int | None]:
    if match.group(5) is not None:
        return int(match.group(5)), int(match.group(6))
    day = match.group(3)
    return int(match.group(2)), int(day) if day is not None else None


def _with_arabic_numerals(text: str) -> str:
    """Rewrite Chinese numerals as Arabic ones (article side only: extra evidence, never a warning)."""

    def repl(m: re.Match) -> str:
        value = parse_chinese_number(m.group(0))
        if value is None:
            return m.group(0)
        return str(int(value)) if value == int(value) else str(value)

    return _CN_RUN.sub(repl, text)


class _Facts:
    """Figures and text of the article, extracted once."""

    def __init__(self, article: str):
        folded = fullwidth_to_halfwidth(article)
        self.compact = _compact(folded)
        both = (folded, _with_arabic_numerals(folded))
        self.percents = {v for t in both for m in _PERCENT.finditer(t) if (v := _percent_value(m)) is not None}
        self.dates: set[tuple[int, int | None]] = set()
        for t in both:
            for m in _DATE.finditer(t):
                month, day = _date_key(m)
                self.dates.update({(month, day), (month, None)})
        self.numbers = {v for t in both for m in _NUMBER.finditer(t) for v in _number_values(t, m.start(), m.end())}


def _compact(text: str) -> str:
    return "".join(text.split()).lower()


def faithfulness_warnings(headline: str, article: str) -> list[str]:
    """One warning per number, percentage, date or quoted phrase of ``headline`` missing from ``article``."""
    text = fullwidth_to_halfwidth(headline)
    facts = _Facts(article)
    warnings: list[str] = []
    taken = [False] * len(text)

    def claim(m: re.Match) -> None:
        for i in range(m.start(), m.end()):
            taken[i] = True

    for m in _QUOTES.finditer(text):
        phrase = next(g for g in m.groups() if g is not None)
        if _compact(phrase) and _compact(phrase) not in facts.compact:
            warnings.append(f"quoted phrase {m.group(0)} does not occur in the article")
        # figures inside a quotation are judged with the quotation itself
        claim(m)
    for m in _PERCENT.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        value = _percent_value(m)
        if value is not None and value not in facts.percents:
            warnings.append(f'percentage "{m.group(0).strip()}" does not occur in the article')
        claim(m)
    for m in _DATE.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        month, day = _date_key(m)
        if (month, day) not in facts.dates:
            label = m.group(0).strip()
            warnings.append(f'date "{label}" does not occur in the article')
        elif m.group(1) is not None and not _number_values(text, m.start(1), m.end(1)) & facts.numbers:
            warnings.append(f'year "{m.group(1)}" does not occur in the article')
        claim(m)
    for m in _NUMBER.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        if not _number_values(text, m.start(), m.end()) & facts.numbers:
            warnings.append(f'number "{m.group(0)}" does not occur in the article')
    return list(dict.fromkeys(warnings))  # a figure repeated in the headline is reported once
