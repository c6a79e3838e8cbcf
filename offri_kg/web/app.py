"""``offri serve``: the SPARQL endpoint, linked-data pages and the catalogue, as one ASGI app.

Every query — the endpoint's and the pages' own — runs in a worker process
(``offri_kg.web.workers``), so the time limit and crash isolation hold for all of them. Pages
and their machine-readable twins are cached per store generation: a committed load makes a new
generation, so a cached answer is never stale.
"""

from __future__ import annotations

import asyncio
import base64
import re
import contextlib
import hashlib
import hmac
import html
import logging
import math
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from offri_kg.errors import OffriError
from offri_kg.i18n import LANGS, render_error, t
from offri_kg.names import shorten
from offri_kg.query.bind import bindings, with_values_block
from offri_kg.query.library import get_stored_query, stored_queries
from offri_kg.web import catalogue
from offri_kg.query.negotiate import choose
from offri_kg.web.pages import BASE, language, link, templates
from offri_kg.query.guard import MAX_OPERATORS, check_update, with_using
from offri_kg.web.protocol import ProtocolError, parse_operation
from offri_kg.query.results import GRAPH_TYPES
from offri_kg.web.remote import RemoteRunner
from offri_kg.web.snapshot import Snapshots
from offri_kg.web.text import w
from offri_kg.query.worker import Answer, Job
from offri_kg.web.security import CLIENT, REQUEST, ClientIdentity, LoginThrottle, SecurityHeaders
from offri_kg.web.workers import PoolSettings, QueryPool
from offri_kg.web.editor import editor_routes

OFFRI = BASE + "ns#"
ILLUSTRATIVE = OFFRI + "illustrative"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCT = "http://purl.org/dc/terms/"
#: URL path prefixes of minted resources (slash URIs: 303 to a document)
MINTED = ("id", "vocab", "graph")
RDF_EXTENSIONS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                  "rdf": "application/rdf+xml"}
#: schema.org types for the JSON-LD a page embeds
SCHEMA_TYPES = {OFFRI + "Actor": "Organization", OFFRI + "Municipality": "GovernmentOrganization",
                OFFRI + "Partnership": "Project", OFFRI + "CollaborationModel": "HowTo", OFFRI + "Case": "Report",
                OFFRI + "Goal": "Thing", SKOS + "Concept": "DefinedTerm", SKOS + "ConceptScheme": "DefinedTermSet"}
#: what may not appear in a document path (it would end or escape the IRI in a query)
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\#\x7f]')
DOC_OFFERS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]


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


@dataclass
class _State:
    config: ServeConfig
    snapshots: Snapshots | None  # None in front of a remote endpoint
    pool: "QueryPool | RemoteRunner"
    cache: OrderedDict = field(default_factory=OrderedDict)
    sitemap: tuple[str, list[str]] | None = None  # (store generation, IRIs it holds)
    summaries: OrderedDict = field(default_factory=OrderedDict)  # a type page's count and facets


