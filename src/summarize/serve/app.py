"""The HTTP API: FastAPI routes over one headline generator (and optionally one QA reader).

Why FastAPI on uvicorn: request bodies are pydantic models, so a wrong type is
a 422 naming the field and the OpenAPI schema (``/openapi.json``, ``/docs``)
comes from the same code; it is ASGI, so waiting requests cost no thread while
the model runs in the batcher's; uvicorn stops on SIGTERM by refusing new
connections and finishing the requests in flight. Both are widely used and
actively maintained; neither pulls in a model-serving framework we would have
to configure around a seq2seq model with a character budget.

Errors are JSON ``{"error": message, "field": name-or-null}``:
400 malformed JSON, 413 a limit (body size, articles per request, characters
per article), 422 an invalid value, 503 a full queue (with Retry-After) or
shutdown in progress, 404 answers without a QA model.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from summarize.serve.batcher import MicroBatcher, QueueFull
from summarize.serve.metrics import BATCH_BUCKETS, Metrics

access_log = logging.getLogger("summarize.access")


@dataclass(frozen=True)
class Limits:
    """What one request may ask for, and how requests are batched."""

    max_body_bytes: int = 1 << 20
    max_articles: int = 64
    max_article_chars: int = 20_000
    max_question_chars: int = 1_000
    max_batch: int = 16
    max_wait_ms: float = 10.0
    max_queue: int = 256
    retry_after_s: int = 1

    def check(self) -> list[str]:
        return [f"{k} must be >= 1, got {getattr(self, k)}" for k in
                ("max_body_bytes", "max_articles", "max_article_chars", "max_question_chars", "max_batch", "max_queue")
                if getattr(self, k) < 1] + (["max_wait_ms must be >= 0"] if self.max_wait_ms < 0 else [])


class HeadlineRequest(BaseModel):
    """One article (``article``) or several (``articles``), with optional decoding settings."""

    model_config = ConfigDict(extra="forbid")
    article: str | None = Field(None, description="one article")
    articles: list[str] | None = Field(None, description="several articles; results come back in this order")
    max_chars: int | None = Field(None, ge=1, le=500, description="longest headline, in characters")
    min_chars: int | None = Field(None, ge=0, le=500, description="shortest headline, in characters")
    num_beams: int | None = Field(None, ge=1, le=16, description="beam width; 1 is greedy")
    num_return_sequences: int = Field(1, ge=1, le=16, description="alternatives per article (<= num_beams)")
    no_repeat_ngram_size: int | None = Field(None, ge=0, le=16)
    repetition_penalty: float | None = Field(None, gt=0, le=10)
    length_penalty: float | None = Field(None, ge=-10, le=10)


class HeadlineOut(BaseModel):
    headline: str
    method: str
    score: float | None = None
    truncated_tokens: int = 0
    warnings: list[str] = []
    alternatives: list[dict[str, Any]] = []


class HeadlineResponse(BaseModel):
    model: str
    results: list[HeadlineOut]


class QAPair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    context: str


class AnswerRequest(BaseModel):
    """One ``question`` with its ``context``, or several ``pairs``."""

    model_config = ConfigDict(extra="forbid")
    question: str | None = None
    context: str | None = None
    pairs: list[QAPair] | None = None
    top_k: int = Field(1, ge=1, le=20)


class AnswerOut(BaseModel):
    answer: str
    score: float
    start: int
    end: int


class AnswerResponse(BaseModel):
    model: str
    results: list[list[AnswerOut]] = Field(description="per pair, the best answers first (top_k of them)")


class ApiError(HTTPException):
    """An error answered as ``{"error", "field"}``; an HTTPException so FastAPI's body parsing passes it through."""

    def __init__(self, status: int, message: str, field: str | None = None, headers: dict | None = None):
        super().__init__(status, message)
        self.status, self.message, self.field, self.headers = status, message, field, headers or {}


def _error(status: int, message: str, field: str | None = None, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "field": field}, status_code=status, headers=headers)


