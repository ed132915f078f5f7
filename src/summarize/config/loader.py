"""Typed YAML configs: dataclass schemas, dotted overrides, every error reported at once.

A schema is a tree of dataclasses. Field types drive validation; a field's
``metadata["help"]`` documents it. A dataclass may define ``check(self) -> list[str]``
for cross-field rules; its messages are prefixed with the section's dotted path.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union

import yaml

from summarize.io.atomic import atomic_write_text


class ConfigError(ValueError):
    """One or more problems with a config; ``errors`` holds each message."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``a.b=value``; the value is read as YAML so ``3``, ``1e-4``, ``true`` and ``[1, 2]`` get their types."""
    if "=" not in text:
        raise ConfigError([f"override {text!r}: expected key.sub=value"])
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ConfigError([f"override {text!r}: empty key"])
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key, value


def apply_overrides(data: dict, overrides: list[str] | tuple[str, ...]) -> dict:
    """Return a copy of ``data`` with each ``key.sub=value`` override set."""
    data = _deepcopy(data)
    for text in overrides:
        key, value = parse_override(text)
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value
    return data


def read_yaml(path: str | os.PathLike) -> dict:
    p = Path(path)
    if not p.is_file():
        raise ConfigError([f"{p}: no such config file"])
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError([f"{p}{where}: invalid YAML ({getattr(exc, 'problem', exc)})"]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{p}: not UTF-8 text"]) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError([f"{p}: the top level must be a mapping of sections, got {type(data).__name__}"])
    return data


def build(schema: type, data: dict, source: str = "<config>") -> Any:
    """Validate ``data`` against the dataclass ``schema``; raise ConfigError listing every problem."""
    errors: list[str] = []
    obj = _build_dataclass(schema, data, "", errors, source)
    if errors:
        raise ConfigError(errors)
    return obj


def to_dict(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def dump_yaml(obj: Any) -> str:
    return yaml.safe_dump(to_dict(obj), allow_unicode=True, sort_keys=False)


def save_config(obj: Any, path: str | os.PathLike) -> None:
    """Write the fully resolved config next to the run's outputs."""
    atomic_write_text(path, dump_yaml(obj))


def field_help(schema: type) -> dict[str, str]:
    """Dotted key -> help text, for documentation and ``--help`` output."""
    out: dict[str, str] = {}
    hints = _hints(schema)
    for f in dataclasses.fields(schema):
        sub = hints[f.name]
        if isinstance(sub, type) and dataclasses.is_dataclass(sub):
            out.update({f"{f.name}.{k}": v for k, v in field_help(sub).items()})
        else:
            out[f.name] = f.metadata.get("help", "")
    return out


# --- internals -------------------------------------------------------------------


def _deepcopy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _deepcopy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deepcopy(v) for v in data]
    return data


def _hints(schema: type) -> dict[str, Any]:
    return typing.get_type_hints(schema)


def _suggest(key: str, valid: list[str]) -> str:
    match = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else f" (valid keys: {', '.join(sorted(valid))})"


def _build_dataclass(schema: type, data: Any, prefix: str, errors: list[str], source: str) -> Any:
    where = prefix[:-1] if prefix else "top level"
    if data is None:
        data = {}
    if not isinstance(data, dict):
        errors.append(f"{source}: {where}: expected a mapping, got {type(data).__name__} {data!r}")
        return None
    hints = _hints(schema)
    fields = {f.name: f for f in dataclasses.fields(schema) if f.init}
    valid = list(fields)
    for key in data:
        if key not in fields:
            dotted = [prefix + k for k in valid]
            errors.append(f"{source}: unknown key {prefix + str(key)!r}{_suggest(prefix + str(key), dotted)}")
    kwargs = {}
    n_before = len(errors)
    for name, f in fields.items():
        tp = hints[name]
        if name in data:
            kwargs[name] = _convert(tp, data[name], prefix + name, errors, source)
        elif isinstance(tp, type) and dataclasses.is_dataclass(tp):
            kwargs[name] = _build_dataclass(tp, {}, prefix + name + ".", errors, source)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            errors.append(f"{source}: missing required key {prefix + name!r}")
    if len(errors) > n_before:
        return None
    obj = schema(**kwargs)
    check = getattr(obj, "check", None)
    if callable(check):
        for message in check():
            errors.append(f"{source}: {prefix}{message}")
    return obj


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return " | ".join(repr(a) for a in typing.get_args(tp))
    if origin in (Union, types.UnionType):
        return " | ".join(_type_name(a) for a in typing.get_args(tp))
    if tp is type(None):
        return "null"
    return getattr(tp, "__name__", str(tp))


def _convert(tp: Any, value: Any, key: str, errors: list[str], source: str) -> Any:
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _build_dataclass(tp, value, key + ".", errors, source)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            trial: list[str] = []
            result = _convert(arg, value, key, trial, source)
            if not trial:
                return result
        errors.append(f"{source}: {key}: expected {_type_name(tp)}, got {value!r}")
        return None
    if origin is Literal:
        allowed = typing.get_args(tp)
        # YAML 1.1 reads a bare `no` / `yes` as a boolean; users mean the word.
        if isinstance(value, bool) and ("no" if value is False else "yes") in allowed:
            value = "no" if value is False else "yes"
        if value not in allowed:
            hint = ""
            if isinstance(value, str):
                match = difflib.get_close_matches(value, [str(a) for a in allowed], n=1, cutoff=0.5)
                hint = f" (did you mean {match[0]!r}?)" if match else ""
            errors.append(f"{source}: {key}: must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}{hint}")
        return value
    if origin in (list, tuple):
        (item_tp, *_) = typing.get_args(tp) or (Any,)
        if not isinstance(value, list):
            errors.append(f"{source}: {key}: expected a list, got {value!r}")
            return None
        return [_convert(item_tp, v, f"{key}[{i}]", errors, source) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            errors.append(f"{source}: {key}: expected a mapping, got {value!r}")
            return None
        return dict(value)
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        number = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):  # YAML 1.1 reads "1e-4" (no dot) as a string
            try:
                number = float(value)
            except ValueError:
                pass
        if number is not None:
            if not math.isfinite(number):
                # .nan / .inf would pass every "> 0" check and train a NaN model.
                errors.append(f"{source}: {key}: must be a finite number, got {value!r}")
                return None
            return number
    elif tp is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
    else:
        return value
    errors.append(f"{source}: {key}: expected {_type_name(tp)}, got {value!r}")
    return None
