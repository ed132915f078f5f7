"""Optional features from a pretrained sentence encoder (``features.encoder`` in the config).

    enc = load_encoder("intfloat/multilingual-e5-small")      # or a local folder (save_pretrained)
    extra = encoder_features(enc, articles, candidates, settings)   # one (k, 4) block per article

Each article is encoded ONCE (``passage: `` + its prepared text, cut to
``encoder_max_tokens``); a candidate's vector is the mean of the token vectors
of the article region it was cut from (found through the tokenizer's character
offsets), never a forward pass of its own. Features: cosine similarity of the
candidate to the whole article and to the lead sentence, the gap to the
article's most similar candidate, and whether the region was inside the
encoded part at all. torch and transformers are imported only here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from summarize.headline.extractive.candidates import Article, Candidate

ENCODER_FEATURES = ("enc_similarity", "enc_similarity_gap", "enc_lead_similarity", "enc_covered")
PREFIX = "passage: "  # e5 models are trained with this prefix on documents


@dataclass
class Encoder:
    model: Any
    tokenizer: Any
    name: str
    device: Any


def load_encoder(name_or_path: str, *, folder: Path | None = None, device: Any = None,
                 threads: int | None = None) -> Encoder:
    """A BERT-family encoder and its fast tokenizer from a local folder or a hub id; a clear error if neither works."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from summarize.headline.models import ModelLoadError

    if threads:
        torch.set_num_threads(threads)
    where = Path(name_or_path).expanduser()
    source = str(where) if where.exists() else name_or_path
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = _without_pooler(AutoModel, source)
    except (OSError, ValueError) as exc:
        used_by = f" (used by {folder})" if folder else ""
        raise ModelLoadError(f"features.encoder {name_or_path!r}{used_by}: cannot load it as a local folder or hub "
                             f"id ({str(exc).splitlines()[0]})") from None
    if not getattr(tokenizer, "is_fast", False):
        raise ModelLoadError(f"features.encoder {name_or_path!r}: needs a fast tokenizer (tokenizer.json) for offsets")
    device = torch.device(device or "cpu")
    model.to(device).eval()
    return Encoder(model, tokenizer, name_or_path, device)


def _without_pooler(auto_model: Any, source: str) -> Any:
    """The encoder without its pooler, where its class has one: the features read token vectors only, and a
    checkpoint saved without pooler weights (an imported e5) would otherwise log a MISSING-weights report."""
    try:
        return auto_model.from_pretrained(source, add_pooling_layer=False)
    except TypeError:  # a class without a pooler (ELECTRA, DistilBERT) takes no such argument
        return auto_model.from_pretrained(source)


def _region(cand: Candidate) -> tuple[int, int]:
    """Characters of the prepared article a candidate came from (compression removes from its start)."""
    start = cand.offset + (cand.compressed if cand.compressed else 0)
    return start, min(cand.offset + cand.span_chars, start + len(cand.text))


def encoder_features(encoder: Encoder, articles: Sequence[Article], candidates: Sequence[Sequence[Candidate]],
                     settings: Any) -> list[np.ndarray]:
    """One (len(candidates[i]), len(ENCODER_FEATURES)) float32 block per article."""
    import torch

    out: list[np.ndarray] = []
    size = settings.encoder_batch_size
    for start in range(0, len(articles), size):
        batch = articles[start:start + size]
        enc = encoder.tokenizer([PREFIX + a.text for a in batch], truncation=True, max_length=settings.encoder_max_tokens,
                                padding=True, return_offsets_mapping=True, return_tensors="pt")
        offsets = enc.pop("offset_mapping").numpy()
        with torch.inference_mode():
            hidden = encoder.model(**{k: v.to(encoder.device) for k, v in enc.items()}).last_hidden_state
        hidden = torch.nn.functional.normalize(hidden.float(), dim=-1).cpu().numpy()
        mask = enc["attention_mask"].numpy().astype(bool)
        for j, article in enumerate(batch):
            out.append(_article_block(hidden[j], mask[j], offsets[j] - len(PREFIX), article,
                                      candidates[start + j]))
    return out


def _article_block(vectors: np.ndarray, mask: np.ndarray, offsets: np.ndarray, article: Article,
                   cands: Sequence[Candidate]) -> np.ndarray:
    block = np.zeros((len(cands), len(ENCODER_FEATURES)), dtype=np.float32)
    real = mask & (offsets[:, 1] > offsets[:, 0]) & (offsets[:, 1] > 0)  # text tokens, not specials/prefix
    if not real.any() or not cands:
        return block
    doc = _unit(vectors[real].mean(axis=0))
    lead_end = article.offsets[0] + len(article.sentences[0]) if article.sentences else 0
    lead_tokens = real & (offsets[:, 0] < lead_end)
    lead = _unit(vectors[lead_tokens].mean(axis=0)) if lead_tokens.any() else doc
    for row, cand in enumerate(cands):
        lo, hi = _region(cand)
        inside = real & (offsets[:, 0] < hi) & (offsets[:, 1] > lo)
        if not inside.any():
            continue
        vec = _unit(vectors[inside].mean(axis=0))
        block[row, 0] = float(vec @ doc)
        block[row, 2] = float(vec @ lead)
        block[row, 3] = 1.0
    covered = block[:, 3] > 0
    if covered.any():
        block[covered, 1] = block[covered, 0].max() - block[covered, 0]
    return block


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v
