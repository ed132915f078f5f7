"""The JSONL line written for one headline, by ``summarize headline`` and ``summarize batch headline``.

One function, so that a batch job's output is byte-identical to the single-process
command's for the same articles::

    result_line(generator.generate(text), "doc-17")
    # '{"id": "doc-17", "headline": "…", "method": "lead-v1", "warnings": []}'
"""

from __future__ import annotations

from typing import Any

from summarize.io.atomic import finite_or_none, json_line


def result_line(result, row_id: str | None = None) -> str:
    """``{"id"?, "headline", "method", "warnings", "score"?, "truncated_tokens"?}`` as one JSON line (no newline).

    ``id`` is present when the input row had one; ``score`` and ``truncated_tokens`` for
    models only.
    """
    out: dict[str, Any] = {"id": row_id} if row_id is not None else {}
    out.update(headline=result.headline, method=result.method, warnings=list(result.warnings))
    if result.score is not None:
        score = finite_or_none(result.score)
        if score is None:  # a broken (NaN) model: JSON has no NaN, so null, and say why
            out["warnings"].append(f"score was {result.score}: the model's outputs are not finite numbers")
        out["score"] = None if score is None else round(score, 6)
        out["truncated_tokens"] = result.truncated_tokens
    return json_line(out)
