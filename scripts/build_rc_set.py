#!/usr/bin/env python
"""Build the project's reading-comprehension set (data/rc/train.jsonl, data/rc/dev.jsonl).

Contexts are the article texts of data/corpus/articles.jsonl, exactly as the
corpus has them; questions and answers are hand-written in data/rc/questions.tsv.
``answer_start`` is computed here by text search, so it can never drift from the
context. An answer that does not occur, or occurs more than once without an
occurrence index, stops the build with the TSV line number.

Run from the repository root:

    .venv/bin/python scripts/build_rc_set.py            # rewrite data/rc/{train,dev}.jsonl
    .venv/bin/python scripts/build_rc_set.py --check    # exit 1 if the committed files are stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def occurrences(text: str, needle: str) -> list[int]:
    found, pos = [], text.find(needle)
    while pos >= 0:
        found.append(pos)
        pos = text.find(needle, pos + 1)
    return found


def build(articles_path: Path, questions_path: Path) -> dict[str, list[dict]]:
    articles = {}
    for line in articles_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            articles[record["id"]] = record
    splits: dict[str, list[dict]] = {"train": [], "dev": []}
    errors = []
    number = 0
    for line_no, line in enumerate(questions_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{questions_path}:{line_no}"
        cols = line.split("\t")
        if len(cols) not in (4, 5):
            errors.append(f"{where}: expected 4 or 5 tab-separated columns, got {len(cols)}")
            continue
        article_id, split, question, answer = cols[:4]
        occurrence = int(cols[4]) if len(cols) == 5 and cols[4].strip() else None
        if article_id not in articles:
            errors.append(f"{where}: unknown article id {article_id!r}")
            continue
        if split not in splits:
            errors.append(f"{where}: split must be train or dev, got {split!r}")
            continue
        context = articles[article_id]["text"]
        hits = occurrences(context, answer)
        if not hits:
            errors.append(f"{where}: answer {answer!r} does not occur in article {article_id}")
            continue
        if occurrence is None and len(hits) > 1:
            errors.append(f"{where}: answer {answer!r} occurs {len(hits)} times in {article_id}; add an occurrence index")
            continue
        if occurrence is not None and not 1 <= occurrence <= len(hits):
            errors.append(f"{where}: occurrence {occurrence} but {answer!r} occurs {len(hits)} times")
            continue
        number += 1
        start = hits[(occurrence or 1) - 1]
        splits[split].append({
            "id": f"rc-{number:03d}",
            "article_id": article_id,
            "title": articles[article_id]["title"],
            "question": question,
            "context": context,
            "answers": [{"text": answer, "answer_start": start}],
        })
    if errors:
        raise SystemExit("\n".join(["cannot build the RC set:", *errors]))
    return splits


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=Path, default=REPO / "data/corpus/articles.jsonl")
    parser.add_argument("--questions", type=Path, default=REPO / "data/rc/questions.tsv")
    parser.add_argument("--output-dir", type=Path, default=REPO / "data/rc")
    parser.add_argument("--check", action="store_true", help="compare with the files on disk instead of writing")
    args = parser.parse_args(argv)
    splits = build(args.articles, args.questions)
    stale = []
    for split, rows in splits.items():
        path = args.output_dir / f"{split}.jsonl"
        text = render(rows)
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
            continue
        sys.path.insert(0, str(REPO / "src"))
        from summarize.io.atomic import atomic_write_text

        atomic_write_text(path, text)
        print(f"{path}: {len(rows)} questions", file=sys.stderr)
    if stale:
        print("stale (rerun scripts/build_rc_set.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
