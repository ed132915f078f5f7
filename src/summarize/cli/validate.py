"""``summarize validate CONFIG [key=value ...]``: check a config without running anything."""

from __future__ import annotations

import argparse

from summarize.cli.common import parse_args
from summarize.config import dump_yaml, load_config


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="summarize validate", description=__doc__)
    parser.add_argument("config", help="YAML config file")
    parser.add_argument("overrides", nargs="*", metavar="key.sub=value", help="overrides applied before validation")
    parser.add_argument("--show", action="store_true", help="print the fully resolved config")
    args = parse_args(parser, argv)
    cfg = load_config(args.config, args.overrides)
    if args.show:
        print(dump_yaml(cfg), end="")
    else:
        print(f"{args.config}: ok ({cfg.task})")
    return 0
