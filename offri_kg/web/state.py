"""What a running server holds: its settings, the snapshot it reads, its query workers, caches.

One object, ``ServeState``, on ``app.state.offri`` (Starlette's place for it): route handlers
are plain functions that find it through ``state_of(request)``, so each can be imported and
driven alone, and nothing is shared through a closure.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from offri_kg.query.guard import MAX_OPERATORS
from offri_kg.query.worker import Answer, Job
from offri_kg.web.cache import PageCache, Recent
from offri_kg.web.remote import RemoteRunner
from offri_kg.web.security import CLIENT, REQUEST, LoginThrottle
from offri_kg.web.snapshot import Snapshots
from offri_kg.web.workers import PoolSettings, QueryPool


@dataclass
class ServeConfig:
    """How the server runs; every limit has a default a public endpoint can live with."""

    store_path: Path | None
    endpoint: str | None = None
    time_limit: float = 10.0
    row_cap: int = 100_000
    max_request_bytes: int = 1_000_000
    max_depth: int = 64
    max_operators: int = MAX_OPERATORS
    workers: int = 2  # fast query worker processes kept ready
    slow_after: float = 0.5  # seconds before a running query is moved to the slow lane
    max_queries: int = 128  # queries running at once, all clients
    slow_queries: int = 8  # slow queries running at once
    client_queries: int = 8  # queries one client may have running at once
    client_slow: int = 2  # slow queries one client may have running at once
    max_memory: int = 1024**3  # bytes one worker process may hold
    allow_update: bool = False
    user: str | None = None
    password: str | None = None
    cache_entries: int = 2048
    page_rows: int = 1000  # rows a stored-query page shows (its CSV has all)
    browse_rows: int = 100  # items per page of a type page
    sitemap_size: int = 50_000  # URLs per sitemap file (the sitemaps.org limit)

    def pool_settings(self) -> PoolSettings:
        return PoolSettings(workers=self.workers, time_limit=self.time_limit, slow_after=self.slow_after,
                            max_queries=self.max_queries, slow_queries=self.slow_queries,
                            client_queries=self.client_queries, client_slow=self.client_slow,
                            max_memory=self.max_memory)


def config_from_env(store_path: Path | None, **overrides: object) -> ServeConfig:
    """A config whose update credentials come only from the environment."""
    return ServeConfig(store_path=store_path, user=os.environ.get("OFFRI_SERVE_USER"),
                       password=os.environ.get("OFFRI_SERVE_PASSWORD"), **overrides)  # type: ignore[arg-type]


@dataclass(eq=False)
class ServeState:
    """The running server: built by the app's lifespan once the workers have started."""

    config: ServeConfig
    snapshots: Snapshots | None  # None in front of a remote endpoint
    pool: QueryPool | RemoteRunner
    pages: PageCache = field(init=False)
    summaries: Recent = field(default_factory=lambda: Recent(256))  # a type page's count and facets
    sitemap: tuple[str, list[str]] | None = None  # (store generation, IRIs it holds)
    update_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one writer at a time
    dump_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one dump written at a time
    logins: LoginThrottle = field(default_factory=LoginThrottle)

    def __post_init__(self) -> None:
        self.pages = PageCache(self.config.cache_entries, self.config.time_limit + 5, lambda: self.generation)

    @property
    def generation(self) -> str | None:
        """The store generation being served; None for a remote store (nothing is cached)."""
        return self.snapshots.generation if self.snapshots is not None else None

    def refresh(self) -> None:
        """New snapshot and empty caches when the store has changed since the last request."""
        if self.snapshots is not None and self.snapshots.refresh():
            self.pages.clear()
            self.summaries.clear()

    async def run(self, sparql: str, accept: str | None = None, want_rows: bool = False,
                  default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
                  base_iri: str | None = None, row_cap: int | None = None, first_rows: bool = False,
                  guard: str | None = None, spreadsheet: bool = False) -> Answer:
        """One query in a worker, on behalf of the client of the request being answered.
        ``guard="endpoint"`` for a client's own text (the worker reads and checks it)."""
        dataset = default_graph is not None or named_graphs is not None
        job = Job(sparql=sparql, accept=accept, db=str(self.snapshots.current) if self.snapshots else "",
                  row_cap=row_cap or self.config.row_cap, want_rows=want_rows, base_iri=base_iri,
                  first_rows=first_rows, default_graph=tuple(default_graph or ()) if dataset else None,
                  named_graphs=tuple(named_graphs or ()) if dataset else None, guard=guard,
                  max_depth=self.config.max_depth, max_operators=self.config.max_operators, spreadsheet=spreadsheet)
        return (await self.pool.arun_many([job], client=CLIENT.get(), request=REQUEST.get()))[0]

    async def run_pages(self, queries: list[str]) -> list[Answer]:
        """Rows of several queries a page needs, in one round trip to one worker."""
        db = str(self.snapshots.current) if self.snapshots else ""
        jobs = [Job(sparql=q, accept=None, db=db, row_cap=self.config.page_rows, want_rows=True) for q in queries]
        return await self.pool.arun_many(jobs, client=CLIENT.get(), request=REQUEST.get())


def state_of(request: Request) -> ServeState:
    """The state of the app answering ``request``."""
    return request.app.state.offri


Endpoint = Callable[[Request], Awaitable[Response]]


def reads_store(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` behind a look at the store: a committed load since the last request gives a
    new snapshot (and empty caches) before the request reads anything."""

    @functools.wraps(endpoint)
    async def fresh(request: Request) -> Response:
        state_of(request).refresh()
        return await endpoint(request)

    return fresh
