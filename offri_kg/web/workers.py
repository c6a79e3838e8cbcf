"""Run SPARQL in worker processes, so a time limit really stops the work and a crash stays small.

Why processes: Oxigraph's evaluation never returns to Python mid-query (no signal can stop it)
and a deeply nested query can crash the whole process. A worker that overruns its time is
killed and replaced; one that dies answers "crashed" and is replaced; the server goes on.
Workers open a read-only snapshot of the store (hard links, see ``offri_kg.web.snapshot``), so
``offri load`` can write meanwhile.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import multiprocessing as mp
import os
import re
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler

import pyoxigraph as ox

from offri_kg.errors import OffriError
from offri_kg.web.negotiate import choose
from offri_kg.query.guard import fetching_feature
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
    first_rows: bool = False  # with want_rows: past row_cap, keep the first rows and say so


#: How a worker sends a page's rows: SPARQL TSV, which Oxigraph writes and reads itself.
ROWS_TSV = "offri/rows+tsv"


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


def execute(store: ox.Store, job: Job) -> Answer:
    """Run ``job`` on ``store`` (in the worker); raises OffriError for what the client must fix."""
    feature = fetching_feature(job.sparql)
    if feature:
        raise OffriError("query-refused", {"feature": feature})
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
    page, or bytes in the negotiated format; more than ``job.row_cap`` rows is an error (or,
    for a page that asks for ``first_rows``, the first rows and ``more``)."""
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
        body = ox.serialize(triples, format=GRAPH_TYPES[media])  # an empty graph too: JSON-LD `[]`, an empty rdf:RDF
        content = media if media.startswith("application/") else media + "; charset=utf-8"
        return Answer(kind="graph", content_type=content, body=body or b"")
    except (OSError, RuntimeError) as exc:
        raise OffriError("query-failed", {"detail": _public(str(exc))}) from None


_PATH = re.compile(r"(?<![\w:/])/(?:[^\s/'\"]+/)+[^\s'\"]*")


def _public(detail: str) -> str:
    """An engine or system error as a client may read it: file system paths (the store's
    folder, say) are left out; the server's own log has the full text."""
    logging.getLogger("offri.serve").warning("query failed: %s", detail)
    return _PATH.sub("…", detail)


def _reply_to(job: Job, stores: "_Stores") -> object:
    """The picklable reply to one job: ("ok", Answer) or ("error", code, params)."""
    try:
        return ("ok", execute(stores.get(job.db), job))
    except OffriError as exc:
        return ("error", exc.code, exc.params)
    except Exception as exc:  # noqa: BLE001 - any engine failure becomes an answer, never a dead worker
        return ("error", "query-failed", {"detail": _public(f"{type(exc).__name__}: {exc}")})


