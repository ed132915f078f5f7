"""The evaluation report's PNG: how per-sample char ROUGE-L is spread, and whether lengths match.

Labels are ASCII only: matplotlib's default fonts have no CJK glyphs and would
draw empty boxes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence

from summarize.io import atomic_open


def write_figure(samples: Sequence[Mapping], path: str | os.PathLike, *, title: str = "") -> None:
    """Histogram of per-sample char ROUGE-L F, and prediction vs reference length (chars)."""
    # The object API with the Agg canvas: no pyplot global state, no display needed.
    logging.getLogger("matplotlib").setLevel(logging.WARNING)  # its font-cache notices are not ours to show
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rouge_l = [s["char"]["rougeL"]["f"] for s in samples]
    pred_len = [s["pred_chars"] for s in samples]
    ref_len = [s["ref_chars"] for s in samples]

    fig = Figure(figsize=(10, 4.2), dpi=100)
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)

    left.hist(rouge_l, bins=20, range=(0, 100), color="#4C72B0", edgecolor="white")
    mean = sum(rouge_l) / len(rouge_l) if rouge_l else 0.0
    left.axvline(mean, color="#C44E52", linestyle="--", label=f"mean {mean:.2f}")
    left.set_xlabel("char-level ROUGE-L F (x100)")
    left.set_ylabel("samples")
    left.set_title("Per-sample char ROUGE-L")
    left.legend(loc="upper right")

    alpha = 0.8 if len(samples) < 500 else 0.3  # thousands of points would merge into a blob
    right.scatter(ref_len, pred_len, s=12, alpha=alpha, color="#4C72B0", linewidths=0)
    top = max([*pred_len, *ref_len, 1])
    right.plot([0, top], [0, top], color="#C44E52", linestyle="--", linewidth=1, label="same length")
    right.set_xlabel("reference length (chars, normalized)")
    right.set_ylabel("prediction length (chars, normalized)")
    right.set_title("Prediction vs reference length")
    right.legend(loc="upper left")

    fig.suptitle(title or f"{len(samples)} samples")
    fig.tight_layout()
    with atomic_open(path, "wb", encoding=None) as handle:
        fig.savefig(handle, format="png")
