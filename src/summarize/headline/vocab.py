"""Moved to :mod:`summarize.text.vocab` (text primitives live in ``text/``); kept so old imports work."""

from summarize.text.vocab import SPECIALS, build_char_vocab, is_bert_punctuation, is_cjk

__all__ = ["SPECIALS", "build_char_vocab", "is_bert_punctuation", "is_cjk"]
