"""The process that runs queries: confined, one thread per batch, its answers in bytes.

Why a process: Oxigraph's evaluation never returns to Python mid-query (no signal can stop it),
a long or deep query can crash it, and a small query can take gigabytes. A process can be
killed, can crash alone, and is confined before it takes work (``offri_kg.query.sandbox``: no
network, a memory cap). ``offri serve`` keeps a pool of them (``offri_kg.web.workers``);
``offri query`` and the notebook API use one (``offri_kg.query.isolated``).

Messages (pickled, ``multiprocessing.Connection`` frames): the parent sends ``("run", ident,
[Job, …])``, ``("watch", ident)`` and ``("lower", ident)``; the worker first says ``("hello",
[what confine could not apply])``, then answers each batch with ``(ident, [reply, …])``, and
every 0.1 s says how much CPU time each watched batch has used: ``("cpu", {ident: seconds})``
(the parent tells a query that computes from one that waits for a processor by it). Each batch
runs in a thread of its own, whose CPU priority falls as it uses CPU — one nice level per
``cpu_step`` seconds: least attained service first, so a query that has computed little (an
``ASK {}``, a page's query) runs before one that has computed much, without knowing either in
advance — and, in a worker for clients' queries, once it has run ``slow_after`` seconds (on a
machine so busy that no query gets much CPU, age tells them apart sooner). ``lower`` drops it
to nice 19 at once. A lowered thread cannot be raised
again without privileges, so threads are never reused.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from multiprocessing.connection import Connection

import pyoxigraph as ox

from offri_kg.errors import OffriError
from offri_kg.formats import GRAPH_OFFERS, RESULT_OFFERS
from offri_kg.query.guard import check_endpoint_query, check_query
from offri_kg.query.negotiate import choose
from offri_kg.query.results import CONTENT_TYPES, GRAPH_TYPES, RESULT_TYPES, write_boolean, write_select
from offri_kg.query.sandbox import confine

#: How a worker sends a page's rows: SPARQL TSV, which Oxigraph writes and reads itself.
ROWS_TSV = "offri/rows+tsv"
#: How it sends a whole answer to ``offri query`` and the API (Oxigraph's own writers, read
#: back by Oxigraph into the same objects a query in the same process would give).
RAW_SELECT, RAW_GRAPH = "application/sparql-results+json", "application/n-triples"
#: Thread stack for a query: Oxigraph recurses once per level of a query's algebra (8 MB
#: crashed at 8,000 UNIONs); reserved, not used, until a query needs it.
QUERY_STACK = 64 * 1024 * 1024


@dataclass(frozen=True)
class Job:
    """One query for a worker.

    ``default_graph``/``named_graphs`` are the protocol's dataset (None: the union of all graphs
    as default graph, every graph named). ``guard`` says how the text is checked in the worker:
    ``"endpoint"`` (a client's query: SERVICE/LOAD refused, FROM only of graphs in the store,
    nesting and size capped; FROM sets the dataset unless the protocol gave one), ``"query"``
    (``offri query``/the API: SERVICE, LOAD and FROM refused), or None for offri's own queries
    (stored queries with typed parameters, the pages' queries), which the network filter still
    confines.
    """

    sparql: str
    accept: str | None
    db: str
    row_cap: int
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    want_rows: bool = False  # return rows (for HTML pages) instead of serialised bytes
    first_rows: bool = False  # with want_rows: past row_cap, keep the first rows and say so
    raw: bool = False  # the whole answer in Oxigraph's own formats (offri query, the API)
    guard: str | None = None
    max_depth: int = 64
    max_operators: int = 1000
    spreadsheet: bool = False  # CSV for a spreadsheet: formula cells neutralised, a BOM


@dataclass
class Answer:
    """A worker's reply: serialised ``body`` with its media type, or ``rows`` for a page."""

    kind: str  # select, ask or graph
    content_type: str = ""
    body: bytes = b""
    variables: list[str] = field(default_factory=list)
    boolean: bool | None = None
    more: bool = False  # the rows are the first ``row_cap`` of more (a page asked for that)

    @cached_property
    def rows(self) -> list[dict[str, object]]:
        """A page's rows, read from the TSV the worker wrote: no Python object per RDF term is
        made in the worker or pickled between processes (that took a third of a worker's
        Python time on the catalogue's pages)."""
        if self.content_type != ROWS_TSV:
            return []
        parsed = ox.parse_query_results(self.body, format=ox.QueryResultsFormat.TSV)
        names = self.variables
        return [{name: row[name] for name in names} for row in parsed]  # type: ignore[index]


def _dataset(job: Job) -> dict[str, object]:
    if job.default_graph is None and job.named_graphs is None:
        return {"use_default_graph_as_union": True}
    return {"default_graph": [ox.NamedNode(g) for g in job.default_graph or ()],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()]}


