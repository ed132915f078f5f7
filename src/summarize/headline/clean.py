"""Moved to :mod:`summarize.text.clean` (text primitives live in ``text/``); kept so old imports work."""

from summarize.text.clean import SPECIAL_TOKENS, clean_headline

__all__ = ["SPECIAL_TOKENS", "clean_headline"]
