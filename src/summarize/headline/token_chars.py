"""The character table behind headline length control: what each vocabulary token adds to a cleaned headline.

Pure Python (no torch), so a backend that is not torch - CTranslate2 - can use
it without loading torch. ``summarize.headline.length`` builds the decoding-time
logits processor on top of it; see that module for why lengths are counted this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarize.text.clean import _LATIN, clean_headline

_LATIN_CHAR = re.compile(_LATIN)
# Word-start markers: sentencepiece (mT5, Pegasus) and byte-level BPE.
_WORD_START = ("\u2581", "\u0120")
_WORDPIECE_CONTINUATION = "##"


@dataclass(frozen=True)
class TokenChars:
    """Per vocabulary id: characters added to the cleaned headline and how the token joins its neighbour.

    ``spaced``: the decoder puts a space before the token (a new word) - that
    space survives cleaning only between two Latin characters.
    """

    length: tuple[int, ...]
    starts_latin: tuple[bool, ...]
    ends_latin: tuple[bool, ...]
    spaced: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.length)


def token_chars(tokenizer) -> TokenChars:
    """Build the character table of ``tokenizer``'s vocabulary (special tokens have length 0)."""
    # ids can run past len(tokenizer) (a vocab file with repeated lines); cover every id it can emit
    size = max(len(tokenizer), max(tokenizer.get_vocab().values(), default=-1) + 1)
    tokens = [tokenizer.convert_ids_to_tokens(i) for i in range(size)]
    special = set(tokenizer.all_special_ids)
    wordpiece = any(isinstance(t, str) and t.startswith(_WORDPIECE_CONTINUATION) for t in tokens)
    length: list[int] = []
    starts: list[bool] = []
    ends: list[bool] = []
    spaced: list[bool] = []
    for i, tok in enumerate(tokens):
        if i in special or not isinstance(tok, str):
            length.append(0)
            starts.append(False)
            ends.append(False)
            spaced.append(True)
            continue
        if wordpiece:
            is_spaced = not tok.startswith(_WORDPIECE_CONTINUATION)
            tok = tok.removeprefix(_WORDPIECE_CONTINUATION)
        else:
            is_spaced = tok.startswith(_WORD_START)
            tok = tok.lstrip("".join(_WORD_START))
        text = clean_headline(tok.replace(_WORD_START[0], " ").replace(_WORD_START[1], " "))
        length.append(len(text))
        starts.append(bool(text) and bool(_LATIN_CHAR.match(text[0])))
        ends.append(bool(text) and bool(_LATIN_CHAR.match(text[-1])))
        # A token that cleans to nothing (a bare word marker) may still leave a
        # space behind it; counting it as spaced keeps the count an upper bound.
        spaced.append(is_spaced or not text)
    return TokenChars(tuple(length), tuple(starts), tuple(ends), tuple(spaced))


def cleaned_length(table: TokenChars, ids: list[int]) -> int:
    """Upper bound of ``len(clean_headline(decode(ids)))`` computed from the table (reference implementation)."""
    total, last_latin, pending_space = 0, False, False
    for i in ids:
        n = table.length[i] if i < len(table) else 0
        if n == 0:
            pending_space = pending_space or (table.spaced[i] if i < len(table) else True)
            continue
        if last_latin and table.starts_latin[i] and (pending_space or table.spaced[i]):
            total += 1
        total += n
        last_latin, pending_space = table.ends_latin[i], False
    return total
