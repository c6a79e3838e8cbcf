"""What every backend offers, and the values it returns.

Query results are pyoxigraph objects on every backend (a remote store's answer is parsed with
``pyoxigraph.parse_query_results``), so the CLI and the notebook API treat all stores alike and
serialise results in the W3C formats with one code path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from offri_kg.ingest.read import Source
from offri_kg.vocab import GRAPH

__all__ = ["META_GRAPH", "GraphInfo", "LoadReport", "QueryResult", "Store",
           "default_store_path", "now_iso", "open_store"]

if TYPE_CHECKING:
    from offri_kg.store.provenance import Recorded

#: the graph of the load records (``offri_kg.store.provenance``)
META_GRAPH = GRAPH + "meta"


@dataclass(frozen=True)
class GraphInfo:
    """A named graph and its provenance (from the metadata graph)."""

    iri: str
    triples: int
    source: str | None = None
    checksum: str | None = None
    loaded_by: str | None = None
    loaded_at: str | None = None


@dataclass(frozen=True)
class LoadReport:
    """What a load did, per source."""

    graph: str
    source: str
    triples: int
    replaced: bool


class QueryResult:
    """A SELECT, ASK, CONSTRUCT or DESCRIBE answer (``kind``: select, ask or graph).

    Wraps pyoxigraph's one-pass result: serialising streams it straight into a W3C format
    (no Python object per row); reading ``rows`` materialises it once.
    """

    def __init__(self, raw: object) -> None:
        self._raw = raw
        self._rows: list[ox.QuerySolution] | None = None
        self._triples: list[ox.Triple] | None = None
        if isinstance(raw, ox.QueryBoolean):
            self.kind, self.boolean, self.variables = "ask", bool(raw), []
        elif isinstance(raw, ox.QuerySolutions):
            self.kind, self.boolean, self.variables = "select", None, [v.value for v in raw.variables]
        else:
            self.kind, self.boolean, self.variables = "graph", None, []

    @classmethod
    def from_oxigraph(cls, result: object) -> QueryResult:
        return cls(result)

    def raw(self) -> object:
        """What pyoxigraph gave: the one-pass result of a SELECT or ASK (unread), or a graph
        answer's triples (for writers that take either, such as the server's)."""
        return self.triples if self.kind == "graph" else self._raw

    @property
    def rows(self) -> list[ox.QuerySolution]:
        if self._rows is None:
            self._rows = list(self._raw) if self.kind == "select" else []
        return self._rows

    @property
    def triples(self) -> list[ox.Triple]:
        if self._triples is None:
            self._triples = [t if isinstance(t, ox.Triple) else t.triple for t in self._raw] if self.kind == "graph" else []
        return self._triples

    def serialize(self, fmt: ox.QueryResultsFormat | ox.RdfFormat) -> bytes:
        """The answer in a W3C results format (SELECT/ASK) or an RDF format (CONSTRUCT/DESCRIBE)."""
        if self.kind == "graph":
            return ox.serialize(self.triples, format=fmt)
        if self._rows is not None:
            raise RuntimeError("rows were already read; serialise before reading rows")
        return self._raw.serialize(format=fmt)

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples)


class Store(Protocol):
    """A place the knowledge graph lives."""

    location: str

    def load(self, sources: list[Source], graph: str | None = None, agent: str | None = None,
             progress: object | None = None, replace: bool = False) -> list[LoadReport]:
        """Validate and load ``sources`` all-or-nothing; each replaces the graphs it writes
        (by the rules of ``offri_kg.store.plan``; ``replace``: also another source's)."""

    def query(self, sparql: str, substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
              timeout: float | None = None) -> QueryResult:
        """Run a SPARQL query over the union of the graphs."""

    def graphs(self) -> list[GraphInfo]:
        """Named graphs with their provenance."""

    def records(self) -> dict[str, Recorded]:
        """The load records by graph (``offri_kg.store.provenance``): cheap, no counting."""

    def export(self, fmt: ox.RdfFormat, graph: str | None = None) -> bytes:
        """The whole dataset (N-Quads/TriG) or one graph."""

    def close(self) -> None:
        """Release the store."""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def default_store_path() -> Path:
    """``$OFFRI_STORE``, else ``$XDG_DATA_HOME/offri/store`` (``~/.local/share/offri/store``)."""
    import os

    if os.environ.get("OFFRI_STORE"):
        return Path(os.environ["OFFRI_STORE"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "offri" / "store"


def open_store(path: str | Path | None = None, endpoint: str | None = None, read_only: bool = False,
               timeout: float = 30.0, isolate: bool = False, max_memory: int | None = None) -> Store:
    """The embedded store at ``path`` (default location if None), or the remote ``endpoint``.
    ``isolate``: a read-only embedded store runs queries in a confined child process (users'
    queries: ``offri query``, the notebook API), capped at ``max_memory`` bytes."""
    if endpoint:
        from offri_kg.store.remote import RemoteStore

        return RemoteStore(endpoint, timeout=timeout)
    from offri_kg.store.embedded import EmbeddedStore

    return EmbeddedStore(Path(path) if path else default_store_path(), read_only=read_only, isolate=isolate,
                         max_memory=max_memory)
