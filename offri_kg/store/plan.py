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
  and the reference data; nor graphs named by blank nodes. (A remote store, which does not
  carry offri's own graphs by itself, takes the very files offri ships for them, each into
  its own graph: that is how ``offri build --endpoint`` puts them there.)
- Two files of one load may not write the same graph.

A source is known by where it was read from (``offri_kg.store.provenance.source_id``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pyoxigraph as ox

from offri_kg.errors import OffriError
from offri_kg.ingest.parse import graph_names
from offri_kg.ingest.read import Source
from offri_kg.store.base import META_GRAPH, LoadReport
from offri_kg.store.provenance import RecordChange, Recorded, checksum, current_user, record_change, source_id
from offri_kg.validate.report import Severity, ValidationReport


class ValidationFailed(OffriError):
    """A load was refused because the data has violations; ``report`` says which."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__("validation-failed", {"violations": report.count(Severity.VIOLATION)})
        self.report = report


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

    def sources(self) -> list[Source]:
        """The sources as they are read: each with its default-graph triples in its target."""
        return [dataclasses.replace(w.source, graph=w.target) for w in self.writes]

    def records(self, counts: dict[str, int], agent: str | None, when: str) -> RecordChange:
        """The load records of every graph written (``counts``: its triples now), in place of
        their old ones."""
        return record_change(((g, w.source) for w in self.writes for g in w.graphs), counts, agent, when)

    def reports(self, counts: dict[str, int]) -> list[LoadReport]:
        """What the load did, per graph written."""
        return [LoadReport(graph=name, source=str(w.source.path), triples=counts.get(name, 0),
                           replaced=name in self.replaced) for w in self.writes for name in w.graphs]


def offri_graphs() -> dict[str, str | None]:
    """offri's own graphs, each with the checksum of the file offri ships for it (the load
    records: none)."""
    from offri_kg.validate.dataset import reference_sources

    return {META_GRAPH: None, **{s.graph: checksum(s.data) for s in reference_sources()}}


def plan_load(sources: list[Source], graph: str | None, recorded: dict[str, Recorded],
              existing: set[str], replace: bool = False, agent: str | None = None,
              takes_shipped: bool = False) -> LoadPlan:
    """The plan for loading ``sources`` (each into its graph, or ``graph`` for a single file)
    into a store holding the graphs ``existing``, whose load records are ``recorded``. Raises
    what a steward must fix: one of offri's own graphs, a graph two files would write, a graph
    another source owns (unless ``replace``). ``takes_shipped``: the store does not carry
    offri's own graphs by itself (a remote store), so a file offri ships may write its own
    graph, and nothing else may. ``agent``: who loads (as the records will say).

    A graph is another source's if the store holds it or a load recorded it (a recorded graph
    may be empty: it is still owned)."""
    own = offri_graphs()
    who = agent or current_user()
    if graph is not None and len(sources) != 1:
        raise OffriError("graph-needs-one-file")
    writes: list[Write] = []
    writer: dict[str, Write] = {}
    for source in sources:
        target = graph or source.graph
        named, default = graph_names(source)
        # the file's own graph holds its default-graph triples; a dataset file that has only
        # named graphs does not claim it
        write = Write(source, target, [target] if default or not named else [])
        for name in named:
            if name not in write.graphs:
                write.graphs.append(name)
        for name in write.graphs:
            _check_iri(name)
            shipped = (takes_shipped and graph is None and name == source.graph
                       and own.get(name) == checksum(source.data))
            if name in own and not shipped:
                raise OffriError("graph-reserved", {"graph": name})
            if name in writer:
                raise OffriError("same-graph-twice", {"first": str(writer[name].source.path),
                                                      "second": str(source.path), "graph": name})
            writer[name] = write
            if (name in existing or name in recorded) and not replace and not shipped:
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
