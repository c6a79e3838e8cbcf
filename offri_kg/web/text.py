"""The page templates' name for a word (``w``); the words themselves live in ``offri_kg.i18n``."""

from __future__ import annotations

from offri_kg.i18n import WORDS, word

__all__ = ["WORDS", "w", "word"]


def w(key: str, lang: str, **params: object) -> str:
    """The word for ``key`` in ``lang`` with ``params`` filled in (``offri_kg.i18n.word``).

    Called without parameters it gives the text as written, placeholders and all: code that
    still fills a word in itself (``w("diagram-title", lang).format(name=...)``) keeps working
    until it passes its parameters here."""
    if params:
        return word(key, lang, **params)
    entry = WORDS[key]
    return entry.get(lang, entry["en"])
