"""The JSONL line written for one headline, by ``summarize headline`` and ``summarize batch headline``.

One function, so that a batch job's output is byte-identical to the single-process
command's for the same articles::

    result_line(generator.generate(text), "doc-17")
    # '{"id": "doc-17", "headline": "…", "method": "lead-v1", "warnings": []}'
"""

from __future__ import annotations

import json
import math


def result_line(result, row_id: str | None = None) -> str:
    """``{"id"?, "headline", "method", "warnings", "score"?, "truncated_tokens"?}`` as one JSON line (no newline).

    ``id`` is present when the input row had one; ``score`` and ``truncated_tokens`` for
    models only. A non-finite score (a broken model) is written as null: JSON has no NaN.
    """
    out = {"id": row_id} if row_id is not None else {}
    out.update(headline=result.headline, method=result.method, warnings=list(result.warnings))
    if result.score is not None:
        out["score"] = round(result.score, 6) if math.isfinite(result.score) else None
        out["truncated_tokens"] = result.truncated_tokens
    return json.dumps(out, ensure_ascii=False, allow_nan=False)
