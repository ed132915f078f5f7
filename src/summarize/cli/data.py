"""``summarize data convert|split``: build the canonical JSONL corpus and split it.

    summarize data convert --format lcsts ../shared/data/lcsts/val.tsv data/lcsts-val.jsonl
    summarize data convert --format jsonl in.jsonl out.jsonl --text-col body --title-col headline --skip-bad
    summarize data split data/corpus/articles.jsonl --output-dir data/corpus [--ratios 0.8,0.1,0.1] [--seed 0]
"""

from __future__ import annotations

import argparse
import logging
import sys

from summarize.cli.common import add_verbosity, setup_logging
from summarize.data.convert import FORMATS, convert_file, write_records
from summarize.data.split import DEFAULT_RATIOS, describe_duplicates, parse_ratios, split_file
from summarize.io.jsonl import report_bad_rows
from summarize.io.read import InputError
from summarize.io.safety import refuse_same_file

log = logging.getLogger("summarize.data")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summarize data", description="Convert corpora to canonical JSONL and split them.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{convert,split}")

    formats = "\n".join(f"  {name:<10} {desc}" for name, (_, _, desc) in FORMATS.items())
    convert = sub.add_parser(
        "convert", help="convert a corpus file to canonical JSONL ({id, title, text, meta} per line)",
        description=f"Convert INPUT to canonical JSONL.\n\nformats:\n{formats}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    convert.add_argument("input", help="input file (UTF-8 or GB18030)")
    convert.add_argument("output", help="output JSONL (written atomically)")
    convert.add_argument("--format", "-f", required=True, choices=list(FORMATS), dest="fmt", metavar="FORMAT",
                         help="input layout (see formats above)")
    convert.add_argument("--skip-bad", action="store_true",
                         help="report bad rows on stderr and convert the rest (default: the first bad row is an error)")
    convert.add_argument("--source", help="file name to record in meta.source and ids (default: INPUT's name)")
    convert.add_argument("--encoding", help="input encoding (default: detect UTF-8, then GB18030)")
    convert.add_argument("--min-label", type=int, help="lcsts: keep only rows with human_label >= N (PART_II/III)")
    convert.add_argument("--text-col", help="jsonl/csv/tsv: column holding the text (default: text)")
    convert.add_argument("--title-col", help="jsonl/csv/tsv: column holding the title (default: title)")
    convert.add_argument("--id-col", help="jsonl/csv/tsv: column holding a unique id (default: <file stem>-<line>)")
    convert.add_argument("--no-header", dest="header", action="store_false", default=None,
                         help="csv/tsv: the file has no header row; name columns by 0-based index")
    add_verbosity(convert)

    split = sub.add_parser("split", help="deterministic train/dev/test split with duplicate grouping and a manifest",
                           description="Split canonical JSONL into train/dev/test.jsonl + manifest.json. Records with "
                                       "the same normalized text always land in the same split.")
    split.add_argument("input", help="canonical JSONL (from `summarize data convert`)")
    split.add_argument("--output-dir", "-o", required=True, help="folder for train.jsonl, dev.jsonl, test.jsonl, manifest.json")
    split.add_argument("--ratios", type=_ratios, default=DEFAULT_RATIOS, metavar="TRAIN,DEV,TEST",
                       help="split proportions (default: 0.8,0.1,0.1)")
    split.add_argument("--seed", type=int, default=0, help="changes the assignment; same seed, same split (default: 0)")
    add_verbosity(split)
    return parser


def _ratios(text: str) -> tuple[float, float, float]:
    try:
        return parse_ratios(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    setup_logging(args.verbosity)
    return _convert(args) if args.command == "convert" else _split(args)


def _convert(args: argparse.Namespace) -> int:
    refuse_same_file({"INPUT": args.input}, {"OUTPUT": args.output})
    options = {"min_label": args.min_label, "text_col": args.text_col, "title_col": args.title_col,
               "id_col": args.id_col, "header": args.header}
    result = convert_file(args.input, args.fmt, source=args.source, encoding=args.encoding, **options)
    if result.bad_rows and not args.skip_bad:
        first = result.bad_rows[0]
        more = len(result.bad_rows) - 1
        hint = f"; {more} more bad row{'s' if more != 1 else ''}" if more else ""
        print(f"error: {first}{hint} (nothing written; --skip-bad skips bad rows)", file=sys.stderr)
        return 2
    report_bad_rows(result.bad_rows, lambda line: print(line, file=sys.stderr))
    if not result.records:
        print(f"error: {args.input}: no usable rows (all {len(result.bad_rows)} bad); nothing written", file=sys.stderr)
        return 2
    count = write_records(args.output, result.records)
    filtered = f", filtered {result.filtered} by --min-label" if args.min_label is not None else ""
    print(f"converted {count} rows, skipped {len(result.bad_rows)} bad rows{filtered} -> {args.output}")
    return 0


def _split(args: argparse.Namespace) -> int:
    result = split_file(args.input, args.output_dir, args.ratios, args.seed)
    for line in describe_duplicates(result):
        log.warning(line)
    counts = ", ".join(f"{name} {len(rows)}" for name, rows in result.splits.items())
    print(f"split {result.manifest['records']} records: {counts} -> {args.output_dir}")
    return 0