class _BodyLimit:
    """ASGI middleware: refuse a body over ``limit`` bytes (by Content-Length, or while it streams in);
    read every POST body as JSON."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        if scope.get("method") == "POST" and b"json" not in headers.get(b"content-type", b""):
            # The API speaks JSON only; a client that forgot the header (curl -d) is read as JSON, not refused.
            headers[b"content-type"] = b"application/json"
            scope = dict(scope, headers=list(headers.items()))
        declared = headers.get(b"content-length")
        too_big = _error(413, f"request body over {self.limit} bytes", "body")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await too_big(scope, receive, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise ApiError(413, f"request body over {self.limit} bytes", "body")
            return message

        try:
            await self.app(scope, limited, send)
        except ApiError as exc:
            await _error(exc.status, exc.message, exc.field)(scope, receive, send)


def _http_error(exc: HTTPException) -> JSONResponse:
    """Every HTTP error in our JSON shape: ours name their field; FastAPI's own 400 is an unreadable body."""
    if isinstance(exc, ApiError):
        return _error(exc.status, exc.message, exc.field, exc.headers)
    field = "body" if exc.status_code == 400 else None
    message = "malformed JSON body" if exc.status_code == 400 else str(exc.detail)
    return _error(exc.status_code, message, field, getattr(exc, "headers", None))


