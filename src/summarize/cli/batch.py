"""``summarize batch``: headlines or answers for whole archives, resumable, locally or on Ray.

    summarize batch headline --input 'archive/*.jsonl' --output out/            # lead-v1, all cores
    summarize batch headline --input data/ --output out/ --model runs/bart/model --workers 2
    summarize batch headline --input 'in/*.parquet' --output out/ --model M --engine ray \\
        --ray-address auto --workers 8 --gpus-per-worker 1 --batch-size 64
    summarize batch answer --input questions.jsonl --output out/ --model runs/qa/model

Input: JSONL (canonical ``{"id","text",...}`` rows for headlines, ``{"id","question","context"}``
for answers) or Parquet with the same columns; paths, globs or folders. Output:
one JSONL file per input file in --output (the lines ``summarize headline`` writes,
or ``{"id","answer","score","start","end"}``), ``NAME.errors.txt`` listing bad rows
as file:line, and ``manifest.json``. Re-running the same command skips finished
files and redoes the rest. Exit status: 0 done, 1 done with bad rows or
unreadable files, 2 usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys

from summarize.cli.common import add_verbosity, parse_args, quiet_libraries, setup_logging
from summarize.io.read import InputError

log = logging.getLogger("summarize.batch")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summarize batch", description=__doc__.split("\n")[0].split(": ", 1)[1])
    sub = parser.add_subparsers(dest="task", required=True, metavar="{headline,answer}")
    for task, help_text in (("headline", "write a headline for every article"),
                            ("answer", "answer every question with a reading-comprehension model")):
        p = sub.add_parser(task, help=help_text, description=help_text)
        p.add_argument("overrides", nargs="*", metavar="key=value",
                       help="decoding overrides, as for summarize headline (generation.num_beams=2)")
        p.add_argument("--input", action="append", required=True, metavar="PATH_OR_GLOB",
                       help="JSONL/Parquet file, glob or folder (repeatable)")
        p.add_argument("--output", required=True, metavar="DIR", help="output folder (new, empty, or this job's)")
        p.add_argument("--model", metavar="M", help="model folder or hub id" + (
            "; omitted: what summarize headline uses (lead = the offline lead-v1 method)" if task == "headline"
            else " (required)"))
        p.add_argument("--config", metavar="FILE", help="YAML config whose generation section sets decoding")
        if task == "headline":
            p.add_argument("--backend", choices=["torch", "ctranslate2"],
                           help="inference backend, as for summarize headline (default: generation.backend, else torch)")
        p.add_argument("--engine", choices=["local", "ray"], default="local",
                       help="local: a process pool on this machine (default); ray: Ray Data actors")
        p.add_argument("--ray-address", metavar="ADDR", help="Ray cluster to join (auto, or HOST:6379); "
                       "omitted: the running local cluster, or a new one")
        p.add_argument("--workers", type=int, metavar="N", help="model workers (default: cores / cpus per worker, "
                       "or GPUs / gpus per worker)")
        p.add_argument("--cpus-per-worker", type=int, metavar="C",
                       help="torch threads per worker (default: local, cores / workers; ray, 1 CPU per actor)")
        p.add_argument("--gpus-per-worker", type=float, default=0, metavar="G",
                       help="GPUs per Ray worker (fractions share a GPU); needs --engine ray")
        p.add_argument("--batch-size", type=int, metavar="B", help="articles per forward pass")
        p.add_argument("--device", help="cpu, cuda ... (default: cuda if available)")
        add_verbosity(p)
    return parser


def main(argv: list[str]) -> int:
    args = parse_args(_parser(), argv)
    setup_logging(args.verbosity)
    if args.task == "answer" and args.overrides:
        raise InputError(f"answer takes no key=value overrides, got {args.overrides[0]!r}")
    if args.model and args.model != "lead":
        quiet_libraries(args.verbosity)
    from summarize.batch import run

    summary = run(
        args.task, args.input, args.output, model=args.model, engine=args.engine, ray_address=args.ray_address,
        workers=args.workers, gpus_per_worker=args.gpus_per_worker, cpus_per_worker=args.cpus_per_worker,
        batch_size=args.batch_size, config=args.config, overrides=args.overrides, device=args.device,
        model_options={"backend": args.backend} if getattr(args, "backend", None) else None,
    )
    if summary.bad_rows or summary.failed:
        print(f"{summary} -> {summary.output}", file=sys.stderr)
        return 1
    log.info("%s -> %s", summary, summary.output)
    return 0

