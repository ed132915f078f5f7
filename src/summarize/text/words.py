"""Word boundaries as jieba finds them (dictionary only, HMM off), without jieba's half-second start.

The extractive headline model cuts candidates at word ends, so every ``summarize headline`` process
segments a few short windows. jieba's first call unmarshals its whole prefix dictionary (about 500k
words and prefixes, 0.47 s measured here: two thirds of the model's cold start) to segment perhaps
40 characters. This module gives the same segmentation from the same dictionary (the installed
jieba's ``dict.txt``), loaded cheaply:

- the dictionary is kept as one sorted word list plus a frequency array, in a cache file built once
  from ``dict.txt`` (:mod:`summarize.io.jieba_words`, keyed by the file's sha256; 0.09 s to load);
- jieba's lookup table (each word with its frequency, each proper prefix with 0) is filled one first
  character at a time, for the characters the text actually holds;
- the segmentation rule is jieba's ``cut(text, HMM=False)``: blocks of Han characters, Latin letters,
  digits and ``+#&._%-`` are segmented along the most probable path through the graph of dictionary
  words (ties go to the longer word), consecutive single letters or digits are merged, and every
  other character stands alone (``\\r\\n`` as one).

tests/test_text_words.py checks equality with jieba itself on corpus windows and generated text.
Thread safety: filling the table is idempotent, so concurrent callers at worst repeat work.
(The cached loader and the process-wide default live in :mod:`summarize.io.jieba_words`.)
"""

from __future__ import annotations

import json
import math
import os
import re
from array import array
from bisect import bisect_left
from typing import Any


# jieba 0.42's block and merge rules (see the module docstring).
_HAN_BLOCK = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-]+)")
_SKIP = re.compile("(\r\n|\\s)")
_LATIN_OR_DIGIT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_BLOCK_CACHE = 65536  # blocks whose word ends are kept (then the cache starts afresh)
_ABSENT: Any = object()  # table.get's default: None in the table means "a prefix, no word"

_MAGIC = b"summarize-words-v1\n"


