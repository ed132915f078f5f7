"""One text normalization, used by the corpus pipeline, training and metrics alike.

Keeping it in one place matters: if the data code folded full-width digits and
the scorer did not, ROUGE would silently punish a model for the data code's choice.
"""

from __future__ import annotations

import re
import unicodedata

# str.split() already treats U+3000 (ideographic space), NBSP and the other
# Unicode spaces as whitespace; zero-width characters it does not, so add them.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_SPACE_RUN = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_ZW_TABLE = str.maketrans("", "", _ZERO_WIDTH)

# U+FF01..U+FF5E map onto U+0021..U+007E; U+3000 is the full-width space.
_FULL_TO_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULL_TO_HALF[0x3000] = 0x20


def fullwidth_to_halfwidth(text: str) -> str:
    """Fold full-width ASCII variants (`ＡＢＣ１２３，`) to their half-width forms.

    Only the FF01-FF5E block and U+3000 are touched, so Chinese punctuation such
    as `。` or `、`, which has no half-width twin in ASCII, is kept as is.
    """
    return text.translate(_FULL_TO_HALF)


def normalize_whitespace(text: str, *, keep_newlines: bool = False) -> str:
    """Collapse every run of whitespace (U+3000 included) into one ASCII space and strip.

    With ``keep_newlines`` paragraph breaks survive as single ``\\n`` so that
    bodies keep their paragraphs; otherwise the result is a single line.
    """
    text = text.translate(_ZW_TABLE)
    if not keep_newlines:
        return " ".join(text.split())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACE_RUN.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def normalize_text(
    text: str,
    *,
    fullwidth: bool = False,
    nfkc: bool = False,
    keep_newlines: bool = False,
    lowercase: bool = False,
) -> str:
    """Normalize ``text``: whitespace always; full-width folding, NFKC and lowercasing on request.

    NFKC subsumes the full-width fold but also rewrites characters such as `①`
    into `1` and `㎡` into `m2`, which is why it is a separate, explicit option.
    """
    if nfkc:
        text = unicodedata.normalize("NFKC", text)
    elif fullwidth:
        text = fullwidth_to_halfwidth(text)
    if lowercase:
        text = text.lower()
    return normalize_whitespace(text, keep_newlines=keep_newlines)
