"""Score the offline lead-v1 headline against the plain first-sentence baseline.

    .venv/bin/python scripts/eval_lead.py                 # val files of ../shared
    .venv/bin/python scripts/eval_lead.py --split train   # the files lead-v1 was tuned on
    .venv/bin/python scripts/eval_lead.py --max-chars 24

Reads LCSTS (``summary<TAB>text``) and THUCNews (CSV ``title,context,...``)
straight from ../shared/data (or --shared DIR) and prints char-level
ROUGE-1/2/L F (x100, ROUGE-1.5.5 counting, ``summarize.metrics.rouge``) for both
methods on both sets. Baseline: ``summarize.headline.lead.first_sentence``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from summarize.headline.lead import first_sentence, lead_headline
from summarize.metrics.rouge import rouge_scores

REPO = Path(__file__).resolve().parents[1]
SETS = {"lcsts": "data/lcsts/{split}.tsv", "thucnews": "data/thucnews/{split}.csv"}


def read_lcsts(path: Path) -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return [(r[0], r[1]) for r in rows if len(r) == 2]


def read_thucnews(path: Path) -> list[tuple[str, str]]:
    csv.field_size_limit(sys.maxsize)  # bodies are long multi-line fields
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["title"], row["context"]) for row in csv.DictReader(handle)]


def scores(predictions: list[str], references: list[str]) -> tuple[float, float, float]:
    char = rouge_scores(predictions, references, word_level=False, bootstrap=0)["char"]
    return tuple(char[m]["f"] for m in ("rouge1", "rouge2", "rougeL"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared data folder")
    parser.add_argument("--split", default="val", choices=["train", "val"], help="which files to score")
    parser.add_argument("--max-chars", type=int, default=30, help="headline budget of lead-v1 (default 30)")
    args = parser.parse_args()
    readers = {"lcsts": read_lcsts, "thucnews": read_thucnews}
    print(f"{'set':<10} {'method':<15} {'n':>5} {'R-1':>6} {'R-2':>6} {'R-L':>6} {'chars':>6}")
    for name, pattern in SETS.items():
        path = args.shared / pattern.format(split=args.split)
        if not path.is_file():
            print(f"{name}: {path} not found, skipped", file=sys.stderr)
            continue
        pairs = readers[name](path)
        refs = [title for title, _ in pairs]
        methods = {"first-sentence": first_sentence, "lead-v1": lambda t: lead_headline(t, args.max_chars)}
        for label, method in methods.items():
            preds = [method(text) for _, text in pairs]
            r1, r2, rl = scores(preds, refs)
            mean_len = sum(map(len, preds)) / len(preds)
            print(f"{name:<10} {label:<15} {len(pairs):>5} {r1:6.2f} {r2:6.2f} {rl:6.2f} {mean_len:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
