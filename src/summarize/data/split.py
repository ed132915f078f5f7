"""Deterministic train/dev/test splits that keep duplicates together, with a manifest of hashes.

How records are assigned (the same input gives byte-identical output):

1. Records are grouped by their *normalized text*: ``normalize_text(fullwidth=True,
   nfkc=True, lowercase=True)`` with punctuation, symbols and whitespace removed.
   Exact copies and near-copies (differing in width, case, punctuation or
   spacing) therefore form one group, and a group never straddles two splits:
   a test article whose copy sits in train would leak the answer.
2. Each group gets the score ``sha256(seed, normalized text)``; groups are
   visited in score order, a seeded shuffle that depends on content, not on
   file order, so reordering the input does not move records between splits.
3. Split sizes are the ratios applied to the record count (largest-remainder
   rounding). Each group goes to the split furthest below its target. With
   three or more records, every split with a positive ratio gets at least one.

Within each split file records keep their input order.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from summarize.data.records import read_records
from summarize.io.atomic import make_folder
from summarize.io.read import InputError
from summarize.io.safety import refuse_same_file
from summarize.text.normalize import normalize_text

log = logging.getLogger(__name__)

SPLITS = ("train", "dev", "test")
MANIFEST = "manifest.json"
DEFAULT_RATIOS = (0.8, 0.1, 0.1)
MAX_LISTED_GROUPS = 50  # duplicate groups listed by id in the manifest; the counts are always complete


@dataclass
class SplitResult:
    """The records of each split (input order), each split's JSONL text, and the manifest."""

    splits: dict[str, list[dict]]
    files: dict[str, str]
    manifest: dict = field(default_factory=dict)


def parse_ratios(text: str) -> tuple[float, float, float]:
    """``"0.8,0.1,0.1"`` -> (0.8, 0.1, 0.1); three non-negative numbers summing to 1."""
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise InputError(f"--ratios {text!r}: expected three numbers like 0.8,0.1,0.1") from None
    check_ratios(values)
    return values  # type: ignore[return-value]


def check_ratios(ratios) -> None:
    if len(ratios) != 3:
        raise InputError(f"ratios {tuple(ratios)}: expected three values (train, dev, test)")
    if not all(math.isfinite(r) for r in ratios):
        raise InputError(f"ratios {tuple(ratios)}: every value must be a finite number")
    if any(r < 0 for r in ratios) or abs(sum(ratios) - 1.0) > 1e-6 or ratios[0] <= 0:
        raise InputError(f"ratios {tuple(ratios)}: need non-negative values summing to 1 with train > 0")


def content_key(text: str) -> str:
    """The text with width, case, punctuation, symbols and whitespace differences removed."""
    folded = normalize_text(text, fullwidth=True, nfkc=True, lowercase=True)
    key = "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PSZ" and not ch.isspace())
    return key or folded  # a text of punctuation only is still compared, exactly


def target_sizes(n: int, ratios) -> dict[str, int]:
    raw = [n * r for r in ratios]
    sizes = [int(x) for x in raw]
    by_remainder = sorted(range(3), key=lambda i: (-(raw[i] - sizes[i]), i))
    for i in by_remainder[: n - sum(sizes)]:
        sizes[i] += 1
    if n >= 3:
        for i in (1, 2):
            if ratios[i] > 0 and sizes[i] == 0:
                sizes[i] = 1
                sizes[max(range(3), key=lambda j: sizes[j])] -= 1
    return dict(zip(SPLITS, sizes))


def record_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)


