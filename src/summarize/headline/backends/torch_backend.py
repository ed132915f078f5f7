"""The PyTorch backend: ``model.generate`` with character-length control, under ``inference_mode``."""

from __future__ import annotations

from typing import Any

import torch
from transformers import LogitsProcessorList

from summarize.device import pick_device
from summarize.headline.backends import DecodeParams, Hypothesis
from summarize.headline.generation_config import TOKEN_MARGIN, saved_source_prefix, section_from_generation_config
from summarize.headline.length import CharLengthLogitsProcessor, CharTensors, token_chars


def _as_list(value: Any) -> list[int]:
    if value is None:
        return []
    if isinstance(value, torch.Tensor):
        return [int(v) for v in value.flatten().tolist()]
    return [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]


class TorchBackend:
    """A transformers seq2seq model on one device.

    The model is only read during generation (no module state changes, a
    fresh logits processor per call), so one backend serves several threads.
    """

    def __init__(self, model, tokenizer, name: str, device: str | torch.device | None = None):
        self.device = pick_device(device)
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.name = name
        gc = model.generation_config
        self.defaults = section_from_generation_config(gc)
        self.source_prefix = saved_source_prefix(gc)
        self.eos_token_ids = _as_list(gc.eos_token_id) or _as_list(model.config.eos_token_id)
        if not self.eos_token_ids:
            raise ValueError(f"{name}: the model defines no eos_token_id; cannot end headlines")
        self.pad_token_id = gc.pad_token_id if gc.pad_token_id is not None else tokenizer.pad_token_id
        if self.pad_token_id is None:
            raise ValueError(f"{name}: neither the model nor the tokenizer defines a pad token")
        # BART-style absolute positions bound the input; T5's relative ones do not.
        positions = getattr(model.config, "max_position_embeddings", None)
        self.max_source_tokens = int(positions) if positions else None
        vocab = model.get_output_embeddings().weight.shape[0]
        self.chars = CharTensors(token_chars(tokenizer), vocab, self.device)

    def generate(self, batch: list[list[int]], params: DecodeParams) -> list[list[Hypothesis]]:
        width = max(len(ids) for ids in batch)
        input_ids = torch.full((len(batch), width), self.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
            attention_mask[row, : len(ids)] = 1
        processor = CharLengthLogitsProcessor(self.chars, self.eos_token_ids, params.max_chars, params.min_chars)
        max_new = params.max_new_tokens if params.max_new_tokens is not None else params.max_chars + TOKEN_MARGIN
        # Passed only when set: transformers warns about min_new_tokens=0 beside min_length=0 on every call.
        minimum = {"min_new_tokens": params.min_new_tokens} if params.min_new_tokens else {}
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids.to(self.device),
                attention_mask=attention_mask.to(self.device),
                logits_processor=LogitsProcessorList([processor]),
                do_sample=False,
                num_beams=params.num_beams,
                num_return_sequences=params.num_return_sequences,
                early_stopping=params.num_beams > 1,
                no_repeat_ngram_size=params.no_repeat_ngram_size,
                repetition_penalty=params.repetition_penalty,
                length_penalty=params.length_penalty,
                max_new_tokens=max_new,
                max_length=None,
                **minimum,
                return_dict_in_generate=True,
                output_scores=True,
            )
            prompt = out.sequences.shape[1] - (len(out.scores) if params.num_beams == 1 else 0)
            sequences, scores = self._finish(out, params, prompt)
        n = params.num_return_sequences
        return [
            [Hypothesis(tuple(sequences[i * n + k]), scores[i * n + k]) for k in range(n)] for i in range(len(batch))
        ]

    def _finish(self, out, params: DecodeParams, prompt: int) -> tuple[list[list[int]], list[float]]:
        """Generated ids up to (not including) the first EOS, and one score per sequence.

        The score is what transformers' beam search ranks by: the sum of the
        token log-probabilities (EOS included) divided by length ** length_penalty.
        Greedy decoding gets the same formula from its per-step scores.
        """
        eos = set(self.eos_token_ids)
        if params.num_beams > 1:
            # beam output starts with the decoder prompt (the decoder start token)
            seqs = out.sequences[:, 1:].tolist()
            scores = [float(s) for s in out.sequences_scores.tolist()]
        else:
            generated = out.sequences[:, prompt:]
            logprobs = torch.stack([torch.log_softmax(s.float(), dim=-1) for s in out.scores], dim=1)
            token_lp = logprobs.gather(2, generated[:, :, None]).squeeze(2)
            is_eos = torch.zeros_like(generated, dtype=torch.bool)
            for e in eos:
                is_eos |= generated == e
            # positions after the first EOS are padding
            alive = (torch.cumsum(is_eos.long(), dim=1) - is_eos.long()) == 0
            lengths = alive.sum(1).clamp(min=1).float()
            totals = (token_lp.masked_fill(~alive, 0.0)).sum(1)
            scores = (totals / lengths**params.length_penalty).tolist()
            seqs = generated.tolist()
        cut = []
        for ids in seqs:
            end = next((j for j, t in enumerate(ids) if t in eos), len(ids))
            cut.append(ids[:end])
        return cut, scores
