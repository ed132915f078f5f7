"""SogouCS / SogouCA news dumps: ``<doc>`` blocks with url, docno, contenttitle, content.

The files are GB18030, have no root element and are often not well-formed
(raw ``&``, unclosed tags, truncated last doc), so they are read with a tolerant
regex, never an XML parser. Sogou marks paragraph breaks inside ``content`` with
the private-use character U+E40C; it becomes a newline.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from summarize.data.formats.tabular import LineCounter, iter_elements
from summarize.data.records import RowError, make_record

_PARAGRAPH_MARK = "\ue40c"


# An unclosed field runs to the next tag: tolerate the truncation instead of losing the doc.
_FIELDS = {
    tag: re.compile(rf"<{tag}>(.*?)(?:</{tag}>|(?=<[a-z/])|\Z)", re.S)
    for tag in ("url", "docno", "contenttitle", "content")
}


def _field(body: str, tag: str) -> str | None:
    match = _FIELDS[tag].search(body)
    return html.unescape(match.group(1)) if match else None


def parse(text: str, *, source: str, path: str) -> Iterator[tuple[int, dict | RowError]]:
    lines = LineCounter(text)
    for offset, _, body, _ in iter_elements(text, "doc"):
        line = lines.at(offset)
        title, content = _field(body, "contenttitle"), _field(body, "content")
        if title is None or content is None:
            missing = [tag for tag, value in (("contenttitle", title), ("content", content)) if value is None]
            yield line, RowError(f"<doc> has no <{'> or <'.join(missing)}>")
            continue
        meta = {key: value.strip() for key in ("url", "docno") if (value := _field(body, key)) is not None}
        try:
            yield line, make_record(source=source, line=line, title=title,
                                    text=content.replace(_PARAGRAPH_MARK, "\n"), meta=meta)
        except RowError as exc:
            yield line, exc
