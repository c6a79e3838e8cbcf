"""The one way offri parses an RDF file: every reader of a ``Source`` comes here.

Why one path: the same file is read for validation, for the embedded store, for a remote store
and for the load plan; read four ways, the readers disagreed about blank nodes, graph names and
errors. Here each statement gets, once:

- its graph: default-graph triples go to the source's graph, a TriG/N-Quads/JSON-LD file's
  named graphs stay in theirs, and a graph named by a blank node is refused (a store names its
  graphs by IRIs), or, for validation alone, given an IRI of its own;
- blank nodes scoped to the file: ``ox.parse`` keeps labels as written, so two files that both
  say ``_:b0`` would share a node once in one store; each reading gives them fresh labels (what
  ``bulk_load`` does by itself for triple formats). The labels are a random prefix and a
  counter: JSON-LD allows labels such as ``_:a:b`` that N-Triples and SPARQL TSV cannot carry;
- errors with the file, line and column, as an ``InputError``.

Triple formats go into a store through Oxigraph's bulk loader, which parses in Rust without a
Python object per triple (several times faster than building quads here).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pyoxigraph as ox

from offri_kg.errors import InputError, Location, OffriError
from offri_kg.formats import RDF_FORMATS
from offri_kg.ingest.read import Source

if TYPE_CHECKING:
    import rdflib


def rdf_format(source: Source) -> ox.RdfFormat:
    """The pyoxigraph format ``source`` is written in."""
    return RDF_FORMATS[source.format]


def has_datasets(source: Source) -> bool:
    """Whether ``source`` is in a format that can name graphs (TriG, N-Quads, JSON-LD)."""
    return rdf_format(source).supports_datasets


@contextmanager
def _located(source: Source) -> Iterator[None]:
    """Parse errors as an ``InputError`` naming the file, line and column."""
    try:
        yield
    except SyntaxError as exc:
        raise InputError("syntax-error", {"format": rdf_format(source).name, "detail": str(exc)},
                         Location(str(source.path), exc.lineno, exc.offset)) from None
    except (ValueError, OSError) as exc:
        raise InputError("syntax-error", {"format": rdf_format(source).name, "detail": str(exc)},
                         Location(str(source.path))) from None


def _statements(source: Source, lenient: bool) -> Iterator[ox.Quad]:
    """What pyoxigraph reads in ``source``, as written (the only ``ox.parse`` of a file)."""
    return ox.parse(source.data, rdf_format(source), base_iri=source.path.resolve().as_uri(), lenient=lenient)


def quads(source: Source, lenient: bool = False, blank_graphs: bool = False) -> Iterator[ox.Quad]:
    """Every statement of ``source`` as a quad in the graph it goes to, with blank nodes scoped
    to this reading (see the module's text). ``lenient``: skip what the strict reading would
    refuse (for a second reading of data already checked). ``blank_graphs``: a graph named by
    a blank node gets an IRI of its own instead of being refused (validation keeps no store).
    Parse errors surface as ``SyntaxError`` while iterating; ``parse_into`` reports them."""
    prefix = secrets.token_hex(8)
    fresh: dict[str, ox.BlankNode] = {}
    default = ox.NamedNode(source.graph)

    def scoped(term):  # type: ignore[no-untyped-def]
        if isinstance(term, ox.BlankNode):
            node = fresh.get(term.value)
            if node is None:
                node = fresh[term.value] = ox.BlankNode(f"{prefix}{len(fresh):x}")
            return node
        return term

    for quad in _statements(source, lenient):
        name = quad.graph_name
        if isinstance(name, ox.BlankNode):  # a store's graphs are named by IRIs
            if not blank_graphs:
                raise InputError("blank-graph-name", {"graph": str(name)}, Location(str(source.path)))
            target = ox.NamedNode(f"urn:offri:blank-graph:{prefix}:{name.value}")
        else:
            target = default if isinstance(name, ox.DefaultGraph) else name
        yield ox.Quad(scoped(quad.subject), quad.predicate, scoped(quad.object), target)


def triples_by_graph(source: Source) -> dict[str, list[ox.Triple]]:
    """``source``'s triples grouped by the graph they go to (for a store that is sent one graph
    at a time, such as a remote store through the Graph Store Protocol)."""
    out: dict[str, list[ox.Triple]] = {}
    with _located(source):
        for quad in quads(source):
            out.setdefault(quad.graph_name.value, []).append(quad.triple)  # type: ignore[union-attr]
    return out


def graph_names(source: Source) -> tuple[list[str], bool]:
    """The named graphs a TriG/N-Quads/JSON-LD file writes into (in the order they appear), and
    whether it has triples in its default graph too (a triple format: none, and True). Blank-node
    graph names are refused. A syntax error is not reported here: the strict reading that
    validates reports it with its place."""
    if not has_datasets(source):
        return [], True
    seen: dict[str, None] = {}
    default = False
    try:
        for quad in _statements(source, lenient=True):
            name = quad.graph_name
            if isinstance(name, ox.BlankNode):
                raise InputError("blank-graph-name", {"graph": str(name)}, Location(str(source.path)))
            if isinstance(name, ox.NamedNode):
                seen.setdefault(name.value, None)
            else:
                default = True
    except SyntaxError:
        pass
    return list(seen), default


def _within(statements: Iterator[ox.Quad], allowed: set[str]) -> Iterator[ox.Quad]:
    """``statements``, refusing any outside ``allowed`` (a backstop: the load plan read the same
    file's graphs before anything was written)."""
    for quad in statements:
        if quad.graph_name.value not in allowed:  # type: ignore[union-attr]
            raise OffriError("graph-reserved", {"graph": quad.graph_name.value})  # type: ignore[union-attr]
        yield quad


def parse_into(store: ox.Store, source: Source, *, lenient: bool = False, bulk: bool = False,
               blank_graphs: bool = False, allowed: set[str] | None = None) -> int:
    """Parse ``source`` into ``store``; returns the bytes read (for progress).

    ``bulk``: through Oxigraph's bulk loader for dataset formats too (no transaction: for a
    writer that undoes a failed load itself, as the embedded store does). ``allowed``: the
    graphs ``source`` may write; a statement elsewhere is refused. ``lenient`` and
    ``blank_graphs`` as for ``quads``.
    """
    fmt = rdf_format(source)
    with _located(source):
        if fmt.supports_datasets:
            statements = quads(source, lenient=lenient, blank_graphs=blank_graphs)
            if allowed is not None:
                statements = _within(statements, allowed)
            (store.bulk_extend if bulk else store.extend)(statements)
        else:
            if allowed is not None and source.graph not in allowed:
                raise OffriError("graph-reserved", {"graph": source.graph})
            store.bulk_load(source.data, fmt, base_iri=source.path.resolve().as_uri(),
                            to_graph=ox.NamedNode(source.graph), lenient=lenient)
    return len(source.data)


def rdflib_graph(sources: Iterable[Source]) -> rdflib.Graph:
    """``sources`` in one rdflib graph, for what works on rdflib (the shapes compiler, pySHACL,
    the reasoner). Read here like every file, then handed to rdflib as N-Triples, the one
    format that leaves it nothing to interpret."""
    import rdflib

    graph = rdflib.Graph()
    for source in sources:
        with _located(source):
            triples = [quad.triple for quad in quads(source)]
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")
    return graph
