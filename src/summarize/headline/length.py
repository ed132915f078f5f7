"""Headline length in characters, enforced while decoding.

Editors give a headline budget in characters ("at most 30"), but models count
tokens, and one BERT-vocabulary token can be ``"2023"`` or ``"hello"``. So we
precompute, once per tokenizer, how many characters each vocabulary token adds
to the *cleaned* headline (``clean_headline``: no special tokens, no spaces
between CJK characters, one space between Latin words), and a logits processor
uses that table to forbid, per hypothesis, every token that would overflow
``max_chars``, to force EOS once the budget is spent, and to forbid EOS before
``min_chars``.

The count is an upper bound of the cleaned length: a token the decoder might
glue without a space (zero-length tokens between two Latin words, tokenizer
clean-up of " ." and the like) is counted with its space. That keeps the
guarantee one-sided: a headline never exceeds ``max_chars``; ``min_chars`` may
be undershot by the odd space the decoder did not emit.
"""

from __future__ import annotations

import torch
from transformers import LogitsProcessor

# The table itself is torch-free (the CTranslate2 backend uses it without torch); re-exported here.
from summarize.headline.token_chars import TokenChars, cleaned_length, token_chars

class CharTensors:
    """The table as tensors on one device, padded to the model's output vocabulary."""

    def __init__(self, table: TokenChars, vocab_size: int, device: torch.device | str = "cpu"):
        pad = max(0, vocab_size - len(table))
        self.length = torch.tensor(table.length + (0,) * pad, dtype=torch.long, device=device)
        self.starts_latin = torch.tensor(table.starts_latin + (False,) * pad, dtype=torch.bool, device=device)
        self.ends_latin = torch.tensor(table.ends_latin + (False,) * pad, dtype=torch.bool, device=device)
        self.spaced = torch.tensor(table.spaced + (True,) * pad, dtype=torch.bool, device=device)
        # A candidate token adds a space when it starts Latin after a Latin
        # character and the decoder separates it (itself spaced or a spacer before it).
        self.nonempty_latin_start = (self.length > 0) & self.starts_latin

    def state(self, input_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per row of ``input_ids`` (N, L): (characters so far, ends with a Latin char, a spacer follows it)."""
        n_rows, n_cols = input_ids.shape
        lengths = self.length[input_ids]  # (N, L)
        nonempty = lengths > 0
        spacer = self.spaced[input_ids]
        positions = torch.arange(n_cols, device=input_ids.device).expand(n_rows, n_cols)
        # index of the last non-empty token at or before each position (-1: none yet)
        last_nonempty = torch.cummax(torch.where(nonempty, positions, -1), dim=1).values
        spacers_upto = torch.cumsum(spacer.long(), dim=1)
        prev = torch.cat([torch.full((n_rows, 1), -1, device=input_ids.device, dtype=torch.long), last_nonempty[:, :-1]], 1)
        prev_safe = prev.clamp(min=0)
        prev_ends_latin = self.ends_latin[input_ids.gather(1, prev_safe)] & (prev >= 0)
        spaced_between = (spacers_upto - spacers_upto.gather(1, prev_safe)) > 0
        spaces = nonempty & self.starts_latin[input_ids] & prev_ends_latin & spaced_between
        chars = lengths.sum(1) + spaces.sum(1)
        tail = last_nonempty[:, -1]
        tail_safe = tail.clamp(min=0)
        tail_latin = self.ends_latin[input_ids.gather(1, tail_safe[:, None]).squeeze(1)] & (tail >= 0)
        spacer_pending = (spacers_upto[:, -1] - spacers_upto.gather(1, tail_safe[:, None]).squeeze(1)) > 0
        return chars, tail_latin, spacer_pending


class CharLengthLogitsProcessor(LogitsProcessor):
    """Keep every hypothesis within ``[min_chars, max_chars]`` cleaned characters.

    Sees ``input_ids`` of shape (batch * beams, cur_len) - the decoder prompt
    tokens are special and count 0 - and scores of shape (batch * beams, vocab).
    Stateless (recomputed from ``input_ids`` each step), so beam reordering
    needs no bookkeeping and one instance may serve concurrent calls.

    Only rows that could overflow with their next token get the (rows, vocab)
    mask, and only rows short of ``min_chars`` get EOS removed: most steps
    touch a few columns, so the processor costs next to nothing beside the model.
    """

    def __init__(self, chars: CharTensors, eos_token_ids: list[int], max_chars: int | None, min_chars: int = 0):
        self.chars = chars
        self.eos = torch.tensor(sorted(set(eos_token_ids)), dtype=torch.long, device=chars.length.device)
        self.max_chars = max_chars
        self.min_chars = min_chars
        # the most characters one token can add: its own plus a separating space
        self.max_cost = int(chars.length.max().item()) + 1

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        chars, tail_latin, spacer_pending = self.chars.state(input_ids)
        vocab = scores.shape[-1]
        eos = self.eos[self.eos < vocab]
        if self.max_chars is not None:
            rows = ((chars + self.max_cost) > self.max_chars).nonzero().squeeze(1)
            if rows.numel():
                used = chars[rows]
                space = (tail_latin[rows, None] & self.chars.nonempty_latin_start[None, :vocab]) & (
                    self.chars.spaced[None, :vocab] | spacer_pending[rows, None]
                )
                blocked = (used[:, None] + self.chars.length[None, :vocab] + space) > self.max_chars
                # Budget spent: only EOS may follow (zero-length tokens would only loop).
                blocked |= (used >= self.max_chars)[:, None]
                blocked[:, eos] = False
                scores = scores.clone()  # callers may keep the tensor they passed (output_logits)
                scores[rows] = scores[rows].masked_fill(blocked, float("-inf"))
        if self.min_chars > 0:
            rows = (chars < self.min_chars).nonzero().squeeze(1)
            if rows.numel():
                # forbid EOS before min_chars - unless nothing else is left (max_chars wins)
                alive = scores[rows] > float("-inf")
                alive[:, eos] = False
                rows = rows[alive.any(dim=1)]
                if rows.numel():
                    scores = scores.clone()
                    scores[rows[:, None], eos[None, :]] = float("-inf")
        return scores


def length_processor(model, tokenizer, max_chars: int | None, min_chars: int = 0, device=None) -> CharLengthLogitsProcessor:
    """The processor :class:`~summarize.headline.backends.torch_backend.TorchBackend` decodes with, for
    ``model`` and ``tokenizer``: training builds it too, so dev headlines obey the same character bounds."""
    eos = model.generation_config.eos_token_id
    if eos is None:
        eos = model.config.eos_token_id
    eos_ids = [int(e) for e in eos] if isinstance(eos, (list, tuple)) else [int(eos)]
    vocab = model.get_output_embeddings().weight.shape[0]
    chars = CharTensors(token_chars(tokenizer), vocab, device if device is not None else model.device)
    return CharLengthLogitsProcessor(chars, eos_ids, max_chars, min_chars)


__all__ = ["CharLengthLogitsProcessor", "CharTensors", "TokenChars", "cleaned_length", "length_processor", "token_chars"]
