"""Start/end logits of all windows of a question -> best answer spans in the original context.

Every (start, end) pair inside a window's context with ``end - start < max_answer_tokens``
is scored exactly (a banded score matrix, not a top-n approximation), as
``p_start * p_end`` with each softmax taken over the window's context tokens plus
[CLS]. Keeping [CLS] in the softmax matters across windows: a window the model
thinks lacks the answer puts its mass on [CLS] (that is how it was trained), so
its best span gets a low probability instead of a normalized-to-one one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from summarize.qa.features import Windows

# The answer returned when no span can be read (e.g. a context the tokenizer turns into no tokens at all).
# ``context[0:0] == ""`` keeps the offset invariant true for it as well.
NO_ANSWER = {"answer": "", "score": 0.0, "start": 0, "end": 0}


@dataclass
class Candidate:
    score: float
    start: int  # character offsets into the original context
    end: int


def window_candidates(
    start_logits: torch.Tensor,
    end_logits: torch.Tensor,
    context_span: np.ndarray,
    *,
    max_answer_tokens: int,
    top_k: int = 1,
) -> list[list[tuple[float, int, int]]]:
    """Best ``top_k`` token spans ``(prob, start_tok, end_tok)`` of each window in a (B, T) batch."""
    bsz, length = start_logits.shape
    if bsz == 0:
        return []
    start_logits = start_logits.float()
    end_logits = end_logits.float()
    positions = torch.arange(length, device=start_logits.device)
    span = torch.as_tensor(context_span, device=start_logits.device)
    in_context = (positions[None, :] >= span[:, :1]) & (positions[None, :] <= span[:, 1:]) & (span[:, :1] >= 0)
    allowed = in_context.clone()
    allowed[:, 0] = True  # [CLS] takes part in the softmax, never in a span
    neg = torch.finfo(torch.float32).min
    log_start = torch.log_softmax(start_logits.masked_fill(~allowed, neg), dim=-1)
    log_end = torch.log_softmax(end_logits.masked_fill(~allowed, neg), dim=-1)
    band = min(max_answer_tokens, length)
    # end_band[b, i, l] = log_end[b, i + l]: all ends within max_answer_tokens of start i
    pad_end = torch.nn.functional.pad(log_end, (0, band - 1), value=neg)
    pad_ctx = torch.nn.functional.pad(in_context, (0, band - 1), value=False)
    end_band = pad_end.unfold(1, band, 1)
    ctx_band = pad_ctx.unfold(1, band, 1)
    scores = log_start[:, :, None] + end_band
    valid = in_context[:, :, None] & ctx_band
    scores = scores.masked_fill(~valid, float("-inf")).reshape(bsz, -1)
    k = min(top_k, scores.shape[1])
    best, idx = scores.topk(k, dim=-1)
    best, idx = best.cpu().numpy(), idx.cpu().numpy()
    out = []
    for b in range(bsz):
        spans = []
        for score, flat in zip(best[b], idx[b]):
            if not np.isfinite(score):
                break
            i, offset = divmod(int(flat), band)
            spans.append((float(np.exp(score)), i, i + offset))
        out.append(spans)
    return out


def spans_to_candidates(spans: list[tuple[float, int, int]], offsets: np.ndarray) -> list[Candidate]:
    return [Candidate(score, int(offsets[s, 0]), int(offsets[e, 1])) for score, s, e in spans]


def best_answers(candidates: list[Candidate], context: str, top_k: int = 1) -> list[dict]:
    """Merge the candidates of all windows of one question: highest score first, one entry per char span.

    The answer text is always the slice ``context[start:end]`` of the original string.
    """
    seen, out = set(), []
    for cand in sorted(candidates, key=lambda c: -c.score):
        key = (cand.start, cand.end)
        if key in seen or cand.end <= cand.start:
            continue
        seen.add(key)
        out.append({"answer": context[cand.start:cand.end], "score": cand.score, "start": cand.start, "end": cand.end})
        if len(out) == top_k:
            break
    return out or [dict(NO_ANSWER)]


def decode_windows(
    start_logits,
    end_logits,
    windows: Windows,
    contexts: list[str],
    *,
    max_answer_tokens: int,
    top_k: int = 1,
    batch_size: int = 256,
) -> list[list[dict]]:
    """Answers for every question from the logits of all its windows (rows aligned with ``windows``).

    ``start_logits``/``end_logits`` may be arrays padded past each window's length (the Trainer pads with -100):
    only positions inside the window's context are ever read.
    """
    per_example: list[list[Candidate]] = [[] for _ in contexts]
    start_logits = torch.as_tensor(np.asarray(start_logits))
    end_logits = torch.as_tensor(np.asarray(end_logits))
    for lo in range(0, len(windows), batch_size):
        hi = min(lo + batch_size, len(windows))
        spans = window_candidates(
            start_logits[lo:hi], end_logits[lo:hi], windows.context_span[lo:hi],
            max_answer_tokens=max_answer_tokens, top_k=top_k,
        )
        for w, window_spans in zip(range(lo, hi), spans):
            per_example[int(windows.example_index[w])] += spans_to_candidates(window_spans, windows.offsets[w])
    return [best_answers(c, ctx, top_k) for c, ctx in zip(per_example, contexts)]
