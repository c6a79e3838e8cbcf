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

Here: which worker runs a batch, the slow lane's mechanics (watch, lower, seal, stop) and what
follows a worker's death. Who is admitted and whose slow requests are stopped is
``offri_kg.web.lanes``; the wire to one worker process is ``offri_kg.web.worker_process``.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import math
import multiprocessing as mp
import time
from dataclasses import dataclass

from offri_kg.errors import OffriError
from offri_kg.query.sandbox import size_text
from offri_kg.query.worker import Answer, Job
from offri_kg.web.lanes import Batch, Lanes
from offri_kg.web.worker_process import WorkerDied, WorkerProcess

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
        self._workers: list[WorkerProcess] = []
        self._starting: dict[str, int] = {"pages": 0, "queries": 0}
        self._waiting: list[asyncio.Future] = []
        self.lanes = Lanes(self.settings)  # the clients met, the batches admitted, their shares
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

    async def _spawn(self, kind: str) -> WorkerProcess:
        # starting a process waits for the fork server's answer: not on the event loop
        worker = await asyncio.get_running_loop().run_in_executor(None, functools.partial(
            WorkerProcess, self._ctx, self.settings.max_memory, kind, slow_after=self.settings.slow_after))
        await worker.open(self._replied, self._exited, self._used_cpu)
        if worker.missing and worker.missing != self.missing:  # at start, and if a replacement differs
            log.warning("query workers are not fully confined: %s", "; ".join(worker.missing))
        self.missing = worker.missing
        return worker

    def _fast(self, kind: str) -> list[WorkerProcess]:
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

    def _replied(self, worker: WorkerProcess, batch: Batch, replies: list) -> None:
        if not batch.abandoned and not batch.future.done():
            batch.future.set_result(replies)
        self._settle(worker)

    def _exited(self, worker: WorkerProcess) -> None:
        """A worker process ended: replace it at once; its batches learn why once the process
        is reaped (off the event loop)."""
        if worker in self._workers:
            self._workers.remove(worker)
        if not self._closed:
            self._keep_fast()
        asyncio.get_running_loop().create_task(self._bury(worker))

    async def _bury(self, worker: WorkerProcess) -> None:
        cause = await asyncio.get_running_loop().run_in_executor(None, worker.cause_of_exit)
        if cause == "crash" and worker.running:
            self._deaths.append(time.monotonic())
        for batch in list(worker.running.values()):
            if not batch.abandoned and not batch.future.done():
                batch.future.set_exception(WorkerDied(cause, slow=batch.watched))
        worker.running.clear()
        if not self._closed:
            self._wake()

    def _settle(self, worker: WorkerProcess) -> None:
        """A sealed worker leaves once nothing it runs is still wanted (a killed one takes its
        abandoned threads with it; a clean one leaves as well: its threads may have been
        lowered, and the fast workers were replaced when it was sealed)."""
        if worker.sealed and worker.live() == 0:
            worker.kill()
        self._wake()

    # ---- admission -------------------------------------------------------------------------
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

    async def _worker_for(self, deadline: float, kind: str) -> WorkerProcess:
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
            return min(self._fast("heavy"), key=WorkerProcess.live)
        while True:
            fast = self._fast(kind)
            if fast and self._live() < self.settings.max_queries and not self._waiting:
                return min(fast, key=WorkerProcess.live)
            self._keep_fast()
            await self._wait_turn(deadline)
            fast = self._fast(kind)
            if fast and self._live() < self.settings.max_queries:
                return min(fast, key=WorkerProcess.live)

    def _alive(self, kind: str) -> list[WorkerProcess]:
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
        owner = self.lanes.client(client)
        request = object() if request is None else request
        self.lanes.admit(owner, request)
        loop = asyncio.get_running_loop()
        solo, again = False, True
        while True:
            batch = Batch(next(self._ids), jobs, owner, request, loop.create_future(), limit)
            owner.running.add(batch)
            self.lanes.admitted.add(batch)
            try:
                kind = ("solo" if solo else "pages" if all(job.guard is None for job in jobs)
                        else "heavy" if self.lanes.is_heavy(owner) else "queries")
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
                                                    OffriError("query-timeout", {"seconds": f"{limit:g}",
                                                                                 "retry_after": math.ceil(limit)})))
                replies = await batch.future
            except WorkerDied as died:
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
                self.lanes.admitted.discard(batch)
                if batch.worker is not None and batch.ident in batch.worker.running and not batch.abandoned:
                    # the request went away (its client hung up): nobody waits for this batch
                    self._stop(batch, None)
                self._wake()
            return _answers(replies)

    def _watch(self, batch: Batch) -> None:
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
        if self.lanes.is_heavy(batch.client):
            self._lower(batch)
        self._hold_shares()

    def _used_cpu(self, batch: Batch, seconds: float) -> None:
        batch.client.add_heavy(max(0.0, seconds - batch.cpu))
        batch.cpu = seconds
        if seconds >= self.lanes.slow_after_cpu(batch.client):
            self._lower(batch)
        self._hold_shares()

    def _lower(self, batch: Batch) -> None:
        """The batch is slow: its thread drops to the lowest CPU priority, and its worker is
        sealed (nothing new goes where a query that may be stopped runs; a fresh fast worker
        takes its place) — except a worker for heavy clients, where every query is of that sort."""
        if batch.slow or batch.abandoned or batch.worker is None:
            return
        batch.slow = True
        self._tell(batch, "lower", seal=batch.worker.kind != "heavy")

    def _tell(self, batch: Batch, what: str, seal: bool) -> bool:
        """Sends ``what`` about ``batch`` to its worker and, if ``seal``, seals that worker (a
        fresh fast one takes its place); False if the worker has died meanwhile."""
        worker = batch.worker
        try:
            worker.send((what, batch.ident))
        except WorkerDied:
            return False
        if seal and not worker.sealed:
            worker.sealed = True
            self._keep_fast()
        return True

    def _hold_shares(self) -> None:
        """Stop the slow requests past their shares (``Lanes.hold_shares``); when the pool is
        nearly full, every request that ran long counts."""
        self.lanes.hold_shares(self._live() >= self.settings.max_queries - 8, self._stop)

    def _stop(self, batch: Batch, error: OffriError | None) -> None:
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


