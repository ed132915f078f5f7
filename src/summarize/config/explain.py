"""The schema's field documentation, for people: ``summarize validate CONFIG --explain [KEY]`` and ``--help``.

Every schema field is declared with ``help_field("what it means", default=...)``;
this module turns those declarations into text, so the documentation a user
reads is the one the code validates against.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from typing import Any

from summarize.config.loader import ConfigError, field_help, to_dict

# ``literal`` -> literal, :func:`x` / :mod:`~a.b` -> x / b, `x` -> x: reST markup reads as noise in a terminal.
_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")
_SINGLE = re.compile(r"`([^`]+)`")


def plain_text(doc: str | None) -> str:
    """A docstring without reST markup, for ``--help``."""
    if not doc:
        return ""
    doc = _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1] if m.group(0).count("~") else m.group(1), doc)
    return _SINGLE.sub(r"\1", _LITERAL.sub(r"\1", doc)).replace("::\n", ":\n")


def _type_name(tp: Any) -> str:
    if typing.get_origin(tp) is typing.Literal:
        return " | ".join(map(str, typing.get_args(tp)))
    text = getattr(tp, "__name__", None) or str(tp)
    return text.replace("typing.", "").replace("NoneType", "null")


def _fields(schema: type, prefix: str = "") -> list[tuple[str, str, Any]]:
    """(dotted key, type name, default) of every leaf field, in declaration order."""
    out = []
    hints = typing.get_type_hints(schema)
    for f in dataclasses.fields(schema):
        tp = hints[f.name]
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            out += _fields(tp, f"{prefix}{f.name}.")
            continue
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
        out.append((prefix + f.name, _type_name(tp), default))
    return out


def _lookup(values: dict, key: str) -> Any:
    for part in key.split("."):
        values = values[part]
    return values


def explain(cfg: Any, key: str | None = None) -> str:
    """Each field of ``cfg``'s schema under ``key`` (a field or a section; all when None): its value in
    ``cfg``, type, default and documentation. An unknown key is a ConfigError with a suggestion."""
    schema = type(cfg)
    docs = field_help(schema)
    rows = _fields(schema)
    if key:
        chosen = [r for r in rows if r[0] == key or r[0].startswith(key + ".")]
        if not chosen:
            keys = [r[0] for r in rows] + sorted({r[0].rsplit(".", 1)[0] for r in rows if "." in r[0]})
            match = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
            hint = f" (did you mean {match[0]!r}?)" if match else ""
            raise ConfigError([f"--explain: unknown key {key!r}{hint}"])
        rows = chosen
    values = to_dict(cfg)
    lines = []
    for name, type_name, default in rows:
        value = _lookup(values, name)
        changed = "" if value == to_dict(default) else f"  (default {default!r})"
        lines.append(f"{name} = {value!r}{changed}    [{type_name}]")
        lines.append(f"    {plain_text(docs.get(name)) or '(undocumented)'}")
    return "\n".join(lines)


def keys_epilog(schema: type, title: str = "config keys") -> str:
    """``--help`` text listing every config key with its default and documentation."""
    docs = field_help(schema)
    lines = [f"{title} (override any with key=value; `summarize validate CONFIG --explain KEY` explains one):"]
    for name, _, default in _fields(schema):
        lines.append(f"  {name} (default {default!r}): {plain_text(docs.get(name))}")
    return "\n".join(lines)
