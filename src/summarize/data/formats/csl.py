"""CSL (paper abstract -> title), in the two TSV layouts in circulation; detected per file.

* the CSL benchmark's ``ts`` task: ``"to title" \\t abstract \\t title`` (3 columns, no header);
* CLUE's CLGE re-split: ``title \\t abstract`` (2 columns, no header).
"""

from __future__ import annotations

from collections.abc import Iterator

from summarize.data.formats.tabular import iter_tsv
from summarize.data.records import RowError, make_record


def parse(text: str, *, source: str, path: str) -> Iterator[tuple[int, dict | RowError]]:
    width = None
    for line, fields in iter_tsv(text):
        if width is None:
            width = len(fields)
            if width not in (2, 3):
                yield line, RowError(
                    f"expected 3 columns (prompt, abstract, title) or 2 (title, abstract), found {width}")
                width = None
                continue
        if len(fields) != width:
            layout = "prompt, abstract, title" if width == 3 else "title, abstract"
            yield line, RowError(f"expected {width} tab-separated columns ({layout}) like the first row, found {len(fields)}")
            continue
        if width == 3:
            prompt, abstract, title = fields
            meta = {"prompt": prompt.strip()}
        else:
            title, abstract = fields
            meta = {}
        try:
            yield line, make_record(source=source, line=line, title=title, text=abstract, meta=meta)
        except RowError as exc:
            yield line, exc
