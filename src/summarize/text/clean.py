"""Turn decoded model output into a headline a newsroom can print.

BERT-vocabulary models (fnlp/bart-base-chinese, uer/t5-*-chinese) decode with a
space between every token, so ``"高 新 区 launches new AI"`` must become
``"高新区launches new AI"``... but spaces between two Latin words carry meaning
and are kept.
"""

from __future__ import annotations

import re

SPECIAL_TOKENS = ("[UNK]", "[SEP]", "[CLS]", "[PAD]", "[MASK]", "<pad>", "</s>", "<s>", "<unk>", "<mask>")
_SPECIAL = re.compile("|".join(re.escape(t) for t in SPECIAL_TOKENS))
# A space is dropped unless both neighbours are "word" characters of a
# space-delimited script (Latin letters and digits).
_LATIN = r"[A-Za-z0-9\u00C0-\u024F]"
_SPACE_NOT_BETWEEN_LATIN = re.compile(rf"(?<!{_LATIN})\s+|\s+(?!{_LATIN})")
_WORDPIECE_JOIN = re.compile(r"\s*##")


def clean_headline(text: str) -> str:
    """Remove special tokens and tokenizer spacing; keep spaces between Latin words."""
    text = _SPECIAL.sub(" ", text)
    text = _WORDPIECE_JOIN.sub("", text)
    text = text.replace("\u3000", " ")
    text = _SPACE_NOT_BETWEEN_LATIN.sub("", text.strip())
    return " ".join(text.split())