def create_app(config: ServeConfig) -> Starlette:
    """The ASGI app for ``config`` (workers start with the app's lifespan)."""
    env = templates()
    holder: dict[str, _State] = {}
    update_lock = asyncio.Lock()
    dump_lock = asyncio.Lock()
    inflight: dict[tuple, asyncio.Future] = {}  # pages being computed, by cache key
    logins = LoginThrottle()

    def state() -> _State:
        return holder["state"]

    def refresh() -> None:
        """New snapshot and empty cache when the store has changed since the last request."""
        st = state()
        if st.snapshots is not None and st.snapshots.refresh():
            st.cache.clear()
            st.summaries.clear()

    async def run(sparql: str, accept: str | None = None, want_rows: bool = False,
                  default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
                  base_iri: str | None = None, row_cap: int | None = None, first_rows: bool = False,
                  guard: str | None = None, spreadsheet: bool = False) -> Answer:
        """One query in a worker, on behalf of the client of the request being answered.
        ``guard="endpoint"`` for a client's own text (the worker reads and checks it)."""
        st = state()
        dataset = default_graph is not None or named_graphs is not None
        job = Job(sparql=sparql, accept=accept, db=str(st.snapshots.current) if st.snapshots else "",
                  row_cap=row_cap or st.config.row_cap, want_rows=want_rows, base_iri=base_iri, first_rows=first_rows,
                  default_graph=tuple(default_graph or ()) if dataset else None,
                  named_graphs=tuple(named_graphs or ()) if dataset else None, guard=guard,
                  max_depth=st.config.max_depth, max_operators=st.config.max_operators, spreadsheet=spreadsheet)
        return (await st.pool.arun_many([job], client=CLIENT.get(), request=REQUEST.get()))[0]

    async def run_pages(queries: list[str]) -> list[Answer]:
        """Rows of several queries a page needs, in one round trip to one worker."""
        st = state()
        db = str(st.snapshots.current) if st.snapshots else ""
        jobs = [Job(sparql=q, accept=None, db=db, row_cap=st.config.page_rows, want_rows=True) for q in queries]
        return await st.pool.arun_many(jobs, client=CLIENT.get(), request=REQUEST.get())

    def error_response(request: Request, error: OffriError, status: int) -> Response:
        lang = language(request)
        text = render_error(error, lang)
        headers = {"Allow": "GET, POST"} if status == 405 else {}
        if status in (429, 503):  # when to try again: the pool's own estimate, else a few seconds
            headers["Retry-After"] = str(error.params.get("retry_after", 5))
        headers["Vary"] = "Accept, Accept-Language, Cookie"  # JSON or text, in the reader's language
        if choose(request.headers.get("accept"), ["text/plain", "application/json", "text/html"]) == "application/json":
            return JSONResponse({"error": error.code, "message": text}, status_code=status, headers=headers)
        return PlainTextResponse(text + "\n", status_code=status, headers=headers)

    def status_of(error: OffriError) -> int:
        if isinstance(error, ProtocolError):
            return error.status
        return {"query-timeout": 503, "busy": 503, "busy-slow": 503, "busy-slow-wait": 503, "query-memory": 503, "client-wait": 429,
                "client-too-many": 429, "client-slow": 429, "login-wait": 429,
                "query-crashed": 500, "not-acceptable": 406,
                "endpoint-unreachable": 502, "endpoint-error": 502, "endpoint-partial": 502, "endpoint-timeout": 504,
                "endpoint-login-refused": 502, "remote-dataset": 400, "query-failed": 500,
                "store-locked": 503, "store-error": 500, "update-cross-site": 403, "dump-failed": 503,
                "too-many-rows": 422, "request-too-large": 413, "update-unauthorized": 401,
                "update-forbidden": 403, "not-found": 404, "unknown-query": 404,
                "unknown-query-none": 404}.get(error.code, 400)

    def page_key(request: Request, *parts: object) -> tuple:
        """A cache key: the store generation this request reads (taken before any await, so a
        page computed from an older snapshot is never filed under a newer one) and the host
        (pages carry absolute URLs), then what the page depends on."""
        st = state()
        return (st.snapshots.generation if st.snapshots else "", str(request.base_url), *parts)

    def cached(key: tuple, request: Request) -> Response | None:
        """The cached answer for ``key``, or ``304 Not Modified`` when the client already has
        it (``If-None-Match`` with its ETag)."""
        st = state()
        if st.snapshots is None:
            return None  # a remote store: offri cannot know when it changes
        hit = st.cache.get(key)
        if hit is None:
            return None
        st.cache.move_to_end(key)
        status, headers, raw, body = hit
        etag = headers.get("etag")
        # weak comparison (RFC 9110 §13.1.2): W/"x" matches "x", and * matches any
        wanted = [t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")]
        if etag and (etag in wanted or "*" in wanted):
            return Response(status_code=304, headers={k: v for k, v in headers.items()
                                                      if k in ("etag", "cache-control", "vary")})
        return _Stored(status, raw, body)

    def remember(key: tuple, response: Response) -> Response:
        """File a computed answer under ``key``. It gets an ETag (of its bytes) and
        ``Cache-Control: no-cache``: a browser or proxy may keep it but asks each time, and a
        store that has not changed answers ``304`` without sending the page again."""
        st = state()
        if st.snapshots is None:
            return response
        if response.status_code == 200:
            response.headers["ETag"] = '"' + hashlib.blake2b(response.body, digest_size=12).hexdigest() + '"'
            response.headers["Cache-Control"] = "no-cache"
        st.cache[key] = (response.status_code, dict(response.headers), list(response.raw_headers), response.body)
        while len(st.cache) > st.config.cache_entries:
            st.cache.popitem(last=False)
        return response

    async def lookup(key: tuple, request: Request) -> tuple[Response | None, asyncio.Future | None]:
        """The cached answer for ``key``, or the claim to compute it. Requests for a page that
        another request is computing wait for it instead of computing it too (the first
        visitors after a load would otherwise all pay for the same page at once)."""
        hit = cached(key, request)
        if hit is not None or state().snapshots is None:
            return hit, None
        computing = inflight.get(key)
        if computing is not None:
            # wait once: if that computation fails, compute it here rather than queue behind
            # the next one (a failing page would otherwise hold its visitors one after another)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(computing), state().config.time_limit + 5)
            hit = cached(key, request)
            if hit is not None or key in inflight:
                return hit, None
        claim = asyncio.get_running_loop().create_future()
        inflight[key] = claim
        return None, claim

    def release(key: tuple | None, claim: asyncio.Future | None) -> None:
        """End a claim (the answer is filed by then, or it failed): its waiters go on."""
        if claim is None or key is None:
            return
        if inflight.get(key) is claim:
            del inflight[key]
        if not claim.done():
            claim.set_result(None)

    # ---- the SPARQL endpoint --------------------------------------------------------------
    async def sparql(request: Request) -> Response:
        st = state()
        body = await _read_body(request, st.config.max_request_bytes)
        try:
            if isinstance(body, OffriError):
                raise body
            refresh()
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
            answer = await run(operation.text, request.headers.get("accept"), guard="endpoint",
                               default_graph=operation.default_graphs if dataset else None,
                               named_graphs=operation.named_graphs if dataset else None,
                               base_iri=f"{request.base_url}sparql")
        except OffriError as error:
            return error_response(request, error, status_of(error))
        return Response(answer.body, media_type=answer.content_type, headers={"Vary": "Accept"})

    async def update(request: Request, operation) -> Response:  # noqa: ANN001
        st = state()
        if not st.config.allow_update or st.snapshots is None:
            raise OffriError("update-forbidden")
        origin = request.headers.get("origin")
        if origin and origin.rstrip("/") != str(request.base_url).rstrip("/"):
            raise OffriError("update-cross-site")  # a form on another site riding on cached credentials
        address = request.client.host if request.client else ""
        wait = logins.wait(address)
        if wait:  # after a run of wrong passwords: no answer, right or wrong, until the wait is over
            raise OffriError("login-wait", {"retry_after": wait})
        if not _authorised(request, st.config):
            logins.failed(address)
            response = error_response(request, OffriError("update-unauthorized"), 401)
            response.headers["WWW-Authenticate"] = 'Basic realm="offri"'
            return response
        logins.succeeded(address)
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

        if (st.config.store_path / "load-in-progress.json").exists():  # type: ignore[operator]
            raise OffriError("busy", {"seconds": 0})
        async with update_lock:  # one writer at a time in this server
            await run_in_threadpool(apply)
        refresh()
        return Response(status_code=204)

    def service_description(request: Request) -> Response:
        endpoint = str(request.url_for("sparql"))
        turtle = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
[] a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL11Query{", sd:SPARQL11Update" if state().config.allow_update else ""} ;
  sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>, <http://www.w3.org/ns/formats/SPARQL_Results_XML>,
    <http://www.w3.org/ns/formats/SPARQL_Results_CSV>, <http://www.w3.org/ns/formats/SPARQL_Results_TSV>,
    <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/N-Triples>,
    <http://www.w3.org/ns/formats/JSON-LD>, <http://www.w3.org/ns/formats/RDF_XML> ;
  sd:feature sd:UnionDefaultGraph ;
  sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ; void:sparqlEndpoint <{endpoint}> ] ] .
