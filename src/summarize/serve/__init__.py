"""``summarize serve``: headlines and answers over HTTP, one model per process, micro-batched.

    summarize serve --model runs/x/model [--qa-model runs/qa/model] [--backend ctranslate2] [--port 8000]
    summarize serve --model lead                                   # the offline lead-v1 method, no weights

``build_app(headliner, reader, limits)`` returns the ASGI app (FastAPI), usable
under any ASGI server; ``serve(...)`` runs it under uvicorn.
"""

from summarize.serve.app import Limits, build_app

__all__ = ["Limits", "build_app"]
