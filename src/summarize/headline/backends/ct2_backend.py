"""The CTranslate2 backend: a converted copy of a headline model (``summarize export ctranslate2``), int8 by default.

    gen = HeadlineGenerator.from_pretrained("runs/x/model", backend="ctranslate2")       # converts once, beside it
    gen = HeadlineGenerator.from_pretrained("runs/x/model-ct2", compute_type="int8")     # an export folder

Same contract as the torch backend (``Backend``): token ids in, the best
hypotheses with scores out, deterministic and thread-safe (a CTranslate2
``Translator`` queues concurrent calls itself).

CTranslate2 has no per-step logits hook, so the character budget cannot be
enforced while decoding as the torch backend does. The closest faithful rule:

- decode with token limits derived from the character table: at most
  ``max_chars + TOKEN_MARGIN`` tokens (the torch bound), and every beam kept
  (``num_hypotheses = num_beams``) so there is an n-best list to choose from;
- a hypothesis longer than ``max_chars`` is cut before the token that overflows
  and continued greedily with every token longer than the characters left
  suppressed (``suppress_sequences``): what the torch length processor does at
  that step. It is then re-scored (``score_batch``: the exact score torch gives
  that sequence, EOS included);
- the n-best list is re-ranked: hypotheses meeting ``min_chars`` first, then by score;
- rows where no hypothesis reaches ``min_chars`` are decoded again with at
  least ``min_chars`` tokens (most tokens print one character), then cut to fit.

``max_chars`` therefore holds exactly, as with torch; ``min_chars`` as closely
as torch's own bound. How often the two backends still differ is measured by
``summarize export ctranslate2 --check`` and ``scripts/bench_generate.py``.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

from summarize.headline.backends import DecodeParams, Hypothesis
from summarize.headline.backends.ct2_export import (
    ExportError,
    read_manifest,
    require_ctranslate2,
    source_dir,
    staleness,
)
from summarize.headline.generation_config import (
    TOKEN_MARGIN,
    read_saved_generation_config,
    saved_source_prefix,
    section_from_generation_config,
)
from summarize.headline.token_chars import TokenChars, cleaned_length, token_chars

log = logging.getLogger("summarize.headline")

# compute types a CPU can run; "auto" asks CTranslate2 for the fastest one matching the export
CPU_TYPES = ("int8", "int8_float32", "int16", "float32")


def machine_cores() -> int:
    """Cores this process may run on (a container's or taskset's limit, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def thread_counts(inter_threads: int = 1, intra_threads: int = 0) -> tuple[int, int]:
    """(inter, intra): intra 0 shares the machine's cores among the parallel batches."""
    inter = max(1, inter_threads)
    intra = intra_threads if intra_threads > 0 else max(1, machine_cores() // inter)
    return inter, intra


def fit_to_budget(table: TokenChars, ids: list[int], max_chars: int) -> list[int]:
    """The longest prefix of ``ids`` whose cleaned headline has at most ``max_chars`` characters."""
    if cleaned_length(table, ids) <= max_chars:
        return ids
    lo, hi = 0, len(ids)  # cleaned_length grows with the prefix: binary search the cut
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if cleaned_length(table, ids[:mid]) <= max_chars:
            lo = mid
        else:
            hi = mid - 1
    return ids[:lo]


class CT2Backend:
    """A CTranslate2 ``Translator`` over an export folder (see ``ct2_export``)."""

    def __init__(
        self,
        export_dir: str | os.PathLike,
        *,
        name: str | None = None,
        device: str | None = None,
        compute_type: str = "auto",
        inter_threads: int = 1,
        intra_threads: int = 0,
        vocab_restrict: bool = False,
    ):
        ctranslate2 = require_ctranslate2()
        from summarize.headline.models import load_tokenizer

        folder = Path(export_dir)
        manifest = read_manifest(folder)
        state = staleness(folder, manifest)
        if state.stale:
            log.warning("%s is stale (%s); re-run: summarize export ctranslate2 %s %s --force",
                        folder, state.reason, source_dir(folder, manifest), folder)
        check = manifest.get("check") or {}
        if check.get("status") == "failed":
            log.warning("%s failed its parity check (%s)", folder, "; ".join(check.get("problems") or []))
        self.manifest = manifest
        self.folder = folder
        self.name = name or folder.name
        self.device = "cuda" if device in (None, "auto") and ctranslate2.get_cuda_device_count() else (device or "cpu")
        if str(self.device).startswith("cuda:"):
            self.device, index = "cuda", int(str(self.device).split(":")[1])
        else:
            index = 0
        if compute_type == "auto":
            # the export's own precision when the device supports it; CTranslate2 picks the nearest otherwise
            compute_type = manifest.get("quantization") or "default"
            if compute_type not in ctranslate2.get_supported_compute_types(self.device):
                compute_type = "default"
        self.inter_threads, self.intra_threads = thread_counts(inter_threads, intra_threads)
        try:
            self.translator = ctranslate2.Translator(
                str(folder), device=self.device, device_index=index, compute_type=compute_type,
                inter_threads=self.inter_threads, intra_threads=self.intra_threads,
            )
        except (RuntimeError, ValueError) as exc:
            raise ExportError(f"{folder}: CTranslate2 cannot load this export ({exc})") from exc
        self.compute_type = self.translator.compute_type
        if vocab_restrict and not manifest.get("vocab_restricted_size"):
            raise ExportError(f"{folder}: vocab_restrict needs an export made with --vocab-from TRAIN.jsonl")
        self.vocab_restrict = vocab_restrict
        self.tokenizer = load_tokenizer(folder, manifest["family"])
        gc = read_saved_generation_config(folder)
        self.defaults = section_from_generation_config(gc)
        self.source_prefix = saved_source_prefix(gc)
        self.max_source_tokens = manifest.get("max_source_tokens")
        self.tokens: list[str] = manifest["tokens"]
        self.index = {t: i for i, t in enumerate(self.tokens)}
        eos = getattr(gc, "eos_token_id", None)
        eos_ids = [eos] if isinstance(eos, int) else list(eos or [])
        if not eos_ids:
            raise ExportError(f"{folder}: the model defines no eos_token_id; cannot end headlines")
        self.eos_tokens = [self.tokens[i] for i in eos_ids]
        self.chars = token_chars(self.tokenizer)
        self.max_token_chars = max(self.chars.length, default=1) or 1
        self._suppress: dict[int, list[list[str]] | None] = {}  # characters left -> tokens too long for them

    # --- Backend ----------------------------------------------------------------------

    def generate(self, batch: list[list[int]], params: DecodeParams) -> list[list[Hypothesis]]:
        source = [[self.tokens[i] for i in ids] for ids in batch]
        max_new = params.max_new_tokens if params.max_new_tokens is not None else params.max_chars + TOKEN_MARGIN
        # a token prints at most max_token_chars characters: fewer tokens can never reach min_chars
        min_tokens = max(params.min_new_tokens, math.ceil(params.min_chars / self.max_token_chars))
        ranked = self._decode(source, params, max_new, min_tokens)
        if params.min_chars > 0:
            short = [r for r, hyps in enumerate(ranked) if not hyps[0][2]]
            if short:
                again = self._decode([source[r] for r in short], params, max_new,
                                     max(min_tokens, min(params.min_chars, max_new)))
                for r, hyps in zip(short, again):
                    ranked[r] = _rank(ranked[r] + hyps)
        n = params.num_return_sequences
        out = []
        for hyps in ranked:
            best = [Hypothesis(tuple(ids), score) for ids, score, _ in hyps[:n]]
            while len(best) < n:  # cutting may have merged beams; repeat the last rather than change the shape
                best.append(best[-1])
            out.append(best)
        return out

    # --- internals --------------------------------------------------------------------

    def _decode(self, source, params: DecodeParams, max_new: int, min_tokens: int):
        """Per input, ``(ids, score, meets_min_chars)`` hypotheses ranked by the character budget."""
        results = self._translate(source, params, max_new, min_tokens, beam_size=params.num_beams)
        candidates, changed = [], []
        for row, result in enumerate(results):
            hyps: list[list] = []  # [ids, score] pairs: _fit and the re-scoring below change them in place
            for tokens, score in zip(result.hypotheses, result.scores):
                ids = [self.index[t] for t in tokens]
                # CTranslate2 renormalizes over the tokens a minimum length leaves, transformers does not:
                # scores under a minimum set for min_chars are recomputed, as are those of hypotheses
                # changed to fit the budget. (A bare min_new_tokens, a token cap for experiments and
                # benchmarks, keeps CTranslate2's score: re-scoring re-encodes the article.)
                if min_tokens > params.min_new_tokens or cleaned_length(self.chars, ids) > params.max_chars:
                    changed.append((row, len(hyps)))
                hyps.append([ids, float(score)])
            candidates.append(hyps)
        self._fit(source, params, max_new, [(row, candidates[row][k]) for row, k in changed])
        if changed:
            scored = self.translator.score_batch(
                [source[row] for row, _ in changed],
                [[self.tokens[i] for i in candidates[row][k][0]] for row, k in changed],
                max_input_length=0,
            )
            for (row, k), result in zip(changed, scored):
                # log-probabilities of the tokens and of the EOS that ends them, as torch scores a sequence
                lp = list(result.log_probs)
                if params.num_beams == 1 and cleaned_length(self.chars, candidates[row][k][0]) >= params.max_chars:
                    # torch's greedy score renormalizes over the tokens its processor leaves: a forced EOS scores 0
                    lp[-1] = 0.0
                candidates[row][k][1] = float(sum(lp) / max(1, len(lp)) ** params.length_penalty)
        return [
            _rank([(ids, score, cleaned_length(self.chars, ids) >= params.min_chars) for ids, score in hyps])
            for hyps in candidates
        ]

    def _fit(self, source, params: DecodeParams, max_new: int, items: list) -> None:
        """Bring over-long hypotheses (``[ids, score]`` lists, changed in place) within ``max_chars``.

        As the torch length processor does at the step a token would overflow: cut
        before that token, then go on greedily with every token longer than the
        characters left suppressed, until the headline ends or the budget is spent.
        """
        pending = []
        for row, hyp in items:
            fitted = fit_to_budget(self.chars, hyp[0], params.max_chars)
            if len(fitted) < len(hyp[0]):
                hyp[0] = fitted
                pending.append((row, hyp))
        for _ in range(params.max_chars):  # each round adds at least one character or ends a hypothesis
            groups: dict[int, list] = {}
            for row, hyp in pending:
                left = params.max_chars - cleaned_length(self.chars, hyp[0])
                if left > 0 and len(hyp[0]) < max_new:
                    groups.setdefault(left, []).append((row, hyp))
            if not groups:
                return
            pending = []
            for left, group in groups.items():
                results = self._translate(
                    [source[row] for row, _ in group], params, max_new, 0, beam_size=1,
                    target_prefix=[[self.tokens[i] for i in hyp[0]] for _, hyp in group],
                    suppress_sequences=self._longer_than(left),
                )
                for (row, hyp), result in zip(group, results):
                    ids = [self.index[t] for t in result.hypotheses[0]]
                    fitted = fit_to_budget(self.chars, ids, params.max_chars)
                    progressed = len(fitted) > len(hyp[0])
                    hyp[0] = fitted
                    if progressed and len(fitted) < len(ids):
                        pending.append((row, hyp))

    def _longer_than(self, left: int) -> list[list[str]] | None:
        """Single-token sequences to suppress: every token printing more than ``left`` characters."""
        if left not in self._suppress:
            self._suppress[left] = [[self.tokens[i]] for i, n in enumerate(self.chars.length)
                                    if n > left and i < len(self.tokens)] or None
        return self._suppress[left]

    def _translate(self, source, params: DecodeParams, max_new: int, min_tokens: int, *, beam_size: int, **extra):
        # One translate_batch call runs on one of the inter_threads replicas unless the batch is split:
        # cut it in inter_threads parts, which CTranslate2 decodes in parallel and returns in order.
        parts = -(-len(source) // self.inter_threads) if self.inter_threads > 1 else 0
        return self.translator.translate_batch(
            source,
            max_batch_size=parts,
            beam_size=beam_size,
            num_hypotheses=beam_size,
            length_penalty=params.length_penalty,
            repetition_penalty=params.repetition_penalty,
            no_repeat_ngram_size=params.no_repeat_ngram_size,
            max_decoding_length=max_new,
            min_decoding_length=min(min_tokens, max_new),
            end_token=self.eos_tokens,
            max_input_length=0,  # the generator truncates (keeping the lead) before we get here
            use_vmap=self.vocab_restrict,
            return_scores=True,
            **extra,
        )


def _rank(hyps: list[tuple]) -> list[tuple]:
    """Unique hypotheses, those meeting min_chars first, then by score (best first)."""
    seen, unique = set(), []
    for ids, score, meets in sorted(hyps, key=lambda h: (not h[2], -h[1])):
        key = tuple(ids)
        if key not in seen:
            seen.add(key)
            unique.append((list(ids), score, meets))
    return unique


__all__ = ["CT2Backend", "fit_to_budget", "machine_cores", "thread_counts"]
