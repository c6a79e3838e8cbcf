"""The server's query workers: every query starts at once, and a query that runs long is moved
aside, so a cheap query never waits behind slow ones, whoever sent them.

How (see README, "Security"):

- **Start at once.** Queries run in worker processes (``offri_kg.query.worker``), each batch
  in a thread of its own: a batch is sent to a *fast* worker as soon as it arrives. Only when
  ``max_queries`` batches already run does it wait, in line, until its time limit.
- **Demote what runs long.** A batch still running after ``slow_after`` seconds becomes *slow*:
  its thread drops to the lowest CPU priority (nice 19), so batches that just started — a
  page, an ``ASK {}`` — get the processor first, and its worker is *sealed*: it takes no new
  work, and a fresh fast worker takes its place. At most ``slow_queries`` batches are slow at
  once, and at most ``client_slow`` of one client's; a batch demoted past either is stopped
  (503, or 429 for the client over its share) with ``Retry-After``, and that client is refused
  (429) until then. A client may have ``client_queries`` batches running at once.
- **Stop one, not its neighbours.** A batch that overruns ``time_limit`` is answered at once
  (503) and left to the worker, which is killed as soon as nothing it runs is still wanted;
  sealing keeps new work out of it. A worker that dies (the engine crashed, or its memory
  passed ``max_memory``) fails the batches it ran; each is run again alone in a worker of its
  own, and one that kills that too is the cause: ``query-crashed`` (500) or ``query-memory``
  (503).

Clients are told apart by address and User-Agent (a notebook, a browser and a test on one
machine are three clients). Everything runs on the server's event loop.
"""

from __future__ import annotations

import asyncio
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
from offri_kg.query.sandbox import MEMORY_EXIT, size_text
from offri_kg.query.worker import Answer, Job, worker_main

log = logging.getLogger("offri.serve")


@dataclass(frozen=True)
class PoolSettings:
    """The limits of the pool; every one has a default a public endpoint can live with."""

    workers: int = 2  # fast worker processes kept ready
    time_limit: float = 10.0
    slow_after: float = 0.5
    max_queries: int = 64
    slow_queries: int = 8
    client_queries: int = 8
    client_slow: int = 2
    max_memory: int = 1024**3


class _Died(Exception):
    """The worker running a batch went away; ``cause``: "memory" or "crash"."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


@dataclass(eq=False)
class _Client:
    running: set["_Batch"] = field(default_factory=set)
    refused_until: float = 0.0

    def slow(self) -> list["_Batch"]:
        return [b for b in self.running if b.slow and not b.abandoned]


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
    slow: bool = False
    abandoned: bool = False  # answered already (stopped); its thread may still run
    timers: list[asyncio.TimerHandle] = field(default_factory=list)


class _Worker:
    """One worker process, as the server sees it: what runs in it, and whether it is sealed
    (takes no new work: it runs a slow batch, or a batch alone)."""

    def __init__(self, ctx: mp.context.BaseContext, memory: int, solo: bool = False) -> None:
        self._conn, child = ctx.Pipe()
        self.process = ctx.Process(target=worker_main, args=(child, memory), daemon=True)
        self.process.start()
        child.close()
        self.running: dict[int, _Batch] = {}
        self.sealed = solo
        self.solo = solo
        self.alive = True
        self.missing: list[str] = []
        self._writer: asyncio.StreamWriter | None = None
        self._outbox: list[bytes] = []
        self.reading: asyncio.Task | None = None

    def live(self) -> int:
        return sum(1 for b in self.running.values() if not b.abandoned)

    async def open(self, on_reply: "Callable[[_Worker, _Batch, list], None]",
                   on_exit: "Callable[[_Worker], None]") -> None:
        """Connect the worker's socket to the event loop, read its hello, start reading."""
        sock = socket.socket(fileno=os.dup(self._conn.fileno()))
        reader, self._writer = await asyncio.open_connection(sock=sock, limit=2**20)
        hello = ForkingPickler.loads(await _read_frame(reader))
        self.missing = list(hello[1]) if hello and hello[0] == "hello" else []
        self.reading = asyncio.create_task(self._read(reader, on_reply, on_exit))

    async def _read(self, reader: asyncio.StreamReader, on_reply: "Callable[[_Worker, _Batch, list], None]",
                    on_exit: "Callable[[_Worker], None]") -> None:
        try:
            while True:
                ident, replies = ForkingPickler.loads(await _read_frame(reader))
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
        self.process.join(timeout=2)
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


