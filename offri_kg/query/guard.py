"""Refuse queries that would reach outside: ``SERVICE``, ``LOAD``, ``FROM``/``FROM NAMED``.

pyoxigraph evaluates ``SERVICE`` by fetching the URL, and a public endpoint must never do
that. The check looks at the query's keywords with strings, IRIs, comments, variables and
prefixed names blanked out, so a label containing the word "service", a variable ``?from`` or a
property ``schema:from`` is not mistaken for the keyword; it is linear in the query length (no
parse), which keeps stored queries' overhead near zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

from offri_kg.errors import OffriError

T = TypeVar("T")

_TOKEN = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
                    # variables (?service) and prefixed names (schema:from, from:x) are names, not keywords
                    r'|[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+|(?<![\w.-])(?:[^\W\d_][\w.-]*)?:[\w.:%\\-]*')
_FORBIDDEN = re.compile(r"\b(SERVICE|LOAD|FROM)\b", re.IGNORECASE)
_FETCHING = re.compile(r"\b(SERVICE|LOAD)\b", re.IGNORECASE)


def _cached_for_short_texts(function: Callable[[str], T]) -> Callable[[str], T]:
    """``function`` of a query text, cached for texts up to 16 KB: stored queries come back
    again and again. Longer texts are not cached (a cache of hostile 1 MB requests would be a
    memory leak)."""
    cached = lru_cache(maxsize=512)(function)

    @wraps(function)
    def call(sparql: str) -> T:
        return cached(sparql) if len(sparql) <= 16384 else function(sparql)

    return call


@_cached_for_short_texts
def keywords_only(sparql: str) -> str:
    """The query with strings, IRIs, comments, variables and prefixed names replaced by spaces
    (what is left are keywords, punctuation and numbers; positions are kept)."""
    return _TOKEN.sub(lambda m: " " * len(m.group(0)), sparql)


@lru_cache(maxsize=256)
def _forbidden(sparql: str) -> str | None:
    """The first keyword that would reach outside, or None (cached: stored queries repeat)."""
    if not _FORBIDDEN.search(sparql):  # no such word anywhere: nothing to blank out first
        return None
    match = _FORBIDDEN.search(keywords_only(sparql))
    return match.group(1).upper() if match else None


@lru_cache(maxsize=1024)
def fetching_feature(sparql: str) -> str | None:
    """SERVICE or LOAD if the query uses one (they always fetch), else None. The endpoint, which
    allows FROM of graphs in the store, checks this; its workers check it again for every
    query, the pages' own included, as a backstop should a value ever escape into a query."""
    if not _FETCHING.search(sparql):  # the common case, at the speed of one regex scan
        return None
    match = _FETCHING.search(keywords_only(sparql))
    return match.group(1).upper() if match else None


def check_query(sparql: str) -> None:
    """Raise ``query-refused`` if the query would fetch anything from outside the store."""
    feature = _forbidden(sparql)
    if feature:
        raise OffriError("query-refused", {"feature": feature})


_KIND = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                   re.IGNORECASE)


@_cached_for_short_texts
def query_kind(sparql: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE`` or an update keyword (strings, IRIs,
    comments, variables and prefixed names such as ``drop:`` ignored)."""
    match = _KIND.search(keywords_only(sparql))
    return match.group(1).upper() if match else "SELECT"


def read_only_kind(sparql: str) -> str:
    """The query form of ``sparql``; an update (INSERT, DROP, …) is refused: offri's query
    commands and API only read."""
    kind = query_kind(sparql)
    if kind not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise OffriError("update-not-query", {"kind": kind})
    return kind
