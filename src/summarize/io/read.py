"""Reading user input files: existence checks and encoding detection.

Chinese corpora arrive as UTF-8 or GB18030 (SogouCS, older portals). We try
UTF-8 first because a GB18030 decode of UTF-8 bytes often "succeeds" and
produces mojibake; GB18030 is tried only when UTF-8 fails somewhere other than
at the very end (a UTF-8 file cut inside its last character is refused as
truncated). Anything neither decodes is refused with the byte offset, never
replaced with U+FFFD.
"""

from __future__ import annotations

import os
from pathlib import Path

ENCODINGS = ("utf-8", "gb18030")


class InputError(ValueError):
    """A user-supplied file or value is unusable; the message names the file and the reason."""


def check_input_file(path: str | os.PathLike) -> Path:
    """Return ``path`` as a Path if it is a non-empty regular file, else raise InputError."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a file")
    if p.is_file() and p.stat().st_size == 0:
        raise InputError(f"{p}: file is empty")
    return p


def decode_bytes(data: bytes, source: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` as ``encoding`` or, when None, as UTF-8 then GB18030; returns (text, encoding)."""
    candidates = (encoding,) if encoding else ENCODINGS
    errors = []
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            if enc == "utf-8" and exc.reason == "unexpected end of data":
                # Everything before the end is valid UTF-8: the file was cut inside a
                # character (a killed copy, a byte-limited head). A GB18030 decode
                # would "succeed" and turn it into mojibake.
                raise InputError(f"{source}: ends in the middle of a UTF-8 character (byte {exc.start} of "
                                 f"{len(data)}); the file looks truncated") from None
            errors.append(f"{enc}: byte {exc.start} ({data[exc.start:exc.start + 4]!r})")
            continue
        except LookupError as exc:
            raise InputError(f"{source}: unknown encoding {enc!r}") from exc
        return text.removeprefix("\ufeff"), enc
    raise InputError(f"{source}: cannot decode as {' or '.join(candidates)} ({'; '.join(errors)})")


def split_lines(text: str) -> list[str]:
    """Physical lines, numbered as an editor numbers them (a final newline ends the last line).

    ``str.splitlines`` is not used anywhere input is read: it also breaks on
    U+2028, U+0085, form feeds and other characters that occur inside real
    texts (and that ``json.dumps(ensure_ascii=False)`` writes raw inside strings),
    which would shift line numbers and cut rows and articles apart.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def read_text(path: str | os.PathLike, encoding: str | None = None) -> tuple[str, str]:
    """Read a whole text file, detecting UTF-8 or GB18030; returns (text, encoding used)."""
    p = check_input_file(path)
    return decode_bytes(p.read_bytes(), str(p), encoding)