"""
        media = choose(request.headers.get("accept"), ["text/turtle", *GRAPH_TYPES]) or "text/turtle"
        if media not in GRAPH_TYPES or media == "text/turtle":
            return Response(turtle, media_type="text/turtle; charset=utf-8", headers={"Vary": "Accept"})
        graph = ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)
        return Response(ox.serialize(list(graph), format=GRAPH_TYPES[media]), media_type=media,
                        headers={"Vary": "Accept"})

    # ---- linked data ----------------------------------------------------------------------
    async def minted(request: Request) -> Response:
        """A resource URI: 303 See Other to the document about it (W3C Cool URIs)."""
        raw = request.scope.get("raw_path")  # as sent: "%25" must stay escaped in the Location
        path = (raw.decode("latin-1") if raw else quote(request.url.path)).lstrip("/")
        media = choose(request.headers.get("accept"), DOC_OFFERS) or "text/html"
        suffix = "" if media == "text/html" else "." + next(k for k, v in RDF_EXTENSIONS.items() if v == media)
        return RedirectResponse(f"/doc/{path}{suffix}", status_code=303, headers={"Vary": "Accept"})

    async def document(request: Request) -> Response:
        path = request.path_params["path"]
        media = None
        for ext, mt in [*RDF_EXTENSIONS.items(), ("html", "text/html")]:
            if path.endswith("." + ext):
                path, media = path[: -len(ext) - 1], mt
                break
        if media is None:
            media = choose(request.headers.get("accept"), DOC_OFFERS) or "text/html"
        if _NOT_IN_IRI.search(path):
            # the path becomes an IRI in a query: nothing that could end or escape it gets in
            return error_response(request, OffriError("not-found", {"what": path[:80]}), 404)
        iri = BASE + path
        lang = language(request)
        key, claim = None, None
        try:
            refresh()
            key = page_key(request, "doc", iri, media, lang)
            hit, claim = await lookup(key, request)
            if hit:
                return hit
            if media != "text/html":
                answer = await run(_describe_document(iri, path), media)
                if not answer.body:
                    raise OffriError("not-found", {"what": iri})
                return remember(key, Response(answer.body, media_type=answer.content_type,
                                              headers={"Vary": "Accept", "Link": f'<{iri}>; rel="describes"'}))
            if iri == BASE + "ns":
                page = await ontology_page(lang, request)
            elif path.startswith("vocab/") and path.count("/") == 1:
                page = await scheme_page(iri, lang, request)
            else:
                page = await resource_page(iri, lang, request)
            return remember(key, page)
        except OffriError as error:
            return error_response(request, error, status_of(error))
        finally:
            release(key, claim)

    async def resource_page(iri: str, lang: str, request: Request) -> Response:
        # everything the page may show, in one batch: the class-specific sections come back
        # empty for a resource of another class
        section_classes = list(catalogue.SECTIONS)
        answers = await run_pages([_outgoing(iri, lang), _incoming(iri, lang),
                                   catalogue.participation_query(iri, lang),
                                   *[catalogue.sections_query(iri, cls, lang) or "" for cls in section_classes]])
        out, incoming, people = answers[0], answers[1], answers[2]
        section_rows = dict(zip(section_classes, answers[3:]))
        if not out.rows:
            raise OffriError("not-found", {"what": iri})
        values = [_cell(r, "p", "pl", "o", "ol") for r in out.rows]
        label = _best_label(out.rows, iri, lang)
        types = [v for v in values if v["p"] == RDF_TYPE]
        illustrative = any(r["p"].value == ILLUSTRATIVE and r["o"].value in ("true", "1") for r in out.rows)
        path = iri[len(BASE):]
        schema_type = next((SCHEMA_TYPES[t["value"]] for t in types if t["value"] in SCHEMA_TYPES), "Thing")
        json_ld = {"@context": "https://schema.org/", "@id": iri, "@type": schema_type, "name": label,
                   "url": str(request.url_for("document", path=path)), "inLanguage": lang}
        if illustrative:
            json_ld["disambiguatingDescription"] = w("illustrative", lang)
        description = next((r["o"].value for r in out.rows if r["p"].value in (DCT + "description", SKOS + "definition")
                            and isinstance(r["o"], ox.Literal) and r["o"].language in (lang, None)), None)
        if description:
            json_ld["description"] = description
        sections, diagram = [], None
        for cls in [t["value"] for t in types]:
            if cls not in section_rows:
                continue
            rows = section_rows[cls].rows
            names = catalogue.SECTIONS[cls]
            for index, (nb, en, _path) in enumerate(names):
                shown = [{"label": r["label"].value, "href": link(r["value"])} for r in rows
                         if int(r["section"].value) == index]
                if shown:
                    sections.append({"title": nb if lang == "nb" else en, "values": shown})
            if cls == OFFRI + "Partnership":
                diagram = catalogue.role_diagram(label, [
                    {"actor": r["actor"].value, "actorLabel": r["actorLabel"].value,
                     "roleLabel": r["roleLabel"].value if r["roleLabel"] else "",
                     "sector": r["sector"].value if r["sector"] else ""} for r in people.rows],
                    w("diagram-title", lang).format(name=label))
        return _html(env, "resource.html", lang, request, title=label, iri=iri, path=path, types=types,
                     sections=sections, diagram=diagram,
                     values=[v for v in values if v["p"] != RDF_TYPE], illustrative=illustrative,
                     description=description,
                     incoming=[_cell(r, "p", "pl", "s", "sl") for r in incoming.rows],
                     schema=json_ld, twins=[(f"/doc/{path}.{ext}", mt) for ext, mt in RDF_EXTENSIONS.items()])

    async def ontology_page(lang: str, request: Request) -> Response:
        """The ontology as a page: each class and property with its label, definition and an
        anchor, so the hash URIs ``…/ns#Term`` land on their own entry."""
        rows = (await run(catalogue.PREFIXES + "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
                          "SELECT ?term ?kind (SAMPLE(?l_) AS ?label) (SAMPLE(?c_) AS ?comment) WHERE { "
                          "VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty } "
                          f"?term a ?kind . FILTER(STRSTARTS(STR(?term), \"{OFFRI}\")) "
                          + catalogue.label_pattern("?term", "?l_", lang)
                          + f" OPTIONAL {{ ?term rdfs:comment|skos:definition ?c_ FILTER(langMatches(lang(?c_), \"{lang}\")) }} }}"
                          " GROUP BY ?term ?kind ORDER BY ?kind LCASE(STR(?label))", want_rows=True)).rows
        groups: dict[str, list[dict[str, str]]] = {}
        for r in rows:
            groups.setdefault(r["kind"].value.rsplit("#", 1)[-1], []).append({
                "anchor": r["term"].value.rsplit("#", 1)[-1], "iri": r["term"].value, "label": r["label"].value,
                "comment": r["comment"].value if r["comment"] else ""})
        if not groups:
            raise OffriError("not-found", {"what": BASE + "ns"})
        return _html(env, "ontology.html", lang, request, title=w("ontology", lang), groups=groups)

    async def scheme_page(iri: str, lang: str, request: Request) -> Response:
        """A concept scheme: its hierarchy (broader/narrower) and an A–Z list, as Skosmos shows them."""
        rows = (await run(catalogue.PREFIXES + "SELECT ?c (SAMPLE(?l_) AS ?label) (SAMPLE(?b_) AS ?broader) "
                          f"(SAMPLE(?d_) AS ?definition) WHERE {{ ?c skos:inScheme <{iri}> . "
                          "OPTIONAL { ?c skos:broader ?b_ } "
                          f"OPTIONAL {{ ?c skos:definition ?d_ FILTER(langMatches(lang(?d_), \"{lang}\")) }} "
                          + catalogue.label_pattern("?c", "?l_", lang) + " } GROUP BY ?c", want_rows=True)).rows
        scheme = (await run(catalogue.PREFIXES + "SELECT ?label WHERE { "
                            + catalogue.label_pattern(f"<{iri}>", "?label", lang, name=catalogue.TITLE)
                            + " }", want_rows=True)).rows
        if not rows:
            raise OffriError("not-found", {"what": iri})
        concepts = {r["c"].value: {"iri": r["c"].value, "href": link(r["c"]), "label": r["label"].value,
                                   "definition": r["definition"].value if r["definition"] else "",
                                   "broader": r["broader"].value if r["broader"] else None, "narrower": []}
                    for r in rows}
        tops = []
        for concept in sorted(concepts.values(), key=lambda c: c["label"].lower()):
            parent = concepts.get(concept["broader"]) if concept["broader"] else None
            (parent["narrower"] if parent else tops).append(concept)
        letters: dict[str, list[dict]] = {}
        for concept in sorted(concepts.values(), key=lambda c: c["label"].lower()):
            letters.setdefault(concept["label"][:1].upper(), []).append(concept)
        title = scheme[0]["label"].value if scheme else iri
        return _html(env, "scheme.html", lang, request, title=title, iri=iri, tops=tops, letters=letters)

    # ---- catalogue pages ------------------------------------------------------------------
    async def browse(request: Request) -> Response:
        """A type page: items, facets with counts that combine, text search, CSV of what is shown."""
        lang = language(request)
        key, claim = None, None
        try:
            kind = catalogue.kind(request.path_params["kind"])
            chosen = catalogue.selection(kind, list(request.query_params.multi_items()))
            text = (request.query_params.get("q") or "").strip()[:200] or None
            csv = request.query_params.get("format") == "csv"
            page = _page_number(request.query_params.get("page"))
            st = state()
            refresh()
            selected = tuple(sorted((k, tuple(v)) for k, v in chosen.items()))
            key = page_key(request, "browse", kind.key, selected, text, csv, page, lang)
            hit, claim = await lookup(key, request)
            if hit:
                return hit
            limit = st.config.browse_rows
            if csv:  # all of it, not one page: a researcher's table
                answer = await run(catalogue.items_query(kind, chosen, text, lang, st.config.row_cap + 1), "text/csv",
                                   spreadsheet=True)
                return remember(key, _csv_download(answer.body, kind.key))
            # the items, their count and every facet at once: they run side by side in the workers;
            # count and facets do not depend on the page, so the next page reuses them
            summary_key = page_key(request, "browse-summary", kind.key, selected, text, lang)
            summary = st.summaries.get(summary_key) if st.snapshots is not None else None  # (remote: no cache)
            items, *fresh = await asyncio.gather(
                run(catalogue.items_query(kind, chosen, text, lang, limit, (page - 1) * limit),
                    want_rows=True, row_cap=limit),
                *([] if summary else [run(catalogue.count_query(kind, chosen, text), want_rows=True),
                                      *[run(catalogue.facet_query(kind, facet, chosen, text, lang), want_rows=True,
                                            row_cap=catalogue.FACET_VALUES) for facet in kind.facets]]))
            if summary is None:
                summary = (fresh[0], fresh[1:])
                if st.snapshots is not None:
                    st.summaries[summary_key] = summary
                    while len(st.summaries) > 256:
                        st.summaries.popitem(last=False)
            total, counted = summary
            facets = []
            for facet, answer in zip(kind.facets, counted):
                facets.append({"key": facet.key, "label": facet.label.get(lang, facet.label["en"]),
                               "values": [{"iri": r["v"].value, "label": r["label"].value, "n": int(r["n"].value),
                                           "on": r["v"].value in chosen.get(facet.key, [])} for r in answer.rows]})
            # links are built from what was understood, never from the raw query string (it is
            # not part of the cache key)
            query = [("q", text)] if text else []
            query += [(f"f.{key_}", value) for key_, values in chosen.items() for value in values]
            return remember(key, _html(env, "browse.html", lang, request, title=kind.label.get(lang, kind.label["en"]),
                                       kind=kind, facets=facets, text=text or "",
                                       total=int(total.rows[0]["n"].value), first=(page - 1) * limit + 1,
                                       previous_link=("?" + urlencode([*query, ("page", page - 1)])) if page > 1 else None,
                                       next_link=("?" + urlencode([*query, ("page", page + 1)]))
                                       if page * limit < int(total.rows[0]["n"].value) else None,
                                       items=[{"iri": r["x"].value, "href": link(r["x"]), "label": r["label"].value,
                                               "description": r["description"].value if r["description"] else "",
                                               "illustrative": r["illustrative"].value in ("true", "1")}
                                              for r in items.rows],
                                       csv_link="?" + urlencode([*query, ("format", "csv")]),
                                       twins=[("?" + urlencode([*query, ("format", "csv")]), "text/csv")],
                                       schema={"@context": "https://schema.org/", "@type": "CollectionPage",
                                               "name": kind.label.get(lang, kind.label["en"]), "inLanguage": lang},
                                       toggle=lambda f, v: _toggle(query, f, v), kinds=catalogue.KINDS,
                                       keep=query))
        except OffriError as error:
            return error_response(request, error, status_of(error))
        finally:
            release(key, claim)

    async def home(request: Request) -> Response:
        lang = language(request)
        key, claim = None, None
        try:
            refresh()
            key = page_key(request, "home", lang)
            hit, claim = await lookup(key, request)
            if hit:
                return hit
            classes = await run(_class_counts(lang), want_rows=True)
            total = await run("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", want_rows=True)
            return remember(key, _html(env, "home.html", lang, request, title=w("site-title", lang),
                                       classes=[_cell(r, "c", "cl", "n", None) for r in classes.rows],
                                       triples=int(total.rows[0]["n"].value),
                                       queries=sorted(stored_queries().values(), key=lambda q: q.id),
                                       kinds=catalogue.KINDS, twins=[("/.well-known/void", "text/turtle"),
                                                                     ("/dump.nq", "application/n-quads")],
                                       schema={"@context": "https://schema.org/", "@type": "Dataset",
                                               "name": w("site-title", lang), "description": w("home-intro", lang),
                                               "inLanguage": ["nb", "en"], "url": str(request.base_url),
                                               "distribution": [{"@type": "DataDownload", "encodingFormat": "application/n-quads",
                                                                 "contentUrl": str(request.base_url) + "dump.nq"}]}))
        except OffriError as error:
            return error_response(request, error, status_of(error))
        finally:
            release(key, claim)

    async def queries_page(request: Request) -> Response:
        lang = language(request)
        return _html(env, "queries.html", lang, request, title=w("queries", lang),
                     queries=sorted(stored_queries().values(), key=lambda q: q.id))

    async def query_page(request: Request) -> Response:
        lang = language(request)
        key, claim = None, None
        try:
            stored = get_stored_query(request.path_params["name"])
            # a stored query's "lang" (language of names) follows the page language: one choice
            given = {p.name: request.query_params[p.name] for p in stored.params
                     if p.name in request.query_params and p.name != "lang"}
            if stored.param("lang") is not None:
                given["lang"] = lang
            csv = request.query_params.get("format") == "csv"
            refresh()
            key = page_key(request, "query", stored.id, tuple(sorted(given.items())), csv, lang)
            hit, claim = await lookup(key, request)
            if hit:
                return hit
            text = with_values_block(stored.sparql, bindings(stored, given))
            if csv:
                answer = await run(text, "text/csv", spreadsheet=True)
                return remember(key, _csv_download(answer.body, stored.id))
            # the page shows the first rows and says so; its CSV has them all (up to the row cap)
            answer = await run(text, want_rows=True, row_cap=state().config.page_rows, first_rows=True)
            # stored queries report invented data as ?illustrative (a row) or ?illustrativeCount (a group)
            illustrative = any((isinstance(row.get("illustrative"), ox.Literal)
                                and row["illustrative"].value in ("true", "1"))
                               or (isinstance(row.get("illustrativeCount"), ox.Literal)
                                   and row["illustrativeCount"].value not in ("0", ""))
                               for row in answer.rows)
            return remember(key, _html(env, "query.html", lang, request, title=stored.title_in(lang), query=stored,
                                       given=given, variables=answer.variables, rows=answer.rows,
                                       illustrative=illustrative, more=answer.more,
                                       csv_link="?" + urlencode({**given, "format": "csv"}),
                                       twins=[("?" + urlencode({**given, "format": "csv"}), "text/csv")],
                                       keep=[(k, v) for k, v in given.items() if k != "lang"]))
        except OffriError as error:
            return error_response(request, error, status_of(error))
        finally:
            release(key, claim)

    async def void(request: Request) -> Response:
        try:
            refresh()
            rows = (await run("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
                              want_rows=True)).rows
        except OffriError as error:
            return error_response(request, error, status_of(error))
        root = str(request.base_url)
        lines = ["@prefix void: <http://rdfs.org/ns/void#> .", "@prefix dct: <http://purl.org/dc/terms/> .",
                 f"<{root}.well-known/void#offri> a void:Dataset ;",
                 '  dct:title "offri – samarbeidsmodeller"@nb, "offri – collaboration models"@en ;',
                 f"  void:sparqlEndpoint <{root}sparql> ;", f"  void:dataDump <{root}dump.nq> ;",
                 f"  void:uriSpace \"{BASE}\" ;", f"  void:rootResource <{root}> ;",
                 f"  void:triples {sum(int(r['n'].value) for r in rows)} ."]
        for r in rows:
            lines.append(f"<{root}.well-known/void#offri> void:subset <{r['g'].value}> . "
                         f"<{r['g'].value}> a void:Dataset ; void:triples {int(r['n'].value)} .")
        return Response("\n".join(lines) + "\n", media_type="text/turtle; charset=utf-8")

    async def dump(request: Request) -> Response:
        st = state()
        try:
            refresh()
            if st.snapshots is None:
                data = await run_in_threadpool(st.pool.store.export, ox.RdfFormat.N_QUADS)  # type: ignore[union-attr]
                return Response(data, media_type="application/n-quads", headers={
                    "Content-Disposition": 'attachment; filename="offri.nq"'})
            path = await dump_file(st.snapshots)
        except OffriError as error:
            return error_response(request, error, status_of(error))
        # from a file, in pieces: a national dump is hundreds of MB, which the server's memory
        # (and its 1 GB budget) should not hold per download
        return FileResponse(path, media_type="application/n-quads", filename="offri.nq")

    async def dump_file(snapshots: Snapshots) -> Path:
        """The dump of the snapshot being served, written once per store generation (beside
        the snapshot, removed with it); older generations' dumps are deleted."""
        generation, current = snapshots.generation, snapshots.current
        path = snapshots.root / f"dump-{generation}.nq"
        async with dump_lock:
            if not path.exists():
                def write() -> None:
                    partial = path.with_suffix(".partial")
                    try:
                        reader = ox.Store.read_only(str(current))
                        try:
                            reader.dump(str(partial), ox.RdfFormat.N_QUADS)
                        finally:
                            del reader
                        os.replace(partial, path)
                    except OSError as exc:  # a full disk, say: said without the server's paths
                        with contextlib.suppress(OSError):
                            partial.unlink(missing_ok=True)
                        logging.getLogger("offri.serve").error("dump failed: %s", exc)
                        raise OffriError("dump-failed", {"reason": exc.strerror or type(exc).__name__}) from None
                    for old in snapshots.root.glob("dump-*.nq"):
                        if old != path:
                            old.unlink(missing_ok=True)

                await run_in_threadpool(write)
        return path

    async def sitemap_urls(request: Request) -> list[str]:
        """Every page worth indexing: home, stored queries, each resource minted under the base
        (read once per store generation; sorted here, not by the engine, which would read every
        IRI from disk at each comparison)."""
        st = state()
        generation = st.snapshots.generation if st.snapshots else None
        remembered = st.sitemap
        if remembered is not None and generation is not None and remembered[0] == generation:
            subjects = remembered[1]
        else:
            rows = (await run(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"{BASE}\")) }}",
                              want_rows=True, row_cap=10_000_000)).rows
            subjects = sorted(r["s"].value for r in rows if "#" not in r["s"].value)
            st.sitemap = (generation, subjects) if generation is not None else None
        root = str(request.base_url).rstrip("/")
        return ([f"{root}/"] + [f"{root}/queries/{q}" for q in sorted(stored_queries())]
                + [f"{root}/doc/{quote(iri[len(BASE):])}" for iri in subjects])

    async def sitemap(request: Request) -> Response:
        """``/sitemap.xml``: the URLs themselves, or, past the protocol's 50,000 URLs per file,
        a sitemap index of ``/sitemap-N.xml`` files."""
        try:
            refresh()
            urls = await sitemap_urls(request)
        except OffriError as error:
            return error_response(request, error, status_of(error))
        size = state().config.sitemap_size
        if len(urls) <= size:
            return _sitemap_xml("urlset", "url", urls)
        root = str(request.base_url).rstrip("/")
        return _sitemap_xml("sitemapindex", "sitemap",
                            [f"{root}/sitemap-{n}.xml" for n in range(1, math.ceil(len(urls) / size) + 1)])

    async def sitemap_part(request: Request) -> Response:
        """``/sitemap-N.xml``: the N-th file of the index (from 1)."""
        try:
            refresh()
            raw = request.path_params["number"]
            if not re.fullmatch(r"[1-9][0-9]{0,5}", raw):  # ASCII digits only: "²" is a digit to str.isdigit
                raise OffriError("not-found", {"what": request.url.path})
            number = int(raw)
            urls = await sitemap_urls(request)
            size = state().config.sitemap_size
            part = urls[(number - 1) * size: number * size]
            if not part or len(urls) <= size:
                raise OffriError("not-found", {"what": request.url.path})
        except OffriError as error:
            return error_response(request, error, status_of(error))
        return _sitemap_xml("urlset", "url", part)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):  # noqa: ANN202
        if config.endpoint:
            runner = RemoteRunner(config.endpoint, time_limit=config.time_limit)
            holder["state"] = _State(config=config, snapshots=None, pool=runner)  # FROM: none allowed
            try:
                yield
            finally:
                runner.close()
            return
        snapshots = Snapshots(config.store_path)  # type: ignore[arg-type]
        pool = QueryPool(config.pool_settings())
        await pool.start()
        holder["state"] = _State(config=config, snapshots=snapshots, pool=pool)
        try:
            yield
        finally:
            pool.close()
            snapshots.close()

    routes = [
        *editor_routes(),
        Route("/", home),
        Route("/sparql", sparql, methods=["GET", "POST", "PUT", "DELETE", "PATCH"], name="sparql"),
        Route("/queries", queries_page),
        Route("/browse/{kind}", browse),
        Route("/ns", lambda request: RedirectResponse("/doc/ns", status_code=303, headers={"Vary": "Accept"})),
        Route("/queries/{name}", query_page),
        Route("/doc/{path:path}", document, name="document"),
        Route("/.well-known/void", void),
        Route("/sitemap.xml", sitemap),
        Route("/sitemap-{number:str}.xml", sitemap_part),
        Route("/dump.nq", dump),
        *[Route(f"/{prefix}/{{rest:path}}", minted) for prefix in MINTED],
    ]
    middleware = [Middleware(SecurityHeaders), Middleware(ClientIdentity), Middleware(LanguageCookie),
                  Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                             allow_headers=["Accept", "Content-Type", "Authorization", "X-Requested-With"])]
    async def unexpected(request: Request, exc: Exception) -> Response:
        """A bug must still answer in words, never with a stack trace (it is logged)."""
        logging.getLogger("offri.web").exception("unexpected error on %s", request.url.path)
        return PlainTextResponse(t("internal-error", language(request), kind=type(exc).__name__, detail=exc) + "\n",
                                 status_code=500)

    async def not_found(request: Request, exc: Exception) -> Response:
        """An address no route takes: a 404 in words, in the reader's language."""
        return error_response(request, OffriError("not-found", {"what": request.url.path}), 404)

    app = Starlette(routes=routes, middleware=[Middleware(CatchAll, handler=unexpected), *middleware],
                    exception_handlers={404: not_found}, lifespan=lifespan)
    app.state.offri = holder  # the running state, for tests and tools that embed the app
    return app


