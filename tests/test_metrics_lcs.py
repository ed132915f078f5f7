"""The bit-parallel LCS equals the textbook dynamic programme, across block boundaries too."""

from __future__ import annotations

import random

import pytest
from summarize.metrics.lcs import lcs_length


def lcs_dp(a, b) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("", "", 0), ("", "abc", 0), ("abc", "abc", 3), ("abcbdab", "bdcaba", 4), ("的的的", "的", 1), ("高新区", "区新高", 1)],
)
def test_known_values(a, b, expected):
    assert lcs_length(a, b) == expected
    assert lcs_length(b, a) == expected


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 4096])
def test_matches_dynamic_programme_for_any_block_width(block):
    rng = random.Random(block)
    for _ in range(300):
        a = "".join(rng.choice("abcd的了") for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice("abcd的了") for _ in range(rng.randint(0, 40)))
        assert lcs_length(a, b, block=block) == lcs_dp(a, b), (a, b)


def test_token_lists_and_long_inputs_across_blocks():
    rng = random.Random(0)
    words = ["高新区", "发布", "new", "york", "的"]
    a = [rng.choice(words) for _ in range(300)]
    b = [rng.choice(words) for _ in range(250)]
    expected = lcs_dp(a, b)
    assert lcs_length(a, b) == expected
    assert lcs_length(a, b, block=64) == expected  # five blocks, carries between them