def _validation_error(exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return _error(400, "malformed JSON body", "body")
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    field = ".".join(loc) or "body"
    if first.get("type") == "missing" and not loc:
        return _error(400, "expected a JSON object body", "body")
    return _error(422, f"{field}: {first.get('msg', 'invalid value')}", field)


def build_app(headliner, reader=None, limits: Limits | None = None, *, qa_name: str | None = None) -> FastAPI:
    """The ASGI app. ``headliner``: anything with ``generate(texts, **settings)`` -> HeadlineResults
    (``HeadlineGenerator``, ``LeadGenerator``); ``reader``: a ``Reader`` or None."""
    limits = limits or Limits()
    problems = limits.check()
    if problems:
        raise ValueError("; ".join(problems))
    metrics = Metrics()
    method = getattr(headliner, "method", "model")
    state = {"ready": False}

    def on_batch(queue: str):
        def record(size: int, seconds: float) -> None:
            metrics.observe("summarize_batch_size", "items per model call", size, BATCH_BUCKETS, queue=queue)
            metrics.observe("summarize_batch_seconds", "seconds per model call", seconds, queue=queue)
        return record

    def run_headlines(key, texts):
        return headliner.generate(list(texts), **dict(key))

    def run_answers(top_k, pairs):
        return reader.answer_many([q for q, _ in pairs], [c for _, c in pairs], top_k=top_k)

    wait = limits.max_wait_ms / 1000
    batchers = {"headlines": MicroBatcher(run_headlines, name="headlines", max_batch=limits.max_batch, max_wait=wait,
                                          max_queue=limits.max_queue, on_batch=on_batch("headlines"))}
    if reader is not None:
        batchers["answers"] = MicroBatcher(run_answers, name="answers", max_batch=limits.max_batch, max_wait=wait,
                                           max_queue=limits.max_queue, on_batch=on_batch("answers"))

    async def lifespan(app):
        state["ready"] = True
        yield
        # uvicorn has stopped accepting and finished the requests in flight; drain and stop the workers
        state["ready"] = False
        for batcher in batchers.values():
            await asyncio.to_thread(batcher.close)

    app = FastAPI(title="summarize", version=_version(), lifespan=lifespan,
                  description="Chinese headlines and reading-comprehension answers.")
    # added before ``observe`` so that it runs inside it: refused bodies are logged and counted too
    app.add_middleware(_BodyLimit, limit=limits.max_body_bytes)
    app.add_exception_handler(RequestValidationError, lambda request, exc: _validation_error(exc))
    app.add_exception_handler(HTTPException, lambda request, exc: _http_error(exc))

    @app.middleware("http")
    async def observe(request: Request, call_next):
        known = {"/v1/headlines", "/v1/answers", "/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"}
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            seconds = time.perf_counter() - start
            path = request.url.path
            endpoint = path if path in known else "other"
            metrics.inc("summarize_requests_total", "HTTP requests by endpoint and status",
                        endpoint=endpoint, status=str(status))
            metrics.observe("summarize_request_seconds", "request latency", seconds, endpoint=endpoint)
            access_log.info(json.dumps({
                "ts": round(time.time(), 3), "client": request.client.host if request.client else None,
                "method": request.method, "path": path, "status": status, "ms": round(seconds * 1000, 2),
            }))

    async def wait_for(queue: str, key, payloads: list) -> list:
        if not state["ready"]:
            raise ApiError(503, "shutting down", None, {"Retry-After": str(limits.retry_after_s)})
        batcher = batchers[queue]
        try:
            futures = batcher.submit(key, payloads)
        except QueueFull as exc:
            metrics.inc("summarize_rejected_total", "requests refused because the queue was full", queue=queue)
            raise ApiError(503, f"server busy ({exc}); retry later", None,
                           {"Retry-After": str(limits.retry_after_s)}) from exc
        metrics.set("summarize_queue_depth", "items waiting for the model", batcher.depth(), queue=queue)
        try:
            return list(await asyncio.gather(*(asyncio.wrap_future(f) for f in futures)))
        except (ValueError, TypeError) as exc:  # settings the model refuses (min_chars > max_chars, ...)
            raise ApiError(422, str(exc), None) from exc

    def check_text(value: str, field: str, limit: int) -> None:
        if not value.strip():
            raise ApiError(422, f"{field}: empty text", field)
        if len(value) > limit:
            raise ApiError(413, f"{field}: {len(value)} characters, the limit is {limit}", field)

    @app.post("/v1/headlines", response_model=HeadlineResponse, summary="headlines for one article or a list",
              responses={400: {}, 413: {}, 422: {}, 503: {}})
    async def headlines(body: HeadlineRequest) -> dict:
        if (body.article is None) == (body.articles is None):
            raise ApiError(422, "give exactly one of 'article' or 'articles'", "article")
        texts = [body.article] if body.article is not None else list(body.articles or [])
        field = "article" if body.article is not None else "articles"
        if not texts:
            raise ApiError(422, "articles: empty list", "articles")
        if len(texts) > limits.max_articles:
            raise ApiError(413, f"articles: {len(texts)} articles, the limit is {limits.max_articles}", "articles")
        for i, text in enumerate(texts):
            check_text(text, field if body.article is not None else f"articles.{i}", limits.max_article_chars)
        settings = body.model_dump(exclude={"article", "articles"}, exclude_none=True)
        if settings.get("num_return_sequences") == 1:
            settings.pop("num_return_sequences")
        results = await wait_for("headlines", tuple(sorted(settings.items())), texts)
        metrics.inc("summarize_articles_total", "articles headlined", len(texts))
        return {"model": method, "results": [r.to_dict() for r in results]}

    @app.post("/v1/answers", response_model=AnswerResponse, summary="extractive answers with character offsets",
              responses={400: {}, 404: {}, 413: {}, 422: {}, 503: {}})
    async def answers(body: AnswerRequest) -> dict:
        if reader is None:
            raise ApiError(404, "no QA model is loaded (start the server with --qa-model)", None)
        single = body.question is not None or body.context is not None
        if single == (body.pairs is not None):
            raise ApiError(422, "give 'question' and 'context', or 'pairs'", "pairs")
        if single:
            if body.question is None or body.context is None:
                raise ApiError(422, "'question' and 'context' go together", "context" if body.context is None else "question")
            pairs, names = [(body.question, body.context)], [("question", "context")]
        else:
            pairs = [(p.question, p.context) for p in body.pairs or []]
            names = [(f"pairs.{i}.question", f"pairs.{i}.context") for i in range(len(pairs))]
            if not pairs:
                raise ApiError(422, "pairs: empty list", "pairs")
        if len(pairs) > limits.max_articles:
            raise ApiError(413, f"pairs: {len(pairs)} pairs, the limit is {limits.max_articles}", "pairs")
        for (q, c), (qn, cn) in zip(pairs, names):
            check_text(q, qn, limits.max_question_chars)
            check_text(c, cn, limits.max_article_chars)
        found = await wait_for("answers", body.top_k, pairs)
        return {"model": qa_name or "qa", "results": [a if isinstance(a, list) else [a] for a in found]}

    @app.get("/healthz", summary="the process is up")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", summary="models loaded and accepting work", responses={503: {}})
    async def readyz():
        if not state["ready"]:
            return _error(503, "not ready", None)
        return {"status": "ready", "model": method, "qa_model": qa_name if reader is not None else None}

    @app.get("/metrics", response_class=PlainTextResponse, summary="Prometheus text format")
    async def prometheus() -> PlainTextResponse:
        for name, batcher in batchers.items():
            metrics.set("summarize_queue_depth", "items waiting for the model", batcher.depth(), queue=name)
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    return app


def _version() -> str:
    from summarize import __version__

    return __version__


def setup_access_log() -> None:
    """Access lines are JSON objects on stderr, one per request, apart from the human-readable log."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.handlers[:] = [handler]
    access_log.propagate = False
    access_log.setLevel(logging.INFO)
