"""Character n-grams of Chinese text for overlap and salience statistics.

    char_bigrams("新华社，北京") == ("新华", "华社", "社北", "北京")
    codes, owner = bigram_codes(["新华社", "北京"])   # the same bigrams of many texts as integers, in numpy
    bigram_text(codes[0]) == "新华"

Only word characters count (CJK ideographs, Latin letters, digits): punctuation
and spaces are dropped first, so a bigram may span a clause break. That is what
the extractive features want: a compression that removes a clause joins its
neighbours, and a headline drops the comma an article had.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# The word characters, as code point ranges: CJK ideographs, ASCII digits, ASCII letters.
WORD_RANGES = ((0x4E00, 0x9FFF), (0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A))
_NON_WORD = re.compile("[^" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in WORD_RANGES) + "]+")
_SHIFT = 21  # a code point fits in 21 bits: a bigram is one integer, first << 21 | second
_LOW = (1 << _SHIFT) - 1


def char_bigrams(text: str) -> tuple[str, ...]:
    """The bigrams of ``text``'s word characters, in order, repeats kept."""
    chars = _NON_WORD.sub("", text)
    return tuple([a + b for a, b in zip(chars, chars[1:])])  # a list first: faster than a generator


def bigram_codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``char_bigrams`` of every text at once, as integers (``first << 21 | second``, int64), with the index
    of the text each came from; texts in order, each text's bigrams in order, repeats kept."""
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    # One string with a separator after each text; whatever the separator is, it is no word
    # character, and only the lengths say where a text ends.
    points = np.frombuffer("\n".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(len(texts)), lengths + 1)[: len(points)]
    word = np.zeros(len(points), dtype=bool)
    for lo, hi in WORD_RANGES:
        word |= (points >= lo) & (points <= hi)
    points, owner = points[word], owner[word]
    same = owner[1:] == owner[:-1]
    return (points[:-1] << _SHIFT | points[1:])[same], owner[:-1][same]


def bigram_text(code: int) -> str:
    """The two characters of a bigram code from ``bigram_codes``."""
    return chr(code >> _SHIFT) + chr(code & _LOW)


def pair_codes(bigrams: Sequence[str]) -> np.ndarray:
    """The codes (as ``bigram_codes`` makes them) of two-character strings."""
    joined = "".join(bigrams)
    if len(joined) != 2 * len(bigrams):
        raise ValueError("every bigram must be two characters")
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64).reshape(-1, 2)
    return points[:, 0] << _SHIFT | points[:, 1]


def lookup_codes(codes: np.ndarray, table: np.ndarray, values: np.ndarray, default: float | int = 0
                 ) -> np.ndarray:
    """``values`` of each of ``codes`` in ``table`` (sorted codes, one value each), ``default`` where absent."""
    if len(table) == 0:
        return np.full(len(codes), default, dtype=values.dtype)
    at = np.minimum(np.searchsorted(table, codes), len(table) - 1)
    return np.where(table[at] == codes, values[at], default)


def contains_codes(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Which of ``codes`` are in ``table`` (any order): ``np.isin``, without its fixed cost on small arrays."""
    if len(table) == 0:
        return np.zeros(len(codes), dtype=bool)
    table = np.sort(table)
    return table[np.minimum(np.searchsorted(table, codes), len(table) - 1)] == codes
