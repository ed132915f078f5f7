"""Scaling of ``summarize batch``: rows/s with 1 worker (the baseline) and with 2, and the ratio.

    nice .venv/bin/python scripts/bench_batch.py                       # lead-v1, 40,000 rows, local engine
    nice .venv/bin/python scripts/bench_batch.py --model lead --model runs/ext/model --engine ray
    .venv/bin/python scripts/bench_batch.py --quick                     # 2,000 rows, seconds

Articles: LCSTS + THUCNews from ../shared (or --shared DIR), else the bundled
data/corpus, repeated to --rows and cut into --shards files. Each run is a
whole job through ``summarize.batch.run`` (worker start and model load
included), best of --repeats. One worker runs in this process; two are a
process pool (or Ray actors with --engine ray). The load average is printed
with each figure: on a shared machine it says how far to trust it. The last
line is machine-readable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def corpus(shared: Path) -> list[dict]:
    if (shared / "README.md").is_file():
        from check_batch_equivalence import articles

        return articles(shared)
    rows = [json.loads(line) for line in (REPO / "data/corpus/articles.jsonl").read_text("utf-8").splitlines()]
    return [{"id": r["id"], "text": r["text"]} for r in rows]


def write_input(folder: Path, pool: list[dict], rows: int, shards: int) -> None:
    folder.mkdir(parents=True)
    per = -(-rows // shards)
    for s in range(shards):
        lines = [json.dumps(dict(pool[i % len(pool)], id=f"r{i}"), ensure_ascii=False) + "\n"
                 for i in range(s * per, min(rows, (s + 1) * per))]
        (folder / f"part-{s:03d}.jsonl").write_text("".join(lines), encoding="utf-8")


def _cpu() -> float:
    t = os.times()  # children: pool workers, counted once they have exited (the pool joins them)
    return t.user + t.system + t.children_user + t.children_system


def rate(inputs: Path, tmp: Path, model: str, workers: int, engine: str, repeats: int) -> tuple[float, float]:
    """(rows per wall second, rows per CPU second of this process and its workers), best of ``repeats``.

    Rows per CPU second is what one worker does on a core of its own: the figure to plan a
    cluster with when this machine is shared (Ray actors are not our children: 0 there).
    """
    from summarize.batch import run

    best, per_cpu = 0.0, 0.0
    for r in range(repeats):
        out = tmp / f"out-{Path(model).name}-{engine}-{workers}-{r}"
        started, cpu = time.perf_counter(), _cpu()
        summary = run("headline", str(inputs), out, model=model, engine=engine, workers=workers, progress=False)
        best = max(best, summary.rows / (time.perf_counter() - started))
        used = _cpu() - cpu
        per_cpu = max(per_cpu, summary.rows / used if used > 0 and engine == "local" else 0.0)
    return best, per_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("SUMMARIZE_SHARED", REPO.parent / "shared")))
    parser.add_argument("--model", action="append", help="lead (default) or a model folder; repeatable")
    parser.add_argument("--engine", choices=["local", "ray"], default="local")
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="2,000 rows, one repeat")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.shards, args.repeats = 2_000, 4, 1
    models = args.model or ["lead"]
    pool = corpus(args.shared)
    fields = [f"engine={args.engine}", f"rows={args.rows}"]
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        tmp = Path(tmp)
        write_input(tmp / "in", pool, args.rows, args.shards)
        for model in models:
            one, cpu_one = rate(tmp / "in", tmp, model, 1, args.engine, args.repeats)
            two, cpu_two = rate(tmp / "in", tmp, model, 2, args.engine, args.repeats)
            load = os.getloadavg()[0]
            name = "lead" if model == "lead" else Path(model).name
            print(f"{name}: 1 worker {one:.0f} rows/s, 2 workers {two:.0f} rows/s, ratio {two / one:.2f}; "
                  f"{cpu_one:.0f} / {cpu_two:.0f} rows per CPU second "
                  f"(load average {load:.1f} on {os.cpu_count()} cores)", file=sys.stderr)
            fields += [f"{name}_rows_per_s_1={one:.1f}", f"{name}_rows_per_s_2={two:.1f}",
                       f"{name}_ratio={two / one:.3f}", f"{name}_rows_per_cpu_s_1={cpu_one:.1f}",
                       f"{name}_rows_per_cpu_s_2={cpu_two:.1f}", f"{name}_load={load:.1f}"]
    print("bench_batch " + " ".join(fields))
    return 0


if __name__ == "__main__":
    sys.exit(main())