# ---- helpers ----------------------------------------------------------------------------------
async def _read_body(request: Request, cap: int) -> bytes | OffriError:
    """The body, or an error once it passes ``cap`` bytes (read no further than that)."""
    declared = request.headers.get("content-length")
    if declared and re.fullmatch(r"[0-9]{1,18}", declared) and int(declared) > cap:
        return OffriError("request-too-large", {"size": int(declared), "max": cap})
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return OffriError("request-too-large", {"size": size, "max": cap})
        chunks.append(chunk)
    return b"".join(chunks)


def _authorised(request: Request, config: ServeConfig) -> bool:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic ") or not config.user or not config.password:
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    return (hmac.compare_digest(user.encode(), config.user.encode())
            & hmac.compare_digest(password.encode(), config.password.encode()))


def _sitemap_xml(root: str, entry: str, urls: list[str]) -> Response:
    """A sitemaps.org document: a ``urlset`` of ``url`` entries, or a ``sitemapindex`` of
    ``sitemap`` entries (the addresses escaped: the host comes from the request)."""
    body = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    body += [f"<{entry}><loc>{html.escape(u, quote=False)}</loc></{entry}>" for u in urls]
    body.append(f"</{root}>")
    return Response("\n".join(body) + "\n", media_type="application/xml")


