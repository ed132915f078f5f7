"""Speed of the extractive headline model beside lead-v1, in the same process; and the CLI's cold start.

    .venv/bin/python scripts/bench_extractive.py --model runs/extractive/model
    .venv/bin/python scripts/bench_extractive.py --model M --model-e5 runs/extractive-e5/model
    .venv/bin/python scripts/bench_extractive.py --model M --quick      # 30 articles, a smoke run

Articles: LCSTS test, THUCNews val and CSL dev from ../shared (300 of each; all
three lengths of article), or ``--data FILE.jsonl``, or the bundled corpus when
neither exists. Both methods headline the same articles in one list, each after a
warm-up on *other* articles (the next 200 of each set): the one-time costs (jieba's
dictionary, the LightGBM import and booster, per-process caches) belong to the cold
start, which is measured on its own, and warming on the timed articles themselves
would pre-fill the word-segmentation cache for them. Threads: 2 (``--threads``) for numpy/BLAS and torch. Cold start: a fresh
``summarize headline TEXT`` process without ``--model``, timed from outside, and
whether it imported torch. LAST line: ``extractive_articles_per_s=.. lead_articles_per_s=..
ratio=.. [e5_articles_per_s=..] cold_start_s=.. cold_start_torch=0|1``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_SETS = [("lcsts", "lcsts/test.tsv"), ("thucnews", "thucnews/val.csv"), ("csl", "csl/dev.tsv")]
COLD_TEXT = "本报讯(记者高轶鹏)6月26日，高新区举行重点项目集中签约仪式，共签约项目12个。签约项目涵盖生物医药等领域。"


def articles(args: argparse.Namespace, per_set: int, warm_per_set: int) -> tuple[list[str], list[str]]:
    """(timed articles, disjoint warm-up articles)."""
    from summarize.io import iter_jsonl

    if args.data:
        rows = [row["text"] for _, row in iter_jsonl(args.data) if isinstance(row, dict) and row.get("text")]
        return rows[: per_set * 3], rows[per_set * 3: (per_set + warm_per_set) * 3] or rows[:5]
    shared = args.shared / "data"
    if all((shared / rel).is_file() for _, rel in SHARED_SETS):
        from summarize.data.convert import convert_file

        sets = [[r["text"] for r in convert_file(shared / rel, fmt).records] for fmt, rel in SHARED_SETS]
        warm = [t for s in sets for t in s[per_set: per_set + warm_per_set]]
        # THUCNews val has only 200 articles: repeat the warm-up set so that it is a long job
        # (over LONG_JOB articles), which loads LightGBM's predictor as the timed run will.
        return [t for s in sets for t in s[:per_set]], (warm * 2)[: max(len(warm), 3 * warm_per_set)]
    rows = [row["text"] for _, row in iter_jsonl(REPO / "data" / "corpus" / "articles.jsonl")]
    return rows, rows[:5]


def rate(generator, texts: list[str], warm: list[str]) -> float:
    generator.generate(warm)
    started = time.perf_counter()
    generator.generate(texts)
    return len(texts) / (time.perf_counter() - started)


def cold_start() -> tuple[float, bool]:
    code = ("import sys; from summarize.cli import main; rc = main(['headline', '-q', sys.argv[1]]); "
            "print('torch' in sys.modules, file=sys.stderr); sys.exit(rc)")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, COLD_TEXT], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"cold start run failed: {proc.stderr.strip()}")
    return elapsed, proc.stderr.strip().splitlines()[-1] == "True"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="extractive model folder (default: the bundled one)")
    parser.add_argument("--model-e5", help="extractive model folder with encoder features (optional)")
    parser.add_argument("--data", help="canonical JSONL articles instead of ../shared")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="30 articles: a smoke run, not a measurement")
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    from summarize.headline.predict import load_generator
    from summarize.headline.lead import LeadGenerator

    texts, warm = articles(args, 10 if args.quick else 300, 5 if args.quick else 200)
    model = load_generator(args.model)
    if isinstance(model, LeadGenerator):
        print("error: no --model given and the package has no bundled extractive model", file=sys.stderr)
        return 2
    lead = rate(LeadGenerator(max_chars=model.max_chars), texts, warm)
    ext = rate(model, texts, warm)
    fields = {"articles": len(texts), "extractive_articles_per_s": round(ext, 1), "lead_articles_per_s": round(lead, 1),
              "ratio": round(ext / lead, 3)}
    print(f"{len(texts)} articles: extractive {ext:.1f}/s, lead-v1 {lead:.1f}/s (extractive/lead {ext / lead:.3f})")
    if args.model_e5:
        import torch

        torch.set_num_threads(args.threads)
        e5 = rate(load_generator(args.model_e5), texts[: 30 if args.quick else 200], warm[:8])
        fields["e5_articles_per_s"] = round(e5, 1)
        print(f"with encoder features: {e5:.1f}/s")
    seconds, torch_loaded = cold_start()
    fields.update(cold_start_s=round(seconds, 3), cold_start_torch=int(torch_loaded))
    print(f"cold start of `summarize headline TEXT`: {seconds:.2f} s, torch imported: {torch_loaded}")
    print(" ".join(f"{k}={v}" for k, v in fields.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
