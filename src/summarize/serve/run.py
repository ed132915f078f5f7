"""Load the models once, then run the app under uvicorn until SIGTERM or SIGINT.

On SIGTERM uvicorn stops accepting connections and lets the requests in flight
finish (up to ``graceful_timeout`` seconds); then the app's lifespan drains the
batch queues and the process exits 0.
"""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

from summarize.serve.app import Limits, build_app, setup_access_log

log = logging.getLogger("summarize.serve")


def load_models(model: str, qa_model: str | None = None, *, backend: str | None = None, device: Any = None,
                config: str | None = None, overrides: list[str] | None = None):
    """(headline generator, reader or None, QA model name); ``model`` "lead" is the offline lead-v1 method."""
    from summarize.headline.predict import load_generator

    headliner = load_generator(model, device=device, config=config, overrides=overrides or (), backend=backend)
    reader = None
    if qa_model:
        from summarize.qa.reader import Reader

        reader = Reader.from_pretrained(qa_model, device=device)
    return headliner, reader, (os.path.basename(os.path.normpath(qa_model)) if qa_model else None)


def serve(headliner, reader=None, *, host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None,
          qa_name: str | None = None, graceful_timeout: float = 30.0) -> None:
    import uvicorn

    setup_access_log()
    app = build_app(headliner, reader, limits or Limits(), qa_name=qa_name)
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="on",
                           timeout_graceful_shutdown=graceful_timeout, server_header=False)
    log.info("serving %s%s on http://%s:%d", getattr(headliner, "method", "model"),
             f" and {qa_name}" if reader is not None else "", host, port)
    # uvicorn re-raises the signal it stopped on once it has shut down; with the default handler
    # that kills the process (status -15) after a clean shutdown. Ours lets serve() return: exit 0.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        uvicorn.Server(config).run()
    finally:
        signal.signal(signal.SIGTERM, previous)
    log.info("stopped")