def _csv_download(body: bytes, name: str) -> Response:
    """A table to save as ``name``.csv; its labels are in the reader's language."""
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"', "Vary": "Accept-Language, Cookie"})


def _page_number(raw: str | None) -> int:
    """``?page=`` as a page number from 1 (a page past the end simply shows no items)."""
    if raw is None or raw == "":
        return 1
    if not re.fullmatch(r"[0-9]{1,6}", raw) or not 1 <= int(raw) <= 100_000:  # "²" is a digit to isdigit()
        raise OffriError("bad-page", {"value": raw[:40]})
    return int(raw)


def _outgoing(iri: str, lang: str) -> str:
    return (f"SELECT ?p ?o (SAMPLE(?pl_) AS ?pl) (SAMPLE(?ol_) AS ?ol) WHERE {{ <{iri}> ?p ?o . "
            f"{catalogue.label_pattern('?p', '?pl_', lang, or_iri=False)} {catalogue.label_pattern('?o', '?ol_', lang, or_iri=False)} }} "
            "GROUP BY ?p ?o ORDER BY ?p ?o")


def _incoming(iri: str, lang: str) -> str:
    return (f"SELECT ?s ?p (SAMPLE(?sl_) AS ?sl) (SAMPLE(?pl_) AS ?pl) WHERE {{ ?s ?p <{iri}> . "
            f"{catalogue.label_pattern('?s', '?sl_', lang, or_iri=False)} {catalogue.label_pattern('?p', '?pl_', lang, or_iri=False)} }} "
            "GROUP BY ?s ?p ORDER BY ?p ?s LIMIT 500")


