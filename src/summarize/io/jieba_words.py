"""The installed jieba's main dictionary as a :class:`~summarize.text.words.WordDictionary`, cached once.

    from summarize.io.jieba_words import word_ends
    word_ends("高新区举行签约仪式")      # (3, 5, 7, 9): the word ends of jieba.cut(text, HMM=False)

The cache file is built from jieba's own ``dict.txt`` the first time (0.4 s) and written atomically
to ``$XDG_CACHE_HOME/summarize`` (``~/.cache/summarize``), named and checked by the file's sha256, so
an upgraded jieba never gets a stale copy; where it cannot be written, the dictionary is parsed
each time (correct, only slower).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

from summarize.io.atomic import atomic_open
from summarize.text.words import WordDictionary

log = logging.getLogger(__name__)


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "summarize"


def load_jieba_dictionary(dict_txt: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None
                          ) -> WordDictionary:
    """The installed jieba's main dictionary (or ``dict_txt``), from the cache when it holds this file's copy.

    The cache is written atomically; where it cannot be written, the dictionary is parsed each time.
    """
    if dict_txt is None:
        import jieba  # only to find its dict.txt; its own dictionary is never loaded

        dict_txt = Path(jieba.__file__).parent / "dict.txt"
    raw = Path(dict_txt).read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    cache = Path(cache_dir) if cache_dir is not None else _cache_dir()
    path = cache / f"jieba-words-{sha[:16]}.bin"
    try:
        cached = WordDictionary.from_bytes(path.read_bytes(), sha)
    except OSError:
        cached = None
    if cached is not None:
        return cached
    built = WordDictionary.from_dict_txt(dict_txt)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with atomic_open(path, "wb", encoding=None) as handle:
            handle.write(built.to_bytes(sha))
    except OSError as exc:  # a read-only home: correct, only slower next time
        log.debug("word dictionary cache not written (%s)", exc)
    return built


_DEFAULT: WordDictionary | None = None
_LOCK = threading.Lock()


def word_ends(text: str) -> tuple[int, ...]:
    """End offsets of the words of ``text`` as ``jieba.cut(text, HMM=False)`` segments it (default dictionary)."""
    global _DEFAULT
    if _DEFAULT is None:
        with _LOCK:
            if _DEFAULT is None:
                _DEFAULT = load_jieba_dictionary()
    return _DEFAULT.word_ends(text)


__all__ = ["load_jieba_dictionary", "word_ends"]