class QueryPool:
    """Worker processes with the lanes described above; ``arun_many`` runs a batch."""

    def __init__(self, settings: PoolSettings | None = None) -> None:
        self.settings = settings or PoolSettings()
        self.time_limit = self.settings.time_limit
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["offri_kg.query.worker"])
        self._workers: list[_Worker] = []
        self._starting = 0
        self._started: asyncio.Event | None = None
        self._waiting: list[asyncio.Future] = []
        self._clients: dict[str, _Client] = {}
        self._ids = itertools.count()
        self._closed = False
        self._deaths: list[float] = []
        self.replaced = 0
        self.batches = 0
        self.missing: list[str] = []  # what the sandbox could not apply (logged once)

    # ---- workers ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the fast workers (on the event loop that will use the pool)."""
        self._started = asyncio.Event()
        for _ in range(self.settings.workers):
            self._workers.append(await self._spawn())
        if self.missing:
            log.warning("query workers are not fully confined: %s", "; ".join(self.missing))

    async def _spawn(self, solo: bool = False) -> _Worker:
        worker = _Worker(self._ctx, self.settings.max_memory, solo=solo)
        await worker.open(self._replied, self._exited)
        self.missing = worker.missing
        return worker

    def _fast(self) -> list[_Worker]:
        return [w for w in self._workers if w.alive and not w.sealed]

    def _keep_fast(self) -> None:
        """Start workers until ``workers`` fast ones are running or starting (in the
        background; restarts slow down when workers keep dying, so a broken install does
        not become a busy loop of forks)."""
        missing = self.settings.workers - len(self._fast()) - self._starting
        for _ in range(max(0, missing)):
            self._starting += 1
            asyncio.get_running_loop().create_task(self._add_fast())

    async def _add_fast(self) -> None:
        try:
            now = time.monotonic()
            self._deaths = [t for t in self._deaths if now - t < 10]
            if len(self._deaths) > 5:
                await asyncio.sleep(min(5.0, 0.2 * len(self._deaths)))
            for attempt in itertools.count(1):
                if self._closed:
                    return
                try:
                    worker = await self._spawn()
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
            self._starting -= 1
        self._wake()

    def _replied(self, worker: _Worker, batch: _Batch, replies: list) -> None:
        if not batch.abandoned and not batch.future.done():
            batch.future.set_result(replies)
        self._settle(worker)

    def _exited(self, worker: _Worker) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        cause = worker.cause_of_exit()
        if cause == "crash" and worker.running:
            self._deaths.append(time.monotonic())
        for batch in list(worker.running.values()):
            if not batch.abandoned and not batch.future.done():
                batch.future.set_exception(_Died(cause))
        worker.running.clear()
        if not self._closed:
            self._keep_fast()
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
        client = self._clients.get(key)
        if client is None:
            if len(self._clients) > 10_000:  # forget clients with nothing running or pending
                now = time.monotonic()
                self._clients = {k: c for k, c in self._clients.items() if c.running or c.refused_until > now}
            client = self._clients[key] = _Client()
        return client

    def _admit(self, client: _Client, request: object) -> None:
        """Refuse a client that was told to wait, or that has ``client_queries`` requests
        running already (a page's several queries are one request)."""
        now = time.monotonic()
        if client.refused_until > now:
            raise OffriError("client-wait", {"retry_after": math.ceil(client.refused_until - now)})
        requests = {batch.request for batch in client.running}
        if request not in requests and len(requests) >= self.settings.client_queries:
            raise OffriError("client-too-many", {"max": self.settings.client_queries, "retry_after": 1})

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

    async def _worker_for(self, deadline: float, solo: bool) -> _Worker:
        """A fast worker with room (or a fresh one for a batch that runs alone), waiting in
        line until ``deadline`` ("busy" after)."""
        if solo:
            worker = await self._spawn(solo=True)
            self._workers.append(worker)
            return worker
        loop = asyncio.get_running_loop()
        while True:
            fast = self._fast()
            if fast and self._live() < self.settings.max_queries and not self._waiting:
                return min(fast, key=_Worker.live)
            self._keep_fast()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise OffriError("busy", {"seconds": self.time_limit, "retry_after": 1})
            woken = loop.create_future()
            self._waiting.append(woken)
            try:
                await asyncio.wait_for(woken, min(remaining, 0.25))
            except asyncio.TimeoutError:
                pass
            finally:
                self._waiting.remove(woken)
            fast = self._fast()
            if fast and self._live() < self.settings.max_queries:
                return min(fast, key=_Worker.live)

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
        for solo in (False, True):
            batch = _Batch(next(self._ids), jobs, owner, request, loop.create_future(), limit)
            owner.running.add(batch)
            try:
                worker = await self._worker_for(time.monotonic() + limit, solo)
                batch.worker, batch.started = worker, time.monotonic()
                worker.running[batch.ident] = batch
                self.batches += 1
                worker.send(("run", batch.ident, jobs))
                if not solo:
                    batch.timers.append(loop.call_later(self.settings.slow_after, self._demote, batch))
                batch.timers.append(loop.call_later(limit, self._stop, batch,
                                                    OffriError("query-timeout", {"seconds": _seconds(limit),
                                                                                 "retry_after": 1})))
                replies = await batch.future
            except _Died as died:
                if solo:
                    if died.cause == "memory":
                        raise OffriError("query-memory", {"limit": size_text(self.settings.max_memory),
                                                          "retry_after": 1}) from None
                    raise OffriError("query-crashed") from None
                continue  # run it again alone: was it this batch, or another in that worker?
            finally:
                for timer in batch.timers:
                    timer.cancel()
                owner.running.discard(batch)
                if batch.worker is not None and batch.ident in batch.worker.running and not batch.abandoned:
                    # the request went away (its client hung up): nobody waits for this batch
                    self._stop(batch, None)
                self._wake()
            return _answers(replies)
        raise OffriError("query-crashed")

    def _demote(self, batch: _Batch) -> None:
        """``slow_after`` has passed: lower the batch's priority, seal its worker, and hold the
        slow lane's shares."""
        if batch.future.done() or batch.abandoned or batch.worker is None:
            return
        worker = batch.worker
        # shares are counted in requests: a page's several slow queries are one
        others_mine = len({b.request for b in batch.client.slow()} - {batch.request})
        others_all = len({b.request for w in self._workers for b in w.running.values()
                          if b.slow and not b.abandoned} - {batch.request})
        batch.slow = True
        try:
            worker.send(("slow", batch.ident))
        except _Died:
            return
        if not worker.sealed:
            worker.sealed = True
            self._keep_fast()
        wait = self._next_slow_end()
        if others_mine >= self.settings.client_slow:
            batch.client.refused_until = time.monotonic() + wait
            self._stop(batch, OffriError("client-slow", {"max": self.settings.client_slow,
                                                         "seconds": _seconds(self.settings.slow_after),
                                                         "retry_after": math.ceil(wait)}))
        elif others_all >= self.settings.slow_queries:
            batch.client.refused_until = time.monotonic() + wait
            self._stop(batch, OffriError("busy-slow", {"max": self.settings.slow_queries,
                                                       "seconds": _seconds(self.settings.slow_after),
                                                       "retry_after": math.ceil(wait)}))

    def _next_slow_end(self) -> float:
        """Seconds until the first slow batch reaches its time limit (at least one)."""
        now = time.monotonic()
        ends = [b.started + b.limit - now for w in self._workers for b in w.running.values()
                if b.slow and not b.abandoned]
        return max(1.0, min(ends, default=1.0))

    def _stop(self, batch: _Batch, error: OffriError | None) -> None:
        """Answer ``batch`` with ``error`` now and abandon it: its worker is sealed (nothing new
        goes where a thread nobody waits for runs) and killed once nothing in it is wanted."""
        if batch.abandoned:
            return
        batch.abandoned = True
        if error is not None and not batch.future.done():
            batch.future.set_exception(error)
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