def _describe(iri: str) -> str:
    """The resource's own statements, with the blank nodes they point to (periods, addresses)."""
    return (f"CONSTRUCT {{ <{iri}> ?p ?o . ?o ?p2 ?o2 }} WHERE {{ <{iri}> ?p ?o "
            "OPTIONAL { FILTER(isBlank(?o)) ?o ?p2 ?o2 } }")


def _describe_document(iri: str, path: str) -> str:
    """The RDF a document URI serves: the whole ontology for ``ns``, a whole concept scheme for
    ``vocab/<scheme>``, else the resource's own statements."""
    if iri == BASE + "ns":
        return ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
                f"FILTER(?s = <{iri}> || STRSTARTS(STR(?s), \"{OFFRI}\")) }}")
    if path.startswith("vocab/") and path.count("/") == 1:
        return (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ BIND(<{iri}> AS ?s) ?s ?p ?o }} UNION "
                f"{{ ?s <{SKOS}inScheme> <{iri}> ; ?p ?o }} }}")
    return _describe(iri)


def _class_counts(lang: str) -> str:
    return (f"SELECT ?c (SAMPLE(?cl_) AS ?cl) (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?c . "
            f"FILTER(STRSTARTS(STR(?c), \"{OFFRI}\")) {catalogue.label_pattern('?c', '?cl_', lang, or_iri=False)} }} "
            "GROUP BY ?c ORDER BY DESC(?n)")


