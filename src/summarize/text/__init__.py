"""Text utilities shared by the data, training and metrics code."""

from summarize.text.normalize import fullwidth_to_halfwidth, normalize_text, normalize_whitespace

__all__ = ["fullwidth_to_halfwidth", "normalize_text", "normalize_whitespace"]
