"""Score predictions and report: a terminal table, one JSON object, or a folder of files.

    from summarize.metrics.report import evaluate_and_report
    report = evaluate_and_report(predictions, references, ids, output_dir="runs/x/test-report")

The folder holds ``report.json`` (what ``--json`` prints), ``samples.jsonl``
(per-sample scores, to find the worst headlines) and ``report.png``. Every
report carries what a reader needs to trust the numbers: the level of each
table (char or word), the mode, the normalization, the rules for empty and
multiple references, the bootstrap seed and the package versions.
"""

from __future__ import annotations

import logging
import os
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from summarize.io import atomic_write_json, atomic_write_jsonl
from summarize.io.atomic import json_line
from summarize.metrics.rouge import METRICS, STATS, aggregate, score_table, table_samples

log = logging.getLogger(__name__)

_TITLES = {
    "char": "CHAR-LEVEL ROUGE (primary; every character is a token)",
    "word": "WORD-LEVEL ROUGE (secondary; jieba words, not comparable with char-level)",
}


def package_versions(names: Sequence[str] = ("summarize", "numpy", "jieba", "matplotlib")) -> dict[str, str | None]:
    """Installed versions of the packages a score depends on (``None`` when not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _cell(value: float, ci: Sequence[float] | None) -> str:
    if ci is None:
        return f"{value:6.2f}"
    return f"{value:6.2f} [{ci[0]:6.2f}, {ci[1]:6.2f}]"


def format_rouge_table(report: Mapping) -> str:
    """A readable terminal table: one block per level, rows rouge1/2/L, columns F1/P/R (x100, 95% CI)."""
    ci_all = report.get("ci")
    width = 24 if ci_all else 8
    lines = [
        f"ROUGE on {report['n']} samples: {report['n_empty']} empty predictions (scored 0), "
        f"{report['n_empty_reference']} empty references (scored 0)",
        f"mode: {report['mode']} ({report['mode_description']})",
    ]
    if report["mode"] == "distinct":
        lines.append("NOTE: rouge-chinese compatibility mode, not ROUGE-1.5.5: ROUGE-1/2 count distinct n-grams and read high")
    if report.get("n_skipped"):
        lines.append(f"skipped bad rows: {report['n_skipped']} (not in n)")
    for level in report["levels"]:
        header = "x100, mean [95% CI]" if ci_all else "x100, mean"
        lines += ["", f"{_TITLES[level]}   {header}"]
        lines.append("        " + "".join(f"  {s.upper():>6}{'':<{width - 6}}" for s in STATS).rstrip())
        for metric in METRICS:
            cells = []
            for s in STATS:
                ci = ci_all[level][metric][s] if ci_all else None
                cells.append(f"  {_cell(report[level][metric][s], ci):<{width}}")
            lines.append(f"{metric:<8}" + "".join(cells).rstrip())
    norm = report["normalization"]
    lines += [
        "",
        "normalization (both sides): special tokens removed, full-width -> half-width, lowercase, "
        "all whitespace removed" + ("" if norm.get("fullwidth_to_halfwidth") else " [custom]"),
        f"multiple references: {report['multi_reference']}",
    ]
    if ci_all:
        b = report["bootstrap"]
        lines.append(f"95% CI: {b['method']} bootstrap over samples, {b['resamples']} resamples, seed {b['seed']}")
        if b.get("warning"):
            lines.append(f"WARNING: {b['warning']}")
    return "\n".join(lines)


def write_report_files(report: Mapping, sample_rows: Sequence[Mapping], output_dir: str | os.PathLike) -> Path:
    """Write report.json, samples.jsonl and report.png into ``output_dir`` (each atomically)."""
    from summarize.metrics.figure import write_figure

    out = Path(output_dir)
    atomic_write_json(out / "report.json", report)
    atomic_write_jsonl(out / "samples.jsonl", sample_rows)
    write_figure(sample_rows, out / "report.png", title=f"{report['n']} samples, mode {report['mode']}")
    return out


def evaluate_and_report(
    predictions: Sequence[str],
    references: Sequence[str | Sequence[str]],
    ids: Sequence[str] | None = None,
    *,
    output_dir: str | os.PathLike | None = None,
    word_level: bool = True,
    mode: str = "rouge155",
    bootstrap: int = 1000,
    seed: int = 0,
    source: Mapping | None = None,
    n_skipped: int = 0,
    progress: bool = False,
) -> dict:
    """Score, and write the report files when ``output_dir`` is given; nothing is printed.

    ``source`` (e.g. ``{"predictions": path}`` or ``{"model": dir, "data": path}``)
    is copied into the report so that a report.json says what it scored.
    Returns the report dict (the JSON object); :func:`render_report` turns it into what the CLI prints.
    """
    if ids is not None and len(ids) != len(predictions):
        raise ValueError(f"{len(ids)} ids for {len(predictions)} predictions")
    table = score_table(predictions, references, word_level=word_level, mode=mode, progress=progress)
    report = aggregate(table, bootstrap=bootstrap, seed=seed)
    if n_skipped:
        report["n_skipped"] = n_skipped
    if source:
        report["source"] = dict(source)
    report["versions"] = package_versions()
    if report.get("bootstrap", {}).get("warning"):
        log.warning("%s", report["bootstrap"]["warning"])
    if output_dir is not None:
        rows = []
        for i, (sample, pred, ref) in enumerate(zip(table_samples(table), predictions, references)):
            rows.append({"id": str(ids[i]) if ids is not None else str(i), "prediction": pred, "reference": ref, **sample})
        out = write_report_files(report, rows, output_dir)
        log.info("wrote %s, %s and %s", out / "report.json", out / "samples.jsonl", out / "report.png")
    return report


def render_report(report: Mapping, *, as_json: bool = False) -> str:
    """The text ``summarize evaluate`` prints: the terminal table, or one JSON object with ``as_json``."""
    return json_line(report) if as_json else format_rouge_table(report)


def format_qa_report(result: Mapping) -> str:
    """The terminal summary of a CMRC evaluation: EM, F1, how many questions and what was missing."""
    lines = [
        f"CMRC 2018 EM/F1 (official definition), {result['n']} questions",
        f"  EM  {result['em']:6.2f}",
        f"  F1  {result['f1']:6.2f}",
        f"  unanswered: {result['n_unanswered']} (scored 0)",
    ]
    if "n_unknown" in result:
        lines.append(f"  prediction ids not in the dataset: {result['n_unknown']}")
    return "\n".join(lines)
