"""``summarize evaluate``: char-level ROUGE (and word-level) of predictions or of a model.

    summarize evaluate --predictions preds.jsonl                 # table on stdout
    summarize evaluate --predictions preds.jsonl --json          # one JSON object
    summarize evaluate --predictions preds.jsonl --output DIR    # report.json, samples.jsonl, report.png
    summarize evaluate --model runs/x/model --data test.jsonl [--config FILE] [key=value ...]

A predictions file has one JSON object per line: ``{"prediction": "...",
"reference": "..." | ["...", ...]}`` with an optional ``"id"``. A bad line is
an error (every bad line is listed as file:line) unless ``--skip-bad``, because
silently dropping rows would change the score; skipped rows are counted in the report.
"""

from __future__ import annotations

import argparse
import logging

from summarize.cli.common import add_verbosity, parse_args, quiet_libraries, setup_logging
from summarize.headline.extractive import is_extractive_folder
from summarize.io import BadRow, InputError, bad_rows_error, iter_jsonl, report_bad_rows
from summarize.metrics.report import evaluate_and_report, render_report

REPORT_FILES = ("report.json", "samples.jsonl", "report.png")  # what --output DIR receives

log = logging.getLogger("summarize.evaluate")

_PROGRESS_FROM = 2000  # below this, scoring takes about a second: no bar


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="summarize evaluate",
        description="Score headlines with char-level ROUGE-1/2/L (the primary metric) and word-level ROUGE.",
        epilog="Scores are x100, macro-averaged over samples, with seeded bootstrap 95% CIs.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--predictions", metavar="FILE.jsonl", help='lines of {"prediction": ..., "reference": ...}')
    source.add_argument("--model", metavar="DIR", help="a trained headline model to generate predictions with")
    parser.add_argument("--data", metavar="FILE.jsonl", help="with --model: the articles and reference headlines")
    parser.add_argument("--config", metavar="FILE", help="with --model: config whose generation settings to use")
    parser.add_argument("--backend", choices=["torch", "ctranslate2"],
                        help="with --model: inference backend (default: generation.backend, else torch)")
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="with --model: config overrides")
    parser.add_argument("--output", metavar="DIR", help="write report.json, samples.jsonl and report.png here")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument(
        "--compat",
        choices=["rouge-chinese"],
        help="count each distinct n-gram once, as rouge-chinese's default does (for comparing with published "
        "tables; inflates ROUGE-1 over ROUGE-1.5.5)",
    )
    parser.add_argument("--no-word-level", dest="word_level", action="store_false", help="skip word-level (jieba) ROUGE")
    parser.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap resamples for the CIs; 0 for none (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument("--skip-bad", action="store_true", help="report bad lines and score the rest instead of stopping")
    add_verbosity(parser)
    return parser


def _check_row(obj: dict) -> str | None:
    """Why a predictions row is unusable, or None."""
    missing = [k for k in ("prediction", "reference") if k not in obj]
    if missing:
        return f"missing key {' and '.join(map(repr, missing))} (keys: {', '.join(map(repr, obj)) or 'none'})"
    if not isinstance(obj["prediction"], str):
        return f"'prediction' must be a string, got {type(obj['prediction']).__name__}"
    ref = obj["reference"]
    if isinstance(ref, list):
        if not ref or not all(isinstance(r, str) for r in ref):
            return "'reference' list must be non-empty and hold only strings"
    elif not isinstance(ref, str):
        return f"'reference' must be a string or a list of strings, got {type(ref).__name__}"
    return None


def read_predictions(path: str, *, skip_bad: bool = False) -> tuple[list[str], list, list[str], int]:
    """(predictions, references, ids, n_skipped) from a predictions JSONL file."""
    preds, refs, ids, bad = [], [], [], []
    for line, obj in iter_jsonl(path):
        if not isinstance(obj, BadRow):
            reason = _check_row(obj)
            if reason:
                obj = BadRow(str(path), line, reason)
        if isinstance(obj, BadRow):
            bad.append(obj)
            continue
        preds.append(obj["prediction"])
        refs.append(obj["reference"])
        ids.append(str(obj.get("id", line)))
    if bad and not skip_bad:
        raise bad_rows_error(path, bad, "fix them or pass --skip-bad to score the rest")
    report_bad_rows(bad, log.warning)
    if not preds:
        raise InputError(f"{path}: no rows to score")
    return preds, refs, ids, len(bad)


def _model_predictions(args: argparse.Namespace) -> tuple[list[str], list, list[str]]:
    # Imported here: model mode pulls in torch and transformers, predictions mode must not.
    from summarize.headline import predict

    return predict.generate_predictions(args.model, args.data, config=args.config, overrides=args.overrides,
                                        skip_bad=args.skip_bad, backend=args.backend)


def main(argv: list[str]) -> int:
    parser = _parser()
    args = parse_args(parser, argv)
    setup_logging(args.verbosity)
    if args.model and args.model != "lead" and not is_extractive_folder(args.model):
        quiet_libraries(args.verbosity)
    if args.model is None and (args.data or args.config or args.overrides):
        parser.error("--data, --config and key=value overrides go with --model")
    if args.model is not None and not args.data:
        parser.error("--model needs --data FILE.jsonl")
    if args.bootstrap < 0:
        parser.error(f"--bootstrap must be >= 0, got {args.bootstrap}")

    if args.output is not None:
        from pathlib import Path

        from summarize.io.safety import refuse_same_file

        written = {f"--output/{name}": Path(args.output) / name for name in REPORT_FILES}
        refuse_same_file({"--predictions": args.predictions, "--data": args.data, "--config": args.config}, written)
    if args.predictions is not None:
        preds, refs, ids, n_skipped = read_predictions(args.predictions, skip_bad=args.skip_bad)
        source = {"predictions": args.predictions}
    else:
        preds, refs, ids = _model_predictions(args)
        n_skipped = 0
        source = {"model": args.model, "data": args.data, "config": args.config, "overrides": list(args.overrides)}

    report = evaluate_and_report(
        preds,
        refs,
        ids,
        output_dir=args.output,
        word_level=args.word_level,
        mode="distinct" if args.compat == "rouge-chinese" else "rouge155",
        bootstrap=args.bootstrap,
        seed=args.seed,
        source=source,
        n_skipped=n_skipped,
        progress=len(preds) >= _PROGRESS_FROM and logging.getLogger("summarize").isEnabledFor(logging.INFO),
    )
    print(render_report(report, as_json=args.json), flush=True)
    if report["n_empty_reference"]:
        log.warning("%d samples have an empty reference (after normalization); they score 0 and stay in n",
                    report["n_empty_reference"])
    return 0
