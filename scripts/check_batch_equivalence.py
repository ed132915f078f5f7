"""Check that ``summarize batch`` writes the same bytes on every engine as ``summarize headline`` does.

    nice .venv/bin/python scripts/check_batch_equivalence.py                  # 20,000 articles, lead-v1
    nice .venv/bin/python scripts/check_batch_equivalence.py --rows 2000 --no-ray

Converts the LCSTS (train/val/test) and THUCNews (train/val) files of ../shared
(or --shared DIR) with the project's own converters, takes --rows articles (the
shared files hold 13,166; beyond that the list repeats with new ids), writes
them as --shards JSONL shards plus one whole file, and runs

1. ``summarize headline --input all.jsonl`` (one process, the reference),
2. ``summarize batch headline --engine local --workers 2``,
3. ``summarize batch headline --engine ray --workers 2`` (a local Ray cluster);

then compares every output line, sorted by id. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCES = [("lcsts", "data/lcsts/train.tsv"), ("lcsts", "data/lcsts/val.tsv"), ("lcsts", "data/lcsts/test.tsv"),
           ("thucnews", "data/thucnews/train.csv"), ("thucnews", "data/thucnews/val.csv")]


def articles(shared: Path) -> list[dict]:
    from summarize.data import convert_file

    out = []
    for fmt, relative in SOURCES:
        result = convert_file(shared / relative, fmt)
        name = relative.split("/", 1)[1].replace("/", "-")
        out += [{"id": f"{name}-{i}", "title": r["title"], "text": r["text"]} for i, r in enumerate(result.records)]
    return out


def sorted_lines(paths: list[Path]) -> list[str]:
    lines = [line for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
    return sorted(lines, key=lambda line: json.loads(line)["id"])


def timed(command: list[str]) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    started = time.perf_counter()
    done = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True)
    if done.returncode not in (0, 1):  # 1: some rows were bad or got no headline; the outputs still compare
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("SUMMARIZE_SHARED", REPO.parent / "shared")))
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--shards", type=int, default=10)
    parser.add_argument("--model", help="model folder (default: what summarize headline uses)")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray engine")
    args = parser.parse_args()
    if not (args.shared / "README.md").is_file():
        print(f"{args.shared}: the shared data folder is not present; nothing to check", file=sys.stderr)
        return 0

    pool = articles(args.shared)
    rows = [dict(pool[i % len(pool)], id=pool[i % len(pool)]["id"] + (f"~{i // len(pool)}" if i >= len(pool) else ""))
            for i in range(args.rows)]
    print(f"{len(rows)} articles ({len(pool)} distinct) in {args.shards} shards", file=sys.stderr)
    model = ["--model", args.model] if args.model else []
    with tempfile.TemporaryDirectory(prefix="batch-equivalence-") as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        per = -(-len(rows) // args.shards)
        for s in range(args.shards):
            part = rows[s * per : (s + 1) * per]
            (tmp / "in" / f"part-{s:03d}.jsonl").write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
        (tmp / "all.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                       encoding="utf-8")
        py = [sys.executable, "-m", "summarize"]
        seconds = {"headline": timed(py + ["headline", "--input", str(tmp / "all.jsonl"), "--output",
                                             str(tmp / "headline.jsonl"), "-q", *model])}
        reference = sorted_lines([tmp / "headline.jsonl"])
        engines = ["local"] + ([] if args.no_ray else ["ray"])
        same = {}
        for engine in engines:
            out = tmp / engine
            seconds[engine] = timed(py + ["batch", "headline", "--input", str(tmp / "in"), "--output", str(out),
                                          "--engine", engine, "--workers", "2", "-q", *model])
            got = sorted_lines(sorted(out.glob("part-*.jsonl")))
            same[engine] = got == reference
            print(f"{engine}: {len(got)} lines, identical to summarize headline: {same[engine]}, "
                  f"{seconds[engine]:.1f}s ({len(rows) / seconds[engine]:.0f} rows/s)", file=sys.stderr)
        if not args.no_ray:
            same["ray_vs_local"] = all((tmp / "ray" / p.name).read_bytes() == p.read_bytes()
                                       for p in sorted((tmp / "local").glob("part-*.jsonl")))
    fields = [f"rows={len(rows)}", f"distinct={len(pool)}", f"reference_lines={len(reference)}"]
    fields += [f"identical_{k}={int(v)}" for k, v in same.items()]
    fields += [f"seconds_{k}={v:.1f}" for k, v in seconds.items()]
    print("batch_equivalence " + " ".join(fields))
    return 0 if all(same.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
