"""``summarize headline``: write headlines for articles.

    summarize headline "本报讯(记者…)高新区…"                          # one article, offline lead method
    summarize headline --model runs/x/model --input test.jsonl --output out.jsonl
    cat articles.txt | summarize headline --model runs/x/model - --format txt
    summarize headline --model M --input a.jsonl --config configs/x.yaml generation.num_beams=2

Input: canonical JSONL (``{"id","title","text","meta"}``; ``text`` is the
article) when the file ends in .jsonl/.json or its first line starts with ``{``;
otherwise one article per line. Output (stdout, or --output written
atomically): JSONL lines ``{"id"?, "headline", "method", "warnings", "score"?}``
or, with --format txt, one headline per line.

Bad rows (invalid JSON, missing or empty text) are reported on stderr as
file:line and skipped; the run goes on. An article with no words (only
punctuation) gets an empty headline with a warning. Exit status: 0 all rows
done, 1 some rows skipped or without a headline, 2 nothing usable or a
usage/config error. An article that starts with "-" goes after "--".

Without --model: the extractive model bundled in the package when it has one, else the
offline ``lead-v1`` method (no weights needed); ``--model lead`` always picks lead-v1.
Decoding settings: key=value overrides > --config's generation section > the
model's saved generation_config > schema defaults.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from summarize.cli.common import add_verbosity, parse_args, quiet_libraries, setup_logging
from summarize.headline.extractive import is_extractive_folder
from summarize.io import BadRow, InputError, atomic_open, parse_jsonl, report_bad_rows, split_lines
from summarize.io.read import check_input_file, decode_bytes
from summarize.io.safety import refuse_same_file

log = logging.getLogger("summarize.headline")

_OVERRIDE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+=")
_PROGRESS_FROM = 50
_CHUNK = 512  # articles generated per call: sorted by length within, written in input order


@dataclass
class Row:
    source: str
    line: int
    text: str
    id: str | None = None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="summarize headline",
        description="Write headlines for articles with a trained model, or offline with the lead-v1 method.",
        epilog="Positional arguments of the form key.sub=value are config overrides (generation.num_beams=2).",
    )
    parser.add_argument("args", nargs="*", metavar="TEXT | - | key=value",
                        help="an article, '-' for stdin, and config overrides")
    parser.add_argument("--model", metavar="DIR", help="model folder or hub id; 'lead': lead-v1; omitted: the "
                        "bundled extractive model when the package has one, else lead-v1")
    parser.add_argument("--input", metavar="FILE", help="canonical JSONL (.jsonl/.json) or one article per line")
    parser.add_argument("--output", metavar="FILE", help="write here (atomically) instead of stdout")
    parser.add_argument("--format", choices=["jsonl", "txt"], default="jsonl", help="output format (default jsonl)")
    parser.add_argument("--config", metavar="FILE", help="YAML config whose generation section sets decoding")
    parser.add_argument("--batch-size", type=int, metavar="N", help="articles per generation batch")
    parser.add_argument("--device", help="cpu, cuda, cuda:1 ... (default: cuda if available)")
    parser.add_argument("--backend", choices=["torch", "ctranslate2"],
                        help="inference backend (default: generation.backend, else torch; ctranslate2 needs summarize[fast])")
    add_verbosity(parser)
    return parser


def _split_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[str | None, list[str]]:
    overrides = [a for a in args.args if _OVERRIDE.match(a)]
    texts = [a for a in args.args if not _OVERRIDE.match(a)]
    if len(texts) > 1:
        parser.error(f"expected one TEXT (quote it), got {len(texts)} arguments: {texts[:3]}")
    text = texts[0] if texts else None
    if (text is None) == (args.input is None):
        parser.error("give exactly one of TEXT, '-' (stdin) or --input FILE")
    if args.batch_size is not None and args.batch_size < 1:
        parser.error(f"--batch-size must be >= 1, got {args.batch_size}")
    return text, overrides


def _is_jsonl(name: str, text: str) -> bool:
    if name.endswith((".jsonl", ".json")):
        return True
    # A JSONL file with a broken line is still JSONL: its bad rows must be reported, not headlined.
    first = next((line for line in split_lines(text) if line.strip()), "")
    return first.lstrip().startswith("{")


def parse_rows(text: str, source: str) -> Iterator[Row | BadRow]:
    """Rows of an input file's text: canonical JSONL (the project's JSONL reader), or one article per line.

    Lines end at ``\n`` only, so U+2028/U+0085 inside an article never splits it in two.
    """
    if not _is_jsonl(source, text):
        for number, line in enumerate(split_lines(text), start=1):
            if line.strip():
                yield Row(source, number, line)
        return
    for number, obj in parse_jsonl(text, source):
        if isinstance(obj, BadRow):
            yield obj
            continue
        body = obj.get("text")
        if not isinstance(body, str) or not body.strip():
            reason = "missing key 'text'" if "text" not in obj else "'text' is empty" if isinstance(body, str) \
                else f"'text' must be a string, got {type(body).__name__}"
            yield BadRow(source, number, reason)
            continue
        yield Row(source, number, body, None if obj.get("id") is None else str(obj["id"]))


def _read_input(text_arg: str | None, input_path: str | None) -> tuple[str, str]:
    """(input text, source name for messages)."""
    if input_path is not None:
        path = check_input_file(input_path)
        return decode_bytes(path.read_bytes(), str(path))[0], str(path)
    if text_arg == "-":
        if sys.stdin is None or sys.stdin.closed:
            raise InputError("<stdin>: standard input is closed; pass the articles with --input FILE or as TEXT")
        return decode_bytes(sys.stdin.buffer.read(), "<stdin>")[0], "<stdin>"
    return text_arg or "", "<argument>"


def _output_line(row: Row, result, fmt: str) -> str:
    if fmt == "txt":
        return result.headline
    from summarize.headline.output import result_line

    return result_line(result, row.id)


@contextlib.contextmanager
def _open_output(path: str | None):
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
    else:
        with atomic_open(path) as handle:
            yield handle


def main(argv: list[str]) -> int:
    parser = _parser()
    args = parse_args(parser, argv)
    setup_logging(args.verbosity)
    if args.model and args.model != "lead" and not is_extractive_folder(args.model):  # an extractive model loads no transformers
        quiet_libraries(args.verbosity)
    text_arg, overrides = _split_args(parser, args)
    refuse_same_file({"--input": args.input, "--model": args.model, "--config": args.config}, {"--output": args.output})

    raw, source = _read_input(text_arg, args.input)
    if text_arg is not None and text_arg != "-":
        items: list[Row | BadRow] = [Row(source, 1, raw)] if raw.strip() else [BadRow(source, 1, "empty text")]
    else:
        items = list(parse_rows(raw, source))
    rows = [r for r in items if isinstance(r, Row)]
    bad = [r for r in items if isinstance(r, BadRow)]
    report_bad_rows(bad, _stderr)
    if not rows:
        raise InputError(f"{source}: no articles to headline" + (f" ({len(bad)} bad rows)" if bad else ""))

    from summarize.headline.predict import load_generator

    generator = load_generator(args.model, device=args.device, config=args.config, overrides=overrides,
                               backend=args.backend)
    kwargs = {"batch_size": args.batch_size} if args.batch_size else {}
    show = len(rows) >= _PROGRESS_FROM and logging.getLogger("summarize").isEnabledFor(logging.INFO)
    bar = None
    empty: list[Row] = []
    if show:
        from tqdm import tqdm

        bar = tqdm(total=len(rows), unit="article", desc="headlines", file=sys.stderr, leave=False)
    try:
        with _open_output(args.output) as out:
            for start in range(0, len(rows), _CHUNK):
                chunk = rows[start : start + _CHUNK]
                results = generator.generate([r.text for r in chunk], progress=bar.update if bar else False, **kwargs)
                for row, result in zip(chunk, results):
                    if not result.headline:
                        empty.append(row)
                        print(f"warning: {row.source}:{row.line}: {result.warnings[-1] if result.warnings else 'empty headline'}",
                              file=sys.stderr)
                    out.write(_output_line(row, result, args.format) + "\n")
    finally:
        if bar is not None:
            bar.close()
    where = f" to {Path(args.output)}" if args.output else ""
    summary = f"wrote {len(rows)} headline(s){where} ({generator.method})"
    if bad:
        summary += f"; skipped {len(bad)} bad row(s)"
    if empty:
        summary += f"; {len(empty)} article(s) got no headline"
    if bad or empty:
        print(summary, file=sys.stderr)
    elif text_arg is None or text_arg == "-":  # a file or stdin, not a single TEXT argument
        log.info(summary)
    return 1 if bad or empty else 0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)
