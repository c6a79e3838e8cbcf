"""A remote SPARQL 1.1 store (Oxigraph server, Virtuoso, Fuseki, GraphDB…) behind the Store protocol.

Queries go through SPARQLWrapper (POST), loads through the Graph Store Protocol (one ``PUT`` per
named graph) and provenance through SPARQL Update. Where to write, who to be and how to log in
come from a TOML config file and the environment, never from a command line (a password in
argv is visible to every user of the machine):

    # $OFFRI_CONFIG, else $XDG_CONFIG_HOME/offri/config.toml (~/.config/offri/config.toml)
    [endpoint."http://127.0.0.1:8890/sparql"]
    update = "http://127.0.0.1:8890/sparql-auth"
    store = "http://127.0.0.1:8890/sparql-graph-crud-auth"
    graph_param = "graph-uri"
    user = "offri"
    auth = "digest"            # or "basic"
    password = "…"             # or $OFFRI_ENDPOINT_PASSWORD
    query_params = { }         # extra parameters sent with every query

Environment variables override the file: ``OFFRI_ENDPOINT_USER``, ``OFFRI_ENDPOINT_PASSWORD``,
``OFFRI_ENDPOINT_AUTH``, ``OFFRI_UPDATE_ENDPOINT``, ``OFFRI_STORE_ENDPOINT``.

Things measured against the real servers (see tests/test_remote_store.py):

- Virtuoso 7.2.5 never answers 206. A query cut by ``ResultSetMaxRows`` answers 200 with
  ``X-SPARQL-MaxRows``; an anytime query cut by its time limit answers 200 with
  ``X-SQL-State: S1TAT``; both are refused as partial. A CONSTRUCT or a Graph Store ``GET`` cut
  by ``ResultSetMaxRows`` carries no sign at all, so every graph read here is checked against a
  ``COUNT`` (one row, never cut) before it is trusted as a backup or exported.
- urllib's digest handler sends a large body, gets 401 and a reset connection (Virtuoso answers
  before reading the body); SPARQLWrapper's digest support installs a process-wide urllib
  opener. So this module does digest itself: it learns the challenge with a body-less request
  and reuses the nonce (Virtuoso accepts increasing ``nc``), checking the login with ``HEAD``
  before a large upload.
- SPARQLWrapper's ``setTimeout`` truncates to whole seconds (0.2 becomes "no timeout").
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import logging
import os
import re
import socket
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from offri_kg.errors import InputError, Location, OffriError
from offri_kg.ingest.read import FORMATS, Source
from offri_kg.query.bind import with_values_block
from offri_kg.query.guard import check_query
from offri_kg.store.base import META_GRAPH, OFFRI, GraphInfo, LoadReport, QueryResult, now_iso
from offri_kg.store.plan import LoadPlan, checksum, plan_load, provenance_quads, records_from, records_query
from offri_kg.store.embedded import ValidationFailed
from offri_kg.validate.dataset import build_store, reference_sources
from offri_kg.validate.engine import validate_store
from offri_kg.validate.report import Severity, ValidationReport

log = logging.getLogger(__name__)

DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"

#: Writes can take much longer than a query: Virtuoso stores ~40k triples/s through the GSP.
WRITE_TIMEOUT = 600.0
#: Above this size a digest-authenticated body is only sent after the login was checked.
LARGE_BODY = 64 * 1024
N_TRIPLES = "application/n-triples"
RESULTS_JSON = "application/sparql-results+json"

# Virtuoso's SQL states for a query its own limits stopped (transaction timeout, anytime timeout).
_SERVER_TIMEOUT = re.compile(r"\bS1T00\b|\bS1TAT\b|\bSR171\b")


# ---- configuration --------------------------------------------------------------------------------

@dataclass(frozen=True)
class EndpointConfig:
    """Where and how to talk to one endpoint. ``repr`` never shows the password."""

    query: str
    update: str | None = None
    store: str | None = None
    graph_param: str = "graph"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "basic"
    query_params: dict[str, str] = field(default_factory=dict)


def config_path(explicit: Path | None = None) -> Path:
    """``explicit``, else ``$OFFRI_CONFIG``, else ``$XDG_CONFIG_HOME/offri/config.toml``."""
    if explicit is not None:
        return Path(explicit)
    if os.environ.get("OFFRI_CONFIG"):
        return Path(os.environ["OFFRI_CONFIG"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "offri" / "config.toml"


def _defaults(endpoint: str) -> dict[str, Any]:
    """What the two servers offri is tested against use, recognised by the query URL's path."""
    base, _, last = endpoint.rstrip("/").rpartition("/")
    if last == "query":  # Oxigraph server; its default graph is not the union unless asked
        return {"update": f"{base}/update", "store": f"{base}/store", "graph_param": "graph", "auth": "basic",
                "query_params": {"union-default-graph": ""}}
    if last == "sparql":  # Virtuoso; the anonymous /sparql is read-only
        return {"update": f"{base}/sparql-auth", "store": f"{base}/sparql-graph-crud-auth",
                "graph_param": "graph-uri", "auth": "digest", "query_params": {}}
    return {"update": None, "store": None, "graph_param": "graph", "auth": "basic", "query_params": {}}


