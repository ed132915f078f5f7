"""``summarize validate CONFIG [key=value ...]``: check a config without running anything.

    summarize validate configs/quickstart.yaml                 # ok, or every error at once
    summarize validate configs/quickstart.yaml --show          # the fully resolved config
    summarize validate configs/quickstart.yaml --explain       # every key: value, type, default, meaning
    summarize validate configs/quickstart.yaml --explain training.learning_rate
"""

from __future__ import annotations

import argparse

from summarize.cli.common import parse_args
from summarize.config import dump_yaml, load_config
from summarize.config.explain import explain, plain_text


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="summarize validate", description=plain_text(__doc__),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", help="YAML config file")
    parser.add_argument("overrides", nargs="*", metavar="key.sub=value", help="overrides applied before validation")
    parser.add_argument("--show", action="store_true", help="print the fully resolved config")
    parser.add_argument("--explain", nargs="?", const="", metavar="KEY",
                        help="document every key (or KEY, a key or a section such as training): its value here, "
                             "default, type and meaning")
    args = parse_args(parser, argv)
    cfg = load_config(args.config, args.overrides)
    if args.explain is not None:
        print(explain(cfg, args.explain or None))
    elif args.show:
        print(dump_yaml(cfg), end="")
    else:
        print(f"{args.config}: ok ({cfg.task})")
    return 0