def sha256(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def split_records(records: list[dict], ratios=DEFAULT_RATIOS, seed: int = 0) -> SplitResult:
    """Split ``records`` (canonical records with unique ids) as described in the module docstring."""
    ratios = tuple(float(r) for r in ratios)
    check_ratios(ratios)
    if not records:
        raise InputError("nothing to split: no records")
    groups: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        groups[content_key(record["text"])].append(index)
    order = sorted(groups, key=lambda key: (sha256(f"{seed}\x00{key}"), key))

    targets = target_sizes(len(records), ratios)
    assigned: dict[str, list[int]] = {name: [] for name in SPLITS}
    split_of: list[str] = [""] * len(records)
    for key in order:
        # Furthest below target; ties go to the smaller splits first so they fill on tiny corpora.
        name = max(reversed(SPLITS), key=lambda s: targets[s] - len(assigned[s]))
        assigned[name].extend(groups[key])
        for index in groups[key]:
            split_of[index] = name

    splits = {name: [records[i] for i in sorted(assigned[name])] for name in SPLITS}
    files = {name: "".join(record_line(r) + "\n" for r in rows) for name, rows in splits.items()}
    manifest = {
        "method": "duplicate groups (normalized text) ordered by sha256(seed, normalized text), cut to the ratios",
        "normalization": "normalize_text(fullwidth=True, nfkc=True, lowercase=True); punctuation, symbols, "
                         "whitespace removed",
        "seed": seed,
        "ratios": dict(zip(SPLITS, ratios)),
        "records": len(records),
        "splits": {
            name: {
                "file": f"{name}.jsonl",
                "count": len(splits[name]),
                "sha256": sha256(files[name]),
                "records": {r["id"]: sha256(record_line(r)) for r in splits[name]},
            }
            for name in SPLITS
        },
        "duplicates": duplicate_report(records, groups, split_of),
    }
    return SplitResult(splits=splits, files=files, manifest=manifest)


def duplicate_report(records: list[dict], groups: dict[str, list[int]], split_of: list[str]) -> dict:
    """Duplicate texts, exact and after normalization, within each split and across splits."""
    exact: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        exact[record["text"]].append(index)
    report: dict = {}
    for kind, table in (("exact", exact), ("normalized", groups)):
        dup_groups = [members for members in table.values() if len(members) > 1]
        within = {name: 0 for name in SPLITS}
        across = 0
        for members in dup_groups:
            names = {split_of[i] for i in members}
            if len(names) > 1:
                across += 1
            for name in names:
                if sum(split_of[i] == name for i in members) > 1:
                    within[name] += 1
        report[kind] = {
            "groups": len(dup_groups),
            "extra_records": sum(len(m) - 1 for m in dup_groups),
            "within_split_groups": within,
            "across_split_groups": across,
        }
    listed = [members for members in groups.values() if len(members) > 1][:MAX_LISTED_GROUPS]
    report["listed_groups"] = [
        {"split": split_of[m[0]], "ids": [records[i]["id"] for i in m]} for m in listed
    ]
    return report


def write_splits(result: SplitResult, output_dir: str | os.PathLike, *, input_path: str | os.PathLike | None = None
                 ) -> Path:
    """Write ``train/dev/test.jsonl`` and ``manifest.json`` as one set; returns the manifest path.

    The files are first written complete into a staging folder. A new output
    folder is then put in place with one rename. An existing folder (it may hold
    other files, such as the input itself) gets the split files renamed in, and
    the manifest last: a run killed half-way leaves the old manifest beside a
    new ``train.jsonl``, whose hash then differs, and ``summarize train`` refuses
    the mixed folder (:func:`check_split_files`) instead of training on a leak.
    """
    out = Path(output_dir)
    manifest = dict(result.manifest)
    if input_path is not None:
        data = Path(input_path).read_bytes()
        manifest = {"input": Path(input_path).name, "input_sha256": hashlib.sha256(data).hexdigest(), **manifest}
        refuse_same_file({"INPUT": input_path},
                         {f"--output-dir/{name}": out / name for name in (*(f"{s}.jsonl" for s in SPLITS), MANIFEST)})
    files = {f"{name}.jsonl": result.files[name] for name in SPLITS}
    files[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    parent = out.parent if not out.exists() else out
    make_folder(parent)
    _remove_dead_staging(parent)
    stage = Path(tempfile.mkdtemp(prefix=f".split.{os.getpid()}.", dir=parent))
    try:
        for name, text in files.items():
            with open(stage / name, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        if not out.exists():
            os.rename(stage, out)  # the whole set appears at once
            return out / MANIFEST
        if not out.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "is a file, expected a folder", str(out))
        for name in files:  # MANIFEST is last: see the docstring
            os.replace(stage / name, out / name)
    except OSError as exc:
        if exc.filename is not None and str(stage) in str(exc.filename):
            raise OSError(exc.errno, os.strerror(exc.errno) if exc.errno else str(exc), str(out)) from None
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return out / MANIFEST


def _remove_dead_staging(folder: Path) -> None:
    """Staging folders of split runs that were killed (their pid is gone)."""
    from summarize.io.safety import process_alive

    for child in folder.glob(".split.*"):
        parts = child.name.split(".")
        if child.is_dir() and len(parts) > 2 and parts[2].isdigit() and not process_alive(int(parts[2])):
            shutil.rmtree(child, ignore_errors=True)


def check_split_files(paths) -> None:
    """Refuse a split file whose content no longer matches the ``manifest.json`` beside it.

    Only files the manifest lists are checked, so data without a manifest is not
    affected. A mismatch means the folder was edited by hand or a killed
    ``data split`` left files of two different splits side by side.
    """
    for path in paths:
        if path is None:
            continue
        path = Path(path)
        manifest_path = path.parent / MANIFEST
        if not manifest_path.is_file() or not path.is_file():
            continue
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{manifest_path}: unreadable split manifest ({exc}); rerun summarize data split") from exc
        entry = next((e for e in (manifest.get("splits") or {}).values()
                      if isinstance(e, dict) and e.get("file") == path.name), None) if isinstance(manifest, dict) else None
        if entry is None or "sha256" not in entry:
            continue
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != entry["sha256"]:
            raise InputError(
                f"{path}: content does not match {manifest_path} (sha256 {actual[:12]}... vs {entry['sha256'][:12]}...): "
                "the split was changed after it was made, or an interrupted `summarize data split` left a mixed "
                "folder; rerun the split")


def split_file(path: str | os.PathLike, output_dir: str | os.PathLike, ratios=DEFAULT_RATIOS, seed: int = 0
               ) -> SplitResult:
    """Read a canonical JSONL file, split it, write the splits and manifest into ``output_dir``."""
    records = read_records(path)
    result = split_records(records, ratios, seed)
    write_splits(result, output_dir, input_path=path)
    return result


def describe_duplicates(result: SplitResult) -> list[str]:
    """Human-readable lines about duplicates, for stderr."""
    dup = result.manifest["duplicates"]
    lines = []
    for kind in ("exact", "normalized"):
        d = dup[kind]
        if d["groups"]:
            within = ", ".join(f"{name} {count}" for name, count in d["within_split_groups"].items() if count)
            lines.append(f"{kind} duplicate texts: {d['groups']} groups ({d['extra_records']} extra records); "
                         f"within splits: {within or 'none'}; across splits: {d['across_split_groups']} groups")
    for group in dup["listed_groups"][:5]:
        lines.append(f"  duplicates kept together in {group['split']}: {', '.join(group['ids'][:6])}")
    return lines
