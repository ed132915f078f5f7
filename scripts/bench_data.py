"""Benchmark: headline training data through ``datasets`` (Arrow) vs the old in-memory lists, same corpus, one run.

    nice .venv/bin/python scripts/bench_data.py            # 1M synthetic pairs, a few minutes
    nice .venv/bin/python scripts/bench_data.py --quick    # 20k pairs, well under a minute

The corpus is synthetic: article-headline pairs of LCSTS-like lengths (articles
~105 characters, sd 12; headlines ~17, sd 4), characters drawn from a Zipf
distribution over 3,500 common CJK characters and punctuation, one JSON object
per line as ``summarize data`` writes them (about 420 MB at 1M pairs).

Each path runs in its own fresh process, so its peak RSS is its own:

- old: ``read_pairs`` (whole file in memory) + ``encode_pairs`` (one tokenizer
  call, Python lists of ids), what training did before;
- new: ``load_pairs`` (JSONL streamed into Arrow) + ``tokenize_pairs``
  (``map(batched=True, num_proc)``), run twice: the second run, in another
  fresh process, loads the cached Arrow files (cached by content).

Every child process runs under an address-space limit (``--limit-gb``, default 6),
so a path that needs more memory than that fails alone - reported as OOM - and
never takes the shared machine down. Peak RSS is ``ru_maxrss`` of the child
itself, and separately of its largest tokenizing worker (``num_proc`` > 1).
The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3500)]
_PUNCT = list("，。、：；！？“”《》0123456789")


def _alphabet() -> list[str]:
    return _CJK + _PUNCT


def write_corpus(path: Path, pairs: int, seed: int = 0) -> int:
    """Synthetic LCSTS-like JSONL; returns its size in bytes."""
    rng = random.Random(seed)
    alphabet = _alphabet()
    weights = [1.0 / (rank + 1) for rank in range(len(alphabet))]  # Zipf, as character frequencies are
    cumulative = list(__import__("itertools").accumulate(weights))

    def text(mean: float, sd: float, low: int, high: int) -> str:
        n = min(high, max(low, round(rng.gauss(mean, sd))))
        return "".join(rng.choices(alphabet, cum_weights=cumulative, k=n))

    with open(path, "w", encoding="utf-8") as f:
        for i in range(pairs):
            row = {"id": f"p{i}", "title": text(17, 4, 6, 30), "text": text(105, 12, 60, 160)}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path.stat().st_size


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def child(args) -> None:
    """One measured path in this fresh process; prints one JSON line."""
    limit = int(args.limit_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from transformers import BertTokenizer

    tokenizer = BertTokenizer.from_pretrained(args.tokenizer)
    settings = dict(decoder_start_token_id=tokenizer.cls_token_id, source_prefix="", max_source_tokens=512,
                    max_target_tokens=64)
    base_mb = _peak_mb(resource.RUSAGE_SELF)
    started = time.perf_counter()
    try:
        if args.child == "old":
            from summarize.headline.dataset import encode_pairs, read_pairs

            n = len(encode_pairs(read_pairs(args.data), tokenizer, **settings))
        else:
            from datasets.utils.logging import disable_progress_bar

            from summarize.headline.arrow import load_pairs, tokenize_pairs

            disable_progress_bar()
            n = len(tokenize_pairs(load_pairs(args.data, cache_dir=args.cache), tokenizer, num_proc=args.num_proc,
                                   **settings))
    except MemoryError:
        print(json.dumps({"oom": True, "peak_mb": _peak_mb(resource.RUSAGE_SELF)}))
        return
    print(json.dumps({"oom": False, "n": n, "seconds": round(time.perf_counter() - started, 2),
                      "peak_mb": round(_peak_mb(resource.RUSAGE_SELF), 1), "base_mb": round(base_mb, 1),
                      "worker_peak_mb": round(_peak_mb(resource.RUSAGE_CHILDREN), 1)}))


def run_child(kind: str, args, data: Path, tokenizer: Path, cache: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--data", str(data), "--tokenizer", str(tokenizer),
           "--cache", str(cache), "--num-proc", str(args.num_proc), "--limit-gb", str(args.limit_gb)]
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "HF_DATASETS_CACHE": str(cache)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        # A native allocation failing under the limit aborts the process instead of raising MemoryError.
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"oom": True, "exit": proc.returncode, "why": tail[:200]}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20k pairs instead of 1M")
    parser.add_argument("--pairs", type=int, default=None, help="corpus size (default 1,000,000; 20,000 with --quick)")
    parser.add_argument("--num-proc", type=int, default=2, help="tokenizing processes of the new path (default 2)")
    parser.add_argument("--limit-gb", type=float, default=6.0, help="address-space limit of each measured process")
    parser.add_argument("--workdir", help="where the corpus and caches go (default: a temporary folder, removed)")
    parser.add_argument("--child", choices=["old", "new"], help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--tokenizer", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    pairs = args.pairs or (20_000 if args.quick else 1_000_000)
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench_data-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        from summarize.training.scratch import build_char_tokenizer

        data = work / "pairs.jsonl"
        t = time.perf_counter()
        size = write_corpus(data, pairs)
        print(f"corpus: {pairs:,} pairs, {size / 2**20:.0f} MB ({time.perf_counter() - t:.0f} s to write)", file=sys.stderr)
        tokenizer = work / "tokenizer"
        build_char_tokenizer(["".join(_alphabet())], model_input_names=["input_ids", "attention_mask"]
                             ).save_pretrained(str(tokenizer))
        cache = work / "cache"
        results = {}
        for name, kind in (("new", "new"), ("new_cached", "new"), ("old", "old")):
            results[name] = run_child(kind, args, data, tokenizer, cache)
            print(f"{name:>10}: {json.dumps(results[name])}", file=sys.stderr)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)

    new, cached, old = results["new"], results["new_cached"], results["old"]
    print(f"\n{pairs:,} pairs, tokenized to at most 512/64 tokens, new path with num_proc={args.num_proc}, "
          f"every process limited to {args.limit_gb:g} GB of address space")
    print(f"{'path':<34}{'seconds':>10}{'peak RSS MB':>14}{'worker MB':>12}")

    def row(label: str, r: dict) -> None:
        if r.get("oom"):
            print(f"{label:<34}{'OOM':>10}{'> limit':>14}{'':>12}   ({r.get('why', 'MemoryError')})")
        else:
            print(f"{label:<34}{r['seconds']:>10.1f}{r['peak_mb']:>14.0f}{r['worker_peak_mb']:>12.0f}")

    row("new: Arrow + map, first run", new)
    row("new: second run (from the cache)", cached)
    row("old: lists in memory", old)
    speed = (f"{old['seconds'] / new['seconds']:.2f}x" if not old.get("oom") and not new.get("oom") else "n/a")
    print(f"first-run speed, old/new: {speed}; new peak RSS under 2 GB: "
          f"{'yes' if not new.get('oom') and new['peak_mb'] < 2048 else 'NO'}")

    def value(r: dict, key: str) -> str:
        return "OOM" if r.get("oom") else str(r[key])

    print(f"bench_data pairs={pairs} num_proc={args.num_proc} limit_gb={args.limit_gb:g} "
          f"new_s={value(new, 'seconds')} new_peak_mb={value(new, 'peak_mb')} "
          f"new_worker_peak_mb={value(new, 'worker_peak_mb')} cached_s={value(cached, 'seconds')} "
          f"cached_peak_mb={value(cached, 'peak_mb')} old_s={value(old, 'seconds')} old_peak_mb={value(old, 'peak_mb')} "
          f"speedup={speed.rstrip('x')}")


if __name__ == "__main__":
    main()