class _Stores:
    """The worker's open snapshot, reopened when jobs name a newer one (threads share it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._opened: tuple[str, ox.Store] | None = None

    def get(self, db: str) -> ox.Store:
        with self._lock:
            if self._opened is None or self._opened[0] != db:
                self._opened = (db, ox.Store.read_only(db))
            return self._opened[1]


def _worker_main(conn: Connection, threads: int) -> None:
    """A worker: jobs arrive as (id, [Job, ...]) and run in ``threads`` threads at once (Oxigraph
    releases the GIL); each batch is answered as (id, [reply, ...]) in one message.

    Each thread takes the next batch from the connection itself and runs it at once: no
    hand-over to another thread on the way from the socket to the engine."""
    stores = _Stores()
    receive_lock, send_lock = threading.Lock(), threading.Lock()

    def serve() -> None:
        while True:
            with receive_lock:
                try:
                    ident, jobs = conn.recv()
                except (EOFError, OSError):
                    return
            replies = [_reply_to(job, stores) for job in jobs]
            with send_lock:
                try:
                    conn.send((ident, replies))
                except OSError:
                    return

    running = [threading.Thread(target=serve, daemon=True) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()


class _Worker:
    """One worker process. The server's event loop reads its replies itself (no thread per
    worker, no hand-over between threads): a reply wakes the waiting request directly."""

    def __init__(self, ctx: mp.context.BaseContext, threads: int) -> None:
        self._conn, child = ctx.Pipe()  # a socket pair; the worker side speaks Connection frames
        self.process = ctx.Process(target=_worker_main, args=(child, threads), daemon=True)
        self.process.start()
        child.close()
        self.pending: dict[int, asyncio.Future] = {}
        self.alive = True
        self.exclusive = False  # running a suspect batch alone
        self._writer: asyncio.StreamWriter | None = None
        self._outbox: list[bytes] = []
        self.reading: asyncio.Task | None = None

    async def open(self, on_reply: Callable[[], None], on_exit: "Callable[[_Worker], Awaitable[None]]") -> None:
        """Connect the worker's socket to the event loop and start reading its replies."""
        sock = socket.socket(fileno=os.dup(self._conn.fileno()))
        reader, self._writer = await asyncio.open_connection(sock=sock, limit=2**20)
        self.reading = asyncio.create_task(self._read(reader, on_reply, on_exit))

    async def _read(self, reader: asyncio.StreamReader, on_reply: Callable[[], None],
                    on_exit: "Callable[[_Worker], Awaitable[None]]") -> None:
        try:
            while True:
                ident, replies = ForkingPickler.loads(await _read_frame(reader))
                future = self.pending.pop(ident, None)
                if future is not None and not future.done():
                    future.set_result(replies)
                on_reply()  # a slot is free (also when the request that sent it was cancelled)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass  # the worker went away (killed for a time limit, or crashed)
        except Exception:  # noqa: BLE001 - a reply that cannot be read: the stream is lost
            self.process.kill()
        self.alive = False
        if self._writer is not None:
            self._writer.close()
        self.fail_pending()
        await on_exit(self)

    def submit(self, ident: int, jobs: list[Job]) -> asyncio.Future:
        """Send a batch; the future gets the worker's replies (or ``_Died``)."""
        future = asyncio.get_running_loop().create_future()
        if not self.alive or self._writer is None or self._writer.is_closing():
            future.set_exception(_Died())
            return future
        self.pending[ident] = future
        if not self._outbox:  # the first batch this turn of the loop: send them all at its end
            asyncio.get_running_loop().call_soon(self._flush)
        self._outbox.append(_frame(ForkingPickler.dumps((ident, jobs))))
        return future

    def _flush(self) -> None:
        """Write the batches gathered in one turn of the event loop with one system call: under
        load several requests arrive together, and each write wakes the worker."""
        frames, self._outbox = self._outbox, []
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(b"".join(frames))

    def fail_pending(self) -> None:
        """Every request still waiting on this worker learns it died (and may retry elsewhere)."""
        waiting, self.pending = list(self.pending.values()), {}
        for future in waiting:
            if not future.done():
                future.set_exception(_Died())

    def stop(self) -> None:
        """Kill the process (blocking: call it off the event loop, or at shutdown)."""
        self.alive = False
        self.process.kill()
        self.process.join(timeout=5)
        self._conn.close()


def _frame(payload: bytes) -> bytes:
    """``payload`` framed as ``multiprocessing.Connection`` frames it (what the worker reads)."""
    if len(payload) > 0x7FFFFFFF:
        return struct.pack("!i", -1) + struct.pack("!Q", len(payload)) + payload
    return struct.pack("!i", len(payload)) + payload


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    """One ``multiprocessing.Connection`` frame from the worker."""
    (size,) = struct.unpack("!i", await reader.readexactly(4))
    if size == -1:
        (size,) = struct.unpack("!Q", await reader.readexactly(8))
    return await reader.readexactly(size)


def _answers(replies: list) -> list[Answer]:
    """The answers in a worker's replies; the first error is raised."""
    answers = []
    for reply in replies:
        if reply[0] != "ok":
            raise OffriError(reply[1], reply[2])
        answers.append(reply[1])
    return answers


class _Died(Exception):
    """The worker running a job went away (killed for another job's time, or crashed)."""


