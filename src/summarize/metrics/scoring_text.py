"""Turn predictions and references into the token sequences that ROUGE counts.

Both sides always go through the same function, so a model is never punished
for the formatting of its tokenizer: BERT-vocabulary decoders emit
``"高 新 区 [SEP]"`` while the reference reads ``"高新区"``.

Char level (the primary metric): every character left after normalization,
punctuation included, is one token. Word level (secondary): jieba segmentation
of the same normalized text.
"""

from __future__ import annotations

import re

from summarize.text.clean import SPECIAL_TOKENS
from summarize.text.normalize import fullwidth_to_halfwidth, normalize_whitespace

_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")  # the code points fullwidth_to_halfwidth folds
_SPECIAL = re.compile("|".join(re.escape(t) for t in SPECIAL_TOKENS))
# At word level a space between two Latin letters or digits is the only word
# boundary the text carries ("new york" vs "newyork"), so it is kept there and
# dropped everywhere else (the spaces a BERT decoder puts between characters).
_LATIN = r"[a-z0-9\u00c0-\u024f]"
_SPACE_NOT_BETWEEN_LATIN = re.compile(rf"(?<!{_LATIN}) | (?!{_LATIN})")

# Recorded verbatim in every report, so a reader knows exactly what was compared.
NORMALIZATION = {
    "special_tokens_removed": list(SPECIAL_TOKENS),
    "fullwidth_to_halfwidth": True,
    "lowercase": True,
    "whitespace": "all removed (U+3000, zero-width and tokenizer spaces included)",
    "char_tokens": "every remaining character, punctuation included",
    "word_tokens": "jieba.lcut (default dictionary, HMM on) of the same text; a space between two "
    "Latin letters/digits is kept as a word boundary, whitespace tokens dropped",
}


def _base(text: str) -> str:
    # Fold first so that a full-width U+3000 becomes a space; strip special
    # tokens before lowercasing, since "[UNK]" would otherwise become "[unk]".
    if _FULLWIDTH.search(text):  # str.translate costs microseconds per call; most texts need no folding
        text = fullwidth_to_halfwidth(text)
    if "[" in text or "<" in text:  # the regex costs more than the whole rest; most texts have no tokens
        text = _SPECIAL.sub(" ", text)
    return normalize_whitespace(text.lower())


def normalize_chars(text: str) -> str:
    """The scoring text at char level: the string whose characters are the tokens."""
    return _base(text).replace(" ", "")


def normalize_words(text: str) -> str:
    """The scoring text before jieba: as :func:`normalize_chars`, but spaces between Latin words survive."""
    return _SPACE_NOT_BETWEEN_LATIN.sub("", _base(text))


_jieba = None


def word_tokens(text: str) -> list[str]:
    """jieba tokens of ``normalize_words(text)``, whitespace tokens dropped."""
    global _jieba
    if _jieba is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        _jieba = jieba
    return [tok for tok in _jieba.lcut(normalize_words(text)) if tok.strip()]
