"""The embedded store: a persistent Oxigraph (RocksDB) database in a folder offri manages.

Its files are named in ``offri_kg.store.layout``: the database, and while a load runs a
snapshot (a RocksDB checkpoint: hard links, taken in well under a second) and a journal.
A load is all-or-nothing: if parsing or validation fails, or the process dies, the snapshot is
put back (at once, or when the store is next opened), so the store is exactly as before.
Oxigraph's own transactions would do this too, but at a fifth of the speed for large loads
(measured: ``extend`` 1M quads 26 s, ``bulk_load`` 10 s, ``MOVE GRAPH`` 98 s).
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from functools import lru_cache, partial
from pathlib import Path

import pyoxigraph as ox

from offri_kg.errors import OffriError
from offri_kg.ingest.parse import has_datasets, parse_into
from offri_kg.ingest.read import Source
from offri_kg.ingest.split import split_ntriples
from offri_kg.query.bind import with_values_block
from offri_kg.query.guard import check_query
from offri_kg.store.base import GraphInfo, LoadReport, QueryResult, now_iso
from offri_kg.store.layout import StoreLayout
from offri_kg.store.plan import LoadPlan, ValidationFailed, Write, offri_graphs, plan_load
from offri_kg.store.provenance import Recorded, checksum, graph_info, records_from, records_query
from offri_kg.validate.dataset import build_store, reference_sources
from offri_kg.validate.engine import validate_store
from offri_kg.validate.report import Severity, ValidationReport

__all__ = ["EmbeddedStore", "ValidationFailed", "generation_of"]  # ValidationFailed: its old home


@lru_cache(maxsize=1)
def _reference_size() -> int:
    """Quads in the reference graphs alone (what ``build_store`` adds to every dataset)."""
    return len(build_store([]))


def _count(store: ox.Store, graph: str) -> int:
    """Triples in one named graph."""
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


def generation_of(path: Path) -> str:
    """The generation token of the embedded store at ``path`` ("" if none was written)."""
    return StoreLayout(path).generation()


class EmbeddedStore:
    """offri's default store. Use ``open_store()``; one writer process at a time."""

    _isolated = None  # the child process that runs users' queries (``isolate``)

    def __init__(self, path: Path, read_only: bool = False, isolate: bool = False,
                 max_memory: int | None = None) -> None:
        """``isolate`` (read-only stores): run ``query`` in a confined child process with a
        memory cap of ``max_memory`` bytes (``offri query`` and the notebook API take users'
        queries; offri's own queries run here)."""
        self.path = path
        self.location = str(path)
        self.read_only = read_only
        self.layout = StoreLayout(path)
        try:
            if read_only:
                if not self.layout.has_store():
                    raise OffriError("store-missing", {"path": str(path)})
                self._ox = ox.Store.read_only(str(self.layout.committed()))
                if isolate:
                    from offri_kg.query.isolated import DEFAULT_MEMORY, IsolatedQueries

                    self._isolated = IsolatedQueries(self.layout.committed(), max_memory or DEFAULT_MEMORY)
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._lock = self._take_writer_lock()
                self._recover()
                self._ox = ox.Store(str(self.layout.database))
                self._ensure_reference()
        except BaseException as exc:
            self._let_go()  # a store that did not open keeps nothing: no database, no writer lock
            if not isinstance(exc, (OSError, RuntimeError)):  # RocksDB: a damaged database is a RuntimeError
                raise
            if "lock" in str(exc).lower():
                raise OffriError("store-locked", {"path": str(path)}) from None
            raise OffriError("store-error", {"path": str(path), "detail": str(exc)}) from None

    def _let_go(self) -> None:
        """Release what ``__init__`` took so far (in a long-lived process — a server, a notebook —
        a lock left behind would refuse every later writer)."""
        self.__dict__.pop("_ox", None)
        lock = self.__dict__.pop("_lock", None)
        if lock is not None:
            os.close(lock)

    # ---- crash safety ----------------------------------------------------------------------
    def _take_writer_lock(self) -> int:
        """An exclusive lock on ``writer.lock``, taken before anything is recovered: a second
        writer must never put a snapshot back under a load that is still running (RocksDB's own
        lock comes too late for that). The kernel drops it when the process dies."""
        fd = os.open(self.layout.writer_lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OffriError("store-locked", {"path": str(self.path)}) from None
        return fd

    def _recover(self) -> None:
        """Undo a load that did not finish; drop a snapshot a finished load left behind."""
        layout = self.layout
        if layout.load_in_progress():
            if layout.snapshot.exists():
                shutil.rmtree(layout.database, ignore_errors=True)
                os.replace(layout.snapshot, layout.database)
            layout.journal.unlink()
        elif layout.snapshot.exists():
            shutil.rmtree(layout.snapshot)

    def _begin(self, graphs: list[str]) -> None:
        shutil.rmtree(self.layout.snapshot, ignore_errors=True)
        self._ox.flush()
        self._ox.backup(str(self.layout.snapshot))
        self.layout.journal.write_text(json.dumps({"graphs": graphs, "started": now_iso()}))

    def _commit(self) -> None:
        self._ox.flush()
        self.layout.journal.unlink()
        # a new generation after the journal is gone, so readers then take the new state; it
        # tells a server that its snapshot and its cached pages are stale
        self.layout.new_generation()
        shutil.rmtree(self.layout.snapshot, ignore_errors=True)

    def _rollback(self) -> None:
        del self._ox
        self._recover()
        self._ox = ox.Store(str(self.layout.database))

    # ---- reference graphs ------------------------------------------------------------------
    def _ensure_reference(self) -> None:
        """The ontology, vocabularies and reference data live in the store too, refreshed when
        the installed offri ships different versions of them."""
        known = self.checksums()
        stale = [s for s in reference_sources() if known.get(s.graph) != checksum(s.data)]
        if not stale:
            return
        for source in stale:
            self._ox.clear_graph(ox.NamedNode(source.graph))
            parse_into(self._ox, source)
        self._record(LoadPlan([Write(s, s.graph, [s.graph]) for s in stale], set()), agent="offri")
        self._ox.flush()
        self.layout.new_generation()

    # ---- loading -----------------------------------------------------------------------------
    def load(self, sources: list[Source], graph: str | None = None, agent: str | None = None,
             progress: Callable[[int, int], None] | None = None, replace: bool = False) -> list[LoadReport]:
        """Validate ``sources`` together with the store, then replace every graph they write.

        What may be written is the load plan's to say (``offri_kg.store.plan``: a file's graphs
        are its own; another source's graph only with ``replace``). All-or-nothing across all
        sources. Validation runs in memory while the database is written (they overlap on two
        cores; a large N-Triples file is written in two halves at once, see
        ``offri_kg.ingest.split``); nodes that the new data shares with graphs already in the
        store are then re-checked against the store itself.
        """
        existing = {g.value for g in self._ox.named_graphs()}
        records = self.records()
        plan = plan_load(sources, graph, records, existing, replace=replace, agent=agent)
        graphs = plan.graphs()
        total = sum(len(s.data) for s in sources)
        sizes = {g: r.triples or 0 for g, r in records.items()}
        own = offri_graphs()
        others = {g: sizes.get(g, 0) for g in existing if g not in own and g not in graphs}

        def validate_in_memory() -> tuple[ValidationReport, dict[str, int], set[str]]:
            """The report, each graph's size (cheaper to count here than on disk later), and
            the nodes the new data shares with other graphs in the store."""
            memory = build_store(plan.sources())
            if len(graphs) == 1 and not has_datasets(sources[0]):
                # all of it went to one graph beside the reference ones: len() walks the store
                # faster than a COUNT query (0.07 s against 0.22 s at 1M)
                counts = {graphs[0]: len(memory) - _reference_size()}
            else:
                counts = {g: _count(memory, g) for g in graphs}
            shared = self._shared_nodes(memory, counts, others)
            return validate_store(memory), counts, shared

        def disk_jobs() -> list[Callable[[], int]]:
            """Writes that can run side by side: each returns the bytes of input it covers.
            The data was parsed strictly in memory already, so the disk parse is lenient; each
            file writes only the graphs the plan gave it."""
            jobs: list[Callable[[], int]] = []
            for write, source in zip(plan.writes, plan.sources(), strict=True):
                for name in write.graphs:
                    self._ox.clear_graph(ox.NamedNode(name))
                parts = split_ntriples(source.data) if source.format == "ntriples" else [source.data]
                jobs += [partial(self._write, dataclasses.replace(source, data=part), set(write.graphs))
                         for part in parts]
            return jobs

        # IRIs the graphs being replaced share with the graphs that stay: what those graphs say
        # about them may depend on what is about to go (read before anything is written)
        replaced = {g: sizes.get(g, 0) for g in plan.replaced}
        old_shared = self._described_in(self._shared_nodes(self._ox, replaced, others) if replaced else set(),
                                        replaced)

        self._begin(graphs)
        try:
            with ThreadPoolExecutor(max_workers=3) as pool:
                # validation first: it is the longer road (parse into memory, then validate),
                # and the split of the file for the disk writes overlaps its start
                memory_report = pool.submit(validate_in_memory)
                writes = [pool.submit(job) for job in disk_jobs()]
                # the in-memory parse is the strict one, so its error (with line and column) wins
                report, counts, shared = memory_report.result()
                done = 0
                for write in as_completed(writes):
                    done += write.result()
                    if progress:
                        progress(min(done, total), total)
            report = self._recheck(report, shared, self._described_in(shared, counts) | old_shared)
            if report.count(Severity.VIOLATION):
                raise ValidationFailed(report)
            self._record(plan, agent, counts)
        except BaseException:
            self._rollback()
            raise
        self._commit()
        return plan.reports(counts)

    def _write(self, source: Source, allowed: set[str]) -> int:
        """Bulk-load ``source`` (parsed strictly elsewhere already) into ``allowed`` graphs.

        A failure's traceback would hold the database open in the parser's frame, and a
        rollback must close it to put the snapshot back: those frames are cleared.
        """
        try:
            return parse_into(self._ox, source, lenient=True, bulk=True, allowed=allowed)
        except BaseException as exc:
            traceback.clear_frames(exc.__traceback__)
            raise

    def records(self) -> dict[str, Recorded]:
        """The load records of the graphs in the store (their sources)."""
        return records_from(self._ox.query(records_query()))

    def _shared_nodes(self, memory: ox.Store, counts: dict[str, int], others: dict[str, int]) -> set[str]:
        """IRIs used both in the new graphs (in ``memory``) and in ``others`` (user graphs on
        disk that this load keeps): the smaller side is listed, the larger one probed by index."""
        if not others:
            return set()
        new_graphs = [ox.NamedNode(t) for t in counts]
        old_graphs = [ox.NamedNode(g) for g in others]
        if sum(others.values()) <= sum(counts.values()):
            listed, listed_graphs, probed, probed_graphs = self._ox, old_graphs, memory, new_graphs
        else:
            listed, listed_graphs, probed, probed_graphs = memory, new_graphs, self._ox, old_graphs
        candidates: set[ox.NamedNode] = set()
        for graph in listed_graphs:
            for row in listed.query(f"SELECT DISTINCT ?n WHERE {{ GRAPH <{graph.value}> "
                                    "{ { ?n ?p ?o } UNION { ?s ?p ?n } } FILTER(isIRI(?n)) }"):
                candidates.add(row["n"])

        def used_in(node: ox.NamedNode, graph: ox.NamedNode) -> bool:
            return (next(probed.quads_for_pattern(node, None, None, graph), None) is not None
                    or next(probed.quads_for_pattern(None, None, node, graph), None) is not None)

        return {n.value for n in candidates if any(used_in(n, g) for g in probed_graphs)}

    def _recheck(self, report: ValidationReport, shared: set[str], described: set[str]) -> ValidationReport:
        """Re-validate, against the whole store, the focus nodes the memory check could not see fully.

        Those are the nodes with a Violation in memory (a reference may resolve in the store),
        the nodes the new data shares with other user graphs, and the nodes that point at
        ``described`` ones (shared nodes the new or the replaced graphs say something about):
        a participation in another graph whose own goal was described in the graph being
        replaced is valid only while the goal still is.
        """
        flagged = {r.focus for r in report.results if r.severity is Severity.VIOLATION}
        recheck = flagged | {f"<{iri}>" for iri in shared | described | self._referrers(described)}
        if not recheck:
            return report
        kept = [r for r in report.results if r.focus not in recheck]
        again = validate_store(self._ox, focus=recheck)
        return ValidationReport(kept + again.results)

    def _described_in(self, nodes: set[str], graphs: dict[str, int]) -> set[str]:
        """Those of ``nodes`` that are the subject of a triple in one of ``graphs`` (on disk)."""
        named = [ox.NamedNode(g) for g in graphs]
        return {n for n in nodes if any(next(self._ox.quads_for_pattern(ox.NamedNode(n), None, None, g), None)
                                        is not None for g in named)}

    def _referrers(self, nodes: set[str]) -> set[str]:
        """IRIs of the subjects that point at ``nodes`` anywhere in the store (one hop: the
        shapes' value checks follow one property from their focus node)."""
        found: set[str] = set()
        ordered = sorted(nodes)
        for start in range(0, len(ordered), 500):
            values = " ".join(f"<{iri}>" for iri in ordered[start:start + 500])
            found |= {row["s"].value for row in self._ox.query(
                f"SELECT DISTINCT ?s WHERE {{ VALUES ?o {{ {values} }} ?s ?p ?o FILTER(isIRI(?s)) }}",
                use_default_graph_as_union=True)}
        return found

    def _record(self, plan: LoadPlan, agent: str | None, counts: dict[str, int] | None = None) -> None:
        """The load records of every graph ``plan`` writes, in place of their old ones
        (``counts``: triples per graph when the caller knows them; else counted in the store)."""
        sizes = counts if counts is not None else {name: _count(self._ox, name) for name in plan.graphs()}
        plan.records(sizes, agent, now_iso()).apply(self._ox)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL Update as one transaction (all of it or none), for ``offri serve
        --allow-update``. Callers refuse LOAD/SERVICE first (``offri_kg.web.protocol``)."""
        try:
            self._ox.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise OffriError("query-syntax", {"detail": str(exc)}) from None
        except (OSError, ValueError) as exc:
            raise OffriError("query-failed", {"detail": str(exc)}) from None
        self._ox.flush()
        self.layout.new_generation()

    # ---- reading -----------------------------------------------------------------------------
    def generation(self) -> str:
        """The token of the last committed write ("" before any)."""
        return self.layout.generation()

    def query(self, sparql: str, substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
              timeout: float | None = None) -> QueryResult:
        """Run a query over the union of all graphs; ``SERVICE``/``LOAD``/``FROM`` are refused.

        Parameters become a ``VALUES`` block of rdflib-serialised terms, exactly as for a remote
        store (pyoxigraph's own substitution only binds variables the query projects).
        """
        check_query(sparql)
        text = with_values_block(sparql, substitutions or {})
        if self._isolated is not None:
            from offri_kg.query.isolated import result_of

            return QueryResult.from_oxigraph(result_of(self._isolated.run(text, timeout)))
        try:
            result = self._ox.query(text, use_default_graph_as_union=True)
            return QueryResult.from_oxigraph(result)
        except SyntaxError as exc:
            raise OffriError("query-syntax", {"detail": str(exc)}) from None
        except (RuntimeError, OSError, ValueError) as exc:  # e.g. a function the engine does not know
            raise OffriError("query-failed", {"detail": str(exc)}) from None

    def checksums(self) -> dict[str, str]:
        """Graph IRI -> checksum of the file it was loaded from (cheap: metadata only)."""
        return {g: r.checksum for g, r in self.records().items() if r.checksum}

    def graphs(self) -> list[GraphInfo]:
        """Every named graph with its triple count and provenance."""
        counts = {row["g"].value: int(row["n"].value) for row in self._ox.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
        records = self.records()
        return [graph_info(g, counts[g], records.get(g)) for g in sorted(counts)]

    def export(self, fmt: ox.RdfFormat, graph: str | None = None) -> bytes:
        """N-Quads or TriG of everything, or one graph in any RDF format."""
        if graph is None:
            return self._ox.dump(format=fmt)
        if graph not in {g.iri for g in self.graphs()}:
            raise OffriError("unknown-graph", {"graph": graph})
        return self._ox.dump(format=fmt, from_graph=ox.NamedNode(graph))

    def close(self) -> None:
        if self._isolated is not None:
            self._isolated.close()
        if not self.read_only:
            self._ox.flush()
        del self._ox
        if not self.read_only:
            os.close(self._lock)  # after RocksDB let go of the files

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store (for the benchmark's raw baseline)."""
        return self._ox
