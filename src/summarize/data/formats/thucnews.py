"""THUCNews (Sina news -> original headline): CSV with header ``title,context,label,class,...``.

Bodies are quoted multi-line fields indented with full-width spaces (U+3000);
whitespace is normalized with ``keep_newlines=True`` so paragraphs survive.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from summarize.data.formats.tabular import column_index, iter_csv, read_header
from summarize.data.records import RowError, make_record


def parse(text: str, *, source: str, path: str) -> Iterator[tuple[int, dict | RowError]]:
    rows = iter_csv(text)
    header = read_header(rows, path)
    title_i = column_index(header, "title", "THUCNews layout", path)
    text_i = column_index(header, "context", "THUCNews layout", path)
    extra = {name: i for name, i in ((n, header.index(n)) for n in ("class", "label") if n in header)}
    for line, fields in rows:
        if isinstance(fields, RowError):
            yield line, fields
            continue
        if len(fields) != len(header):
            yield line, RowError(f"expected {len(header)} columns ({','.join(header)}), found {len(fields)}")
            continue
        meta: dict[str, Any] = {name: fields[i].strip() for name, i in extra.items()}
        if "label" in meta and meta["label"].lstrip("-").isdigit():
            meta["label"] = int(meta["label"])
        try:
            yield line, make_record(source=source, line=line, title=fields[title_i], text=fields[text_i], meta=meta)
        except RowError as exc:
            yield line, exc