def _best_label(rows: list[dict], iri: str, lang: str) -> str:
    """The resource's name in ``lang``, else in English, else any, else the end of its IRI."""
    labels = [r["o"] for r in rows if r["p"].value in (SKOS + "prefLabel", RDFS + "label", DCT + "title")
              and isinstance(r["o"], ox.Literal)]
    for wanted in (lang, "en", None):
        for label in labels:
            if wanted is None or (label.language or "").lower().startswith(wanted):
                return label.value
    return iri.rsplit("/", 1)[-1]


def _cell(row: dict, key: str, key_label: str, value: str, value_label: str | None) -> dict[str, object]:
    """One row of a page table: IRIs become local links where they are ours."""
    term = row[value]
    out: dict[str, object] = {"p": row[key].value if row[key] is not None else "",
                              "p_label": row[key_label].value if row[key_label] is not None else shorten(str(row[key])),
                              "p_href": link(row[key])}
    if isinstance(term, ox.NamedNode):
        label = row[value_label].value if value_label and row[value_label] is not None else shorten(str(term))
        out.update(value=term.value, label=label, href=link(term), literal=False)
    elif isinstance(term, ox.Literal):
        out.update(value=term.value, label=term.value, href=None, literal=True, lang=term.language)
    else:
        out.update(value=str(term), label=str(term), href=None, literal=True, lang=None)
    return out


