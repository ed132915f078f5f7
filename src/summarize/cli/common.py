"""What every verb shares: logging to stderr, turning user errors into one-line messages."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from summarize.config.loader import ConfigError
from summarize.io.read import InputError

log = logging.getLogger("summarize")


def setup_logging(verbosity: int = 0) -> None:
    """INFO by default, DEBUG with -v, WARNING with -q. Logs go to stderr; results go to stdout."""
    level = logging.DEBUG if verbosity > 0 else logging.WARNING if verbosity < 0 else logging.INFO
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
        force=True,
    )
    logging.getLogger("summarize").setLevel(level)


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-v", "--verbose", action="store_const", const=1, dest="verbosity", default=0, help="debug logging"
    )
    group.add_argument(
        "-q", "--quiet", action="store_const", const=-1, dest="verbosity", help="warnings only, no progress bars"
    )


def quiet_libraries(verbosity: int) -> None:
    """One voice per run: other ranks log warnings only; library progress bars follow our log level."""
    # Imported here so that verbs which never load a model don't pay for transformers.
    from transformers.utils import logging as hf_logging

    from summarize.training import is_main_process

    if not is_main_process():
        logging.getLogger("summarize").setLevel(logging.WARNING)
    if verbosity < 0 or not is_main_process():
        hf_logging.disable_progress_bar()  # "Loading weights", "Writing model shards"
        from datasets.utils.logging import disable_progress_bar

        disable_progress_bar()  # "Generating train split", "tokenizing"


def parse_args(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse ``argv`` letting options come before, between or after ``key=value`` overrides.

    Plain ``parse_args`` stops collecting a ``nargs="*"`` positional at the first
    option, so ``train CONFIG --output-dir D k=v`` would be refused. For a parser
    with sub-commands the chosen sub-command's parser does the intermixed parsing
    (argparse cannot intermix across sub-parsers).
    """
    sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    if sub is None:
        return parser.parse_intermixed_args(argv)
    if not argv or argv[0] not in sub.choices:
        return parser.parse_args(argv)  # --help, or argparse's own message for an unknown command
    args = sub.choices[argv[0]].parse_intermixed_args(argv[1:])
    setattr(args, sub.dest, argv[0])
    return args


def run_verb(fn: Callable[[list[str]], int], argv: list[str]) -> int:
    """Run a verb; a user error prints one clear line (no traceback) and exits 2."""
    try:
        return fn(argv) or 0
    except ConfigError as exc:
        print("error: invalid config:", file=sys.stderr)
        for message in exc.errors:
            print(f"  {message}", file=sys.stderr)
        return 2
    except (InputError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
