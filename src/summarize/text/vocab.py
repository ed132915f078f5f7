"""A character vocabulary built from a training corpus, for models trained from scratch.

Layout: ``[PAD] [UNK] [CLS] [SEP] [MASK]``, then every character seen at
least ``min_count`` times, most frequent first (ties by code point, so the
same corpus always gives the same ids), then a ``##`` continuation entry for
each character that BERT's pre-tokenizer can glue into a multi-character
"word" (Latin letters, digits, other symbols). With those, a BertTokenizer
splits ``GPT4`` into ``G ##P ##T ##4`` (one token per character) instead of
mapping the whole word to [UNK], and decoding restores the word and its
surrounding spaces.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable

SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def is_cjk(char: str) -> bool:
    """The code-point ranges BERT treats as Chinese characters (each one is its own token)."""
    cp = ord(char)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def is_bert_punctuation(char: str) -> bool:
    """Characters BERT's pre-tokenizer always splits off on their own."""
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _usable(char: str) -> bool:
    # Whitespace separates words and control characters are removed by the
    # tokenizer's normalizer: neither can ever be looked up.
    return not char.isspace() and not unicodedata.category(char).startswith("C")


def build_char_vocab(texts: Iterable[str], min_count: int = 1) -> list[str]:
    """Vocabulary tokens in id order (see the module docstring for the layout)."""
    counts = Counter(ch for text in texts for ch in text if _usable(ch))
    chars = sorted((ch for ch, n in counts.items() if n >= min_count and ch not in SPECIALS), key=lambda c: (-counts[c], ord(c)))
    continuations = ["##" + ch for ch in chars if not is_cjk(ch) and not is_bert_punctuation(ch)]
    return [*SPECIALS, *chars, *continuations]
