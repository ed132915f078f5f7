"""Benchmark: summarize's char-level ROUGE against rouge-chinese, same data, same run.

    .venv/bin/python scripts/bench_rouge.py            # full size, about 3-4 minutes (the baseline is slow)
    .venv/bin/python scripts/bench_rouge.py --quick    # baseline on a sample of each set, about 30 s

What it measures (targets from the evaluation brief):
1. 10,000 pairs of ~30-char headlines (lead-30 of an LCSTS text vs its summary): >= 5x faster;
2. 1,000 pairs of 500-char texts (THUCNews bodies, two overlapping windows): >= 50x faster;
3. one 4,000-char pair, where rouge-chinese's n*m table is still affordable: the ratio;
4. one 20,000-char pair with our scorer only: < 1 s, and tracemalloc peak for
   5k/10k/20k chars to show memory grows linearly.
The baseline is ``rouge_chinese.Rouge(exclusive=False)`` on space-joined
normalized characters, which must agree with us per pair: the script prints
the largest per-pair difference of F, P and R over every pair it compared.
Our timing includes normalization and averaging; the baseline's excludes its
input preparation. Real text is read from ../shared (or $SUMMARIZE_SHARED) when
present; otherwise text is generated from a Zipf-distributed character set.
With --quick the baseline runs on a sample and its full-size time is extrapolated
linearly (said so in the output): use the full run for numbers you report.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

from summarize.metrics.rouge import METRICS, rouge_scores, score_samples
from summarize.metrics.scoring_text import normalize_chars

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SUMMARIZE_SHARED", REPO.parent / "shared"))
_CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)] + list("，。、：；！？“”《》0123456789")


def _generated_text(rng: random.Random, length: int) -> str:
    weights = [1.0 / (rank + 1) for rank in range(len(_CJK))]
    return "".join(rng.choices(_CJK, weights=weights, k=length))


def _lcsts_pairs(n: int, rng: random.Random) -> tuple[list[str], list[str], str]:
    rows = []
    folder = SHARED / "data" / "lcsts"
    for name in ("train.tsv", "val.tsv", "test.tsv"):
        path = folder / name
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) == 2 and parts[0].strip() and parts[1].strip():
                    rows.append((parts[1][:30], parts[0]))  # lead-30 of the text vs the summary
    if rows:
        picked = [rows[i % len(rows)] for i in range(n)]
        return [p for p, _ in picked], [r for _, r in picked], f"LCSTS lead-30 vs summary ({len(rows)} distinct rows)"
    preds = [_generated_text(rng, 30) for _ in range(n)]
    refs = [p[:10] + _generated_text(rng, 20) for p in preds]
    return preds, refs, "generated"


def _thucnews_bodies() -> list[str]:
    bodies = []
    for name in ("train.csv", "val.csv"):
        path = SHARED / "data" / "thucnews" / name
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as handle:
                bodies += ["".join(row["context"].split()) for row in csv.DictReader(handle)]
    return bodies


def _long_pairs(n: int, length: int, rng: random.Random) -> tuple[list[str], list[str], str]:
    bodies = [b for b in _thucnews_bodies() if len(b) >= length + length // 5]
    if bodies:
        shift = length // 5
        picked = [bodies[i % len(bodies)] for i in range(n)]
        # Two overlapping windows of the same article: realistic overlap, different ends.
        return [b[:length] for b in picked], [b[shift:shift + length] for b in picked], "THUCNews bodies, two windows"
    preds = [_generated_text(rng, length) for _ in range(n)]
    return preds, [p[length // 5:] + _generated_text(rng, length // 5) for p in preds], "generated"


def _long_text(length: int, rng: random.Random) -> tuple[str, str]:
    """A pair of ``length``-char texts: concatenated articles, and the same with a shifted window."""
    corpus = "".join(_thucnews_bodies()) or _generated_text(rng, 3 * length)
    start = len(corpus) // 3
    return corpus[:length], corpus[start - length // 2:start + length // 2]


def _ours(preds: list[str], refs: list[str]) -> float:
    start = time.perf_counter()
    rouge_scores(preds, refs, word_level=False, bootstrap=0)
    return time.perf_counter() - start


def _baseline(preds: list[str], refs: list[str]) -> tuple[float, list]:
    from rouge_chinese import Rouge

    hyps = [" ".join(normalize_chars(p)) for p in preds]
    ref_s = [" ".join(normalize_chars(r)) for r in refs]
    rouge = Rouge(exclusive=False)
    start = time.perf_counter()
    scores = rouge.get_scores(hyps, ref_s)
    return time.perf_counter() - start, scores


def _max_diff(preds: list[str], refs: list[str], baseline_scores: list) -> float:
    ours = score_samples(preds, refs, word_level=False)
    worst = 0.0
    for mine, theirs in zip(ours, baseline_scores):
        for metric, key in zip(METRICS, ("rouge-1", "rouge-2", "rouge-l")):
            for stat in "fpr":
                worst = max(worst, abs(mine["char"][metric][stat] / 100.0 - theirs[key][stat]))
    return worst


def _nonempty(preds: list[str], refs: list[str]) -> tuple[list[str], list[str]]:
    # rouge-chinese raises on an empty hypothesis or reference; keep both runs on the same pairs.
    kept = [(p, r) for p, r in zip(preds, refs) if normalize_chars(p) and normalize_chars(r)]
    return [p for p, _ in kept], [r for _, r in kept]


def _compare(title: str, preds: list[str], refs: list[str], baseline_n: int) -> tuple[float, float]:
    preds, refs = _nonempty(preds, refs)
    n = len(preds)
    ours = min(_ours(preds, refs) for _ in range(3))
    base_n = min(baseline_n, n)
    base_time, base_scores = _baseline(preds[:base_n], refs[:base_n])
    base_full = base_time * n / base_n
    diff = _max_diff(preds[:base_n], refs[:base_n], base_scores)
    note = "" if base_n == n else f" (measured on {base_n} pairs, extrapolated linearly: --quick)"
    print(f"{title}: {n} pairs")
    print(f"  summarize     {ours:8.3f} s")
    print(f"  rouge-chinese {base_full:8.3f} s{note}")
    print(f"  speed-up      {base_full / ours:8.1f}x    max |diff| per pair (F,P,R in [0,1]): {diff:.2e}")
    return base_full / ours, diff


def _peak_memory(pred: str, ref: str) -> int:
    gc.collect()
    tracemalloc.start()
    score_samples([pred], [ref], word_level=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="run the baseline on a sample of each set")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"data: ../shared {'found' if (SHARED / 'README.md').is_file() else 'absent: generated text'}")

    preds, refs, source = _lcsts_pairs(10_000, rng)
    print(f"[headlines] {source}")
    head_ratio, head_diff = _compare("headlines ~30 chars", preds, refs, 2_000 if args.quick else 10_000)

    preds, refs, source = _long_pairs(1_000, 500, rng)
    print(f"[500-char texts] {source}")
    long_ratio, long_diff = _compare("500-char texts", preds, refs, 100 if args.quick else 1_000)

    pred, ref = _long_text(4_000, rng)
    ours_4k = min(_ours([pred], [ref]) for _ in range(3))
    base_4k, base_scores = _baseline([pred], [ref])
    diff_4k = _max_diff([pred], [ref], base_scores)
    print(f"one 4,000-char pair: summarize {ours_4k:.3f} s, rouge-chinese {base_4k:.2f} s, "
          f"speed-up {base_4k / ours_4k:.0f}x, max |diff| {diff_4k:.2e}")

    print("one long pair, our scorer only (rouge-chinese would need an n*m table):")
    peaks = {}
    for length in (5_000, 10_000, 20_000):
        pred, ref = _long_text(length, rng)
        seconds = min(_ours([pred], [ref]) for _ in range(2))
        peaks[length] = _peak_memory(pred, ref)
        print(f"  {length:6d} chars: {seconds:6.3f} s, peak {peaks[length] / 1e6:6.2f} MB "
              f"({peaks[length] / length:6.0f} B/char)")
    growth = peaks[20_000] / peaks[5_000]
    print(f"  memory 5k -> 20k chars: x{growth:.2f} for x4 the length (linear: ~4; quadratic: 16)")
    seconds_20k = min(_ours([pred], [ref]) for _ in range(2))

    worst = max(head_diff, long_diff, diff_4k)
    ok = head_ratio >= 5 and long_ratio >= 50 and seconds_20k < 1.0 and worst < 1e-6
    print(f"SUMMARY{' (quick: baseline sampled)' if args.quick else ''}: headlines x{head_ratio:.1f} (target >= 5), "
          f"500-char x{long_ratio:.1f} (target >= 50), 4k-char pair x{base_4k / ours_4k:.0f}, "
          f"20k-char pair {seconds_20k:.2f} s (target < 1), memory 5k->20k x{growth:.2f}, "
          f"max |diff| vs rouge-chinese(exclusive=False) {worst:.1e}: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
