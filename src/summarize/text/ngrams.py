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


@lru_cache(maxsize=4096)  # the extractive features ask twice for each candidate's bigrams
def char_bigrams(text: str) -> tuple[str, ...]:
    """The bigrams of ``text``'s word characters, in order, repeats kept."""
    chars = _NON_WORD.sub("", text)
    return tuple([a + b for a, b in zip(chars, chars[1:])])  # a list first: faster than a generator
