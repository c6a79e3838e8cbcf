"""Run SPARQL in worker processes, so a time limit really stops the work and a crash stays small.

Why processes: Oxigraph's evaluation never returns to Python mid-query (no signal can stop it)
and a deeply nested query can crash the whole process. A worker that overruns its time is
killed and replaced; one that dies answers "crashed" and is replaced; the server goes on.
Workers open a read-only snapshot of the store (hard links, see ``offri_kg.web.snapshot``), so
``offri load`` can write meanwhile.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import queue
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import pyoxigraph as ox

from offri_kg.errors import OffriError
from offri_kg.web.negotiate import choose
from offri_kg.web.results import CONTENT_TYPES, GRAPH_TYPES, RESULT_TYPES, write_boolean, write_select

#: What a SELECT/ASK answer may be sent as, preferred first; and a CONSTRUCT/DESCRIBE answer.
RESULT_OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                 "text/tab-separated-values", "application/json", "application/xml"]
GRAPH_OFFERS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
                "application/n-quads", "application/trig", "text/plain"]


@dataclass(frozen=True)
class Job:
    """One query for a worker. ``default_graph``/``named_graphs`` are the protocol's dataset
    (None: the union of all graphs as default graph, every graph named)."""

    sparql: str
    accept: str | None
    db: str
    row_cap: int
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    want_rows: bool = False  # return Python rows (for HTML pages) instead of serialised bytes


@dataclass
class Answer:
    """A worker's reply: serialised ``body`` with its media type, or ``rows`` for a page."""

    kind: str  # select, ask or graph
    content_type: str = ""
    body: bytes = b""
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, object]] = field(default_factory=list)
    boolean: bool | None = None


def _dataset(job: Job) -> dict[str, object]:
    if job.default_graph is None and job.named_graphs is None:
        return {"use_default_graph_as_union": True}
    return {"default_graph": [ox.NamedNode(g) for g in job.default_graph or ()],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()]}


def execute(store: ox.Store, job: Job) -> Answer:
    """Run ``job`` on ``store`` (in the worker); raises OffriError for what the client must fix."""
    try:
        result = store.query(job.sparql, base_iri=job.base_iri, **_dataset(job))
    except SyntaxError as exc:
        raise OffriError("query-syntax", {"detail": str(exc)}) from None
    return answer_from(result, job)


def answer_from(result: object, job: Job) -> Answer:
    """A query result (pyoxigraph's, from any store) as the answer ``job`` asks for: rows for a
    page, or bytes in the negotiated format; more than ``job.row_cap`` rows is an error."""
    try:
        if isinstance(result, ox.QueryBoolean):
            value = bool(result)
            if job.want_rows:
                return Answer(kind="ask", boolean=value)
            media = choose(job.accept, RESULT_OFFERS)
            if media is None:
                raise OffriError("not-acceptable", {"offers": ", ".join(RESULT_OFFERS)})
            fmt = RESULT_TYPES[media]
            return Answer(kind="ask", content_type=CONTENT_TYPES[fmt], body=write_boolean(value, fmt), boolean=value)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = list(itertools.islice(result, job.row_cap + 1))
            if len(rows) > job.row_cap:
                raise OffriError("too-many-rows", {"cap": job.row_cap})
            if job.want_rows:
                return Answer(kind="select", variables=variables,
                              rows=[{v: row[v] for v in variables} for row in rows])
            media = choose(job.accept, RESULT_OFFERS)
            if media is None:
                raise OffriError("not-acceptable", {"offers": ", ".join(RESULT_OFFERS)})
            fmt = RESULT_TYPES[media]
            return Answer(kind="select", content_type=CONTENT_TYPES[fmt], body=write_select(variables, rows, fmt),
                          variables=variables)
        triples = [t if isinstance(t, ox.Triple) else t.triple
                   for t in itertools.islice(result, job.row_cap + 1)]  # type: ignore[call-overload]
        if len(triples) > job.row_cap:
            raise OffriError("too-many-rows", {"cap": job.row_cap})
        media = choose(job.accept, GRAPH_OFFERS)
        if media is None:
            raise OffriError("not-acceptable", {"offers": ", ".join(GRAPH_OFFERS)})
        body = ox.serialize(triples, format=GRAPH_TYPES[media]) if triples else b""
        content = media if media.startswith("application/") else media + "; charset=utf-8"
        return Answer(kind="graph", content_type=content, body=body or b"")
    except (OSError, RuntimeError) as exc:
        raise OffriError("query-failed", {"detail": str(exc)}) from None


def _worker_main(conn: Connection) -> None:
    """A worker's loop: open the snapshot a job names (reopening when it changes), run, reply."""
    store: ox.Store | None = None
    opened = None
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if job.db != opened:
                store = None
                store = ox.Store.read_only(job.db)
                opened = job.db
            reply: object = ("ok", execute(store, job))  # type: ignore[arg-type]
        except OffriError as exc:
            reply = ("error", exc.code, exc.params)
        except Exception as exc:  # noqa: BLE001 - any engine failure becomes an answer, never a dead worker
            reply = ("error", "query-failed", {"detail": f"{type(exc).__name__}: {exc}"})
        conn.send(reply)


class _Worker:
    def __init__(self, ctx: mp.context.BaseContext) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child,), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """A fixed number of worker processes; ``run`` blocks (call it from a thread).

    A request waits at most ``time_limit`` for a free worker, then the query gets
    ``time_limit`` to finish; overrunning or crashing workers are replaced at once.
    """

    def __init__(self, size: int = 2, time_limit: float = 10.0) -> None:
        self.time_limit = time_limit
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["offri_kg.web.workers"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self.replaced = 0
        for _ in range(max(1, size)):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self._ctx)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._all.remove(worker)
            self.replaced += 1
        self._add()

    def run(self, job: Job, time_limit: float | None = None) -> Answer:
        """The answer to ``job``; OffriError ``query-timeout``, ``query-crashed``, ``busy`` or
        whatever the query itself caused."""
        limit = time_limit or self.time_limit
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty:
            raise OffriError("busy", {"seconds": limit}) from None
        try:
            worker.conn.send(job)
            if not worker.conn.poll(limit):
                self._replace(worker)
                raise OffriError("query-timeout", {"seconds": limit})
            try:
                reply = worker.conn.recv()
            except (EOFError, OSError):
                self._replace(worker)
                raise OffriError("query-crashed") from None
        except (BrokenPipeError, OSError):
            self._replace(worker)
            raise OffriError("query-crashed") from None
        self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1]
        raise OffriError(reply[1], reply[2])

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
