"""Character n-grams of Chinese text for overlap and salience statistics.

    char_bigrams("新华社，北京") == ("新华", "华社", "社北", "北京")

Only word characters count (CJK ideographs, Latin letters, digits): punctuation
and spaces are dropped first, so a bigram may span a clause break. That is what
the extractive features want: a compression that removes a clause joins its
neighbours, and a headline drops the comma an article had.
"""

from __future__ import annotations

import re
from functools import lru_cache

_NON_WORD = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")


def char_bigrams(text: str) -> tuple[str, ...]:
    """The bigrams of ``text``'s word characters, in order, repeats kept."""
    # Headline-sized texts are asked for twice by the extractive features, so they are cached;
    # whole articles are not (thousands of bigrams each would make the cache hundreds of MB).
    return _short_bigrams(text) if len(text) <= _CACHED_CHARS else _bigrams(text)


_CACHED_CHARS = 64


def _bigrams(text: str) -> tuple[str, ...]:
    chars = _NON_WORD.sub("", text)
    return tuple([a + b for a, b in zip(chars, chars[1:])])  # a list first: faster than a generator


_short_bigrams = lru_cache(maxsize=4096)(_bigrams)
