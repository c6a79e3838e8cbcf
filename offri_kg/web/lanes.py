"""Who may run a query, and whose slow queries are stopped: the pool's admission and shares.

The pool (``offri_kg.web.workers``) runs batches in worker processes; this is its bookkeeping of
clients and of the batches admitted, and the rules read from it (README, "Security"):

- **Admission.** A client told to wait, or with ``client_queries`` requests running (a page's
  several queries are one request), is refused; so is a client stopped lately while the slow
  lane is full.
- **Shares of the slow lane.** At most ``slow_queries`` requests are slow at once, and
  ``client_slow`` of one client's; past either, slow requests are stopped with ``Retry-After``
  (a client over its share: its newest first; the lane: those of the clients stopped most and
  using the most CPU lately first).
- **Forgetting.** Anyone can be a new client with a new User-Agent: records of idle clients are
  forgotten past ``CLIENTS_KEPT``.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from offri_kg.errors import OffriError
from offri_kg.query.worker import Job

if TYPE_CHECKING:
    from offri_kg.web.worker_process import WorkerProcess
    from offri_kg.web.workers import PoolSettings

#: Client records kept before idle ones are forgotten.
CLIENTS_KEPT = 10_000


@dataclass(eq=False)
class Client:
    """What the pool knows of one client: its requests running, when it may ask again, how
    much CPU its slow queries used lately and when its queries were stopped."""

    running: set[Batch] = field(default_factory=set)
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
class Batch:
    """One request's jobs, sent to one worker together (a page's queries, or one client query)."""

    ident: int
    jobs: list[Job]
    client: Client
    request: object  # the request it answers (a page's queries share one)
    future: asyncio.Future
    limit: float
    started: float = 0.0
    worker: WorkerProcess | None = None
    watched: bool = False  # ran ``slow_after`` seconds: its worker sealed, its CPU time reported
    slow: bool = False  # watched, and used a fifth of ``slow_after`` in CPU: lowered priority
    cpu: float = 0.0  # CPU seconds used, as the worker last reported
    abandoned: bool = False  # answered already (stopped); its thread may still run
    timers: list[asyncio.TimerHandle] = field(default_factory=list)


class Lanes:
    """The clients the pool has met and the batches it has admitted, and the rules above."""

    def __init__(self, settings: PoolSettings) -> None:
        self.settings = settings
        self.time_limit = settings.time_limit
        self.clients: dict[str, Client] = {}
        self.forget_at = CLIENTS_KEPT
        self.admitted: set[Batch] = set()  # every batch admitted and not yet answered

    def client(self, key: str) -> Client:
        """The record of client ``key``. Past ``CLIENTS_KEPT`` records, those with nothing
        running, no refusal pending and no stop in the window that counts are forgotten (the
        next threshold doubles what is left, so a crowd of live clients is not swept on every
        request): anyone can make up a new client with a new User-Agent."""
        client = self.clients.get(key)
        if client is None:
            if len(self.clients) >= self.forget_at:
                now, window = time.monotonic(), 6 * self.time_limit
                self.clients = {k: c for k, c in self.clients.items()
                                if c.running or c.refused_until > now or c.stops(window)}
                self.forget_at = max(CLIENTS_KEPT, 2 * len(self.clients))
            client = self.clients[key] = Client()
        return client

    def admit(self, client: Client, request: object) -> None:
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
        if self.is_heavy(client) and len(self.lane_requests()) >= self.settings.slow_queries:
            raise OffriError("busy-slow-wait", {"max": self.settings.slow_queries,
                                                "retry_after": math.ceil(self.next_slow_end())})

    def wanted(self) -> list[Batch]:
        """Every batch admitted and not yet answered (also those still waiting for a worker)."""
        return [b for b in self.admitted if not b.abandoned]

    def is_heavy(self, client: Client) -> bool:
        """Whether ``client`` had a query stopped lately (its next one is likely as heavy)."""
        return client.stops(6 * self.time_limit) > 0

    def lane_requests(self) -> set[object]:
        """The slow lane with what is likely to join it: slow requests, and every running
        request of a heavy client (so that a crowd of heavy clients let in at once cannot
        swamp the processor before their queries show as slow)."""
        return {b.request for b in self.wanted() if b.slow or self.is_heavy(b.client)}

    def slow_after_cpu(self, client: Client) -> float:
        """CPU seconds after which a watched batch of ``client`` counts as slow: a fifth of
        ``slow_after`` for a client whose queries were stopped lately, twice ``slow_after`` for
        the others (a catalogue page's query computes a few hundred milliseconds at 1M)."""
        if self.is_heavy(client):
            return max(0.05, self.settings.slow_after / 5)
        return 2 * self.settings.slow_after

    def hold_shares(self, full: bool, stop_batch: Callable[[Batch, OffriError], None]) -> None:
        """Stop (with ``stop_batch``) slow requests past each client's share (its newest first)
        and past the slow lane's size (those of the clients stopped most, then using the most
        CPU lately, first; counted in requests: a page's several queries are one). Only slow
        requests count — a request that has used little CPU waits for a processor rather than
        computes — unless the pool is ``full`` (nearly), when every request that ran long does."""
        requests: dict[object, list[Batch]] = {}
        for batch in self.wanted():
            if (batch.slow or (full and batch.watched)) and not batch.future.done():
                requests.setdefault(batch.request, []).append(batch)

        def weight(request: object) -> tuple[float, float, float]:
            """Stopped first: the clients stopped most lately, that used the most CPU lately,
            then the newest request (the one that went past the limit)."""
            first = requests[request][0]
            return first.client.stops(6 * self.time_limit), first.client.heavy_recently(), first.started

        def stop(request: object, error: OffriError) -> None:
            for batch in requests.pop(request):
                stop_batch(batch, error)

        wait = self.next_slow_end()
        by_client: dict[Client, list[object]] = {}
        for request, batches in requests.items():
            by_client.setdefault(batches[0].client, []).append(request)
        for client, mine in by_client.items():
            over = len(mine) - self.settings.client_slow
            for request in sorted(mine, key=lambda r: requests[r][0].started, reverse=True)[:max(0, over)]:
                client.refused_until = time.monotonic() + wait
                stop(request, OffriError("client-slow", {"max": self.settings.client_slow,
                                                         "seconds": f"{self.settings.slow_after:g}",
                                                         "retry_after": math.ceil(wait)}))
        over = len(requests) - self.settings.slow_queries
        for request in sorted(requests, key=weight, reverse=True)[:max(0, over)]:
            stop(request, OffriError("busy-slow", {"max": self.settings.slow_queries,
                                                   "seconds": f"{self.settings.slow_after:g}",
                                                   "retry_after": math.ceil(wait)}))

    def next_slow_end(self) -> float:
        """Seconds until the first slow batch reaches its time limit (at least one)."""
        now = time.monotonic()
        ends = [b.started + b.limit - now for b in self.wanted() if b.slow and b.started]
        return max(1.0, min(ends, default=1.0))
