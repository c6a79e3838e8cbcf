"""What a load may write, and the provenance it leaves: one plan for every backend.

Why one plan: the embedded store and a remote store (Oxigraph server, Virtuoso) must refuse the
same things and record the same facts; two implementations drifted apart (only one refused
offri's own graphs). Both now ask this module which graphs a load writes and whether it may,
and write the provenance quads it builds.

The rules:

- **A file's graphs are its own.** A file writes its default-graph triples into its graph
  (from its name, or ``--graph``), and a TriG/N-Quads/JSON-LD file its named graphs into those.
  Every graph it writes is replaced as a whole and recorded with its provenance.
- **Never over another source, silently.** A graph that another source loaded (another path:
  two ``good.ttl`` in two folders are two sources), or that no load recorded (an update made
  it), is refused, naming the graph and its source, unless the steward asks to ``replace``.
- **offri's own graphs are never written**: the load records, the ontology, the vocabularies
  and the reference data; nor graphs named by blank nodes.
- Two files of one load may not write the same graph.

A source is known by where it was read from (``source_id``): its absolute path, with the user's
home folder written ``~`` (the provenance graph is published; a home folder's name is
personal), or ``offri:data/…`` for the data offri ships (the same wherever offri is installed).
"""

from __future__ import annotations

import getpass
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from offri_kg.errors import InputError, Location, OffriError
from offri_kg.ingest.read import FORMATS, Source
from offri_kg.resources import resource_dir
from offri_kg.store.base import META_GRAPH, OFFRI

DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Recorded:
    """What the load records say of a graph in the store: its source and how it was recorded."""

    graph: str
    source_path: str | None  # the source's identity (``source_id``); None in records before it
    source_file: str | None  # the file's name
    agent: str | None = None  # who loaded it (``prov:wasAttributedTo``)


@dataclass
class Write:
    """One source of a load: the graph its default-graph triples go to, and every graph it
    writes (that one first, then the named graphs of a dataset file)."""

    source: Source
    target: str
    graphs: list[str] = field(default_factory=list)


@dataclass
class LoadPlan:
    """What a load writes; ``replaced``: graphs that exist already and are replaced."""

    writes: list[Write]
    replaced: set[str]

    def graphs(self) -> list[str]:
        return [g for w in self.writes for g in w.graphs]

    def owner(self, graph: str) -> Write:
        return next(w for w in self.writes if graph in w.graphs)


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


def named_graphs(source: Source) -> tuple[list[str], bool]:
    """The named graphs a TriG/N-Quads/JSON-LD file writes into (in the order they appear), and
    whether it has triples in its default graph too (a triple format: none, and True). Blank-node
    graph names are refused here: a store names its graphs by IRIs."""
    fmt = FORMATS[source.format][0]
    if not fmt.supports_datasets:
        return [], True
    seen: dict[str, None] = {}
    default = False
    try:
        for quad in ox.parse(source.data, fmt, base_iri=source.path.resolve().as_uri(), lenient=True):
            name = quad.graph_name
            if isinstance(name, ox.BlankNode):
                raise InputError("blank-graph-name", {"graph": str(name)}, Location(str(source.path)))
            if isinstance(name, ox.NamedNode):
                seen.setdefault(name.value, None)
            else:
                default = True
    except SyntaxError:
        pass  # the strict parse that validates reports the error with its place
    return list(seen), default


def plan_load(sources: list[Source], graph: str | None, recorded: dict[str, Recorded],
              existing: set[str], reserved: set[str], replace: bool = False,
              shipped: dict[str, str] | None = None, agent: str | None = None) -> LoadPlan:
    """The plan for loading ``sources`` (each into its graph, or ``graph`` for a single file)
    into a store holding the graphs ``existing``, whose load records are ``recorded``. Raises
    what a steward must fix: a reserved graph, a graph two files would write, a graph another
    source owns (unless ``replace``). ``shipped``: offri's own graphs with the checksums of the
    files it ships for them — such a file may write its own graph (``offri build`` on a remote
    store does), nothing else may. ``agent``: who loads (as the records will say).

    A graph is another source's if the store holds it or a load recorded it (a recorded graph
    may be empty: it is still owned)."""
    shipped = shipped or {}
    who = agent or _user()
    if graph is not None and len(sources) != 1:
        raise OffriError("graph-needs-one-file")
    writes: list[Write] = []
    writer: dict[str, Write] = {}
    for source in sources:
        target = graph or source.graph
        named, default = named_graphs(source)
        # the file's own graph holds its default-graph triples; a dataset file that has only
        # named graphs does not claim it
        write = Write(source, target, [target] if default or not named else [])
        for name in named:
            if name not in write.graphs:
                write.graphs.append(name)
        for name in write.graphs:
            _check_iri(name)
            own = graph is None and name == source.graph and shipped.get(name) == checksum(source.data)
            if (name in reserved or name in shipped) and not own:
                raise OffriError("graph-reserved", {"graph": name})
            if name in writer:
                raise OffriError("same-graph-twice", {"first": str(writer[name].source.path),
                                                      "second": str(source.path), "graph": name})
            writer[name] = write
            if (name in existing or name in recorded) and not replace and not own:
                _check_owner(name, source, recorded.get(name), who)
        writes.append(write)
    return LoadPlan(writes, {g for g in writer if g in existing})


