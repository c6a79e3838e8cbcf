"""``offri serve``: the SPARQL endpoint, linked data and the catalogue, over HTTP."""

from __future__ import annotations

from typing import Annotated

import typer

from offri_kg.cli.options import (
    EndpointOption,
    LangOption,
    MemoryOption,
    StoreOption,
    byte_size,
    count_option,
    seconds_option,
)
from offri_kg.cli.store import one_store
from offri_kg.cli.talk import fail, language
from offri_kg.errors import OffriError
from offri_kg.i18n import message


def serve(
    store: StoreOption = None,
    endpoint: EndpointOption = None,
    host: Annotated[str, typer.Option(metavar="ADDRESS", help="Address to listen on (loopback by default).")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8000,
    time_limit: Annotated[float, seconds_option("--time-limit", help="Seconds a query may run.")] = 10.0,
    max_rows: Annotated[int, count_option("--max-rows", help="Most rows an answer may have.")] = 100_000,
    workers: Annotated[int, count_option(help="Query worker processes kept ready (more start as needed).")] = 2,
    max_memory: MemoryOption = "1G",
    slow_after: Annotated[float, seconds_option(
        "--slow-after", help="Seconds after which a running query yields to newer ones (the slow lane).")] = 0.5,
    max_queries: Annotated[int, count_option("--max-queries", help="Queries running at once, all clients.")] = 128,
    slow_queries: Annotated[int, count_option("--slow-queries", help="Slow queries running at once.")] = 8,
    client_queries: Annotated[int, count_option(
        "--client-queries", help="Queries one client (address and User-Agent) may run at once.")] = 8,
    client_slow: Annotated[int, count_option("--client-slow", help="Slow queries one client may run at once.")] = 2,
    max_depth: Annotated[int, count_option("--max-depth", help="Deepest nesting of brackets a query may have.")] = 64,
    max_operators: Annotated[int, count_option(
        "--max-operators", help="Most patterns and operators one query may combine.")] = 1000,
    proxy: Annotated[str | None, typer.Option(
        "--proxy", metavar="ADDRESSES",
        help="Addresses of a reverse proxy whose X-Forwarded-For names the client (comma-separated).")] = None,
    allow_update: Annotated[bool, typer.Option(
        "--allow-update", help="Accept SPARQL Update from clients that log in as "
        "$OFFRI_SERVE_USER / $OFFRI_SERVE_PASSWORD (never given on the command line).")] = False,
    lang: LangOption = None,
) -> None:
    """Serve the store: SPARQL endpoint, linked data and the catalogue in a browser."""
    import uvicorn

    from offri_kg.build import build_default
    from offri_kg.store.base import default_store_path
    from offri_kg.store.layout import StoreLayout
    from offri_kg.web.app import config_from_env, create_app

    words = language(lang)
    path = None if endpoint else (store or default_store_path())
    try:
        one_store(store, endpoint)
        for option, value in (("--workers", workers), ("--max-queries", max_queries), ("--slow-queries", slow_queries),
                              ("--client-queries", client_queries), ("--client-slow", client_slow),
                              ("--max-depth", max_depth), ("--max-operators", max_operators)):
            if value < 1:
                raise OffriError("bad-count", {"option": option, "value": value})
        if not (time_limit > 0 and slow_after > 0):
            raise OffriError("bad-timeout", {"value": time_limit if not time_limit > 0 else slow_after})
        config = config_from_env(path, endpoint=endpoint, time_limit=time_limit, row_cap=max_rows, workers=workers,
                                 max_memory=byte_size(max_memory, "--max-memory"), slow_after=slow_after,
                                 max_queries=max_queries, slow_queries=slow_queries, client_queries=client_queries,
                                 client_slow=client_slow, max_depth=max_depth, max_operators=max_operators,
                                 allow_update=allow_update)
        if allow_update and not (config.user and config.password):
            raise OffriError("update-credentials-missing")
        if path is not None and not StoreLayout(path).has_store():
            if store is not None:  # a typo must not serve example data as if it were the steward's
                raise OffriError("serve-store-missing", {"path": str(path)})
            build_default(path)  # a fresh machine: serve the shipped data from the default place
    except OffriError as error:
        fail(error, words)
    typer.echo(message("serve-ready", words, url=f"http://{host}:{port}/"))
    # the client's address is the peer's, unless a proxy we were told to trust says otherwise
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", proxy_headers=proxy is not None,
                forwarded_allow_ips=proxy or "")
