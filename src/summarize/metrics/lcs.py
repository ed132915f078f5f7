"""Length of the longest common subsequence, bit-parallel, in linear memory.

The textbook dynamic programme (what rouge-chinese runs) keeps an n*m table:
one 4,000-character pair costs seconds and a gigabyte. Here each row of that
table is one Python big int (Allison & Dix 1986; Hyyro 2004, "Bit-parallel LCS-length
computation revisited"): per token of the shorter sequence, four big-int
operations on a bit vector as wide as the longer one, i.e. O(n*m/w) work.

Memory: one match mask per distinct token would cost (distinct tokens) x (length)
bits, which grows faster than linearly on real text. So the longer sequence is
cut into blocks of ``BLOCK`` bits and processed one block at a time; the only
state carried from block to block is the carry bit of the addition at each step
(one byte per token of the shorter sequence). Peak memory is O(n + m + BLOCK^2/8).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

BLOCK = 4096


def _masks(segment: Sequence[Hashable]) -> dict:
    """Token -> bit mask of its positions in ``segment`` (at most BLOCK bits wide, so OR-ing in place is cheap)."""
    masks: dict = {}
    get = masks.get
    for i, tok in enumerate(segment):
        masks[tok] = get(tok, 0) | (1 << i)
    return masks


def lcs_length(a: Sequence[Hashable], b: Sequence[Hashable], *, block: int = BLOCK) -> int:
    """Length of the LCS of two sequences of hashable tokens (a str is a sequence of characters)."""
    if len(a) < len(b):
        a, b = b, a  # bits run over the longer sequence, the Python loop over the shorter
    m = len(a)
    if not b:
        return 0
    if m <= block:
        get = _masks(a).get
        full = (1 << m) - 1
        v = full
        for tok in b:
            u = v & get(tok, 0)
            # U is a subset of V, so V - U never borrows; only the addition carries.
            v = ((v + u) | (v - u)) & full
        return m - v.bit_count()

    carries = bytearray(len(b))  # carry out of the previous block at each step
    zeros = 0
    for start in range(0, m, block):
        segment = a[start:start + block]
        width = len(segment)
        full = (1 << width) - 1
        get = _masks(segment).get
        v = full
        for j, tok in enumerate(b):
            u = v & get(tok, 0)
            s = v + u + carries[j]
            carries[j] = s >> width
            v = (s | (v - u)) & full
        zeros += width - v.bit_count()
    return zeros
