"""What offri refuses to run: anything that would reach outside, nest too deep or grow too big.

pyoxigraph evaluates ``SERVICE`` and ``LOAD`` by fetching the URL, and a deeply nested or very
long query crashes it. Every query and update a user writes is therefore read by the grammar
first (``offri_kg.query.syntax``: the engine's own terminals, so a keyword hidden behind an
escaped character is still a keyword) and refused here before the engine sees it. The worker
processes that run queries cannot open a network connection either (``offri_kg.query.sandbox``):
this check is the first wall, not the only one.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from threading import Lock

from offri_kg.errors import OffriError
from offri_kg.query.syntax import Reading, read, read_update

#: Defaults for what one query may be; ``offri serve`` takes them from its options.
MAX_DEPTH = 64
MAX_OPERATORS = 1000

#: Readings of short texts are kept (stored queries and a notebook's queries come back): at
#: most this many, of texts up to ``_CACHED_TEXT`` characters, so the cache holds at most a
#: few megabytes whatever clients send.
_CACHE_ENTRIES = 256
_CACHED_TEXT = 16_384
_cache: OrderedDict[tuple, Reading] = OrderedDict()
_cache_lock = Lock()


def cache_size() -> tuple[int, int]:
    """(entries, characters of query text) the reading cache holds (for tests and /metrics)."""
    with _cache_lock:
        return len(_cache), sum(len(key[1]) for key in _cache)


def reading(sparql: str, update: bool = False, base: str | None = None, max_depth: int = MAX_DEPTH,
            max_operators: int = MAX_OPERATORS) -> Reading:
    """The grammar's reading of ``sparql`` (a query, or an update that is not a query; with
    ``update``, an update only). Raises ``query-syntax``, ``query-too-deep`` or
    ``query-too-many-operators``."""
    key = (update, sparql, base, max_depth, max_operators)
    if len(sparql) <= _CACHED_TEXT:
        with _cache_lock:
            found = _cache.get(key)
            if found is not None:
                _cache.move_to_end(key)
                return found
    result = (read_update if update else read)(sparql, base, max_depth, max_operators)
    if "\\u" in sparql or "\\U" in sparql:
        _same_without_escapes(sparql, result, update, base, max_depth, max_operators)
    if len(sparql) <= _CACHED_TEXT:
        with _cache_lock:
            _cache[key] = result
            while len(_cache) > _CACHE_ENTRIES:
                _cache.popitem(last=False)
    return result


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _same_without_escapes(sparql: str, found: Reading, update: bool, base: str | None, max_depth: int,
                          max_operators: int) -> None:
    """SPARQL 1.1 (section 19.2) has ``\\u``/``\\U`` codepoint escapes replaced in the whole
    text before it is parsed; Oxigraph does so only when built with spargebra's
    ``standard-unicode-escaping``, which pyoxigraph is not (and decodes them inside strings and
    IRIs only). A query must not depend on which: ``"\\u0022 SERVICE … \\u0022"`` is a string to
    the one and a SERVICE to the other. So the text with its escapes replaced is read too, and
    if it reads (any reading the engine might take is checked) it must do what the text does;
    if it does not read, an engine that replaced them would refuse it."""
    decoded = _CODEPOINT.sub(lambda m: _char(m.group(1) or m.group(2)), sparql)
    if decoded == sparql:
        return
    try:
        other = (read_update if update else read)(decoded, base, max_depth, max_operators)
    except OffriError as error:
        if error.code == "query-syntax":
            return
        raise
    if (other.form, other.fetches, other.from_default, other.from_named) != (
            found.form, found.fetches, found.from_default, found.from_named):
        raise OffriError("query-escape-ambiguous", {})


def _char(hex_digits: str) -> str:
    value = int(hex_digits, 16)
    return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else "\ufffd"


def _refuse_fetching(found: Reading) -> None:
    feature = found.fetches
    if feature:
        raise OffriError("query-refused", {"feature": feature})


def check_query(sparql: str) -> Reading:
    """A read-only query over the union of the store's graphs (``offri query``, the notebook
    API): SERVICE and LOAD fetch, and FROM would name a dataset offri does not fetch either,
    so all three are refused; so is an update."""
    found = reading(sparql)
    _refuse_fetching(found)
    if found.from_default or found.from_named:
        raise OffriError("query-refused", {"feature": "FROM"})
    if found.form == "UPDATE":
        raise OffriError("update-not-query", {"kind": found.operations[0]})
    return found


def query_kind(sparql: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, or an update's first operation."""
    found = reading(sparql, max_operators=10**9)
    return found.operations[0] if found.form == "UPDATE" else found.form


def check_endpoint_query(sparql: str, graphs: set[str], base: str | None = None, max_depth: int = MAX_DEPTH,
                         max_operators: int = MAX_OPERATORS) -> tuple[list[str], list[str]]:
    """A query sent to the public endpoint: SERVICE and LOAD are refused (they fetch), FROM
    may name only graphs this store holds (other engines fetch the rest, and a client asking
    for one expects data that is not here), and the nesting and size caps hold. Returns the
    graphs of ``FROM`` and ``FROM NAMED``: the caller passes them to the engine as the dataset,
    since offri's default graph is otherwise the union of all graphs."""
    found = reading(sparql, base=base, max_depth=max_depth, max_operators=max_operators)
    _refuse_fetching(found)
    if found.form == "UPDATE":
        raise OffriError("query-is-update", {"kind": found.operations[0]})
    for graph in (*found.from_default, *found.from_named):
        if graph not in graphs:
            raise OffriError("query-from-unknown", {"graph": graph})
    return list(found.from_default), list(found.from_named)


def check_update(sparql: str, base: str | None = None, max_depth: int = MAX_DEPTH,
                 max_operators: int = MAX_OPERATORS) -> Reading:
    """An update from a logged-in client: LOAD and SERVICE are refused as for queries."""
    found = reading(sparql, update=True, base=base, max_depth=max_depth, max_operators=max_operators)
    _refuse_fetching(found)
    return found


def with_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """``update`` with the protocol's using-graph-uri/using-named-graph-uri written in as
    ``USING``/``USING NAMED`` before each ``DELETE``/``INSERT … WHERE`` operation's ``WHERE``
    (SPARQL 1.1 Protocol §2.2.3); refused when the update names its own dataset
    (``USING``/``WITH``)."""
    if not default_graphs and not named_graphs:
        return update
    found = reading(update, update=True, max_operators=10**9, max_depth=10**9)
    if found.names_dataset:
        raise OffriError("update-dataset-conflict")
    clause = " ".join([f"USING <{g}>" for g in default_graphs] + [f"USING NAMED <{g}>" for g in named_graphs])
    out, last = [], 0
    for offset in found.where_offsets:
        out.append(update[last:offset] + clause + " ")
        last = offset
    out.append(update[last:])
    return "".join(out)
