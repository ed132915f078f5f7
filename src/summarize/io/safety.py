"""Guards every command uses so that no run destroys what the user already has.

- :func:`refuse_same_file`: an output may never be one of the inputs (``data convert X X``
  would otherwise replace the source with its own conversion).
- :class:`FolderLock`: one process at a time per run folder (two trainings into one
  folder would interleave checkpoints and both report success).
- :func:`remove_stale_temporaries`: temporary files left by killed atomic writes
  (``.NAME.PID.XXXX.tmp``) whose writer is gone are removed, never those of a live writer.

Usable from any verb (train, qa train, data, and newer verbs such as export or batch)::

    refuse_same_file({"--input": args.input}, {"--output": args.output})
    with FolderLock(run_dir):
        ...

Thread safety: the functions are stateless; a ``FolderLock`` object is meant for one
thread (it guards against *other processes*; a second ``FolderLock`` on the same folder
in the same process is refused like any other holder).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Mapping
from pathlib import Path

from summarize.io.read import InputError

LOCK_NAME = ".summarize.lock"
_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.tmp$")


def _identity(path: str | os.PathLike) -> tuple[int, int] | Path:
    """What makes two paths the same file: (device, inode) when it exists, else the resolved path."""
    p = Path(path).expanduser()
    try:
        st = p.stat()
        return (st.st_dev, st.st_ino)
    except OSError:
        return p.resolve()


def refuse_same_file(inputs: Mapping[str, str | os.PathLike | None], outputs: Mapping[str, str | os.PathLike | None]
                     ) -> None:
    """Raise InputError when an output is the same file as an input (also through links or ``./`` spellings)
    or lies inside an input folder (a model folder, a dataset folder).

    Keys are how the user named each path (``"INPUT"``, ``"--output"``); ``None`` values are ignored.
    """
    given = {label: p for label, p in inputs.items() if p is not None and str(p) != "-"}
    seen = {_identity(p): label for label, p in given.items()}
    folders = {label: Path(p).resolve() for label, p in given.items() if Path(p).is_dir()}
    for label, path in outputs.items():
        if path is None or str(path) == "-":
            continue
        match = seen.get(_identity(path))
        if match is not None:
            raise InputError(f"{path}: {label} is the same file as {match}: the input would be overwritten; "
                             "choose another output")
        resolved = Path(path).resolve()
        for folder_label, folder in folders.items():
            if resolved.is_relative_to(folder):  # e.g. --output inside the --model folder
                raise InputError(f"{path}: {label} lies inside {folder_label} ({folder}), an input of this command; "
                                 "choose another output")


def refuse_inside(path: str | os.PathLike, folder: str | os.PathLike, what: str) -> None:
    """Raise InputError when ``path`` (an input) lies inside ``folder`` (a folder about to be replaced)."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except ValueError:
        return
    raise InputError(f"{path}: {what} lies inside {folder}, which this command replaces; move it or choose another folder")


class FolderLock:
    """An exclusive, non-blocking lock on ``folder`` (a ``.summarize.lock`` file held with ``flock``).

    The kernel drops the lock when the process dies, so a killed run never leaves
    a folder locked. A second holder gets an InputError naming the folder and the
    holder's pid instead of waiting.
    """

    def __init__(self, folder: str | os.PathLike, what: str = "run folder"):
        self.folder = Path(folder)
        self.what = what
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
        import fcntl

        from summarize.io.atomic import make_folder

        make_folder(self.folder)
        path = self.folder / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_pid(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                who = f" (pid {holder})" if holder else ""
                raise InputError(f"{self.folder}: this {self.what} is in use by another process{who}; "
                                 "wait for it to finish or choose another folder") from None
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)  # no stale pid for the next reader
            os.close(self._fd)  # closing drops the flock; the empty file stays, reused next time
            self._fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_pid(fd: int) -> str:
    with contextlib.suppress(OSError):
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 32).decode(errors="replace").strip()
    return ""


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def remove_stale_temporaries(folder: str | os.PathLike[str], name: str | None = None) -> int:
    """Delete ``.NAME.PID.*.tmp`` files in ``folder`` whose writing process no longer runs; returns how many.

    ``name`` limits the sweep to one target's temporaries. Files of live
    processes (another writer busy right now) are never touched.
    """
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        match = _TMP.match(entry.name)
        if not match or (name is not None and match.group("name") != name):
            continue
        if process_alive(int(match.group("pid"))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed += 1
    return removed


__all__ = ["FolderLock", "LOCK_NAME", "process_alive", "refuse_inside", "refuse_same_file", "remove_stale_temporaries"]
