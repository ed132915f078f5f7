"""``summarize train CONFIG [key=value ...] [--output-dir DIR] [--resume] [--overwrite] [--push-to-hub REPO_ID]``:
train a headline model.

The config's ``task`` picks the model kind: ``headline`` fine-tunes a seq2seq
model; ``extractive`` trains the learned extractive model (``summarize.headline.extractive``,
CPU, minutes, no torch).

Also runs distributed, unchanged:
``torchrun --nproc_per_node 2 -m summarize train CONFIG`` or
``accelerate launch -m summarize train CONFIG`` (every rank loads the data,
only rank 0 writes reports and the final model).

A folder holding an earlier run is refused unless --overwrite (replace it) or
--resume (continue it); a folder in use by another training is refused.
"""

from __future__ import annotations

import argparse

from summarize.cli.common import add_verbosity, parse_args, quiet_libraries, setup_logging
from summarize.config import ConfigError, load_config
from summarize.io.atomic import finite_json, json_line


def main(argv: list[str]) -> int:
    from summarize.config.explain import keys_epilog, plain_text
    from summarize.headline.config import HeadlineConfig

    parser = argparse.ArgumentParser(prog="summarize train", description=plain_text(__doc__),
                                     epilog=keys_epilog(HeadlineConfig),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", help="headline YAML config (see configs/)")
    parser.add_argument("overrides", nargs="*", metavar="key.sub=value",
                        help="config overrides, e.g. training.max_steps=100 training.learning_rate=3e-4")
    parser.add_argument("--output-dir", help="run folder (default: training.output_dir, else runs/<config name>)")
    parser.add_argument("--resume", action="store_true",
                        help="continue from the last complete checkpoint in the run folder (a finished run is left as is)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an earlier run in the run folder (without it, such a folder is refused)")
    parser.add_argument("--push-to-hub", metavar="REPO_ID",
                        help="upload the final model/ (with its model card) to this Hugging Face Hub repository "
                             "(private; needs a token, e.g. from hf auth login)")
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

    result = train(cfg, output_dir=args.output_dir, resume=args.resume, overwrite=args.overwrite)
    if is_main_process():
        print(json_line(finite_json({"model": str(result.model_dir), **{k: result.metrics[k] for k in
                          ("dev", "train_loss", "global_step", "train_runtime_s")}})))
    if args.push_to_hub and is_main_process():
        from summarize.training.model_card import push_to_hub

        push_to_hub(result.model_dir, args.push_to_hub)
    return 0


def _train_extractive(cfg, args: argparse.Namespace) -> int:
    if args.resume:
        raise ConfigError([f"{args.config}: --resume: an extractive model trains in minutes and has no checkpoints"])
    from summarize.headline.extractive.train import train

    result = train(cfg, output_dir=args.output_dir, overwrite=args.overwrite)
    print(json_line(finite_json({"model": str(result.model_dir), **{k: result.metrics[k] for k in
                                 ("dev", "train_articles", "train_runtime_s")}})))
    return 0
