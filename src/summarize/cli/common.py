"""What every verb shares: logging to stderr, turning user errors and OS faults into one-line messages.

``run_verb`` is the process-level handler every verb runs under (new verbs get it by
being listed in ``cli/__init__.VERBS``): a config error, an input error, or an OS
fault (read-only folder, full disk, a folder where a file belongs, a closed stdout)
becomes one ``error: PATH: reason`` line and exit status 2; a closed pipe
(``summarize headline ... | head -1``) ends quietly with status 141, as ``SIGPIPE`` would.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
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
        return _parse_intermixed(parser, argv)
    if not argv or argv[0] not in sub.choices:
        return parser.parse_args(argv)  # --help, or argparse's own message for an unknown command
    args = _parse_intermixed(sub.choices[argv[0]], argv[1:])
    setattr(args, sub.dest, argv[0])
    return args


def _parse_intermixed(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``parse_intermixed_args`` that honours ``--``: what follows it is positional even when it starts
    with ``-`` (an article opening with a dash), which intermixed parsing alone refuses."""
    if "--" not in argv:
        return parser.parse_intermixed_args(argv)
    cut = argv.index("--")
    rest = [a for a in parser._actions if not a.option_strings and a.nargs == "*"]
    if not rest:
        return parser.parse_args(argv)
    args = parser.parse_intermixed_args(argv[:cut])
    getattr(args, rest[-1].dest).extend(argv[cut + 1:])
    return args


_OS_REASONS = {
    errno.ENOSPC: "no space left on device (the disk is full)",
    errno.EDQUOT: "disk quota exceeded (the disk is full for this user)",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.EISDIR: "is a directory, expected a file",
    errno.ENOTDIR: "is a file, expected a folder",
    errno.ENOENT: "no such file or folder",
    errno.EEXIST: "already exists",
    errno.EFBIG: "file too large for this file system",
    errno.EMFILE: "too many open files",
    errno.ENAMETOOLONG: "file name too long",
}
EXIT_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader went away


def describe_os_error(exc: OSError) -> str:
    """``PATH: reason`` for an OS error (``<stdout>`` when no file is named)."""
    if exc.errno is None:
        return str(exc) or type(exc).__name__  # raised with a message of our own
    reason = _OS_REASONS.get(exc.errno) or exc.strerror or type(exc).__name__
    if exc.errno == errno.ENOTDIR and exc.strerror and exc.strerror != os.strerror(errno.ENOTDIR):
        reason = exc.strerror  # our own wording (atomic.make_folder)
    where = exc.filename if exc.filename is not None else "<stdout>"
    return f"{where}: {reason}"


def run_verb(fn: Callable[[list[str]], int], argv: list[str]) -> int:
    """Run a verb; a user error or OS fault prints one clear line (no traceback) and exits 2."""
    if sys.stdout is None or getattr(sys.stdout, "closed", False):
        _say("error: standard output is closed (results are printed there); run with a stdout")
        return 2
    try:
        with _one_line_usage_errors():
            status = fn(argv) or 0
        sys.stdout.flush()  # a full disk behind '>' fails here, not at exit with a traceback
        return status
    except ConfigError as exc:
        if len(exc.errors) == 1:
            _say(f"error: invalid config: {exc.errors[0]}")
        else:
            _say(f"error: invalid config ({len(exc.errors)} problems):")
            for message in exc.errors:
                _say(f"  {message}")
        return 2
    except UsageError as exc:
        _say(f"error: {exc} (see --help)")
        return 2
    except InputError as exc:
        _say(f"error: {exc}")
        return 2
    except BrokenPipeError:
        # The reader (head, a closed socket) went away: stop quietly; send the
        # remaining buffered output nowhere so the interpreter's exit flush is silent.
        with _suppress():
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
    except OSError as exc:
        _say(f"error: {describe_os_error(exc)}")
        if exc.errno in (errno.ENOSPC, errno.EDQUOT) and exc.filename is None:
            with _suppress():
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 2
    except KeyboardInterrupt:
        _say("interrupted")
        return 130


class UsageError(Exception):
    """A command-line mistake argparse found (unknown option, bad value); shown as one ``error:`` line."""


@contextlib.contextmanager
def _one_line_usage_errors():
    """argparse prints its usage block and ``prog: error: ...``; every verb here prints one ``error:`` line
    instead. Verbs build plain ArgumentParsers (new verbs included), so the hook sits on the class."""
    original = argparse.ArgumentParser.error

    def error(parser, message):
        raise UsageError(f"{parser.prog}: {message}")

    # A deliberate patch of the class for this block (mypy flags any method assignment as a likely slip).
    argparse.ArgumentParser.error = error  # type: ignore[method-assign]
    try:
        yield
    finally:
        argparse.ArgumentParser.error = original  # type: ignore[method-assign]


def _say(line: str) -> None:
    if sys.stderr is not None:
        _close_progress_bars()
        with _suppress():
            print(line, file=sys.stderr)


def _close_progress_bars() -> None:
    """A failure inside a loop leaves its tqdm bar open, and the error would be printed
    after it on the same terminal line; closing the bars ends that line first."""
    tqdm = sys.modules.get("tqdm")
    instances = getattr(getattr(tqdm, "tqdm", None), "_instances", None)
    for bar in list(instances or ()):
        with _suppress():
            bar.close()


def _suppress():
    return contextlib.suppress(OSError, ValueError, AttributeError)