class QueryPool:
    """``size`` worker processes with ``threads`` query threads each; ``arun_many`` runs a batch.

    A batch goes to the least busy worker and gets ``time_limit`` seconds; a worker whose batch
    overruns is killed and replaced. Batches that were running beside it in the same process did
    nothing wrong: they are sent once more to another worker. A batch whose worker dies twice
    under it is the one that crashes the engine, and gets ``query-crashed``.

    Everything runs on the server's event loop (``start`` there first): a worker's replies are
    read by the loop, and a request waiting for a free worker waits on a loop future.
    """

    def __init__(self, size: int = 2, time_limit: float = 10.0, threads: int = 4) -> None:
        self.size = max(1, size)
        self.time_limit = time_limit
        self.threads = max(1, threads)
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["offri_kg.web.workers"])
        self._workers: list[_Worker] = []
        self._waiting: list[asyncio.Future] = []
        self._ids = itertools.count()
        self._closed = False
        self._deaths: list[float] = []
        self.replaced = 0
        self.batches = 0  # batches sent to workers (a page's queries are one batch)

    async def start(self) -> None:
        """Start the workers (on the event loop that will use the pool)."""
        for _ in range(self.size):
            self._workers.append(await self._start())

    async def _start(self) -> _Worker:
        worker = _Worker(self._ctx, self.threads)
        await worker.open(self._notify, self._exited)
        return worker

    def _notify(self) -> None:
        """Workers may have room now: wake as many waiting requests as there are free slots,
        oldest first (a woken request that has not run yet still counts as taking one)."""
        free = sum(max(0, self.threads - len(w.pending)) for w in self._workers if w.alive and not w.exclusive)
        for future in self._waiting:
            if free <= 0:
                break
            if not future.done():
                future.set_result(None)
            free -= 1

    async def _exited(self, worker: _Worker) -> None:
        """A worker process ended (killed or crashed): replace it. Restarts slow down when
        workers keep dying at once (a broken install must not become a busy loop of forks)."""
        now = time.monotonic()
        self._deaths = [t for t in self._deaths if now - t < 10] + [now]
        if len(self._deaths) > 5:
            await asyncio.sleep(min(5.0, 0.2 * len(self._deaths)))
        if worker in self._workers and not self._closed:
            self._workers.remove(worker)
            await asyncio.get_running_loop().run_in_executor(None, worker.process.join, 5)
            for attempt in itertools.count(1):
                try:
                    replacement = await self._start()
                except (OSError, RuntimeError) as exc:  # no fork, no socket: try again, slower
                    logging.getLogger("offri.serve").error("could not start a query worker: %s", exc)
                    await asyncio.sleep(min(5.0, 0.5 * attempt))
                    if self._closed:
                        return
                    continue
                self._workers.append(replacement)
                break
            self.replaced += 1
        self._notify()

    def _choose(self, alone: bool) -> _Worker | None:
        """The least busy worker with room, or None; with ``alone``, an idle worker, reserved
        for one batch."""
        live = [w for w in self._workers if w.alive and not w.exclusive]
        if not live:
            return None
        best = min(live, key=lambda w: len(w.pending))
        if alone and not best.pending:
            best.exclusive = True
            return best
        if not alone and len(best.pending) < self.threads:
            return best
        return None

    async def _pick(self, deadline: float, alone: bool) -> _Worker:
        """A worker as ``_choose`` gives it, waiting until ``deadline`` for one ("busy" after).
        Requests wait in line: while anyone waits, a newcomer queues behind them."""
        if not self._waiting and (worker := self._choose(alone)) is not None:
            return worker
        loop = asyncio.get_running_loop()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._notify()  # a wake-up this request took goes to the next in line
                raise OffriError("busy", {"seconds": self.time_limit})
            woken = loop.create_future()
            self._waiting.append(woken)
            try:
                await asyncio.wait_for(woken, remaining)
            except asyncio.TimeoutError:
                continue
            except asyncio.CancelledError:
                self._notify()
                raise
            finally:
                self._waiting.remove(woken)
            if (worker := self._choose(alone)) is not None:
                return worker
            self._notify()  # woken but nothing fits this request (it needs an idle worker)

    async def arun_many(self, jobs: list[Job], time_limit: float | None = None) -> list[Answer]:
        """Answers to ``jobs``, run one after another in one worker thread (one round trip for a
        page's several queries). Raises the first job's error: ``query-timeout``,
        ``query-crashed``, ``busy`` or whatever the query itself caused."""
        limit = time_limit or self.time_limit
        for attempt in (1, 2):
            alone = attempt == 2
            worker = await self._pick(time.monotonic() + limit, alone)
            self.batches += 1
            future = worker.submit(next(self._ids), jobs)
            try:
                replies = await asyncio.wait_for(future, timeout=limit)
            except asyncio.TimeoutError:
                await asyncio.get_running_loop().run_in_executor(None, worker.stop)  # join() off the loop
                raise OffriError("query-timeout", {"seconds": limit}) from None
            except _Died:
                if attempt == 2:
                    raise OffriError("query-crashed") from None
                continue
            finally:
                worker.exclusive = False
                self._notify()
            return _answers(replies)
        raise OffriError("query-crashed")

    def close(self) -> None:
        self._closed = True
        workers, self._workers = list(self._workers), []
        for worker in workers:
            if worker.reading is not None:
                worker.reading.cancel()
            worker.stop()
