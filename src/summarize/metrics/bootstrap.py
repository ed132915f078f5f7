"""Seeded percentile-bootstrap confidence intervals for macro-averaged per-sample scores.

A resample of n samples is drawn as a row of n multinomial counts, so one
matrix product gives the means of a whole chunk of resamples at once: 1,000
resamples of 10,000 samples take well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# Keep each chunk of resample counts near 4 million cells (~32 MB of int64).
_CELLS_PER_CHUNK = 4_000_000
# Below this many samples a percentile bootstrap interval is too narrow (it cannot see
# what the few samples miss); reports say so instead of printing it bare.
MIN_CI_SAMPLES = 30


def small_sample_warning(n: int) -> str | None:
    """The warning a report carries when its bootstrap CI rests on fewer than MIN_CI_SAMPLES samples."""
    if n >= MIN_CI_SAMPLES:
        return None
    return (f"the 95% CIs rest on {n} samples (< {MIN_CI_SAMPLES}): a percentile bootstrap "
            "understates the uncertainty of so few; read them as rough")


def bootstrap_ci(
    values: Sequence[Sequence[float]] | np.ndarray,
    *,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> list[tuple[float, float]]:
    """Percentile CI of the column means of ``values`` (n samples x k metrics), one (lo, hi) per column."""
    import numpy as np

    data = np.asarray(values, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] == 0:
        raise ValueError("bootstrap_ci needs a non-empty n x k table of per-sample scores")
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, got {resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    n = data.shape[0]
    rng = np.random.default_rng(seed)
    means = np.empty((resamples, data.shape[1]))
    chunk = max(1, _CELLS_PER_CHUNK // n)
    for start in range(0, resamples, chunk):
        rows = min(chunk, resamples - start)
        picks = rng.integers(0, n, size=(rows, n))
        # Offsetting each row by row*n lets one bincount count all rows at once.
        offsets = (np.arange(rows) * n)[:, None]
        counts = np.bincount((picks + offsets).ravel(), minlength=rows * n).reshape(rows, n)
        means[start:start + rows] = counts @ data / n
    tail = (1.0 - confidence) / 2.0 * 100.0
    lo, hi = np.percentile(means, [tail, 100.0 - tail], axis=0)
    return [(float(a), float(b)) for a, b in zip(lo, hi)]
