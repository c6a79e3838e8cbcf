"""``/sparql``: the SPARQL 1.1 Protocol endpoint — queries, updates, the service description.

The protocol's request rules are ``offri_kg.web.protocol``'s; what a query may do is read by
the guard in the worker that runs it. An update (``--allow-update`` only) is checked here,
asks for the password, and runs on the store itself, one at a time.
"""

from __future__ import annotations

import base64
import hmac
import re

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from offri_kg.errors import OffriError
from offri_kg.formats import GRAPH_OFFERS, RESULT_OFFERS, graph_format, result_format
from offri_kg.query.guard import check_update, with_using
from offri_kg.query.negotiate import choose
from offri_kg.query.results import GRAPH_TYPES
from offri_kg.store.layout import StoreLayout
from offri_kg.vocab import SD, VOID
from offri_kg.web.protocol import Operation, parse_operation
from offri_kg.web.state import ServeConfig, state_of


async def sparql(request: Request) -> Response:
    st = state_of(request)
    body = await read_body(request, st.config.max_request_bytes)
    operation = parse_operation(request.method, request.url.query, request.headers.get("content-type"), body)
    if operation is None:
        return service_description(request)
    if len(operation.text.encode()) > st.config.max_request_bytes:
        raise OffriError("request-too-large", {"size": len(operation.text.encode()),
                                               "max": st.config.max_request_bytes})
    if operation.kind == "update":
        return await update(request, operation)
    # the worker reads the query by the grammar (refusing SERVICE, LOAD, FROM of a graph
    # not held, too deep, too big) and sets the dataset from its FROM clauses; the
    # protocol's dataset wins over the query's FROM (SPARQL 1.1 Protocol §2.1.4)
    dataset = operation.has_dataset
    answer = await st.run(operation.text, request.headers.get("accept"), guard="endpoint",
                          default_graph=operation.default_graphs if dataset else None,
                          named_graphs=operation.named_graphs if dataset else None,
                          base_iri=f"{request.base_url}sparql")
    return Response(answer.body, media_type=answer.content_type, headers={"Vary": "Accept"})


async def update(request: Request, operation: Operation) -> Response:
    """A SPARQL Update from a logged-in client of this site, on the store (not the snapshot)."""
    st = state_of(request)
    if not st.config.allow_update or st.snapshots is None:
        raise OffriError("update-forbidden")
    origin = request.headers.get("origin")
    if origin and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise OffriError("update-cross-site")  # a form on another site riding on cached credentials
    address = request.client.host if request.client else ""
    wait = st.logins.wait(address)
    if wait:  # after a run of wrong passwords: no answer, right or wrong, until the wait is over
        raise OffriError("login-wait", {"retry_after": wait})
    if not authorised(request, st.config):
        st.logins.failed(address)
        raise OffriError("update-unauthorized")  # 401 with WWW-Authenticate (web.errors)
    st.logins.succeeded(address)
    base = f"{request.base_url}sparql"
    await run_in_threadpool(check_update, operation.text, base, st.config.max_depth, st.config.max_operators)
    text = with_using(operation.text, operation.default_graphs, operation.named_graphs)
    from offri_kg.store.embedded import EmbeddedStore

    def apply() -> None:
        store = EmbeddedStore(st.config.store_path)  # type: ignore[arg-type]
        try:
            store.update(text, base_iri=f"{request.base_url}sparql")
        finally:
            store.close()

    if StoreLayout(st.config.store_path).load_in_progress():  # type: ignore[arg-type]
        raise OffriError("busy", {"seconds": 0})
    async with st.update_lock:  # one writer at a time in this server
        await run_in_threadpool(apply)
    st.refresh()  # the writer's next request, and everyone's, reads what it wrote
    return Response(status_code=204)


#: The W3C format IRIs (``http://www.w3.org/ns/formats/…``) of every answer format the endpoint
#: sends, for its service description: the results formats, then the RDF ones.
SERVED_FORMATS: list[str] = list(dict.fromkeys(
    [result_format(media).iri for media in RESULT_OFFERS] + [graph_format(media).iri for media in GRAPH_OFFERS]))

def service_description(request: Request) -> Response:
    """A bare ``GET /sparql``: what the endpoint offers (SPARQL 1.1 Service Description)."""
    endpoint = str(request.url_for("sparql"))
    formats = ", ".join(f"<{iri}>" for iri in SERVED_FORMATS)
    turtle = f"""@prefix sd: <{SD}> .
@prefix void: <{VOID}> .
[] a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL11Query{", sd:SPARQL11Update" if state_of(request).config.allow_update else ""} ;
  sd:resultFormat {formats} ;
  sd:feature sd:UnionDefaultGraph ;
  sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ; void:sparqlEndpoint <{endpoint}> ] ] .
"""
    media = choose(request.headers.get("accept"), ["text/turtle", *GRAPH_TYPES]) or "text/turtle"
    if media not in GRAPH_TYPES or media == "text/turtle":
        return Response(turtle, media_type="text/turtle; charset=utf-8", headers={"Vary": "Accept"})
    graph = ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)
    return Response(ox.serialize(list(graph), format=GRAPH_TYPES[media]), media_type=media,
                    headers={"Vary": "Accept"})


async def read_body(request: Request, cap: int) -> bytes:
    """The body; ``request-too-large`` once it passes ``cap`` bytes (read no further than that)."""
    declared = request.headers.get("content-length")
    if declared and re.fullmatch(r"[0-9]{1,18}", declared) and int(declared) > cap:
        raise OffriError("request-too-large", {"size": int(declared), "max": cap})
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise OffriError("request-too-large", {"size": size, "max": cap})
        chunks.append(chunk)
    return b"".join(chunks)


def authorised(request: Request, config: ServeConfig) -> bool:
    """Whether the request carries the update user's name and password (HTTP Basic)."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic ") or not config.user or not config.password:
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    return (hmac.compare_digest(user.encode(), config.user.encode())
            & hmac.compare_digest(password.encode(), config.password.encode()))
