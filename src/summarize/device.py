"""Choosing the torch device for inference and training: one rule, one clear error.

    pick_device(None)     # cuda:0 when a GPU is usable, else cpu
    pick_device("cuda")   # InputError on a CPU-only torch build or a machine without a GPU

Thread safety: stateless.
"""

from __future__ import annotations

from typing import Any

from summarize.io.read import InputError


def pick_device(device: Any = None):
    """A ``torch.device``; a device that cannot be used here is an InputError naming it, not an assert later."""
    import torch

    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        chosen = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise InputError(f"--device {device!r}: not a device name (use cpu, cuda or cuda:N)") from exc
    if chosen.type == "cuda":
        if not torch.backends.cuda.is_built():
            raise InputError(f"--device {device}: this torch build has no CUDA support (CPU-only); use --device cpu")
        count = torch.cuda.device_count()
        if count == 0:
            raise InputError(f"--device {device}: no CUDA GPU is visible on this machine; use --device cpu")
        if chosen.index is not None and chosen.index >= count:
            raise InputError(f"--device {device}: only {count} CUDA GPU(s) visible (cuda:0..cuda:{count - 1})")
    elif chosen.type not in ("cpu", "mps", "xpu", "meta"):
        raise InputError(f"--device {device}: unsupported device type {chosen.type!r} (use cpu or cuda)")
    return chosen


__all__ = ["pick_device"]