class WordDictionary:
    """jieba's dictionary for ``word_ends``: a sorted word list, its frequencies and their total."""

    def __init__(self, words: list[str], freqs: array, total: int):
        self.words = words
        self.freqs = freqs
        self.total = total
        self.log_total = math.log(total)
        # jieba's FREQ for the first characters seen so far, as edge weights: each word's
        # log(freq) - log(total), None for a prefix that is no word.
        self._table: dict[str, float | None] = {}
        self._seen: set[str] = set()
        # Word ends of the Han/Latin/digit blocks segmented so far: a block is segmented on its own,
        # and the clauses of an article come back in many candidate texts.
        self._blocks: dict[str, tuple[int, ...]] = {}

    @classmethod
    def from_dict_txt(cls, path: str | os.PathLike) -> WordDictionary:
        """Parse jieba's ``word freq [tag]`` lines; a repeated word keeps its last frequency, and every
        line counts towards the total, as in jieba."""
        freq: dict[str, int] = {}
        total = 0
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                line = raw.strip().decode("utf-8")
                parts = line.split(" ")
                try:
                    word, count = parts[0], int(parts[1])
                except (IndexError, ValueError):
                    raise ValueError(f"{path}:{number}: not a 'word frequency' line: {line!r}") from None
                freq[word] = count
                total += count
        words = sorted(freq)
        return cls(words, array("q", (freq[w] for w in words)), total)

    def to_bytes(self, source_sha256: str) -> bytes:
        header = json.dumps({"source_sha256": source_sha256, "words": len(self.words),
                             "total": self.total}).encode("utf-8")
        blob = "\n".join(self.words).encode("utf-8")
        return b"".join([_MAGIC, header, b"\n", str(len(blob)).encode(), b"\n", blob, self.freqs.tobytes()])

    @classmethod
    def from_bytes(cls, data: bytes, source_sha256: str) -> WordDictionary | None:
        """The dictionary in ``data``, or None when it is not a cache of that source (stale or damaged)."""
        if not data.startswith(_MAGIC):
            return None
        try:
            header_end = data.index(b"\n", len(_MAGIC))
            header = json.loads(data[len(_MAGIC):header_end])
            size_end = data.index(b"\n", header_end + 1)
            size = int(data[header_end + 1:size_end])
            words = data[size_end + 1:size_end + 1 + size].decode("utf-8").split("\n")
            freqs = array("q")
            freqs.frombytes(data[size_end + 1 + size:])
        except (ValueError, UnicodeDecodeError):
            return None
        if header.get("source_sha256") != source_sha256 or not len(words) == header.get("words") == len(freqs):
            return None
        return cls(words, freqs, header["total"])

    def _fill(self, text: str) -> None:
        """Add to the table the words starting with each character of ``text`` not seen yet, and their prefixes."""
        if self._seen.issuperset(text):  # the usual case once a job is under way: no set built
            return
        for first in set(text) - self._seen:
            lo = bisect_left(self.words, first)
            hi = bisect_left(self.words, chr(ord(first) + 1)) if ord(first) < 0x10FFFF else len(self.words)
            table, log, log_total = self._table, math.log, self.log_total
            for k in range(lo, hi):
                word = self.words[k]
                freq = self.freqs[k]
                # jieba's edge weight, log(freq or 1) - log(total), computed once per word; a word of
                # frequency 0 is a prefix to jieba (never an edge), so it is stored as one.
                table[word] = log(freq) - log_total if freq else None
                for end in range(1, len(word)):
                    table.setdefault(word[:end], None)
            self._seen.add(first)

    def _block_ends(self, block: str) -> list[int]:
        """Word ends of one Han/Latin/digit block: jieba's most probable path, single Latin letters merged.

        jieba builds the graph of dictionary words first, then the best route from the end; both
        depend only on the text after a position, so one right-to-left pass does both. The
        scores are jieba's own sums in jieba's order (bit for bit), and ties go to the longer word.
        """
        table, n = self._table, len(block)
        alone = -self.log_total  # a character that starts no word: log(1) - log(total)
        score = [0.0] * (n + 1)
        last = [0] * (n + 1)  # the end (exclusive) of the best first word from each position
        for k in range(n - 1, -1, -1):
            top, top_end = None, k + 1
            end, frag = k + 1, block[k]
            while (weight := table.get(frag, _ABSENT)) is not _ABSENT:
                if weight is not None:
                    total = weight + score[end]
                    if top is None or total >= top:
                        top, top_end = total, end
                if end == n:
                    break
                end += 1
                frag = block[k:end]
            score[k] = top if top is not None else alone + score[k + 1]
            last[k] = top_end
        ends: list[int] = []
        x, pending = 0, False
        while x < n:
            y = last[x]
            single_latin = y - x == 1 and block[x] in _LATIN_OR_DIGIT
            if not single_latin and pending:
                ends.append(x)
            pending = single_latin
            if not single_latin:
                ends.append(y)
            x = y
        if pending:
            ends.append(n)
        return ends

    def word_ends(self, text: str) -> tuple[int, ...]:
        """End offsets of the words of ``text``: the sums of ``len(w)`` over ``jieba.cut(text, HMM=False)``."""
        self._fill(text)
        ends: list[int] = []
        at = 0
        # split() with a capturing group alternates: other text, a Han/Latin/digit block, other text, ...
        for j, block in enumerate(_HAN_BLOCK.split(text)):
            if not block:
                continue
            if j % 2:
                found = self._blocks.get(block)
                if found is None:
                    if len(self._blocks) >= _BLOCK_CACHE:
                        self._blocks.clear()
                    found = self._blocks[block] = tuple(self._block_ends(block))
                ends.extend([at + e for e in found])
            else:
                for piece in _SKIP.split(block):
                    if _SKIP.match(piece):
                        ends.append(at + len(piece))
                    else:
                        ends.extend(range(at + 1, at + len(piece) + 1))
                    at += len(piece)
                continue
            at += len(block)
        return tuple(ends)


__all__ = ["WordDictionary"]
