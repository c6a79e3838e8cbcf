"""The server's query workers: every query starts at once, and what runs long is moved aside,
so a cheap query or a catalogue page never waits behind slow queries, whoever sent them.

How (README, "Security"; measured in ``benchmarks/bench_serve.py``, "fairness"):

- **Start at once.** Queries run in worker processes (``offri_kg.query.worker``), each batch
  (a page's queries, or one client query) in a thread of its own, sent to a *fast* worker as
  soon as it arrives; it waits in line only when ``max_queries`` batches already run.
- **Three kinds of worker.** The catalogue's own queries (pages), clients' queries, and the
  queries of clients stopped lately (time limit, slow lane, memory) run in workers of their
  own: threads of one process slow each other down (an ``ASK {}`` beside 32 long queries took
  5-300 ms in their process, 0.2 ms in another), and what a query does to its process (its
  memory, a crash) stays with its kind.
- **Least attained service.** A query thread's CPU priority falls as it uses CPU (one nice level
  per ``slow_after``/25 s), so what has computed little runs first; a client's query that has
  run ``slow_after`` seconds drops to nice 19 and takes its worker out of the fast lane (the
  worker is *sealed*: no new work; a fresh one takes its place). From then on the worker
  reports its CPU time.
- **A slow lane with shares.** A request is *slow* once it has run ``slow_after`` seconds and
  computed — used a fifth of ``slow_after`` in CPU, or twice ``slow_after`` for a client never
  stopped lately (a catalogue page computes a few hundred milliseconds at 1M) — and at once for
  a client stopped lately. At most ``slow_queries`` requests are slow at once, and
  ``client_slow`` of one client's: past either, slow requests are stopped with ``Retry-After``
  (503; 429 for a client over its share, its newest first, and it is refused until then),
  those of the clients stopped most and using the most CPU lately first. While the lane is
  full, a client stopped lately is refused (503) before its next query costs anything.
- **Stop one, not its neighbours.** A batch past ``time_limit`` is answered at once (503) and
  left to its worker, which is killed once nothing it runs is wanted. A worker that dies (the
  engine crashed, or it passed ``max_memory``) answers the slow batches it ran with
  ``query-memory`` (they ran long: the likely cause); the others run again — after a memory
  death once more in a fast worker, then alone, after a crash alone at once — and one that
  kills a worker of its own is the cause: ``query-crashed`` (500) or ``query-memory`` (503).

Clients are told apart by address and User-Agent (a notebook, a browser and a test on one
machine are three). Everything runs on the server's event loop; starting a process and
waiting for one to end are done off it.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import math
import multiprocessing as mp
import os
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.reduction import ForkingPickler

from offri_kg.errors import OffriError
from offri_kg.query.sandbox import MEMORY_EXIT, LeanProcess, size_text
from offri_kg.query.worker import Answer, Job, worker_main

log = logging.getLogger("offri.serve")



@dataclass(frozen=True)
class PoolSettings:
    """The limits of the pool; every one has a default a public endpoint can live with."""

    workers: int = 2  # fast worker processes kept ready
    time_limit: float = 10.0
    slow_after: float = 0.5
    max_queries: int = 128
    slow_queries: int = 8
    client_queries: int = 8
    client_slow: int = 2
    max_memory: int = 1024**3


#: The kinds of worker kept ready: the catalogue's own queries, and clients' queries.
FAST_KINDS = ("pages", "queries")


class _Died(Exception):
    """The worker running a batch went away; ``cause``: "memory" or "crash"; ``slow``: the
    batch had run long already (in the slow lane)."""

    def __init__(self, cause: str, slow: bool = False) -> None:
        super().__init__(cause)
        self.cause, self.slow = cause, slow


@dataclass(eq=False)
class _Client:
    running: set["_Batch"] = field(default_factory=set)
    refused_until: float = 0.0
    heavy: float = 0.0  # CPU seconds its slow queries used lately (halved every minute)
    heavy_at: float = 0.0
    stopped: list[float] = field(default_factory=list)  # when its queries were stopped lately

    def stops(self, window: float) -> int:
        """How many of its queries were stopped (time limit, slow lane, memory) in ``window`` s."""
        now = time.monotonic()
        self.stopped = [t for t in self.stopped if now - t < window]
        return len(self.stopped)

    def heavy_recently(self) -> float:
        return self.heavy * 0.5 ** ((time.monotonic() - self.heavy_at) / 60)

    def add_heavy(self, seconds: float) -> None:
        now = time.monotonic()
        self.heavy = self.heavy * 0.5 ** ((now - self.heavy_at) / 60) + seconds
        self.heavy_at = now


@dataclass(eq=False)
class _Batch:
    ident: int
    jobs: list[Job]
    client: _Client
    request: object  # the request it answers (a page's queries share one)
    future: asyncio.Future
    limit: float
    started: float = 0.0
    worker: "_Worker | None" = None
    watched: bool = False  # ran ``slow_after`` seconds: its worker sealed, its CPU time reported
    slow: bool = False  # watched, and used a fifth of ``slow_after`` in CPU: lowered priority
    cpu: float = 0.0  # CPU seconds used, as the worker last reported
    abandoned: bool = False  # answered already (stopped); its thread may still run
    timers: list[asyncio.TimerHandle] = field(default_factory=list)


class _Worker:
    """One worker process, as the server sees it: what runs in it, and whether it is sealed
    (takes no new work: it runs a slow batch, or a batch alone)."""

    def __init__(self, ctx: mp.context.BaseContext, memory: int, kind: str, slow_after: float = 0.0) -> None:
        self._conn, child = ctx.Pipe()
        self.process = LeanProcess("forkserver", target=worker_main,
                                   args=(child, memory, False, slow_after, kind != "pages"), daemon=True)
        self.process.start()
        child.close()
        self.running: dict[int, _Batch] = {}
        self.kind = kind  # "pages", "queries", "heavy" (clients stopped lately) or "solo" (one batch)
        self.sealed = kind == "solo"
        self.alive = True
        self.missing: list[str] = []
        self._writer: asyncio.StreamWriter | None = None
        self._outbox: list[bytes] = []
        self.reading: asyncio.Task | None = None

    def live(self) -> int:
        return sum(1 for b in self.running.values() if not b.abandoned)

    async def open(self, on_reply: "Callable[[_Worker, _Batch, list], None]",
                   on_exit: "Callable[[_Worker], None]", on_cpu: "Callable[[_Batch, float], None]") -> None:
        """Connect the worker's socket to the event loop, read its hello, start reading."""
        sock = socket.socket(fileno=os.dup(self._conn.fileno()))
        reader, self._writer = await asyncio.open_connection(sock=sock, limit=2**20)
        hello = ForkingPickler.loads(await _read_frame(reader))
        self.missing = list(hello[1]) if hello and hello[0] == "hello" else []
        self.reading = asyncio.create_task(self._read(reader, on_reply, on_exit, on_cpu))

    async def _read(self, reader: asyncio.StreamReader, on_reply: "Callable[[_Worker, _Batch, list], None]",
                    on_exit: "Callable[[_Worker], None]", on_cpu: "Callable[[_Batch, float], None]") -> None:
        try:
            while True:
                ident, replies = ForkingPickler.loads(await _read_frame(reader))
                if ident == "cpu":  # CPU seconds used by the batches told to yield
                    for used_by, seconds in replies.items():
                        if (batch := self.running.get(used_by)) is not None:
                            on_cpu(batch, seconds)
                    continue
                batch = self.running.pop(ident, None)
                if batch is not None:
                    on_reply(self, batch, replies)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass  # the worker went away (killed, crashed, or over its memory)
        except Exception:  # noqa: BLE001 - a reply that cannot be read: the stream is lost
            self.process.kill()
        self.alive = False
        if self._writer is not None:
            self._writer.close()
        on_exit(self)

    def send(self, message: tuple) -> None:
        """Queue ``message``; all messages of one turn of the event loop go in one write."""
        if not self.alive or self._writer is None or self._writer.is_closing():
            raise _Died("crash")
        if not self._outbox:
            asyncio.get_running_loop().call_soon(self._flush)
        self._outbox.append(_frame(ForkingPickler.dumps(message)))

    def _flush(self) -> None:
        frames, self._outbox = self._outbox, []
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(b"".join(frames))

    def kill(self) -> None:
        """Stop the process now (its reader then reports the exit)."""
        self.alive = False
        try:
            self.process.kill()
        except (OSError, ValueError):
            pass

    def cause_of_exit(self) -> str:
        """Why the process ended (call off the event loop: the kernel may take a while to
        tear down a process that held a gigabyte)."""
        self.process.join(timeout=10)
        return "memory" if self.process.exitcode == MEMORY_EXIT else "crash"


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


