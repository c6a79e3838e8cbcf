"""User-facing text in Norwegian bokmål (nb) and English (en): the lookups over one table.

Every word lives in ``offri_kg.i18n.words``. ``message`` gives the text of an error, a warning
or a line of the CLI; ``word`` gives a word of a web page; both are the same lookup, named for
where the text is shown. Library code raises ``OffriError`` with a code and never holds prose.

Plural forms are written in the text, as ICU MessageFormat writes them:
``{n, plural, one {# row} other {# rows}}``. The count is the parameter the block names, so an
error's own parameters choose its forms and one sentence may hold several counts. Both languages
have the same two forms (``one`` for exactly 1, ``other`` for the rest), so that rule is all
this module needs; see the README for why there is no Babel or gettext yet.
"""

from __future__ import annotations

import os
import re
import string
from functools import lru_cache
from typing import NamedTuple

from offri_kg.errors import Msg, OffriError
from offri_kg.i18n.words import MESSAGES, PAGES, WORDS

__all__ = ["LANGS", "MESSAGES", "PAGES", "WORDS", "Plural", "default_lang", "message", "parse",
           "placeholders", "plural_form", "render_error", "visible", "word"]

LANGS = ("nb", "en")


def default_lang() -> str:
    """The language from ``OFFRI_LANG`` or ``LANG`` (nb when it starts with nb/no/nn), else en."""
    value = os.environ.get("OFFRI_LANG") or os.environ.get("LANG", "")
    return "nb" if value[:2].lower() in ("nb", "no", "nn") else "en"


#: What input may carry but a terminal or a page must not act on: control characters (ESC starts
#: terminal escape sequences; NUL, a new line, a carriage return rewrite what is shown) and the
#: bidirectional overrides that make text read otherwise than it is ("Trojan source").
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with every control character written out as an escape (``\\x1b``, ``\\u202e``)."""
    if not _INVISIBLE.search(text):
        return text
    return _INVISIBLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                          else f"\\u{ord(m.group()):04x}", text)


# ---- plural forms ---------------------------------------------------------------------------------
class Plural(NamedTuple):
    """A plural block of a text: the parameter that counts, and the text of each form."""

    count: str
    forms: dict[str, str]


_PLURAL = re.compile(r"\{(\w+), plural,")
_FORM = re.compile(r"\s*(\w+)\s*\{")


def plural_form(count: object) -> str:
    """The form for ``count`` in nb and en (CLDR's rule for both: ``one`` is exactly the whole
    number 1). Anything else — another number, or a value that is not a count at all — takes
    ``other``: a message must still be said, never turned into an internal error."""
    return "one" if isinstance(count, int) and not isinstance(count, bool) and count == 1 else "other"


@lru_cache(maxsize=1024)
def parse(text: str) -> tuple[str | Plural, ...]:
    """``text`` as plain pieces (``str.format`` templates) and plural blocks, in order."""
    pieces: list[str | Plural] = []
    position = 0
    for start in _PLURAL.finditer(text):
        if start.start() < position:
            raise ValueError(f"a plural block inside another in {text!r}")
        forms: dict[str, str] = {}
        at = start.end()
        while (form := _FORM.match(text, at)) is not None:
            end = _closing_brace(text, form.end())
            forms[form.group(1)] = text[form.end():end]
            at = end + 1
        closing = re.compile(r"\s*\}").match(text, at)
        if closing is None:
            raise ValueError(f"an unfinished plural block in {text!r}")
        pieces += [text[position:start.start()], Plural(start.group(1), forms)]
        position = closing.end()
    pieces.append(text[position:])
    return tuple(p for p in pieces if p != "")


def _closing_brace(text: str, at: int) -> int:
    """Where the brace opened just before ``at`` closes (placeholders may nest inside)."""
    depth = 1
    for index in range(at, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"an unclosed brace in {text!r}")


def placeholders(text: str) -> set[str]:
    """The placeholders of ``text`` as written (``path``, ``value!r``), with each plural count
    and every form's placeholders; what both languages of an entry must share."""
    names: set[str] = set()
    for piece in parse(text):
        if isinstance(piece, Plural):
            names.add(piece.count)
            for form in piece.forms.values():
                names |= placeholders(form.replace("#", "{" + piece.count + "}"))
        else:
            names |= {name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
                      for _, name, spec, conversion in string.Formatter().parse(piece) if name is not None}
    return names


def _chosen(text: str, params: dict[str, object]) -> str:
    """``text`` with each plural block replaced by the form its count chooses (``#`` → the count)."""
    return "".join(piece if isinstance(piece, str) else
                   piece.forms[plural_form(params[piece.count])].replace("#", "{" + piece.count + "}")
                   for piece in parse(text))


# ---- the lookups ----------------------------------------------------------------------------------
def message(key: str, lang: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` (English if ``lang`` is neither), its plural forms chosen
    by their counts and ``params`` filled in: a ``Msg`` is translated too, and what came from input
    is shown with its control characters escaped."""
    entry = WORDS[key]
    filled = {name: message(value.code, lang, **value.params) if isinstance(value, Msg) else value
              for name, value in params.items()}
    filled = {name: value if isinstance(value, (int, float)) else visible(str(value)) for name, value in filled.items()}
    text = entry.get(lang, entry["en"])
    return _chosen(text, filled).format(**filled)


def word(key: str, lang: str, **params: object) -> str:
    """A word of a web page: the same lookup as ``message``, named for where it is shown."""
    return message(key, lang, **params)


def render_error(error: OffriError, lang: str) -> str:
    """One line: where, then what and how to fix it."""
    text = message(error.code, lang, **error.params)
    where = visible(str(error.location))
    return f"{where}: {text}" if where else text
