"""``summarize export``: convert a headline model for a faster runtime.

    summarize export ctranslate2 runs/x/model                         # -> runs/x/model-ct2, int8
    summarize export ctranslate2 runs/x/model out/ct2 --quantization float32
    summarize export ctranslate2 runs/x/model --vocab-from data/train.jsonl     # for generation.vocab_restrict
    summarize export ctranslate2 runs/x/model --check data/dev.jsonl --min-agreement 0.9

``--check`` runs the parity gate (``summarize.headline.parity``): it prints a
JSON report on stdout, records the verdict in the export's manifest, and exits
1 when the export is not good enough (dev ROUGE-L drop or agreement).
"""

from __future__ import annotations

import argparse
import json
import sys

from summarize.cli.common import (
    add_verbosity,
    parse_args,
    quiet_libraries,
    setup_logging,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summarize export", description="Convert a headline model for fast inference.")
    sub = parser.add_subparsers(dest="target", required=True, metavar="TARGET")
    ct2 = sub.add_parser("ctranslate2", help="CTranslate2 (int8 on CPU; the 'fast' extra)",
                         description="Convert a saved model folder to CTranslate2, with a manifest for staleness checks.")
    ct2.add_argument("model", metavar="MODEL", help="saved model folder (runs/x/model)")
    ct2.add_argument("dest", metavar="DEST", nargs="?", help="export folder (default: MODEL-ct2 beside MODEL)")
    ct2.add_argument("--quantization", default="int8", help="int8 (default), int8_float32, float32, float16, ...")
    ct2.add_argument("--vocab-from", metavar="TRAIN.jsonl",
                     help="restrict decoding to the tokens of these training headlines (generation.vocab_restrict)")
    ct2.add_argument("--force", action="store_true", help="replace DEST even when it is not a stale export")
    ct2.add_argument("--check", metavar="DEV.jsonl", help="run the parity gate against the torch model on this file")
    ct2.add_argument("--min-agreement", type=float, default=0.9,
                     help="parity gate: least share of headlines identical to torch's (default 0.9)")
    ct2.add_argument("--max-rouge-drop", type=float, default=0.5,
                     help="parity gate: largest allowed drop of dev char ROUGE-L, in points (default 0.5)")
    ct2.add_argument("--max-samples", type=int, metavar="N", help="parity gate: check only the first N records")
    add_verbosity(ct2)
    return parser


def main(argv: list[str]) -> int:
    args = parse_args(_parser(), argv)
    setup_logging(args.verbosity)
    quiet_libraries(args.verbosity)
    from summarize.headline.backends.ct2_export import export_ctranslate2

    titles = None
    if args.vocab_from:
        from summarize.headline.predict import read_article_rows

        rows, _ = read_article_rows(args.vocab_from, text_field="title", title_field=None)
        titles = [r["title"] for _, r in rows]
    # an earlier export of ours at DEST is replaced; anything else only with --force
    dest = export_ctranslate2(args.model, args.dest, quantization=args.quantization, vocab_titles=titles,
                              force=args.force)
    print(f"exported {args.model} to {dest} ({args.quantization})", file=sys.stderr)
    if not args.check:
        return 0
    from summarize.headline.parity import parity_check

    report = parity_check(args.model, dest, args.check, min_agreement=args.min_agreement,
                          max_rouge_drop=args.max_rouge_drop, max_samples=args.max_samples)
    print(json.dumps(report, ensure_ascii=False, allow_nan=False, indent=2))
    if report["status"] != "good":
        print(f"error: export not marked good: {'; '.join(report['problems'])}", file=sys.stderr)
        return 1
    return 0