#: Client records kept before idle ones are forgotten.
_CLIENTS_KEPT = 10_000


class QueryPool:
    """Worker processes with the lanes described above; ``arun_many`` runs a batch."""

    def __init__(self, settings: PoolSettings | None = None) -> None:
        self.settings = settings or PoolSettings()
        self.time_limit = self.settings.time_limit
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["offri_kg.query.worker"])
        self._workers: list[_Worker] = []
        self._starting: dict[str, int] = {"pages": 0, "queries": 0}
        self._waiting: list[asyncio.Future] = []
        self._clients: dict[str, _Client] = {}
        self._forget_at = _CLIENTS_KEPT
        self._admitted: set[_Batch] = set()  # every batch admitted and not yet answered
        self._ids = itertools.count()
        self._closed = False
        self._deaths: list[float] = []
        self.replaced = 0
        self.batches = 0
        self.missing: list[str] = []  # what the sandbox could not apply (logged once)

    # ---- workers ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the fast workers (on the event loop that will use the pool)."""
        self._heavy_spawn = asyncio.Lock()
        for kind in FAST_KINDS:
            for _ in range(self.settings.workers):
                self._workers.append(await self._spawn(kind))

    async def _spawn(self, kind: str) -> _Worker:
        # starting a process waits for the fork server's answer: not on the event loop
        worker = await asyncio.get_running_loop().run_in_executor(None, functools.partial(
            _Worker, self._ctx, self.settings.max_memory, kind, slow_after=self.settings.slow_after))
        await worker.open(self._replied, self._exited, self._used_cpu)
        if worker.missing and worker.missing != self.missing:  # at start, and if a replacement differs
            log.warning("query workers are not fully confined: %s", "; ".join(worker.missing))
        self.missing = worker.missing
        return worker

    def _fast(self, kind: str) -> list[_Worker]:
        return [w for w in self._workers if w.alive and not w.sealed and w.kind == kind]

    def _keep_fast(self) -> None:
        """Start workers until ``workers`` fast ones of each kind kept ready are running or
        starting (in the background; restarts slow down when workers keep dying, so a broken
        install does not become a busy loop of forks)."""
        for kind in FAST_KINDS:
            missing = self.settings.workers - len(self._fast(kind)) - self._starting[kind]
            for _ in range(max(0, missing)):
                self._starting[kind] += 1
                asyncio.get_running_loop().create_task(self._add_fast(kind))

    async def _add_fast(self, kind: str) -> None:
        try:
            now = time.monotonic()
            self._deaths = [t for t in self._deaths if now - t < 10]
            if len(self._deaths) > 5:
                await asyncio.sleep(min(5.0, 0.2 * len(self._deaths)))
            for attempt in itertools.count(1):
                if self._closed:
                    return
                try:
                    worker = await self._spawn(kind)
                    break
                except (OSError, RuntimeError, EOFError, asyncio.IncompleteReadError) as exc:
                    log.error("could not start a query worker: %s", exc)
                    await asyncio.sleep(min(5.0, 0.5 * attempt))
            if self._closed:
                worker.kill()
                return
            self._workers.append(worker)
            self.replaced += 1
        finally:
            self._starting[kind] -= 1
        self._wake()

    def _replied(self, worker: _Worker, batch: _Batch, replies: list) -> None:
        if not batch.abandoned and not batch.future.done():
            batch.future.set_result(replies)
        self._settle(worker)

    def _exited(self, worker: _Worker) -> None:
        """A worker process ended: replace it at once; its batches learn why once the process
        is reaped (off the event loop)."""
        if worker in self._workers:
            self._workers.remove(worker)
        if not self._closed:
            self._keep_fast()
        asyncio.get_running_loop().create_task(self._bury(worker))

    async def _bury(self, worker: _Worker) -> None:
        cause = await asyncio.get_running_loop().run_in_executor(None, worker.cause_of_exit)
        if cause == "crash" and worker.running:
            self._deaths.append(time.monotonic())
        for batch in list(worker.running.values()):
            if not batch.abandoned and not batch.future.done():
                batch.future.set_exception(_Died(cause, slow=batch.watched))
        worker.running.clear()
        if not self._closed:
            self._wake()

    def _settle(self, worker: _Worker) -> None:
        """A sealed worker leaves once nothing it runs is still wanted (a killed one takes its
        abandoned threads with it; a clean one leaves as well: its threads may have been
        lowered, and the fast workers were replaced when it was sealed)."""
        if worker.sealed and worker.live() == 0:
            worker.kill()
        self._wake()

    # ---- admission -------------------------------------------------------------------------
    def _client(self, key: str) -> _Client:
        """The record of client ``key``. Past ``_CLIENTS_KEPT`` records, those with nothing
        running, no refusal pending and no stop in the window that counts are forgotten (the
        next threshold doubles what is left, so a crowd of live clients is not swept on every
        request): anyone can make up a new client with a new User-Agent."""
        client = self._clients.get(key)
        if client is None:
            if len(self._clients) >= self._forget_at:
                now, window = time.monotonic(), 6 * self.time_limit
                self._clients = {k: c for k, c in self._clients.items()
                                 if c.running or c.refused_until > now or c.stops(window)}
                self._forget_at = max(_CLIENTS_KEPT, 2 * len(self._clients))
            client = self._clients[key] = _Client()
        return client

    def _admit(self, client: _Client, request: object) -> None:
        """Refuse a client that was told to wait, or that has ``client_queries`` requests
        running already (a page's several queries are one request); and, while the slow lane
        is full, a client whose queries ran long lately: its next one would most likely run
        long too, and would take half a second of full priority to find out."""
        now = time.monotonic()
        if client.refused_until > now:
            raise OffriError("client-wait", {"retry_after": math.ceil(client.refused_until - now)})
        requests = {batch.request for batch in client.running}
        if request not in requests and len(requests) >= self.settings.client_queries:
            raise OffriError("client-too-many", {"max": self.settings.client_queries, "retry_after": 1})
        if self._is_heavy(client) and len(self._lane_requests()) >= self.settings.slow_queries:
            raise OffriError("busy-slow-wait", {"max": self.settings.slow_queries,
                                                "retry_after": math.ceil(self._next_slow_end())})

    def _wanted(self) -> list[_Batch]:
        """Every batch admitted and not yet answered (also those still waiting for a worker)."""
        return [b for b in self._admitted if not b.abandoned]

    def _slow_requests(self) -> set[object]:
        return {b.request for b in self._wanted() if b.slow}

    def _is_heavy(self, client: _Client) -> bool:
        """Whether ``client`` had a query stopped lately (its next one is likely as heavy)."""
        return client.stops(6 * self.time_limit) > 0

    def _lane_requests(self) -> set[object]:
        """The slow lane with what is likely to join it: slow requests, and every running
        request of a heavy client (so that a crowd of heavy clients let in at once cannot
        swamp the processor before their queries show as slow)."""
        return {b.request for b in self._wanted() if b.slow or self._is_heavy(b.client)}

    def _live(self) -> int:
        return sum(w.live() for w in self._workers)

    def _wake(self) -> None:
        """Wake as many waiting requests as there is room for, oldest first."""
        room = self.settings.max_queries - self._live()
        for future in self._waiting:
            if room <= 0:
                break
            if not future.done():
                future.set_result(None)
                room -= 1

    async def _worker_for(self, deadline: float, kind: str) -> _Worker:
        """A fast worker of ``kind`` with room (a fresh one for a batch that runs alone, or
        for a heavy client's when none is running), waiting in line until ``deadline``
        ("busy" after)."""
        if kind in ("solo", "heavy"):
            # run again alone after a crash, or a heavy client's: the same cap on queries, and
            # at most ``workers`` processes of their own at once (each may take ``max_memory``;
            # a worker that crashed with 100 young batches must not become 100 processes)
            while self._live() >= self.settings.max_queries or (
                    kind == "solo" and len(self._alive("solo")) >= self.settings.workers):
                await self._wait_turn(deadline)
            if kind == "solo":
                worker = await self._spawn(kind)
                self._workers.append(worker)
                return worker
            async with self._heavy_spawn:  # heavy clients arriving together share one new worker
                if not self._fast("heavy"):
                    self._workers.append(await self._spawn(kind))
            return min(self._fast("heavy"), key=_Worker.live)
        while True:
            fast = self._fast(kind)
            if fast and self._live() < self.settings.max_queries and not self._waiting:
                return min(fast, key=_Worker.live)
            self._keep_fast()
            await self._wait_turn(deadline)
            fast = self._fast(kind)
            if fast and self._live() < self.settings.max_queries:
                return min(fast, key=_Worker.live)

    def _alive(self, kind: str) -> list[_Worker]:
        return [w for w in self._workers if w.alive and w.kind == kind]

    async def _wait_turn(self, deadline: float) -> None:
        """Wait in line until ``_wake`` (a batch ended) or a quarter of a second; "busy" once
        ``deadline`` has passed."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise OffriError("busy", {"seconds": self.time_limit, "retry_after": 1})
        woken = asyncio.get_running_loop().create_future()
        self._waiting.append(woken)
        try:
            await asyncio.wait_for(woken, min(remaining, 0.25))
        except asyncio.TimeoutError:
            pass
        finally:
            self._waiting.remove(woken)

    # ---- running -----------------------------------------------------------------------------
    async def arun_many(self, jobs: list[Job], client: str = "", time_limit: float | None = None,
                        request: object = None) -> list[Answer]:
        """Answers to ``jobs`` (a page's queries run one after another in one thread: one round
        trip), for ``client``'s ``request``. Raises the first job's error, or the pool's:
        ``query-timeout``, ``query-crashed``, ``query-memory``, ``busy``, ``busy-slow``,
        ``client-*``."""
        limit = time_limit or self.time_limit
        owner = self._client(client)
        request = object() if request is None else request
        self._admit(owner, request)
        loop = asyncio.get_running_loop()
        solo, again = False, True
        while True:
            batch = _Batch(next(self._ids), jobs, owner, request, loop.create_future(), limit)
            owner.running.add(batch)
            self._admitted.add(batch)
            try:
                kind = ("solo" if solo else "pages" if all(job.guard is None for job in jobs)
                        else "heavy" if self._is_heavy(owner) else "queries")
                worker = await self._worker_for(time.monotonic() + limit, kind)
                batch.worker, batch.started = worker, time.monotonic()
                worker.running[batch.ident] = batch
                self.batches += 1
                worker.send(("run", batch.ident, jobs))
                if worker.kind == "heavy":  # a client stopped lately: in the slow lane from the start
                    self._lower(batch)
                if not solo:
                    batch.timers.append(loop.call_later(self.settings.slow_after, self._watch, batch))
                # a query that ran out of time will again: come back after as long as it ran
                batch.timers.append(loop.call_later(limit, self._stop, batch,
                                                    OffriError("query-timeout", {"seconds": _seconds(limit),
                                                                                 "retry_after": math.ceil(limit)})))
                replies = await batch.future
            except _Died as died:
                # A memory death answers the slow queries beside it (they ran long: the likely
                # cause); a young batch runs again in a fast worker, once, then alone. A crash's
                # batches run again alone. Alone, a second death names the culprit.
                if solo or (died.cause == "memory" and died.slow):
                    if solo:  # alone, it is the cause beyond doubt
                        owner.stopped.append(time.monotonic())
                    if died.cause == "memory":
                        raise OffriError("query-memory", {"limit": size_text(self.settings.max_memory),
                                                          "retry_after": math.ceil(limit)}) from None
                    raise OffriError("query-crashed") from None
                if died.cause == "memory" and again:
                    again = False
                else:
                    solo = True
                continue
            finally:
                for timer in batch.timers:
                    timer.cancel()
                owner.running.discard(batch)
                self._admitted.discard(batch)
                if batch.worker is not None and batch.ident in batch.worker.running and not batch.abandoned:
                    # the request went away (its client hung up): nobody waits for this batch
                    self._stop(batch, None)
                self._wake()
            return _answers(replies)

    def _watch(self, batch: _Batch) -> None:
        """``slow_after`` has passed: have the worker report the batch's CPU time
        (``_used_cpu``); a batch of a client whose queries were stopped lately is slow at once."""
        if batch.future.done() or batch.abandoned or batch.worker is None:
            return
        batch.watched = True
        # threads of one process slow each other down (measured: an ASK beside 32 long queries
        # in its process took 5-300 ms, in another process 0.2 ms), so a client's query that runs
        # long takes its worker out of the fast lane; the catalogue's own stay unless heavy
        if not self._tell(batch, "watch", seal=batch.worker.kind == "queries"):
            return
        if self._is_heavy(batch.client):
            self._lower(batch)
        self._hold_shares()

    def _heavy(self, client: _Client) -> float:
        """CPU seconds after which a watched batch of ``client`` counts as slow: a fifth of
        ``slow_after`` for a client whose queries were stopped lately, twice ``slow_after`` for
        the others (a catalogue page's query computes a few hundred milliseconds at 1M)."""
        if self._is_heavy(client):
            return max(0.05, self.settings.slow_after / 5)
        return 2 * self.settings.slow_after

    def _used_cpu(self, batch: _Batch, seconds: float) -> None:
        batch.client.add_heavy(max(0.0, seconds - batch.cpu))
        batch.cpu = seconds
        if seconds >= self._heavy(batch.client):
            self._lower(batch)
        self._hold_shares()

    def _lower(self, batch: _Batch) -> None:
        """The batch is slow: its thread drops to the lowest CPU priority, and its worker is
        sealed (nothing new goes where a query that may be stopped runs; a fresh fast worker
        takes its place) — except a worker for heavy clients, where every query is of that sort."""
        if batch.slow or batch.abandoned or batch.worker is None:
            return
        batch.slow = True
        self._tell(batch, "lower", seal=batch.worker.kind != "heavy")

    def _tell(self, batch: _Batch, what: str, seal: bool) -> bool:
        """Sends ``what`` about ``batch`` to its worker and, if ``seal``, seals that worker (a
        fresh fast one takes its place); False if the worker has died meanwhile."""
        worker = batch.worker
        try:
            worker.send((what, batch.ident))
        except _Died:
            return False
        if seal and not worker.sealed:
            worker.sealed = True
            self._keep_fast()
        return True

    def _hold_shares(self) -> None:
        """Stop slow requests past each client's share (its newest first) and past the slow
        lane's size (those of the clients stopped most, then using the most CPU lately, first;
        counted in requests: a page's several queries are one). Only slow requests count — a
        request that has used little CPU waits for a processor rather than computes — unless
        the pool is nearly full, when every request that ran long does."""
        full = self._live() >= self.settings.max_queries - 8
        requests: dict[object, list[_Batch]] = {}
        for batch in self._wanted():
            if (batch.slow or (full and batch.watched)) and not batch.future.done():
                requests.setdefault(batch.request, []).append(batch)

        def weight(request: object) -> tuple[float, float, float]:
            """Stopped first: the clients stopped most lately, that used the most CPU lately,
            then the newest request (the one that went past the limit)."""
            first = requests[request][0]
            return first.client.stops(6 * self.time_limit), first.client.heavy_recently(), first.started

        def stop(request: object, error: OffriError) -> None:
            for batch in requests.pop(request):
                self._stop(batch, error)

        wait = self._next_slow_end()
        by_client: dict[_Client, list[object]] = {}
        for request, batches in requests.items():
            by_client.setdefault(batches[0].client, []).append(request)
        for client, mine in by_client.items():
            over = len(mine) - self.settings.client_slow
            for request in sorted(mine, key=lambda r: requests[r][0].started, reverse=True)[:max(0, over)]:
                client.refused_until = time.monotonic() + wait
                stop(request, OffriError("client-slow", {"max": self.settings.client_slow,
                                                         "seconds": _seconds(self.settings.slow_after),
                                                         "retry_after": math.ceil(wait)}))
        over = len(requests) - self.settings.slow_queries
        for request in sorted(requests, key=weight, reverse=True)[:max(0, over)]:
            stop(request, OffriError("busy-slow", {"max": self.settings.slow_queries,
                                                   "seconds": _seconds(self.settings.slow_after),
                                                   "retry_after": math.ceil(wait)}))

    def _next_slow_end(self) -> float:
        """Seconds until the first slow batch reaches its time limit (at least one)."""
        now = time.monotonic()
        ends = [b.started + b.limit - now for b in self._wanted() if b.slow and b.started]
        return max(1.0, min(ends, default=1.0))

    def _stop(self, batch: _Batch, error: OffriError | None) -> None:
        """Answer ``batch`` with ``error`` now and abandon it: its worker is sealed (nothing new
        goes where a thread nobody waits for runs) and killed once nothing in it is wanted."""
        if batch.abandoned:
            return
        batch.abandoned = True
        if error is not None and not batch.future.done():
            batch.future.set_exception(error)
            batch.client.stopped.append(time.monotonic())
        worker = batch.worker
        if worker is None:
            return
        if not worker.sealed:
            worker.sealed = True
            self._keep_fast()
        self._settle(worker)

    def close(self) -> None:
        self._closed = True
        workers, self._workers = list(self._workers), []
        for worker in workers:
            if worker.reading is not None:
                worker.reading.cancel()
            worker.kill()
            worker.process.join(timeout=5)


def _seconds(value: float) -> str:
    return f"{value:g}"

