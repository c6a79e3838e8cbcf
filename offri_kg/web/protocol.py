"""The SPARQL 1.1 Protocol's request rules: which operation a request carries, and its dataset.

Kept apart from the web framework so the rules read like the spec (§2.1 query, §2.2 update)
and each refusal carries the HTTP status the W3C protocol tests expect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin

import pyoxigraph as ox

from offri_kg.errors import OffriError
from offri_kg.query.guard import fetching_feature, keywords_only


class ProtocolError(OffriError):
    """A request the protocol refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, code: str, status: int, params: dict[str, object] | None = None) -> None:
        super().__init__(code, params or {})
        self.status = status


@dataclass
class Operation:
    """A query or an update with the dataset the request names (empty lists: none named)."""

    kind: str  # "query" or "update"
    text: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def _charset_ok(content_type: str) -> bool:
    match = re.search(r"charset\s*=\s*\"?([\w.-]+)", content_type, re.IGNORECASE)
    return match is None or match.group(1).lower() in ("utf-8", "utf8")


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("protocol-not-utf8", 400) from None


def parse_operation(method: str, query_string: str, content_type: str | None, body: bytes) -> Operation | None:
    """The operation in a request to the endpoint, or None for a bare GET (service description)."""
    try:
        url_params = parse_qsl(query_string, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError("protocol-not-utf8", 400) from None
    if method in ("GET", "HEAD"):
        method = "GET"
        params = url_params
    elif method == "POST":
        media = (content_type or "").split(";")[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            if not _charset_ok(content_type or ""):
                raise ProtocolError("protocol-not-utf8", 415)
            try:
                params = url_params + parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                                encoding="utf-8", errors="strict")
            except (UnicodeDecodeError, ValueError):
                raise ProtocolError("protocol-not-utf8", 400) from None
        elif media in ("application/sparql-query", "application/sparql-update"):
            if not _charset_ok(content_type or ""):
                raise ProtocolError("protocol-not-utf8", 415)
            kind = "query" if media == "application/sparql-query" else "update"
            if any(k in ("query", "update") for k, _ in url_params):
                raise ProtocolError("protocol-two-operations", 400)
            params = url_params + [(kind, _decode(body))]
        elif not media:
            raise ProtocolError("protocol-no-media-type", 400)
        else:
            raise ProtocolError("protocol-media-type", 415, {"media": media})
    else:
        raise ProtocolError("protocol-method", 405, {"method": method})  # Allow: set by the caller

    queries = [v for k, v in params if k == "query"]
    updates = [v for k, v in params if k == "update"]
    if len(queries) + len(updates) > 1:
        raise ProtocolError("protocol-two-operations", 400)
    if updates and method == "GET":
        raise ProtocolError("protocol-update-get", 400)
    if not queries and not updates:
        if method == "GET":
            return None
        raise ProtocolError("protocol-no-operation", 400)
    names = ("default-graph-uri", "named-graph-uri") if queries else ("using-graph-uri", "using-named-graph-uri")
    for name, value in params:
        if name in names and not _absolute_iri(value):
            raise ProtocolError("protocol-bad-graph-iri", 400, {"param": name, "graph": value})
    if queries:
        return Operation("query", queries[0], [v for k, v in params if k == names[0]],
                         [v for k, v in params if k == names[1]])
    return Operation("update", updates[0], [v for k, v in params if k == names[0]],
                     [v for k, v in params if k == names[1]])


def _absolute_iri(value: str) -> bool:
    """Whether ``value`` is an absolute IRI (what Oxigraph accepts as a graph name)."""
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


_CLAUSE = re.compile(r"\b(PREFIX|BASE|FROM(\s+NAMED)?)\b", re.IGNORECASE)
_PREFIX = re.compile(r"PREFIX\s+((?:[^\W\d_][\w.-]*)?):\s*<([^<>\"{}|^`\\\s]*)>", re.IGNORECASE)
_BASE = re.compile(r"BASE\s*<([^<>\"{}|^`\\\s]*)>", re.IGNORECASE)
_IRI = re.compile(r"\s*<([^<>\"{}|^`\\\s]*)>")
_PNAME = re.compile(r"\s*((?:[^\W\d_][\w.-]*)?):([\w.:%-]*)")


def _from_clauses(sparql: str, blank: str, base: str | None) -> Iterator[tuple[bool, str | None, int]]:
    """(named?, graph IRI or None, position) for each ``FROM``/``FROM NAMED``: a full, relative
    (resolved against ``BASE`` or ``base``) or prefixed IRI. One pass over the query, whatever
    the number of clauses (a request may be a megabyte of them)."""
    prefixes: dict[str, str] = {}
    for match in _CLAUSE.finditer(blank):
        keyword = match.group(1).upper()
        if keyword == "BASE":
            if found := _BASE.match(sparql, match.start()):
                base = urljoin(base or "", found.group(1))
        elif keyword == "PREFIX":
            if found := _PREFIX.match(sparql, match.start()):
                prefixes[found.group(1)] = urljoin(base or "", found.group(2))
        elif iri := _IRI.match(sparql, match.end()):
            yield bool(match.group(2)), urljoin(base or "", iri.group(1)), match.end()
        elif (name := _PNAME.match(sparql, match.end())) and name.group(1) in prefixes:
            yield bool(match.group(2)), prefixes[name.group(1)] + name.group(2), match.end()
        else:
            yield bool(match.group(2)), None, match.end()


def nesting_depth(sparql: str) -> int:
    """The deepest nesting of ``{``, ``(`` and ``[`` (blank-node property lists) outside
    strings, IRIs and comments."""
    depth = deepest = 0
    for char in keywords_only(sparql):
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth -= 1
    return deepest


def check_query(sparql: str, graphs: set[str], max_depth: int,
                base: str | None = None) -> tuple[list[str], list[str]]:
    """Refuse what a public endpoint must not run: SERVICE and LOAD (they fetch), FROM of a
    graph this store does not hold (pyoxigraph would not fetch it, but other engines do, and
    a client asking for one expects data that is not here), and nesting deep enough to crash
    the engine. Returns the graphs of the query's ``FROM`` and ``FROM NAMED`` clauses: the
    caller passes them to the engine as the dataset, since offri's default graph is otherwise
    the union of all graphs."""
    blank = keywords_only(sparql)
    feature = fetching_feature(sparql)
    if feature:
        raise ProtocolError("query-refused", 400, {"feature": feature})
    defaults: list[str] = []
    named: list[str] = []
    for is_named, graph, at in _from_clauses(sparql, blank, base):
        if graph is None or graph not in graphs:
            raise ProtocolError("query-from-unknown", 400, {"graph": graph or sparql[at:at + 60].strip()[:40]})
        (named if is_named else defaults).append(graph)
    depth = nesting_depth(sparql)
    if depth > max_depth:
        raise ProtocolError("query-too-deep", 400, {"depth": depth, "max": max_depth})
    return list(dict.fromkeys(defaults)), list(dict.fromkeys(named))  # a graph named twice is one graph


def with_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """``update`` with the protocol's using-graph-uri/using-named-graph-uri written in as
    ``USING``/``USING NAMED`` before each top-level ``WHERE`` (SPARQL 1.1 Protocol §2.2.3);
    refused when the update names its own dataset (``USING``/``WITH``)."""
    if not default_graphs and not named_graphs:
        return update
    blank = keywords_only(update)
    if re.search(r"\b(USING|WITH)\b", blank, re.IGNORECASE):
        raise ProtocolError("update-dataset-conflict", 400)
    clause = " ".join([f"USING <{g}>" for g in default_graphs] + [f"USING NAMED <{g}>" for g in named_graphs])
    out, depth, last = [], 0, 0
    for match in re.finditer(r"[{}]|\bWHERE\b", blank, re.IGNORECASE):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            out.append(update[last:match.start()] + clause + " ")
            last = match.start()
    out.append(update[last:])
    return "".join(out)
