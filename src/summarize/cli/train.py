"""``summarize train CONFIG [key=value ...] [--output-dir DIR] [--resume]``: train a headline model.

The config's ``task`` picks the model kind: ``headline`` fine-tunes a seq2seq
model; ``extractive`` trains the learned extractive model (``summarize.extractive``,
CPU, minutes, no torch).

Also runs distributed, unchanged:
``torchrun --nproc_per_node 2 -m summarize train CONFIG`` or
``accelerate launch -m summarize train CONFIG`` (every rank loads the data,
only rank 0 writes reports and the final model).
"""

from __future__ import annotations

import argparse
import json

from summarize.cli.common import (
    add_verbosity,
    parse_args,
    quiet_libraries,
    setup_logging,
)
from summarize.config import ConfigError, load_config


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="summarize train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", help="headline YAML config (see configs/)")
    parser.add_argument("overrides", nargs="*", metavar="key.sub=value",
                        help="config overrides, e.g. training.max_steps=100 training.learning_rate=3e-4")
    parser.add_argument("--output-dir", help="run folder (default: training.output_dir from the config)")
    parser.add_argument("--resume", action="store_true",
                        help="continue from the last complete checkpoint in the run folder")
    add_verbosity(parser)
    args = parse_args(parser, argv)
    setup_logging(args.verbosity)
    cfg = load_config(args.config, args.overrides)
    if cfg.task == "extractive":
        return _train_extractive(cfg, args)
    if cfg.task != "headline":
        raise ConfigError([(f"{args.config}: task: this command trains 'headline' or 'extractive' models, "
                            f"got {cfg.task!r} (use summarize qa train)")])

    from summarize.headline.train import train
    from summarize.training import is_main_process

    quiet_libraries(args.verbosity)

    result = train(cfg, output_dir=args.output_dir, resume=args.resume)
    if is_main_process():
        print(json.dumps({"model": str(result.model_dir), **{k: result.metrics[k] for k in
                          ("dev", "train_loss", "global_step", "train_runtime_s")}}, ensure_ascii=False))
    return 0


def _train_extractive(cfg, args: argparse.Namespace) -> int:
    if args.resume:
        raise ConfigError([f"{args.config}: --resume: an extractive model trains in minutes and has no checkpoints"])
    from summarize.extractive.train import train

    result = train(cfg, output_dir=args.output_dir)
    print(json.dumps({"model": str(result.model_dir), **{k: result.metrics[k] for k in
                      ("dev", "train_articles", "train_runtime_s")}}, ensure_ascii=False))
    return 0