def load_config(endpoint: str, config: Path | None = None) -> EndpointConfig:
    """The settings for ``endpoint``: defaults, then the config file's table, then the environment."""
    settings = _defaults(endpoint)
    path = config_path(config)
    if path.is_file():
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError("syntax-error", {"format": "TOML", "detail": str(exc)}, Location(str(path))) from None
        tables = document.get("endpoint", {})
        table = tables.get(endpoint) or tables.get(endpoint.rstrip("/")) or tables.get(endpoint.rstrip("/") + "/") or {}
        for key in ("update", "store", "graph_param", "user", "password", "auth"):
            if key in table:
                settings[key] = str(table[key])
        if "store" in table and "graph_param" not in table:
            settings["graph_param"] = "graph-uri" if "sparql-graph-crud" in str(table["store"]) else "graph"
        if "query_params" in table:
            settings["query_params"] = {str(k): str(v) for k, v in dict(table["query_params"]).items()}
    environment = {"OFFRI_UPDATE_ENDPOINT": "update", "OFFRI_STORE_ENDPOINT": "store", "OFFRI_ENDPOINT_USER": "user",
                   "OFFRI_ENDPOINT_PASSWORD": "password", "OFFRI_ENDPOINT_AUTH": "auth"}
    for variable, key in environment.items():
        if os.environ.get(variable):
            settings[key] = os.environ[variable]
    auth = str(settings.get("auth") or "basic").lower()
    if auth not in ("basic", "digest"):
        raise InputError("syntax-error", {"format": "TOML", "detail": f"auth must be basic or digest, not {auth!r}"},
                         Location(str(path)))
    return EndpointConfig(query=endpoint, update=settings.get("update") or None, store=settings.get("store") or None,
                          graph_param=settings.get("graph_param") or "graph", user=settings.get("user") or None,
                          password=settings.get("password"), auth=auth,
                          query_params=dict(settings.get("query_params") or {}))


# ---- HTTP with basic or digest authentication -----------------------------------------------------

