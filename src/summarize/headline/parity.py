"""The parity gate: is a CTranslate2 export good enough to replace its torch model?

    summarize export ctranslate2 runs/x/model --quantization int8 --check data/dev.jsonl

Both backends headline the same dev file with the same decoding settings. The
report gives the share of identical headlines, the char ROUGE-L of the export's
headlines against the torch ones, and dev ROUGE with each backend. The export
is marked good (in its manifest) only when dev ROUGE-L drops by at most
``max_rouge_drop`` points and agreement is at least ``min_agreement``; loading an
export marked bad warns.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("summarize.headline")


def _char_rouge(predictions: list[str], references: list[str]) -> dict[str, float]:
    from summarize.metrics.rouge import rouge_scores

    char = rouge_scores(predictions, references, word_level=False, bootstrap=0)["char"]
    return {k: round(float(char[k]["f"]), 4) for k in ("rouge1", "rouge2", "rougeL")}


def parity_check(
    model_dir: str | os.PathLike,
    export_dir: str | os.PathLike,
    dev: str | os.PathLike,
    *,
    min_agreement: float = 0.9,
    max_rouge_drop: float = 0.5,
    max_samples: int | None = None,
    device: Any = "cpu",
    overrides: list[str] | None = None,
) -> dict[str, Any]:
    """Headline ``dev`` with the torch model and with its export; the verdict and every figure, as a dict."""
    from summarize.headline.backends.ct2_export import write_check
    from summarize.headline.predict import predict_records, read_article_rows
    from summarize.headline.generator import HeadlineGenerator
    from summarize.io.read import InputError

    if not 0 <= min_agreement <= 1:
        raise InputError(f"--min-agreement must be in [0, 1], got {min_agreement}")
    if max_rouge_drop < 0:
        raise InputError(f"--max-rouge-drop must be >= 0, got {max_rouge_drop}")
    rows, bad = read_article_rows(dev)
    for row in bad[:10]:
        log.warning("skipped %s", row)
    records = [r for _, r in rows][:max_samples]
    if not records:
        raise InputError(f"{dev}: no records to check the export on")
    outputs, seconds = {}, {}
    for kind, path in (("torch", model_dir), ("ctranslate2", export_dir)):
        gen = HeadlineGenerator.from_pretrained(path, device=device if kind == "torch" else None,
                                                overrides=overrides or (), backend=kind)
        start = time.perf_counter()
        outputs[kind] = predict_records(gen, records)
        seconds[kind] = time.perf_counter() - start
    torch_preds, refs, _ = outputs["torch"]
    ct2_preds = outputs["ctranslate2"][0]
    identical = sum(a == b for a, b in zip(torch_preds, ct2_preds)) / len(records)
    # headlines both backends left empty are identical; ROUGE against an empty reference is undefined
    pairs = [(c, t) for c, t in zip(ct2_preds, torch_preds) if t]
    agreement_rouge = _char_rouge([c for c, _ in pairs], [t for _, t in pairs])["rougeL"] if pairs else 100.0
    dev_torch, dev_ct2 = _char_rouge(torch_preds, refs), _char_rouge(ct2_preds, refs)
    drop = round(dev_torch["rougeL"] - dev_ct2["rougeL"], 4)
    problems = []
    if identical < min_agreement:
        problems.append(f"identical headlines {identical:.3f} < min_agreement {min_agreement}")
    if drop > max_rouge_drop:
        problems.append(f"dev char ROUGE-L drops by {drop:.2f} > max_rouge_drop {max_rouge_drop}")
    report = {
        "status": "good" if not problems else "failed",
        "problems": problems,
        "dev": str(Path(dev)),
        "samples": len(records),
        "identical": round(identical, 4),
        "char_rougeL_vs_torch": round(float(agreement_rouge), 4),
        "dev_rouge_torch": dev_torch,
        "dev_rouge_ctranslate2": dev_ct2,
        "rougeL_drop": drop,
        "min_agreement": min_agreement,
        "max_rouge_drop": max_rouge_drop,
        "docs_per_second": {k: round(len(records) / max(v, 1e-9), 3) for k, v in seconds.items()},
    }
    write_check(export_dir, report)
    return report


__all__ = ["parity_check"]
