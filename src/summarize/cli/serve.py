"""``summarize serve``: headlines (and answers) over HTTP; needs the serve extra (fastapi, uvicorn).

    summarize serve --model runs/x/model                       # http://127.0.0.1:8000/docs
    summarize serve --model lead --port 9000                   # offline lead-v1, no weights
    summarize serve --model runs/x/model --backend ctranslate2 --qa-model runs/qa/model
    curl -s localhost:8000/v1/headlines -d '{"article": "本报讯…"}' -H 'content-type: application/json'

Endpoints: POST /v1/headlines, POST /v1/answers, GET /healthz, /readyz,
/metrics (Prometheus), /openapi.json. One model per process, loaded once;
concurrent requests are micro-batched. Access logs are JSON lines on stderr.
"""

from __future__ import annotations

import argparse
import re
import sys

from summarize.cli.common import add_verbosity, parse_args, setup_logging
from summarize.io.read import InputError

_OVERRIDE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+=")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summarize serve", description="Serve headlines (and QA answers) over HTTP.")
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="generation overrides (generation.num_beams=2)")
    parser.add_argument("--model", required=True, metavar="DIR", help="headline model folder, export folder, or 'lead'")
    parser.add_argument("--qa-model", metavar="DIR", help="QA model folder for POST /v1/answers")
    parser.add_argument("--backend", choices=["torch", "ctranslate2"], help="headline inference backend")
    parser.add_argument("--config", metavar="FILE", help="YAML config whose generation section sets decoding")
    parser.add_argument("--device", help="cpu, cuda, ... (default: cuda if available)")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="CPU threads per model call (torch and CTranslate2); default: the machine's cores")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    limits = parser.add_argument_group("limits and batching")
    limits.add_argument("--max-body-bytes", type=int, default=1 << 20, help="largest request body (413 beyond)")
    limits.add_argument("--max-articles", type=int, default=64, help="articles (or QA pairs) per request (413 beyond)")
    limits.add_argument("--max-article-chars", type=int, default=20_000, help="characters per article/context (413 beyond)")
    limits.add_argument("--max-batch", type=int, default=16, help="articles per model call")
    limits.add_argument("--max-wait-ms", type=float, default=10.0, help="how long a batch waits to fill")
    limits.add_argument("--max-queue", type=int, default=256, help="articles waiting at most (503 + Retry-After beyond)")
    limits.add_argument("--graceful-timeout", type=float, default=30.0,
                        help="seconds in-flight requests get to finish after SIGTERM")
    add_verbosity(parser)
    return parser


def main(argv: list[str]) -> int:
    parser = _parser()
    args = parse_args(parser, argv)
    setup_logging(args.verbosity)
    bad = [o for o in args.overrides if not _OVERRIDE.match(o)]
    if bad:
        parser.error(f"expected key=value overrides, got {bad[:3]}")
    if not 0 < args.port < 65536:
        parser.error(f"--port must be in 1..65535, got {args.port}")
    try:
        from summarize.serve.app import Limits
        from summarize.serve.run import load_models, serve
    except ImportError as exc:
        raise InputError(f"summarize serve needs the 'serve' extra: pip install 'summarize[serve]' ({exc})") from exc
    limits = Limits(max_body_bytes=args.max_body_bytes, max_articles=args.max_articles,
                    max_article_chars=args.max_article_chars, max_batch=args.max_batch,
                    max_wait_ms=args.max_wait_ms, max_queue=args.max_queue)
    problems = limits.check()
    if problems:
        parser.error("; ".join(problems))
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be >= 1, got {args.threads}")
    overrides = list(args.overrides)
    if args.threads:
        overrides.append(f"generation.intra_threads={args.threads}")
    if args.verbosity < 0 and (args.model != "lead" or args.qa_model):
        # Not quiet_libraries(): it imports the training stack (+250 MB resident) for a rank check a
        # one-process server never needs.
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    headliner, reader, qa_name = load_models(args.model, args.qa_model, backend=args.backend, device=args.device,
                                             config=args.config, overrides=overrides)
    if args.threads and "torch" in sys.modules:  # a torch model or QA reader; a CTranslate2 export never loads torch
        sys.modules["torch"].set_num_threads(args.threads)
    serve(headliner, reader, host=args.host, port=args.port, limits=limits, qa_name=qa_name,
          graceful_timeout=args.graceful_timeout)
    return 0