def execute(store: ox.Store, job: Job, graphs: "set[str] | None" = None) -> Answer:
    """Run ``job`` on ``store`` (in the worker); raises OffriError for what the client must fix.
    ``graphs``: the store's named graphs (what an endpoint query's FROM may name)."""
    if job.guard == "endpoint":
        defaults, named = check_endpoint_query(job.sparql, graphs if graphs is not None else set(),
                                               job.base_iri, job.max_depth, job.max_operators)
        if (defaults or named) and job.default_graph is None and job.named_graphs is None:
            job = Job(**{**job.__dict__, "default_graph": tuple(defaults), "named_graphs": tuple(named)})
    elif job.guard == "query":
        check_query(job.sparql)
    try:
        result = store.query(job.sparql, base_iri=job.base_iri, **_dataset(job))
    except SyntaxError as exc:
        raise OffriError("query-syntax", {"detail": str(exc)}) from None
    return answer_from(result, job)


class _Enough(Exception):
    """Stops Oxigraph's writer once enough lines are written."""


class _CappedLines(io.RawIOBase):
    """Where Oxigraph writes TSV: keeps whole lines, and stops the writing past ``limit``
    lines, so a page's query never builds more than that in memory (TSV escapes newlines
    inside terms, so a line is a row)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit, self._parts, self._count = limit, [], 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        chunk = bytes(data)
        self._parts.append(chunk)
        self._count += chunk.count(b"\n")
        if self._count >= self.limit:
            raise _Enough
        return len(chunk)

    def lines(self) -> list[bytes]:
        """The complete lines written, at most ``limit``."""
        text = b"".join(self._parts)
        return [line + b"\n" for line in text.split(b"\n")[:-1]][: self.limit]


def answer_from(result: object, job: Job) -> Answer:
    """A query result (pyoxigraph's, from any store) as the answer ``job`` asks for: rows for a
    page, Oxigraph's own bytes for ``raw``, or bytes in the negotiated format; more than
    ``job.row_cap`` rows is an error (or, for a page that asks for ``first_rows``, the first
    rows and ``more``)."""
    try:
        if isinstance(result, ox.QueryBoolean):
            value = bool(result)
            if job.want_rows or job.raw:
                return Answer(kind="ask", boolean=value)
            media = _negotiated(job.accept, RESULT_OFFERS)
            fmt = RESULT_TYPES[media]
            return Answer(kind="ask", content_type=CONTENT_TYPES[fmt], body=write_boolean(value, fmt), boolean=value)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            if job.raw:
                return Answer(kind="select", content_type=RAW_SELECT, variables=variables,
                              body=result.serialize(format=ox.QueryResultsFormat.JSON) or b"")
            if job.want_rows:  # the pages' queries: written as TSV by Oxigraph, at most cap + 1 rows
                out = _CappedLines(job.row_cap + 2)  # the header line and one row past the cap
                try:
                    result.serialize(out, format=ox.QueryResultsFormat.TSV)
                except _Enough:
                    pass
                lines = out.lines()
                if len(lines) - 1 > job.row_cap:
                    if not job.first_rows:
                        raise OffriError("too-many-rows", {"cap": job.row_cap})
                    return Answer(kind="select", content_type=ROWS_TSV, body=b"".join(lines[:-1]),
                                  variables=variables, more=True)
                return Answer(kind="select", content_type=ROWS_TSV, body=b"".join(lines), variables=variables)
            rows = list(itertools.islice(result, job.row_cap + 1))
            if len(rows) > job.row_cap:
                raise OffriError("too-many-rows", {"cap": job.row_cap})
            media = _negotiated(job.accept, RESULT_OFFERS)
            fmt = RESULT_TYPES[media]
            if job.spreadsheet and fmt == "csv":
                fmt = "spreadsheet-csv"
            return Answer(kind="select", content_type=CONTENT_TYPES[RESULT_TYPES[media]],
                          body=write_select(variables, rows, fmt), variables=variables)
        if job.raw:
            return Answer(kind="graph", content_type=RAW_GRAPH,
                          body=ox.serialize([t if isinstance(t, ox.Triple) else t.triple for t in result],  # type: ignore[attr-defined]
                                            format=ox.RdfFormat.N_TRIPLES) or b"")
        triples = [t if isinstance(t, ox.Triple) else t.triple
                   for t in itertools.islice(result, job.row_cap + 1)]  # type: ignore[call-overload]
        if len(triples) > job.row_cap:
            raise OffriError("too-many-rows", {"cap": job.row_cap})
        media = _negotiated(job.accept, GRAPH_OFFERS)
        body = ox.serialize(triples, format=GRAPH_TYPES[media])  # an empty graph too: JSON-LD `[]`, an empty rdf:RDF
        content = media if media.startswith("application/") else media + "; charset=utf-8"
        return Answer(kind="graph", content_type=content, body=body or b"")
    except (OSError, RuntimeError) as exc:
        raise OffriError("query-failed", {"detail": _public(str(exc))}) from None


def _negotiated(accept: str | None, offers: list[str]) -> str:
    media = choose(accept, offers)
    if media is None:
        raise OffriError("not-acceptable", {"offers": ", ".join(offers)})
    return media


_PATH = re.compile(r"(?<![\w:/])/(?:[^\s/'\"]+/)+[^\s'\"]*")


def _public(detail: str) -> str:
    """An engine or system error as a client may read it: file system paths (the store's
    folder, say) are left out; the worker's own log has the full text."""
    logging.getLogger("offri.worker").warning("query failed: %s", detail)
    return _PATH.sub("…", detail)


def reply_to(job: Job, stores: "Stores") -> object:
    """The picklable reply to one job: ("ok", Answer) or ("error", code, params)."""
    try:
        store, graphs = stores.get(job.db, with_graphs=job.guard == "endpoint")
        return ("ok", execute(store, job, graphs))
    except OffriError as exc:
        return ("error", exc.code, exc.params)
    except MemoryError:
        return ("error", "query-memory", {})
    except Exception as exc:  # noqa: BLE001 - any engine failure becomes an answer, never a dead worker
        return ("error", "query-failed", {"detail": _public(f"{type(exc).__name__}: {exc}")})


class Stores:
    """The worker's open snapshot, reopened when jobs name a newer one (threads share it), and
    its named graphs (read once per snapshot)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._opened: tuple[str, ox.Store] | None = None
        self._graphs: set[str] | None = None

    def get(self, db: str, with_graphs: bool = False) -> tuple[ox.Store, set[str] | None]:
        with self._lock:
            if self._opened is None or self._opened[0] != db:
                try:
                    self._opened, self._graphs = (db, ox.Store.read_only(db)), None
                except (OSError, RuntimeError) as exc:
                    raise OffriError("query-failed", {"detail": _public(f"{type(exc).__name__}: {exc}")}) from None
            store = self._opened[1]
            if with_graphs and self._graphs is None:
                self._graphs = {g.value for g in store.named_graphs()}
            return store, self._graphs


def worker_main(conn: Connection, memory_limit: int | None, quiet: bool = False, slow_after: float = 0.0,
                ages: bool = True) -> None:
    """A worker process: confine it, say hello, then run each batch in a thread of its own (a
    thread that ends a batch at full priority waits for the next one).
    ``quiet``: engine failures are not logged here (the parent reports them to the person);
    ``slow_after``: the pool's setting, from which a query thread's priority falls (0: never);
    ``ages``: past ``slow_after`` a thread drops to the lowest priority whatever its CPU time
    (clients' queries; the catalogue's own are lowered by CPU time alone)."""
    logging.getLogger("offri.worker").disabled = quiet
    missing = confine(memory_limit)
    threading.stack_size(QUERY_STACK)
    stores = Stores()
    send_lock, state_lock = threading.Lock(), threading.Lock()
    threads: dict[int, tuple[int, int, float, float]] = {}  # batch -> (native id, pthread id, start, thread CPU then)
    pending: set[int] = set()  # batches received whose thread has not registered yet
    watched: set[int] = set()  # batches whose CPU time the parent wants to know
    lowered: set[int] = set()  # batches told to yield (before their thread registered, too)

    idle: list[queue.SimpleQueue] = []  # threads waiting for another batch, each on its own queue

    def serve(ident: int, jobs: list[Job]) -> None:
        """A query thread: runs its batch, then waits a while for another (starting a thread
        for every batch cost about a tenth of a millisecond a query); a thread whose priority
        was lowered ends instead (its nice level cannot be raised again without privileges)."""
        mine: queue.SimpleQueue = queue.SimpleQueue()
        native = threading.get_native_id()
        while True:
            run(ident, jobs)
            with state_lock:
                if niceness.pop(native, 0):
                    return
                idle.append(mine)
            try:
                ident, jobs = mine.get(timeout=30)
            except queue.Empty:
                with state_lock:
                    if mine in idle:
                        idle.remove(mine)
                        return
                ident, jobs = mine.get()  # taken from the idle list just now: the batch is on its way
            with state_lock:
                stale = niceness.pop(native, 0)  # lowered while idle, from a CPU reading just before
            if stale:
                threading.Thread(target=serve, args=(ident, jobs), daemon=True).start()
                return

    def run(ident: int, jobs: list[Job]) -> None:
        with state_lock:
            threads[ident] = (threading.get_native_id(), threading.get_ident(), time.monotonic(), time.thread_time())
            pending.discard(ident)
            if ident in lowered:
                niceness[threads[ident][0]] = 19
                _lower_priority(threads[ident][0])
        try:
            replies = [reply_to(job, stores) for job in jobs]
        finally:
            with state_lock:
                threads.pop(ident, None)
                watched.discard(ident)
                lowered.discard(ident)
        with send_lock:
            try:
                conn.send((ident, replies))
            except OSError:
                os._exit(0)  # noqa: SLF001 - the parent is gone

    niceness: dict[int, int] = {}  # native thread id -> the nice level set

    def report_cpu() -> None:
        """Every 0.05 s: lower each query thread as its CPU time grows; every 0.1 s: tell the
        parent the CPU time of the watched batches."""
        cpu_step = slow_after / 25
        for tick in itertools.count():
            time.sleep(0.05)
            with state_lock:
                reading = dict(threads)
                watching = set(watched)
            used = {}
            now = time.monotonic()
            for ident, (native, pthread, started, before) in reading.items():
                try:  # the batch's CPU time: its thread may have run others before
                    seconds = time.clock_gettime(time.pthread_getcpuclockid(pthread)) - before
                except (OSError, ValueError):  # the thread just ended
                    continue
                if slow_after:
                    level = min(19, int(seconds / cpu_step))
                    if now - started > slow_after and ages:
                        level = 19
                    if level > niceness.get(native, 0):
                        niceness[native] = level
                        _set_priority(native, level)
                if ident in watching:
                    used[ident] = seconds
            if len(niceness) > 4 * len(reading) + 64:  # forget threads that have ended
                live = {entry[0] for entry in reading.values()}
                for native in [n for n in niceness if n not in live]:
                    del niceness[native]
            if used and tick % 2:
                with send_lock:
                    try:
                        conn.send(("cpu", used))
                    except OSError:
                        os._exit(0)  # noqa: SLF001 - the parent is gone

    try:
        conn.send(("hello", missing))
    except OSError:
        os._exit(0)  # noqa: SLF001 - the parent stopped before this worker was ready
    threading.Thread(target=report_cpu, name="offri-cpu-report", daemon=True).start()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            os._exit(0)  # noqa: SLF001 - the parent is gone: do not wait for running queries
        if message[0] == "run":
            with state_lock:
                pending.add(message[1])
                waiting = idle.pop() if idle else None
            if waiting is not None:
                waiting.put((message[1], message[2]))
            else:
                threading.Thread(target=serve, args=(message[1], message[2]), daemon=True).start()
        elif message[0] in ("watch", "lower"):
            with state_lock:
                found = threads.get(message[1])
                if found is not None or message[1] in pending:
                    (watched if message[0] == "watch" else lowered).add(message[1])
                if found is not None and message[0] == "lower":
                    niceness[found[0]] = 19
                    _lower_priority(found[0])


def _lower_priority(tid: int) -> None:
    _set_priority(tid, 19)


def _set_priority(tid: int, level: int) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, tid, level)
    except OSError:
        pass  # not permitted here (or the thread ended): the query still runs, only without yielding
