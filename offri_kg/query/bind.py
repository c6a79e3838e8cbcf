"""Binding parameter values to stored queries, safely.

Values are parsed into typed RDF terms first (an IRI is checked to be an IRI, a date a date), so
no value can change a query's shape. The terms are serialised by rdflib into a ``VALUES``
block at the top of the query's WHERE clause (or where a ``# @parameters`` comment says) — the same text for the embedded store and for
any remote endpoint, so every backend evaluates exactly the same query. (pyoxigraph's
``substitutions`` would be engine-side binding, but it only accepts projected variables.)
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pyoxigraph as ox
import rdflib

from offri_kg.errors import Msg, OffriError
from offri_kg.query.library import StoredQuery
from offri_kg.vocab import PREFIXES, XSD

_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def parse_value(query: StoredQuery, name: str, raw: str) -> ox.NamedNode | ox.Literal:
    """The typed term for ``raw`` as parameter ``name`` of ``query``; raises a clear error."""
    param = query.param(name)
    if param is None:
        raise OffriError("unknown-param", {"query": query.id, "name": name,
                                            "known": ", ".join(p.name for p in query.params) or "—"})
    expected = Msg(f"expect-{param.type}", {"scheme": param.scheme or "—"} if param.type == "concept" else {})

    def bad() -> OffriError:
        return OffriError("bad-param", {"query": query.id, "name": name, "value": raw, "expected": expected})

    if param.type in ("iri", "concept"):
        prefix, _, local = raw.partition(":")
        if prefix in PREFIXES and not local.startswith("//"):  # id:municipality/arendal, as offri prints it
            raw = PREFIXES[prefix] + local
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", raw) or _IRI_BAD.search(raw):
            raise bad()
        if param.type == "concept" and param.scheme and not raw.startswith(param.scheme.rstrip("/") + "/"):
            raise bad()
        term: ox.NamedNode | ox.Literal = ox.NamedNode(raw)
    elif param.type == "string":
        term = ox.Literal(raw)
    elif param.type == "integer":
        if not re.fullmatch(r"[+-]?[0-9]{1,4000}", raw.strip()):  # Python's int() stops at 4,300 digits
            raise bad()
        term = ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    elif param.type == "decimal":
        try:
            term = ox.Literal(str(Decimal(raw.strip())), datatype=ox.NamedNode(XSD + "decimal"))
        except InvalidOperation:
            raise bad() from None
    elif param.type == "date":
        try:
            term = ox.Literal(dt.date.fromisoformat(raw.strip()).isoformat(), datatype=ox.NamedNode(XSD + "date"))
        except ValueError:
            raise bad() from None
    else:
        if raw.strip().lower() not in ("true", "false"):
            raise bad()
        term = ox.Literal(raw.strip().lower(), datatype=ox.NamedNode(XSD + "boolean"))
    if param.values and _plain(term) not in param.values:
        raise OffriError("param-not-allowed", {"query": query.id, "name": name, "value": raw,
                                                "allowed": ", ".join(param.values)})
    return term


def _plain(term: ox.NamedNode | ox.Literal) -> str:
    return term.value


def bindings(query: StoredQuery, given: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """Typed terms for every parameter: given values, else defaults; unset ones are left out."""
    for name in given:
        if query.param(name) is None:
            raise OffriError("unknown-param", {"query": query.id, "name": name,
                                                "known": ", ".join(p.name for p in query.params) or "—"})
    out = {}
    for param in query.params:
        raw = given.get(param.name, param.default)
        if raw is None or raw == "":
            if param.required:
                raise OffriError("missing-param", {"query": query.id, "name": param.name,
                                                    "expected": Msg(f"expect-{param.type}", {"scheme": param.scheme or "—"})})
            continue
        out[param.name] = parse_value(query, param.name, raw)
    return out


def to_rdflib(term: ox.NamedNode | ox.Literal) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == XSD + "string":
        # written "x", not "x"^^xsd:string: the same term in RDF 1.1, but Virtuoso matches a
        # typed xsd:string neither to the plain literals it stores nor in "=" after a UNION
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def with_values_block(sparql: str, terms: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """``sparql`` with ``VALUES (?a ?b) { (t1 t2) }`` where its parameters belong.

    By default the block opens the WHERE clause. A query that aggregates in a subquery marks
    the place with a comment line ``# @parameters`` instead (one or more): a VALUES block in the
    outer query would join only after the subquery had computed every row, so a selective
    parameter would not make the query cheaper.
    """
    if not terms:
        return sparql
    names = sorted(terms)
    block = ("VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
             + " ".join(to_rdflib(terms[n]).n3() for n in names) + ") } ")
    out, last = [], 0
    for position in _insertion_points(sparql):
        out += [sparql[last: position + 1], " ", block]
        last = position + 1
    return "".join(out) + sparql[last:]


PARAMETERS_MARKER = "# @parameters"


@lru_cache(maxsize=256)
def _insertion_points(sparql: str) -> tuple[int, ...]:
    """Where VALUES blocks go: the end of each ``# @parameters`` comment line, else the ``{``
    that opens the WHERE clause (the first one outside IRIs, strings and comments)."""
    markers: list[int] = []
    first_brace = -1
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            end = sparql.find("\n", i)
            end = n if end < 0 else end
            if sparql[i:end].strip() == PARAMETERS_MARKER:
                markers.append(end)
            i = end
        elif c == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", sparql[i:]):
            i = sparql.find(">", i)
        elif c in "\"'":
            quote = sparql[i:i + 3] if sparql[i:i + 3] in ('"""', "'''") else c
            i += len(quote)
            while i < n and not sparql.startswith(quote, i):
                i += 2 if sparql[i] == "\\" else 1
            i += len(quote) - 1
        elif c == "{" and first_brace < 0:
            first_brace = i
        i += 1
    if markers:
        return tuple(markers)
    if first_brace < 0:
        raise ValueError("query has no WHERE clause")
    return (first_brace,)
