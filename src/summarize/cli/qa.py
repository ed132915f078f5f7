"""``summarize qa``: extractive reading comprehension.

    summarize qa train CONFIG [key=value ...] [--output-dir DIR] [--resume] [--push-to-hub REPO_ID]
    summarize qa answer --model DIR --question Q (--context TEXT | --context-file FILE) [--json]
    summarize qa predict --model DIR --input FILE --output PRED.json
    summarize qa evaluate --dataset SQUAD.json|QA.jsonl --predictions PRED.json [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from summarize.cli.common import add_verbosity, parse_args, quiet_libraries, setup_logging

log = logging.getLogger("summarize")


def _train(args) -> int:
    from summarize.config import load_config
    from summarize.qa.train import train

    cfg = load_config(args.config, args.overrides, task="qa")
    from summarize.training import is_main_process

    result = train(cfg, args.output_dir, resume=args.resume, overwrite=args.overwrite)
    dev = result.metrics.get("dev")
    if dev and is_main_process():
        print(f"dev EM {dev['em']:.2f}  F1 {dev['f1']:.2f}  ({dev['n']} questions)")
    if args.push_to_hub and is_main_process():
        from summarize.training.model_card import push_to_hub

        push_to_hub(result.model_dir, args.push_to_hub)
    return 0


def _reader(args):
    from summarize.qa.reader import Reader

    return Reader.from_pretrained(args.model, device=args.device, batch_size=args.batch_size)


def _answer(args) -> int:
    from summarize.io.read import InputError, read_text

    if args.context_file is not None:
        context, _ = read_text(args.context_file)
    else:
        context = args.context
    if not args.question.strip():
        raise InputError("--question is empty")
    if not context.strip():
        raise InputError(f"{args.context_file or '--context'}: the context is empty")
    result = _reader(args).answer(args.question, context, top_k=args.top_k)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for item in result if isinstance(result, list) else [result]:
            print(item["answer"])
    return 0


def _predict(args) -> int:
    from tqdm.auto import tqdm

    from summarize.io.atomic import atomic_write_json
    from summarize.qa.data import read_qa_file

    from summarize.io.safety import refuse_same_file

    refuse_same_file({"--input": args.input}, {"--output": args.output})
    data = read_qa_file(args.input)  # bad rows are logged with file:line and skipped
    reader = _reader(args)
    predictions: dict[str, str] = {}
    chunk = max(reader.batch_size * 4, 64)
    examples = data.examples
    with tqdm(total=len(examples), unit="q", disable=not log.isEnabledFor(logging.INFO), file=sys.stderr) as bar:
        for lo in range(0, len(examples), chunk):
            part = examples[lo:lo + chunk]
            answers = reader.answer_many([e.question for e in part], [e.context for e in part])
            predictions.update({e.id: a["answer"] for e, a in zip(part, answers)})
            bar.update(len(part))
    atomic_write_json(args.output, predictions)
    skipped = f", {len(data.problems)} bad rows skipped" if data.problems else ""
    log.info("%d answers written to %s%s", len(predictions), args.output, skipped)
    return 1 if data.problems and args.strict else 0


def _evaluate(args) -> int:
    from summarize.metrics.cmrc import evaluate_squad_files
    from summarize.metrics.report import format_qa_report

    result = evaluate_squad_files(args.dataset, args.predictions)
    if args.json:
        print(json.dumps({k: result[k] for k in ("em", "f1", "n", "n_unanswered", "n_unknown") if k in result},
                         ensure_ascii=False))
    else:
        print(format_qa_report(result))
    return 0


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, help="model folder (a run's model/) or hub id")
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: cuda when available)")
    p.add_argument("--batch-size", type=int, default=None,
                   help="windows per forward pass (default: 1 on CPU, where padding costs more than batching gains; 32 on GPU)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summarize qa", description="extractive reading comprehension")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    from summarize.config.explain import keys_epilog
    from summarize.qa.config import QAConfig

    p = sub.add_parser("train", help="fine-tune a QA model from a config", epilog=keys_epilog(QAConfig),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config", help="YAML config with task: qa")
    p.add_argument("overrides", nargs="*", metavar="key.sub=value", help="config overrides")
    p.add_argument("--output-dir", default=None, help="run folder (default: training.output_dir)")
    p.add_argument("--resume", action="store_true", help="continue from the newest complete checkpoint")
    p.add_argument("--push-to-hub", metavar="REPO_ID", help="upload the final model/ (with its model card) to this "
                   "Hugging Face Hub repository (private; needs a token, e.g. from hf auth login)")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier run in the run folder")
    add_verbosity(p)
    p.set_defaults(fn=_train)

    p = sub.add_parser("answer", help="answer one question about a context")
    _model_args(p)
    p.add_argument("--question", required=True)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--context", help="the context text")
    group.add_argument("--context-file", help="file holding the context (UTF-8 or GB18030)")
    p.add_argument("--top-k", type=int, default=1, help="print the k best answers")
    p.add_argument("--json", action="store_true", help="print {answer, score, start, end} as JSON")
    add_verbosity(p)
    p.set_defaults(fn=_answer)

    p = sub.add_parser("predict", help="answer every question of a SQuAD JSON or JSONL file")
    _model_args(p)
    p.add_argument("--input", required=True, help="SQuAD-style JSON or JSONL (id, context, question)")
    p.add_argument("--output", required=True, help="predictions JSON {id: answer}, written atomically")
    p.add_argument("--strict", action="store_true", help="exit 1 when any input row was bad (still writes the rest)")
    add_verbosity(p)
    p.set_defaults(fn=_predict)

    p = sub.add_parser("evaluate", help="CMRC 2018 EM/F1 of a predictions file")
    p.add_argument("--dataset", required=True, help="gold answers: SQuAD-style JSON or the JSONL form")
    p.add_argument("--predictions", required=True, help="predictions JSON {id: answer}")
    p.add_argument("--json", action="store_true", help="print em, f1, n as JSON")
    add_verbosity(p)
    p.set_defaults(fn=_evaluate)
    return parser


def main(argv: list[str]) -> int:
    args = parse_args(build_parser(), argv)
    setup_logging(args.verbosity)
    if args.command != "evaluate":
        quiet_libraries(args.verbosity)
    if (getattr(args, "batch_size", None) or 1) <= 0:
        from summarize.io.read import InputError

        raise InputError(f"--batch-size must be positive, got {args.batch_size}")
    if getattr(args, "top_k", 1) <= 0:
        from summarize.io.read import InputError

        raise InputError(f"--top-k must be positive, got {args.top_k}")
    return args.fn(args)
