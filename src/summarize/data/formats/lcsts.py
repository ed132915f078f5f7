"""LCSTS (Weibo short text -> summary) in both layouts in circulation; the layout is detected.

* CLGE TSV (``summary \\t short_text``, no header), as in CLUE's re-split.
* The official PART_I/II/III pseudo-XML::

      <doc id=0>
          <human_label>5</human_label>      (PART_II/III only: 1-5 relevance score)
          <summary>
              ...
          </summary>
          <short_text>
              ...
          </short_text>
      </doc>

  It is not well-formed XML (unquoted ``id``, raw ``&`` and ``<`` in texts), so
  it is read with a tolerant regex, never an XML parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from summarize.data.formats.tabular import LineCounter, iter_elements, iter_tsv
from summarize.data.records import RowError, make_record
from summarize.io.read import InputError

_ID = re.compile(r"id\s*=\s*[\"']?([^\"'\s>]+)")


_FIELDS = {tag: re.compile(rf"<{tag}>(.*?)</{tag}>", re.S) for tag in ("human_label", "summary", "short_text")}


def _field(body: str, tag: str) -> str | None:
    match = _FIELDS[tag].search(body)
    return match.group(1) if match else None


def detect_layout(text: str) -> str:
    """``xml`` when the first non-blank line opens a ``<doc``, else ``tsv``."""
    for line in text.split("\n"):
        if line.strip():
            return "xml" if line.lstrip().startswith("<doc") else "tsv"
    return "tsv"


def parse(text: str, *, source: str, path: str,
          min_label: int | None = None) -> Iterator[tuple[int, dict | RowError | None]]:
    layout = detect_layout(text)
    if layout == "tsv":
        if min_label is not None:
            raise InputError(f"{path}: --min-label needs the PART_II/III layout with <human_label>; this file is TSV")
        yield from _parse_tsv(text, source)
    else:
        yield from _parse_xml(text, source, path, min_label)


def _parse_tsv(text: str, source: str) -> Iterator[tuple[int, dict | RowError]]:
    for line, fields in iter_tsv(text):
        if len(fields) != 2:
            yield line, RowError(f"expected 2 tab-separated columns (summary, text), found {len(fields)}")
            continue
        try:
            yield line, make_record(source=source, line=line, title=fields[0], text=fields[1])
        except RowError as exc:
            yield line, exc


def _parse_xml(text: str, source: str, path: str,
               min_label: int | None) -> Iterator[tuple[int, dict | RowError | None]]:
    labelled = None
    lines = LineCounter(text)
    for offset, attributes, body, closed in iter_elements(text, "doc"):
        line = lines.at(offset)
        if not closed:
            yield line, RowError("<doc> is not closed by </doc>")
            continue
        id_match = _ID.search(attributes)
        summary, short_text, label = _field(body, "summary"), _field(body, "short_text"), _field(body, "human_label")
        if summary is None or short_text is None:
            missing = [tag for tag, value in (("summary", summary), ("short_text", short_text)) if value is None]
            yield line, RowError(f"<doc> has no <{'> or <'.join(missing)}>")
            continue
        meta: dict = {"doc_id": id_match.group(1)} if id_match else {}
        if labelled is None:
            labelled = label is not None
            if min_label is not None and not labelled:
                raise InputError(f"{path}: --min-label needs <human_label> (PART_II/III); this file has none (PART_I)")
        if label is not None:
            try:
                meta["human_label"] = int(label.strip())
            except ValueError:
                yield line, RowError(f"human_label {label.strip()!r} is not an integer")
                continue
            if min_label is not None and meta["human_label"] < min_label:
                yield line, None  # filtered by request: not a bad row
                continue
        elif labelled:
            yield line, RowError("<doc> has no <human_label> while earlier docs have one")
            continue
        try:
            yield line, make_record(source=source, line=line, title=summary, text=short_text, meta=meta)
        except RowError as exc:
            yield line, exc
