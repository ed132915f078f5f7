"""Atomic output: write a temporary file beside the target, then rename it over the target.

A killed job therefore leaves either the old file or the complete new one,
never a half-written file that a later step would read as truth. The temporary
file's name carries the writer's pid (``.NAME.PID.XXXX.tmp``); leftovers of
killed writers are removed by the next write to the same target.

JSON is written with ``allow_nan=False``: NaN and Infinity are not JSON, and a
file holding them breaks every strict reader downstream. Callers decide what a
non-finite number becomes (see :func:`finite_or_none`).

Thread safety: every call writes its own temporary file; concurrent writers of
one target each leave a complete file (the last rename wins).
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file in ``path``'s folder; on success it replaces ``path``."""
    from summarize.io.safety import remove_stale_temporaries

    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory, expected a file path", str(target))
    make_folder(target.parent)
    try:
        remove_stale_temporaries(target.parent, target.name)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _naming(exc, target) from None
    # mkstemp creates 0600; give the result the permissions a plain open() would.
    os.chmod(tmp, 0o666 & ~_UMASK)
    binary = "b" in mode
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename in (None, tmp):
            # Name the file the user asked for, not our temporary one.
            raise _naming(exc, target) from None
        raise


def make_folder(folder: str | os.PathLike) -> Path:
    """``mkdir -p`` whose error names the path component that is a file, when one is."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), folder)
        raise NotADirectoryError(errno.ENOTDIR, "is a file, expected a folder", str(blocker)) from None
    return folder


def _naming(exc: OSError, target: Path) -> OSError:
    """The same OS error, naming ``target`` (so 'disk full' or 'read-only' says which file)."""
    if exc.errno is None:
        return exc
    return type(exc)(exc.errno, os.strerror(exc.errno), str(target))


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import: os.umask can only be read by setting it, which would race
# with other threads if done per write.
_UMASK = _read_umask()


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_open(path) as handle:
        handle.write(text)


def json_line(obj: Any) -> str:
    """``obj`` as one line of strict JSON (UTF-8 kept, NaN/Infinity refused with a ValueError)."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def finite_or_none(value: float | None) -> float | None:
    """``value``, or None (JSON ``null``) when it is NaN or infinite: what our files write for "no number"."""
    if value is None or not math.isfinite(value):
        return None
    return value


def finite_json(obj: Any) -> Any:
    """A copy of ``obj`` with every NaN/infinite float replaced by None (for reports such as metrics.json)."""
    if isinstance(obj, float):
        return finite_or_none(obj)
    if isinstance(obj, dict):
        return {k: finite_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_json(v) for v in obj]
    return obj


def atomic_write_json(path: str | os.PathLike, obj: Any, *, indent: int | None = 2) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=indent, allow_nan=False)  # fails before touching the file
    with atomic_open(path) as handle:
        handle.write(text)
        handle.write("\n")


def atomic_write_jsonl(path: str | os.PathLike, rows: Iterable[Any]) -> int:
    """Write one JSON object per line; returns the number of rows written."""
    count = 0
    with atomic_open(path) as handle:
        for row in rows:
            handle.write(json_line(row))
            handle.write("\n")
            count += 1
    return count
