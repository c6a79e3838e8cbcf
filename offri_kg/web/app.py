"""``offri serve``: the SPARQL endpoint, linked-data pages and the catalogue, as one ASGI app.

This module is the table: which address each handler answers, and what wraps them all. The
handlers live with their area (``endpoint``, ``linked_data``, ``browse``, ``dataset``,
``editor``), the running state on ``app.state.offri`` (``state``), errors are answered in one
place (``errors``), pages are cached per store generation (``cache``).

Every query — the endpoint's and the pages' own — runs in a worker process
(``offri_kg.web.workers``), so the time limit and crash isolation hold for all of them. Pages
and their machine-readable twins are cached per store generation: a committed load makes a new
generation, so a cached answer is never stale.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route

from offri_kg.web import browse, dataset, endpoint, linked_data
from offri_kg.web.editor import editor_routes
from offri_kg.web.errors import EXCEPTION_HANDLERS, CatchAll, unexpected
from offri_kg.web.pages import LanguageCookie
from offri_kg.web.remote import RemoteRunner
from offri_kg.web.security import ClientIdentity, SecurityHeaders
from offri_kg.web.snapshot import Snapshots
from offri_kg.web.state import ServeConfig, ServeState, config_from_env, reads_store
from offri_kg.web.workers import QueryPool

__all__ = ["ServeConfig", "ServeState", "config_from_env", "create_app"]


def create_app(config: ServeConfig) -> Starlette:
    """The ASGI app for ``config`` (workers start with the app's lifespan). Handlers that read
    the store look at it first (``reads_store``): what a load committed is what they read."""
    routes = [
        *editor_routes(),
        Route("/", reads_store(browse.home)),
        Route("/sparql", reads_store(endpoint.sparql), methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
              name="sparql"),
        Route("/queries", browse.queries_page),
        Route("/browse/{kind}", reads_store(browse.browse)),
        Route("/ns", linked_data.ontology_redirect),
        Route("/queries/{name}", reads_store(browse.query_page)),
        Route("/doc/{path:path}", reads_store(linked_data.document), name="document"),
        Route("/.well-known/void", reads_store(dataset.void)),
        Route("/sitemap.xml", reads_store(dataset.sitemap)),
        Route("/sitemap-{number:str}.xml", reads_store(dataset.sitemap_part)),
        Route("/dump.nq", reads_store(dataset.dump)),
        *[Route(f"/{prefix}/{{rest:path}}", linked_data.minted) for prefix in linked_data.MINTED],
    ]
    # outermost first: every answer gets the security headers (a bug's 500 too); a bug still
    # answers in words; the query pool knows the client; a chosen language is remembered; any
    # site may read
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(CatchAll, handler=unexpected),
        Middleware(ClientIdentity),
        Middleware(LanguageCookie),
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                   allow_headers=["Accept", "Content-Type", "Authorization", "X-Requested-With"]),
    ]
    return Starlette(routes=routes, middleware=middleware, exception_handlers=EXCEPTION_HANDLERS,
                     lifespan=serving(config))


def serving(config: ServeConfig) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """The app's lifespan: start the query workers (or connect to the remote store) and put the
    running state on ``app.state.offri``; stop them at the end."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if config.endpoint:
            runner = RemoteRunner(config.endpoint, time_limit=config.time_limit)
            app.state.offri = ServeState(config=config, snapshots=None, pool=runner)  # FROM: none allowed
            try:
                yield
            finally:
                runner.close()
            return
        snapshots = Snapshots(config.store_path)  # type: ignore[arg-type]
        pool = QueryPool(config.pool_settings())
        await pool.start()
        app.state.offri = ServeState(config=config, snapshots=snapshots, pool=pool)
        try:
            yield
        finally:
            pool.close()
            snapshots.close()

    return lifespan