def _where(url: str) -> str:
    """A URL as errors show it: no query string, no user info."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def _first_line(error: urllib.error.HTTPError) -> str:
    try:
        body = error.read(4096).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        body = ""
    line = next((ln.strip() for ln in body.splitlines() if ln.strip()), "") or str(error.reason or "")
    return line[:300]


def _is_timeout(exc: BaseException) -> bool:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(reason, (TimeoutError, socket.timeout)) or "timed out" in str(reason)


@dataclass
class _Challenge:
    """A digest challenge, reused for every request to one URL path (``nc`` increases)."""

    realm: str
    nonce: str
    qop: str | None
    algorithm: str
    opaque: str | None
    count: int = 0
    verified: bool = False


def _parse_challenge(headers: Any) -> _Challenge | None:
    for value in headers.get_all("WWW-Authenticate") or []:
        scheme, _, rest = value.strip().partition(" ")
        if scheme.lower() != "digest":
            continue
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        qops = [q.strip() for q in fields.get("qop", "").split(",") if q.strip()]
        return _Challenge(realm=fields.get("realm", ""), nonce=fields.get("nonce", ""),
                          qop="auth" if "auth" in qops else None, algorithm=fields.get("algorithm", "MD5"),
                          opaque=fields.get("opaque"))
    return None


class _Http:
    """urllib with offri's error codes, preemptive basic auth and nonce-reusing digest auth."""

    def __init__(self, config: EndpointConfig) -> None:
        self.config = config
        self._opener = urllib.request.build_opener()
        self._challenges: dict[str, _Challenge | None] = {}  # URL path -> challenge (None: no login asked)

    @property
    def _login(self) -> bool:
        return bool(self.config.user) and self.config.password is not None

    def open(self, method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None,
             timeout: float = 30.0, allow: tuple[int, ...] = ()) -> Any:
        """The response to one request (2xx, or an error status listed in ``allow``).

        Every failure becomes an ``OffriError``: unreachable, login refused, timeout or HTTP error.
        """
        key = _where(url)
        for attempt in (0, 1):
            request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
            try:
                self._authorize(request, key, large=len(body or b"") > LARGE_BODY, timeout=timeout)
                return self._opener.open(request, timeout=timeout)
            except urllib.error.HTTPError as exc:
                if exc.code in allow:
                    return exc
                if exc.code == 401 and attempt == 0 and self._login and self.config.auth == "digest":
                    fresh = _parse_challenge(exc.headers)  # a stale nonce, or the first challenge
                    exc.close()
                    if fresh is not None:
                        self._challenges[key] = fresh
                        continue
                raise self.failure(exc, url, timeout) from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                reset = isinstance(getattr(exc, "reason", exc), (ConnectionResetError, BrokenPipeError))
                if reset and body and attempt == 0 and self._login and self.config.auth == "digest":
                    self._challenges.pop(key, None)  # the server answered 401 before reading the body
                    continue
                raise self.failure(exc, url, timeout) from None
        raise AssertionError("unreachable")

    def failure(self, exc: BaseException, url: str, seconds: float) -> OffriError:
        where = _where(url)
        if isinstance(exc, urllib.error.HTTPError):
            if exc.code in (401, 403):
                return OffriError("endpoint-login-refused", {"endpoint": where, "status": exc.code})
            detail = _first_line(exc)
            if exc.code == 500 and _SERVER_TIMEOUT.search(detail):
                return OffriError("endpoint-timeout", {"endpoint": where, "seconds": _seconds(seconds)})
            return OffriError("endpoint-error", {"endpoint": where, "status": exc.code, "detail": detail})
        if _is_timeout(exc):
            return OffriError("endpoint-timeout", {"endpoint": where, "seconds": _seconds(seconds)})
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        detail = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        return OffriError("endpoint-unreachable", {"endpoint": where, "detail": detail})

    # -- authentication ------------------------------------------------------------------------
    def _authorize(self, request: urllib.request.Request, key: str, large: bool, timeout: float) -> None:
        if not self._login:
            return
        if self.config.auth == "basic":
            token = base64.b64encode(f"{self.config.user}:{self.config.password}".encode()).decode("ascii")
            request.add_unredirected_header("Authorization", f"Basic {token}")
            return
        if key not in self._challenges:
            self._challenges[key] = self._probe(request.full_url, timeout, authorized=False)
        challenge = self._challenges[key]
        if challenge is None:
            return
        if large and not challenge.verified:
            self._verify(request.full_url, key, timeout)
            challenge = self._challenges[key]
            if challenge is None:
                return
        request.add_unredirected_header("Authorization", self._digest(challenge, request.get_method(), request.full_url))

    def _probe(self, url: str, timeout: float, authorized: bool) -> _Challenge | None:
        """``HEAD url``: the digest challenge if the server asks for a login, else None."""
        request = urllib.request.Request(url, method="HEAD")
        key = _where(url)
        if authorized and self._challenges.get(key):
            request.add_unredirected_header("Authorization", self._digest(self._challenges[key], "HEAD", url))
        try:
            self._opener.open(request, timeout=timeout).close()
            return None
        except urllib.error.HTTPError as exc:
            challenge = _parse_challenge(exc.headers) if exc.code == 401 else None
            exc.close()
            if authorized and exc.code in (401, 403):
                raise OffriError("endpoint-login-refused", {"endpoint": key, "status": exc.code}) from None
            return challenge
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise self.failure(exc, url, timeout) from None

    def _verify(self, url: str, key: str, timeout: float) -> None:
        """Check the login with a body-less request before a large body is sent."""
        try:
            self._probe(url, timeout, authorized=True)
        except OffriError as exc:
            if exc.code != "endpoint-login-refused":
                raise
            self._challenges[key] = self._probe(url, timeout, authorized=False)  # perhaps only stale
            if self._challenges[key] is None:
                return
            self._probe(url, timeout, authorized=True)
        if self._challenges.get(key):
            self._challenges[key].verified = True

    def _digest(self, challenge: _Challenge, method: str, url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        algorithm = challenge.algorithm.upper()
        digest = hashlib.sha256 if algorithm.startswith("SHA-256") else hashlib.md5

        def h(text: str) -> str:
            return digest(text.encode("utf-8")).hexdigest()

        challenge.count += 1
        nc = f"{challenge.count:08x}"
        cnonce = os.urandom(8).hex()
        ha1 = h(f"{self.config.user}:{challenge.realm}:{self.config.password}")
        if algorithm.endswith("-SESS"):
            ha1 = h(f"{ha1}:{challenge.nonce}:{cnonce}")
        ha2 = h(f"{method}:{uri}")
        if challenge.qop:
            response = h(f"{ha1}:{challenge.nonce}:{nc}:{cnonce}:{challenge.qop}:{ha2}")
        else:
            response = h(f"{ha1}:{challenge.nonce}:{ha2}")
        value = (f'Digest username="{self.config.user}", realm="{challenge.realm}", nonce="{challenge.nonce}", '
                 f'uri="{uri}", response="{response}", algorithm={challenge.algorithm}')
        if challenge.qop:
            value += f', qop={challenge.qop}, nc={nc}, cnonce="{cnonce}"'
        if challenge.opaque is not None:
            value += f', opaque="{challenge.opaque}"'
        return value


def _seconds(value: float) -> str:
    return f"{value:g}"


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper that sends through ``_Http`` (our login handling and error codes).

    SPARQLWrapper builds the request (form encoding, Accept, user agent); only the sending is
    replaced, because its digest support installs a process-wide urllib opener.
    """

    def __init__(self, endpoint: str, update_endpoint: str | None, transport: _Http) -> None:
        super().__init__(endpoint, updateEndpoint=update_endpoint, agent="offri (SPARQLWrapper)")
        self.transport = transport

    def _query(self) -> tuple[Any, str]:  # noqa: D401 - SPARQLWrapper's hook
        request = self._createRequest()
        response = self.transport.open(request.get_method(), request.full_url, request.data,
                                       dict(request.header_items()), timeout=float(self.timeout or 30.0))
        return response, self.returnFormat


# ---- the store ---------------------------------------------------------------------------------------

class RemoteStore:
    """Any SPARQL 1.1 store. ``endpoint`` is the query URL; writing needs update and Graph Store URLs."""

    def __init__(self, endpoint: str, timeout: float = 30.0, config: Path | None = None) -> None:
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise OffriError("endpoint-bad-url", {"endpoint": endpoint})
        self.location = endpoint
        self.timeout = float(timeout)
        self.config = load_config(endpoint, config)
        self._http = _Http(self.config)

    # -- queries -----------------------------------------------------------------------------------
    def query(self, sparql: str, substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
              timeout: float | None = None) -> QueryResult:
        """Run a query on the endpoint; the answer is parsed into pyoxigraph objects.

        ``SERVICE``/``LOAD``/``FROM`` are refused as on the embedded store. A partial answer
        (HTTP 206, or Virtuoso's cut-result headers) raises ``endpoint-partial``.
        """
        kind = check_query(sparql).form
        text = with_values_block(sparql, substitutions or {})
        seconds = self.timeout if timeout is None else float(timeout)
        graph = kind in ("CONSTRUCT", "DESCRIBE")
        wrapper = _Wrapper(self.config.query, None, self._http)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper's own query-type guesses
            wrapper.setQuery(text)
        wrapper.queryType = kind
        wrapper.setMethod(POST)
        wrapper.setReturnFormat(TURTLE if graph else JSON)
        wrapper.setOnlyConneg(True)  # else it adds format=… parameters, which Virtuoso obeys over Accept
        wrapper.setTimeout(max(1, int(seconds)))
        wrapper.timeout = seconds  # setTimeout keeps whole seconds only: 0.2 would mean "none"
        wrapper.addCustomHttpHeader("Accept", N_TRIPLES if graph else RESULTS_JSON)
        for name, value in self.config.query_params.items():
            wrapper.addParameter(name, value)
        deadline = time.monotonic() + seconds
        response = wrapper.query().response
        data = self._read(response, self.config.query, deadline, seconds)
        self._refuse_partial(response)
        media = response.headers.get("Content-Type", "")
        try:
            if graph:
                fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
                return QueryResult.from_oxigraph([q.triple for q in ox.parse(data, fmt)])
            results_format = ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.JSON
            return QueryResult.from_oxigraph(ox.parse_query_results(data, results_format))
        except (SyntaxError, ValueError) as exc:
            raise OffriError("endpoint-error", {"endpoint": _where(self.config.query), "status": response.status,
                                                "detail": f"unreadable answer ({media}): {exc}"}) from None

    def _read(self, response: Any, url: str, deadline: float, seconds: float) -> bytes:
        """The whole body, or ``endpoint-timeout`` once ``deadline`` has passed (a slow stream too)."""
        chunks = []
        try:
            while True:
                if time.monotonic() > deadline:
                    raise OffriError("endpoint-timeout", {"endpoint": _where(url), "seconds": _seconds(seconds)})
                chunk = response.read(1 << 16)
                if not chunk:
                    return b"".join(chunks)
                chunks.append(chunk)
        except (OSError, http.client.HTTPException) as exc:
            raise self._http.failure(exc, url, seconds) from None
        finally:
            response.close()

    def _refuse_partial(self, response: Any) -> None:
        state = (response.headers.get("X-SQL-State") or "").strip()
        if response.status == 206 or state.startswith("S1TAT") or response.headers.get("X-SPARQL-MaxRows"):
            raise OffriError("endpoint-partial", {"endpoint": _where(self.config.query)})

    def _update(self, sparql: str) -> None:
        if not self.config.update:
            raise OffriError("endpoint-cannot-write", {"endpoint": self.location})
        wrapper = _Wrapper(self.config.query, self.config.update, self._http)
        wrapper.setQuery(sparql)
        wrapper.setMethod(POST)
        wrapper.setTimeout(int(WRITE_TIMEOUT))
        response = wrapper.query().response
        self._read(response, self.config.update, time.monotonic() + WRITE_TIMEOUT, WRITE_TIMEOUT)

    def _rows(self, sparql: str) -> list[ox.QuerySolution]:
        return self.query(sparql).rows

    # -- Graph Store Protocol ----------------------------------------------------------------------
    def _graph_url(self, graph: str) -> str:
        assert self.config.store is not None
        separator = "&" if "?" in self.config.store else "?"
        return self.config.store + separator + urllib.parse.urlencode({self.config.graph_param: graph})

    def _counts(self, graphs: list[str]) -> dict[str, int]:
        """Triples per graph, by ``COUNT`` (one row per graph: no server cuts it)."""
        if not graphs:
            return {}
        values = " ".join(f"<{g}>" for g in graphs)
        rows = self._rows(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g")
        counts = {g: 0 for g in graphs}
        counts.update({row["g"].value: int(row["n"].value) for row in rows})
        return counts

    def _fetch(self, graph: str) -> list[ox.Triple] | None:
        """Every triple of ``graph`` (None if it does not exist), checked against a COUNT."""
        triples = self._fetch_gsp(graph) if self.config.store else None
        if triples is False or not self.config.store:
            rows = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", timeout=WRITE_TIMEOUT)
            triples = rows.triples or None
        expected = self._counts([graph])[graph]
        if len(triples or []) != expected:
            log.warning("graph %s: read %d triples, the server counts %d", graph, len(triples or []), expected)
            raise OffriError("endpoint-partial", {"endpoint": _where(self.config.store or self.config.query)})
        return triples or None

    def _fetch_gsp(self, graph: str) -> list[ox.Triple] | None | bool:
        """Triples by Graph Store ``GET``; False when the GSP needs a login we do not have."""
        url = self._graph_url(graph)
        try:
            response = self._http.open("GET", url, headers={"Accept": N_TRIPLES}, timeout=WRITE_TIMEOUT, allow=(404,))
        except OffriError as exc:
            if exc.code == "endpoint-login-refused" and not self.config.user:
                return False
            raise
        if response.status == 404:
            response.close()
            return None
        data = self._read(response, url, time.monotonic() + WRITE_TIMEOUT, WRITE_TIMEOUT)
        if response.status == 206:
            raise OffriError("endpoint-partial", {"endpoint": _where(url)})
        fmt = ox.RdfFormat.from_media_type(response.headers.get("Content-Type", "")) or ox.RdfFormat.N_TRIPLES
        try:
            return [q.triple for q in ox.parse(data, fmt)] or None
        except SyntaxError as exc:
            raise OffriError("endpoint-error", {"endpoint": _where(url), "status": response.status,
                                                "detail": f"unreadable graph: {exc}"}) from None

    def _put(self, graph: str, triples: list[ox.Triple]) -> None:
        if not triples:
            self._delete(graph)
            return
        url = self._graph_url(graph)
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        response = self._http.open("PUT", url, body, {"Content-Type": N_TRIPLES}, timeout=WRITE_TIMEOUT)
        self._read(response, url, time.monotonic() + WRITE_TIMEOUT, WRITE_TIMEOUT)

    def _delete(self, graph: str) -> None:
        url = self._graph_url(graph)
        response = self._http.open("DELETE", url, timeout=WRITE_TIMEOUT, allow=(404,))
        response.close()

    # -- loading -----------------------------------------------------------------------------------
    def load(self, sources: list[Source], graph: str | None = None, agent: str | None = None,
             progress: Callable[[int, int], None] | None = None, replace: bool = False) -> list[LoadReport]:
        """Validate locally, then replace every graph the sources write on the server,
        all-or-nothing, by the embedded store's rules (``offri_kg.store.plan``).

        Nothing is sent when the data has a violation or the plan refuses it. Each graph's
        current content is read first; if any write fails, the graphs already replaced are put
        back (or deleted when they did not exist) before the error is raised. offri's own
        graphs (ontology, vocabularies, reference data) take only the files offri ships for
        them (``offri build --endpoint`` puts them there; the embedded store carries them itself).
        """
        if not self.config.update or not self.config.store:
            raise OffriError("endpoint-cannot-write", {"endpoint": self.location})
        shipped = {s.graph: checksum(s.data) for s in reference_sources()}
        # the rules that need no answer from the server, then validation: a refused or invalid
        # file sends no request at all
        local = plan_load(sources, graph, {}, set(), {META_GRAPH}, replace=replace, shipped=shipped)
        retargeted = [Source(w.source.path, w.target, w.source.format, w.source.data) for w in local.writes]
        report: ValidationReport = validate_store(build_store(retargeted))
        if report.count(Severity.VIOLATION):
            raise ValidationFailed(report)
        sizes = self._counts(local.graphs())
        plan = plan_load(sources, graph, records_from(self._rows(records_query())), {g for g, n in sizes.items() if n},
                         {META_GRAPH}, replace=replace, shipped=shipped, agent=agent)

        contents: dict[str, dict[ox.Triple, None]] = {name: {} for name in plan.graphs()}
        for source in retargeted:
            for name, triples in _triples_by_graph(source).items():
                contents[name].update(dict.fromkeys(triples))
        total = sum(len(t) for t in contents.values())

        backups = {name: self._fetch(name) for name in contents}
        replaced: list[str] = []
        done = 0
        try:
            for name, triples in contents.items():
                replaced.append(name)
                self._put(name, list(triples))
                done += len(triples)
                if progress:
                    progress(done, total)
            counts = self._counts(list(contents))
            self._update(_record_update(plan, provenance_quads(plan, counts, agent, now_iso())))
        except BaseException as exc:
            self._restore(replaced, backups, exc)
            raise
        return [LoadReport(graph=name, source=str(w.source.path), triples=counts.get(name, 0),
                           replaced=name in plan.replaced) for w in plan.writes for name in w.graphs]

    def _restore(self, replaced: list[str], backups: dict[str, list[ox.Triple] | None], cause: BaseException) -> None:
        for name in reversed(replaced):
            try:
                old = backups.get(name)
                if old:
                    self._put(name, old)
                else:
                    self._delete(name)
            except Exception as exc:  # keep restoring the others; the original error is raised
                log.error("could not restore graph %s after %r: %s", name, cause, exc)

    # -- reading -----------------------------------------------------------------------------------
    def graphs(self) -> list[GraphInfo]:
        """The graphs named in the metadata graph, with their provenance and current size."""
        rows = self._rows(f"""
            SELECT ?g ?file ?source ?checksum ?who ?when WHERE {{ GRAPH <{META_GRAPH}> {{
              ?g a <{VOID}Dataset> .
              OPTIONAL {{ ?g <{OFFRI}sourceFile> ?file }} OPTIONAL {{ ?g <{DCT}source> ?source }}
              OPTIONAL {{ ?g <{OFFRI}checksum> ?checksum }} OPTIONAL {{ ?g <{PROV}wasAttributedTo> ?who }}
              OPTIONAL {{ ?g <{DCT}modified> ?when }} }} }}""")
        info: dict[str, dict[str, str | None]] = {}
        for row in rows:
            if not isinstance(row["g"], ox.NamedNode):
                continue
            entry = info.setdefault(row["g"].value, {})
            for key, var in (("source", "file"), ("source", "source"), ("checksum", "checksum"),
                             ("loaded_by", "who"), ("loaded_at", "when")):
                if row[var] is not None and not entry.get(key):
                    entry[key] = row[var].value
        counts = self._counts(sorted(info))
        return [GraphInfo(iri=g, triples=counts.get(g, 0), **info[g]) for g in sorted(info)]

    def export(self, fmt: ox.RdfFormat, graph: str | None = None) -> bytes:
        """N-Quads or TriG of every graph offri loaded (and the metadata graph), or one graph."""
        if graph is None:
            if not fmt.supports_datasets:
                raise ValueError(f"exporting every graph needs N-Quads or TriG, not {fmt}")
            names = [g.iri for g in self.graphs()] + [META_GRAPH]
        else:
            if graph != META_GRAPH and graph not in {g.iri for g in self.graphs()}:
                raise OffriError("unknown-graph", {"graph": graph})
            names = [graph]
        quads = []
        for name in names:
            node = ox.NamedNode(name)
            quads += [ox.Quad(t.subject, t.predicate, t.object, node) for t in self._fetch(name) or []]
        if fmt.supports_datasets:
            return ox.serialize(quads, format=fmt) or b""
        return ox.serialize([q.triple for q in quads], format=fmt) or b""

    def close(self) -> None:
        """Nothing stays open between requests; kept for the Store protocol."""


def _triples_by_graph(source: Source) -> dict[str, list[ox.Triple]]:
    """A source's triples by target graph: the default graph goes to ``source.graph``; a
    TriG/N-Quads file's named graphs stay in their own graphs."""
    fmt = FORMATS[source.format][0]
    out: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(source.data, fmt, base_iri=source.path.resolve().as_uri()):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else source.graph
        out.setdefault(name, []).append(quad.triple)
    return out


def _record_update(plan: LoadPlan, quads: list[ox.Quad]) -> str:
    """One SPARQL Update: drop the load records of the graphs ``plan`` writes, then write
    ``quads`` (the records offri_kg.store.plan built, as N-Triples in INSERT DATA)."""
    meta = f"<{META_GRAPH}>"
    operations = [f"DELETE {{ GRAPH {meta} {{ <{g}> ?p ?o }} }} WHERE {{ GRAPH {meta} {{ <{g}> ?p ?o }} }}"
                  for g in plan.graphs()]
    triples = (ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    operations.append(f"INSERT DATA {{ GRAPH {meta} {{\n{triples}}} }}")
    return " ;\n".join(operations)
