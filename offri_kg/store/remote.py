"""A remote SPARQL 1.1 store (Oxigraph server, Virtuoso, Fuseki, GraphDB…) behind the Store protocol.

Queries are SPARQL Protocol ``POST``s, loads go through the Graph Store Protocol (one ``PUT``
per named graph) and the load records through SPARQL Update, all over ``offri_kg.store.http``.
Where to write and how to log in is the config file's and the environment's to say
(``offri_kg.store.endpoint``), never a command line's.

What a load may write and the records it leaves are the load plan's (``offri_kg.store.plan``),
the same as for the embedded store. Measured against the real servers (tests/test_remote_store.py):
a CONSTRUCT or a Graph Store ``GET`` that Virtuoso cuts at ``ResultSetMaxRows`` carries no sign
at all, so every graph read here is checked against a ``COUNT`` (one row, never cut) before it
is trusted as a backup or exported. (The signs a query's answer does carry, and the total
deadline of a request, are ``offri_kg.store.http``'s.)
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from offri_kg.errors import OffriError
from offri_kg.ingest.parse import triples_by_graph
from offri_kg.ingest.read import Source
from offri_kg.query.bind import with_values_block
from offri_kg.query.guard import check_query
from offri_kg.store.base import META_GRAPH, GraphInfo, LoadReport, QueryResult, now_iso
from offri_kg.store.endpoint import EndpointConfig, config_path, load_config
from offri_kg.store.http import Http, Reply, where
from offri_kg.store.plan import ValidationFailed, plan_load
from offri_kg.store.provenance import Recorded, graph_info, records_from, records_query
from offri_kg.validate.dataset import build_store
from offri_kg.validate.engine import validate_store
from offri_kg.validate.report import Severity

__all__ = ["EndpointConfig", "RemoteStore", "config_path", "load_config"]  # the config's old home

log = logging.getLogger(__name__)

#: Writes can take much longer than a query: Virtuoso stores ~40k triples/s through the GSP.
WRITE_TIMEOUT = 600.0
N_TRIPLES = "application/n-triples"
RESULTS_JSON = "application/sparql-results+json"


class RemoteStore:
    """Any SPARQL 1.1 store. ``endpoint`` is the query URL; writing needs update and Graph Store URLs."""

    def __init__(self, endpoint: str, timeout: float = 30.0, config: Path | None = None) -> None:
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise OffriError("endpoint-bad-url", {"endpoint": where(endpoint) if parts.netloc else endpoint})
        self.location = where(endpoint)  # shown in messages: never the user info of the URL
        self.timeout = float(timeout)
        self.config = load_config(endpoint, config)
        self._http = Http(self.config)

    # -- queries -----------------------------------------------------------------------------------
    def query(self, sparql: str, substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
              timeout: float | None = None) -> QueryResult:
        """Run a query on the endpoint; the answer is parsed into pyoxigraph objects.

        ``SERVICE``/``LOAD``/``FROM`` are refused as on the embedded store. A partial answer
        (HTTP 206, or Virtuoso's cut-result headers) raises ``endpoint-partial``.
        """
        kind = check_query(sparql).form
        text = with_values_block(sparql, substitutions or {})
        graph = kind in ("CONSTRUCT", "DESCRIBE")
        reply = self._http.request("POST", self.config.query, seconds=self.timeout if timeout is None else float(timeout),
                                   data={**self.config.query_params, "query": text},
                                   headers={"Accept": N_TRIPLES if graph else RESULTS_JSON})
        if graph:
            return QueryResult.from_oxigraph(_triples(reply, self.config.query))
        try:
            fmt = ox.QueryResultsFormat.from_media_type(reply.media_type) or ox.QueryResultsFormat.JSON
            return QueryResult.from_oxigraph(ox.parse_query_results(reply.body, fmt))
        except (SyntaxError, ValueError) as exc:
            raise _unreadable(reply, self.config.query, exc) from None

    def _rows(self, sparql: str) -> list[ox.QuerySolution]:
        return self.query(sparql).rows

    def _update(self, sparql: str) -> None:
        if not self.config.update:
            raise OffriError("endpoint-cannot-write", {"endpoint": self.location})
        self._http.request("POST", self.config.update, seconds=WRITE_TIMEOUT, data={"update": sparql})

    # -- Graph Store Protocol ----------------------------------------------------------------------
    def _graph(self, method: str, graph: str, **arguments: object) -> Reply:
        """One Graph Store Protocol request about ``graph``."""
        assert self.config.store is not None
        return self._http.request(method, self.config.store, seconds=WRITE_TIMEOUT,
                                  params={self.config.graph_param: graph}, **arguments)  # type: ignore[arg-type]

    def _counts(self, graphs: list[str]) -> dict[str, int]:
        """Triples per graph, by ``COUNT`` (one row per graph: no server cuts it)."""
        if not graphs:
            return {}
        values = " ".join(str(ox.NamedNode(g)) for g in graphs)
        rows = self._rows(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g")
        counts = {g: 0 for g in graphs}
        counts.update({row["g"].value: int(row["n"].value) for row in rows})
        return counts

    def _fetch(self, graph: str) -> list[ox.Triple] | None:
        """Every triple of ``graph`` (None if it does not exist), checked against a COUNT."""
        triples = self._fetch_gsp(graph) if self.config.store else False
        if triples is False:
            rows = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}",
                              timeout=WRITE_TIMEOUT)
            triples = rows.triples or None
        expected = self._counts([graph])[graph]
        if len(triples or []) != expected:
            log.warning("graph %s: read %d triples, the server counts %d", graph, len(triples or []), expected)
            raise OffriError("endpoint-partial", {"endpoint": where(self.config.store or self.config.query)})
        return triples or None

    def _fetch_gsp(self, graph: str) -> list[ox.Triple] | None | bool:
        """Triples by Graph Store ``GET``; False when the GSP needs a login we do not have."""
        try:
            reply = self._graph("GET", graph, headers={"Accept": N_TRIPLES}, allow=(404,))
        except OffriError as exc:
            if exc.code == "endpoint-login-refused" and not self.config.user:
                return False
            raise
        if reply.status == 404:
            return None
        return _triples(reply, self.config.store or "") or None

    def _put(self, graph: str, triples: list[ox.Triple]) -> None:
        if not triples:
            self._delete(graph)
            return
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        self._graph("PUT", graph, content=body, headers={"Content-Type": N_TRIPLES})

    def _delete(self, graph: str) -> None:
        self._graph("DELETE", graph, allow=(404,))

    # -- loading -----------------------------------------------------------------------------------
    def load(self, sources: list[Source], graph: str | None = None, agent: str | None = None,
             progress: Callable[[int, int], None] | None = None, replace: bool = False) -> list[LoadReport]:
        """Validate locally, then replace every graph the sources write on the server,
        all-or-nothing, by the load plan's rules (``offri_kg.store.plan``).

        Nothing is sent when the data has a violation or the plan refuses it. Each graph's
        current content is read first; if any write fails, the graphs already replaced are put
        back (or deleted when they did not exist) before the error is raised. offri's own
        graphs (ontology, vocabularies, reference data) take only the files offri ships for
        them (``offri build --endpoint`` puts them there; the embedded store carries them itself).
        """
        if not self.config.update or not self.config.store:
            raise OffriError("endpoint-cannot-write", {"endpoint": self.location})
        # the rules that need no answer from the server, then validation: a refused or invalid
        # file sends no request at all
        local = plan_load(sources, graph, {}, set(), replace=replace, takes_shipped=True)
        report = validate_store(build_store(local.sources()))
        if report.count(Severity.VIOLATION):
            raise ValidationFailed(report)
        sizes = self._counts(local.graphs())
        plan = plan_load(sources, graph, self.records(), {g for g, n in sizes.items() if n}, replace=replace,
                         agent=agent, takes_shipped=True)

        contents: dict[str, dict[ox.Triple, None]] = {name: {} for name in plan.graphs()}
        for source in plan.sources():
            for name, triples in triples_by_graph(source).items():
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
            self._update(plan.records(counts, agent, now_iso()).as_update())
        except BaseException as exc:
            self._restore(replaced, backups, exc)
            raise
        return plan.reports(counts)

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
    def records(self) -> dict[str, Recorded]:
        """The load records on the server (their sources)."""
        return records_from(self._rows(records_query()))

    def graphs(self) -> list[GraphInfo]:
        """The graphs named in the metadata graph, with their provenance and current size."""
        records = self.records()
        counts = self._counts(sorted(records))
        return [graph_info(g, counts.get(g, 0), records[g]) for g in sorted(records)]

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
        """Let go of the connections kept open for the next request."""
        self._http.close()


def _triples(reply: Reply, url: str) -> list[ox.Triple]:
    """The triples of an RDF answer (a CONSTRUCT's, a Graph Store ``GET``'s)."""
    try:
        fmt = ox.RdfFormat.from_media_type(reply.media_type) or ox.RdfFormat.N_TRIPLES
        return [quad.triple for quad in ox.parse(reply.body, fmt)]
    except (SyntaxError, ValueError) as exc:
        raise _unreadable(reply, url, exc) from None


def _unreadable(reply: Reply, url: str, exc: Exception) -> OffriError:
    return OffriError("endpoint-error", {"endpoint": where(url), "status": reply.status,
                                        "detail": f"unreadable answer ({reply.media_type}): {exc}"})
