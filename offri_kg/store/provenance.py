"""The load records: what offri writes about every graph a load writes, and how it reads them.

One builder for every backend: the records are quads, built here once; the embedded store adds
them to its database (``RecordChange.apply``), a remote store receives the same quads as a SPARQL
Update that pyoxigraph's serialiser writes (``RecordChange.as_update``), never text with values
pasted in. A record sits in the metadata graph and says of a graph that it is a ``void:Dataset``,
the name of the file it came from (``offri:sourceFile``) and where that file was read from
(``offri:sourcePath``, see ``source_id``), the file's checksum, who loaded it
(``prov:wasAttributedTo``), when (``dct:modified``) and how many triples it held then
(``void:triples``).

A source is known by where it was read from (``source_id``): its absolute path, with the user's
home folder written ``~`` (the provenance graph is published; a home folder's name is
personal), or ``offri:data/…`` for the data offri ships (the same wherever offri is installed).
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from offri_kg.ingest.read import Source
from offri_kg.resources import resource_dir
from offri_kg.store.base import META_GRAPH, GraphInfo
from offri_kg.vocab import DCT, OFFRI, PROV, RDF_TYPE, VOID, XSD


@dataclass(frozen=True)
class Recorded:
    """What the load records say of a graph in the store."""

    graph: str
    source_path: str | None  # the source's identity (``source_id``); None in records before it
    source_file: str | None  # the file's name
    agent: str | None = None  # who loaded it (``prov:wasAttributedTo``)
    checksum: str | None = None
    loaded_at: str | None = None
    triples: int | None = None  # as counted when it was loaded


@dataclass(frozen=True)
class RecordChange:
    """New load records of ``graphs``, in place of their old ones."""

    graphs: tuple[str, ...]
    quads: tuple[ox.Quad, ...]

    def apply(self, store: ox.Store) -> None:
        """Make the change in a pyoxigraph store (the embedded store's database)."""
        meta = ox.NamedNode(META_GRAPH)
        for name in self.graphs:
            for quad in list(store.quads_for_pattern(ox.NamedNode(name), None, None, meta)):
                store.remove(quad)
        store.extend(self.quads)

    def as_update(self) -> str:
        """The same change as one SPARQL Update, for a store reached over HTTP. Every term is
        written by pyoxigraph (IRIs and literals escaped as N-Triples, which SPARQL reads)."""
        meta = str(ox.NamedNode(META_GRAPH))
        operations = [f"DELETE {{ GRAPH {meta} {{ {node} ?p ?o }} }} WHERE {{ GRAPH {meta} {{ {node} ?p ?o }} }}"
                      for node in (str(ox.NamedNode(g)) for g in self.graphs)]
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in self.quads:
            by_graph.setdefault(str(quad.graph_name), []).append(quad.triple)
        for graph, triples in by_graph.items():
            text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
            operations.append(f"INSERT DATA {{ GRAPH {graph} {{\n{text}}} }}")
        return " ;\n".join(operations)


def checksum(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def source_id(path: Path) -> str:
    """Where a source was read from, as the load records keep it (see the module's text)."""
    resolved = path.resolve()
    try:
        return "offri:data/" + resolved.relative_to(resource_dir("data").resolve()).as_posix()
    except ValueError:
        pass
    home = Path.home().resolve()
    try:
        return "~/" + resolved.relative_to(home).as_posix()
    except ValueError:
        return resolved.as_posix()


def current_user() -> str:
    """Who loads, when the caller does not say: the login name."""
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def record_quads(graph: str, source: Source, triples: int, agent: str, when: str) -> list[ox.Quad]:
    """The load record of ``graph``, written from ``source`` by ``agent`` at ``when``."""
    meta, node = ox.NamedNode(META_GRAPH), ox.NamedNode(graph)
    values = [
        (RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
        (OFFRI + "sourceFile", ox.Literal(source.path.name)),
        (OFFRI + "sourcePath", ox.Literal(source_id(source.path))),
        (OFFRI + "checksum", ox.Literal(checksum(source.data))),
        (PROV + "wasAttributedTo", ox.Literal(agent)),
        (DCT + "modified", ox.Literal(when, datatype=ox.NamedNode(XSD + "dateTime"))),
        (VOID + "triples", ox.Literal(str(triples), datatype=ox.NamedNode(XSD + "integer"))),
    ]
    return [ox.Quad(node, ox.NamedNode(predicate), value, meta) for predicate, value in values]


def record_change(written: Iterable[tuple[str, Source]], counts: dict[str, int], agent: str | None,
                  when: str) -> RecordChange:
    """The records of every ``(graph, source)`` written, with ``counts`` triples per graph."""
    who = agent or current_user()
    pairs = list(written)
    quads = [q for graph, source in pairs for q in record_quads(graph, source, counts.get(graph, 0), who, when)]
    return RecordChange(tuple(graph for graph, _ in pairs), tuple(quads))


def records_query() -> str:
    """A SELECT of every graph's load record, for ``records_from``."""
    fields = {"path": OFFRI + "sourcePath", "file": OFFRI + "sourceFile", "who": PROV + "wasAttributedTo",
              "checksum": OFFRI + "checksum", "when": DCT + "modified", "triples": VOID + "triples"}
    optional = " ".join(f"OPTIONAL {{ ?g {ox.NamedNode(iri)} ?{name} }}" for name, iri in fields.items())
    return (f"SELECT ?g {' '.join('?' + name for name in fields)} WHERE {{ GRAPH {ox.NamedNode(META_GRAPH)} {{ "
            f"?g a {ox.NamedNode(VOID + 'Dataset')} {optional} }} }}")


def records_from(rows: Iterable[ox.QuerySolution]) -> dict[str, Recorded]:
    """``records_query``'s answer as records by graph."""
    out: dict[str, Recorded] = {}
    for row in rows:
        graph = row["g"]
        if not isinstance(graph, ox.NamedNode):
            continue
        path, file, who, sha, when, triples = (None if row[v] is None else row[v].value
                                               for v in ("path", "file", "who", "checksum", "when", "triples"))
        out[graph.value] = Recorded(graph.value, path, file, who, sha, when,
                                    int(triples) if triples and triples.isdigit() else None)
    return out


def graph_info(graph: str, triples: int, record: Recorded | None) -> GraphInfo:
    """A graph as listed to people: its size now and what its record says."""
    if record is None:
        return GraphInfo(iri=graph, triples=triples)
    return GraphInfo(iri=graph, triples=triples, source=record.source_file, checksum=record.checksum,
                     loaded_by=record.agent, loaded_at=record.loaded_at)