def _toggle(query: list[tuple[str, str]], facet: str, value: str) -> str:
    """The link that adds ``value`` to ``facet``'s choices, or removes it if chosen."""
    name = "f." + facet
    if (name, value) in query:
        rest = [(k, v) for k, v in query if (k, v) != (name, value)]
    else:
        rest = [*query, (name, value)]
    return "?" + urlencode([(k, v) for k, v in rest if k != "format"])


def _html(env: Environment, template: str, lang: str, request: Request,
          keep: list[tuple[str, str]] | None = None, **context: object) -> Response:
    """A page; its language link keeps ``keep`` (what the page understood of the request, never
    the raw query string: pages are cached without it)."""
    other = "en" if lang == "nb" else "nb"
    switch_url = request.url.path + "?" + urlencode([*(keep or []), ("lang", other)])
    body = env.get_template(template).render(lang=lang, other=other, page_path=request.url.path,
                                             switch_url=switch_url, **context)
    return Response(body, media_type="text/html; charset=utf-8", headers={"Vary": "Accept, Accept-Language, Cookie"})


class _Stored(Response):
    """A cached answer sent as it was filed: its headers are already encoded (a cache hit is a
    third of a millisecond, so building them again showed)."""

    def __init__(self, status: int, raw_headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status_code, self.body, self.background = status, body, None
        self.raw_headers = list(raw_headers)


class CatchAll:
    """Outermost: an exception no handler took becomes a 500 answer in words, and the
    connection stays usable (Starlette's own handler re-raises, and the client is cut off)."""

    def __init__(self, app: object, handler: object) -> None:
        self.app, self.handler = app, handler

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # type: ignore[operator]
            return
        started = False

        async def tracking_send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)  # type: ignore[operator]

        try:
            await self.app(scope, receive, tracking_send)  # type: ignore[operator]
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if started:
                raise
            response = await self.handler(Request(scope), exc)  # type: ignore[operator]
            await response(scope, receive, send)


class LanguageCookie:
    """Remembers a language chosen with ``?lang=`` in a cookie (outside the page cache, so a
    cached page never carries or lacks someone else's cookie)."""

    def __init__(self, app: object) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        chosen = None
        if scope["type"] == "http":
            from urllib.parse import parse_qs

            values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [])
            chosen = values[0] if values and values[0] in LANGS else None
        if chosen is None:
            await self.app(scope, receive, send)  # type: ignore[operator]
            return

        async def send_with_cookie(message: dict) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"set-cookie", f"lang={chosen}; Path=/; SameSite=Lax".encode())]
            await send(message)  # type: ignore[operator]

        await self.app(scope, receive, send_with_cookie)  # type: ignore[operator]


def config_from_env(store_path: Path | None, **overrides: object) -> ServeConfig:
    """A config whose update credentials come only from the environment."""
    return ServeConfig(store_path=store_path, user=os.environ.get("OFFRI_SERVE_USER"),
                       password=os.environ.get("OFFRI_SERVE_PASSWORD"), **overrides)  # type: ignore[arg-type]