def _check_iri(name: str) -> None:
    try:
        ox.NamedNode(name)
    except ValueError:
        raise OffriError("bad-graph-iri", {"graph": name}) from None


def _check_owner(graph: str, source: Source, record: Recorded | None, agent: str) -> None:
    """A graph in the store may be replaced by the source that loaded it, and only by it. A
    path in a home folder (``~/…``) names the same file only for the same user: another
    steward's ``~/data/good.ttl`` is another file."""
    if record is None:
        raise OffriError("graph-unrecorded", {"graph": graph, "source": str(source.path)})
    if record.source_path is not None:
        mine = source_id(source.path)
        if record.source_path.startswith("~/") and record.agent and record.agent != agent:
            raise OffriError("graph-owned", {"graph": graph, "owner": f"{record.source_path} ({record.agent})",
                                             "source": f"{mine} ({agent})"})
        if record.source_path != mine:
            raise OffriError("graph-owned", {"graph": graph, "owner": record.source_path,
                                             "source": source_id(source.path)})
    elif record.source_file != source.path.name:  # recorded before paths were: the name decides
        raise OffriError("graph-owned", {"graph": graph, "owner": record.source_file or "?",
                                         "source": source_id(source.path)})


def provenance_quads(plan: LoadPlan, counts: dict[str, int], agent: str | None, when: str) -> list[ox.Quad]:
    """The load records of every graph the plan writes: that it is a dataset, its source (file
    name and where it was read from), the file's checksum, who loaded it, when, and how many
    triples it holds now. (The old records of those graphs are removed by the caller.)"""
    meta = ox.NamedNode(META_GRAPH)
    who = ox.Literal(agent or _user())
    moment = ox.Literal(when, datatype=ox.NamedNode(XSD + "dateTime"))
    quads = []
    for write in plan.writes:
        for name in write.graphs:
            node = ox.NamedNode(name)
            quads += [
                ox.Quad(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID + "Dataset"), meta),
                ox.Quad(node, ox.NamedNode(OFFRI + "sourceFile"), ox.Literal(write.source.path.name), meta),
                ox.Quad(node, ox.NamedNode(OFFRI + "sourcePath"), ox.Literal(source_id(write.source.path)), meta),
                ox.Quad(node, ox.NamedNode(OFFRI + "checksum"), ox.Literal(checksum(write.source.data)), meta),
                ox.Quad(node, ox.NamedNode(PROV + "wasAttributedTo"), who, meta),
                ox.Quad(node, ox.NamedNode(DCT + "modified"), moment, meta),
                ox.Quad(node, ox.NamedNode(VOID + "triples"),
                        ox.Literal(str(counts.get(name, 0)), datatype=ox.NamedNode(XSD + "integer")), meta),
            ]
    return quads


def records_query() -> str:
    """A SELECT of every graph's load record (graph, source path, file name), for ``recorded``."""
    return (f"SELECT ?g ?path ?file ?who WHERE {{ GRAPH <{META_GRAPH}> {{ ?g a <{VOID}Dataset> "
            f"OPTIONAL {{ ?g <{OFFRI}sourcePath> ?path }} OPTIONAL {{ ?g <{OFFRI}sourceFile> ?file }} "
            f"OPTIONAL {{ ?g <{PROV}wasAttributedTo> ?who }} }} }}")


def records_from(rows: object) -> dict[str, Recorded]:
    """``records_query``'s answer as records by graph."""
    out: dict[str, Recorded] = {}
    for row in rows:  # type: ignore[attr-defined]
        graph = row["g"]
        if not isinstance(graph, ox.NamedNode):
            continue
        value = lambda term: None if term is None else term.value  # noqa: E731
        out[graph.value] = Recorded(graph.value, value(row["path"]), value(row["file"]), value(row["who"]))
    return out


def _user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
