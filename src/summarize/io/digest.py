"""Content fingerprints of files: what model cards record and what data caches are keyed by."""

from __future__ import annotations

import hashlib
import json
import os


def file_sha256(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks (any size)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tokenizer_fingerprint(tokenizer) -> str:
    """Hex sha256 of what decides a tokenizer's output: its class, vocabulary, special tokens and casing.

    Arrow caches of tokenized data are keyed by it, so a changed tokenizer never reads stale ids.
    """
    vocab = sorted(tokenizer.get_vocab().items())
    facts = [type(tokenizer).__name__, vocab, sorted(map(str, tokenizer.all_special_tokens)),
             getattr(tokenizer, "do_lower_case", None), list(tokenizer.model_input_names)]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()
