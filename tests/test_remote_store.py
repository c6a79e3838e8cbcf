"""RemoteStore against real servers on loopback: Oxigraph server and Virtuoso 7.2 (tests/servers.py).

Each test starts from an empty store (the graphs offri wrote are dropped first), so tests can
share one server per session and run in any order.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pyoxigraph as ox
import pytest

from clikit import INPUT, ROOT
from netkit import canary, reply, serving
from offri_kg.errors import OffriError
from offri_kg.ingest.read import read_source, read_sources
from offri_kg.vocab import GRAPH as GRAPH_BASE
from offri_kg.resources import example_data_files, reference_data_files
from offri_kg.store.base import META_GRAPH
from offri_kg.store.embedded import ValidationFailed
from offri_kg.query.guard import query_kind
from offri_kg.store.remote import RemoteStore, load_config
from servers import Server, free_port

EXAMPLES = ROOT / "data" / "examples"
ARENDAL_GRAPH = GRAPH_BASE + "examples/arendal"
ALL_TRIPLES = (f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
               f'FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}") && ?g != <{META_GRAPH}>) }}')
# A three-way cross product of one example graph (3e8 rows), with a filter on every row: far
# longer than any timeout here (without the filter Virtuoso counts it in about a second). Kept to
# one graph: over Virtuoso's whole default graph its cost estimate (> 400 s) is refused before it runs.
HEAVY = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ARENDAL_GRAPH}> {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
         "FILTER(STR(?c) != STR(?i)) } }")


def shipped() -> list:
    return read_sources(reference_data_files() + example_data_files())


def shipped_triples() -> int:
    return sum(len(list(ox.parse(s.data, ox.RdfFormat.TURTLE, base_iri=s.path.resolve().as_uri()))) for s in shipped())


def number(store: RemoteStore, sparql: str) -> int:
    return int(store.query(sparql).rows[0]["n"].value)


def reset(store: RemoteStore) -> None:
    """Drop every graph offri wrote (never the server's own graphs)."""
    for info in store.graphs():
        store._delete(info.iri)
    store._delete(META_GRAPH)


def canonical(data: bytes) -> set[ox.Quad]:
    dataset = ox.Dataset(ox.parse(data, ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


@pytest.fixture(params=["oxigraph_server", "virtuoso_server"])
def server(request: pytest.FixtureRequest) -> Server:
    return request.getfixturevalue(request.param)


@pytest.fixture
def store(server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[RemoteStore]:
    server.configure(monkeypatch, tmp_path)
    remote = RemoteStore(server.query_url, timeout=30)
    reset(remote)
    yield remote
    remote.close()


@pytest.fixture
def loaded(store: RemoteStore) -> RemoteStore:
    store.load(shipped(), agent="tester")
    return store


# ---- loading and reading ---------------------------------------------------------------------------

def test_load_the_shipped_data_and_count_it_back(store: RemoteStore) -> None:
    seen: list[tuple[int, int]] = []
    reports = store.load(shipped(), agent="tester", progress=lambda done, total: seen.append((done, total)))
    expected = shipped_triples()
    assert number(store, ALL_TRIPLES) == expected
    assert sum(r.triples for r in reports) == expected
    assert not any(r.replaced for r in reports)
    assert seen and seen[-1] == (expected, expected)
    # stored queries are written for the union of the graphs: the same answer on every backend
    assert number(store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/offri/ns#Partnership> }") > 0


def test_graphs_show_provenance(loaded: RemoteStore) -> None:
    graphs = {g.iri: g for g in loaded.graphs()}
    assert set(graphs) == {s.graph for s in shipped()}
    arendal = graphs[ARENDAL_GRAPH]
    assert arendal.source == "arendal.ttl" and arendal.loaded_by == "tester"
    assert arendal.checksum and arendal.checksum.startswith("sha256:") and arendal.loaded_at
    assert arendal.triples == len(list(ox.parse(path=str(EXAMPLES / "arendal.ttl"), format=ox.RdfFormat.TURTLE)))
    recorded = number(loaded, f"SELECT (SUM(?n) AS ?n) WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <http://rdfs.org/ns/void#triples> ?n }} }}")
    assert recorded == sum(g.triples for g in graphs.values())


def test_reloading_replaces_the_graph(loaded: RemoteStore, tmp_path: Path) -> None:
    marker = tmp_path / "marker.ttl"
    marker.write_text('<https://w3id.org/offri/id/test/marker> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .\n',
                      encoding="utf-8")
    with pytest.raises(OffriError) as owned:  # another file: not without being asked
        loaded.load(read_sources([marker]), graph=ARENDAL_GRAPH, agent="second")
    assert owned.value.code == "graph-owned"
    [report] = loaded.load(read_sources([marker]), graph=ARENDAL_GRAPH, agent="second", replace=True)
    assert report.replaced and report.triples == 1
    info = {g.iri: g for g in loaded.graphs()}[ARENDAL_GRAPH]
    assert (info.triples, info.source, info.loaded_by) == (1, "marker.ttl", "second")
    assert number(loaded, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{META_GRAPH}> {{ <{ARENDAL_GRAPH}> ?p ?o }} }}") == 7
    assert loaded.query(f"ASK {{ GRAPH <{ARENDAL_GRAPH}> {{ <https://w3id.org/offri/id/test/marker> ?p ?o }} }}").boolean


def test_a_violation_sends_nothing(loaded: RemoteStore) -> None:
    before = canonical(loaded.export(ox.RdfFormat.N_QUADS))
    with pytest.raises(ValidationFailed) as caught:
        loaded.load(read_sources([INPUT / "missing-status.ttl", INPUT / "actors.ttl"]))
    assert caught.value.code == "validation-failed" and caught.value.params["violations"] > 0
    assert any(r.source_shape.endswith("Partnership-status>") for r in caught.value.report.results)
    assert canonical(loaded.export(ox.RdfFormat.N_QUADS)) == before


def test_a_violation_makes_no_request_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with canary() as spy:
        monkeypatch.setenv("OFFRI_CONFIG", str(tmp_path / "none.toml"))
        remote = RemoteStore(spy.url + "/query")
        with pytest.raises(ValidationFailed):
            remote.load(read_sources([INPUT / "missing-status.ttl", INPUT / "actors.ttl"]))
    assert spy.requests == []


def test_a_failed_write_puts_every_graph_back(loaded: RemoteStore, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    before = canonical(loaded.export(ox.RdfFormat.N_QUADS))
    changed = tmp_path / "arendal.ttl"
    changed.write_text((EXAMPLES / "arendal.ttl").read_text(encoding="utf-8")
                       + '\n<https://w3id.org/offri/id/test/marker> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .\n',
                       encoding="utf-8")
    sources = [read_source(changed, graph=ARENDAL_GRAPH),                     # exists: replaced, then restored
               read_source(EXAMPLES / "international.ttl", graph=GRAPH_BASE + "test/new"),  # new: then deleted
               read_source(EXAMPLES / "denmark.ttl")]                          # this write fails
    real_put, calls = RemoteStore._put, []

    def failing_put(self: RemoteStore, graph: str, triples: list) -> None:
        calls.append(graph)
        if len(calls) == 3:
            raise OffriError("endpoint-error", {"endpoint": "test", "status": 500, "detail": "injected"})
        real_put(self, graph, triples)

    monkeypatch.setattr(RemoteStore, "_put", failing_put)
    with pytest.raises(OffriError) as caught:
        loaded.load(sources, replace=True)  # arendal.ttl from another folder: asked to replace
    assert caught.value.params.get("detail") == "injected"
    monkeypatch.setattr(RemoteStore, "_put", real_put)
    assert canonical(loaded.export(ox.RdfFormat.N_QUADS)) == before


def test_export_round_trips(loaded: RemoteStore) -> None:
    dump = loaded.export(ox.RdfFormat.N_QUADS)
    exported = {q for q in canonical(dump) if q.graph_name.value != META_GRAPH}
    original = ox.Dataset()
    for source in shipped():
        graph = ox.NamedNode(source.graph)
        for triple in ox.parse(source.data, ox.RdfFormat.TURTLE, base_iri=source.path.resolve().as_uri()):
            original.add(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    original.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    assert exported == set(original)
    trig = ox.Dataset(ox.parse(loaded.export(ox.RdfFormat.TRIG), ox.RdfFormat.TRIG))
    assert len(trig) == len(ox.Dataset(ox.parse(dump, ox.RdfFormat.N_QUADS)))
    one = loaded.export(ox.RdfFormat.TURTLE, graph=ARENDAL_GRAPH)
    assert len(list(ox.parse(one, ox.RdfFormat.TURTLE))) == {g.iri: g for g in loaded.graphs()}[ARENDAL_GRAPH].triples
    with pytest.raises(OffriError) as caught:
        loaded.export(ox.RdfFormat.TURTLE, graph=GRAPH_BASE + "no-such-graph")
    assert caught.value.code == "unknown-graph"


def test_query_kinds_and_substitutions(loaded: RemoteStore) -> None:
    arendal = ox.NamedNode("https://w3id.org/offri/id/municipality/arendal")
    rows = loaded.query("SELECT ?label WHERE { ?m <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }",
                        substitutions={"m": arendal}).rows
    assert {(r["label"].value, r["label"].language) for r in rows} == {("Arendal kommune", "nb"),
                                                                        ("Arendal Municipality", "en")}
    assert loaded.query("ASK { ?s ?p ?o }").boolean is True
    graph = loaded.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ARENDAL_GRAPH}> {{ ?s ?p ?o }} }}")
    assert graph.kind == "graph" and len(graph.triples) == {g.iri: g for g in loaded.graphs()}[ARENDAL_GRAPH].triples
    with pytest.raises(OffriError) as caught:
        loaded.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert caught.value.code == "query-refused"


# ---- failures ----------------------------------------------------------------------------------------

def test_a_wrong_password_is_refused(virtuoso_server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    virtuoso_server.configure(monkeypatch, tmp_path, password="not-the-password")
    with pytest.raises(OffriError) as caught:
        RemoteStore(virtuoso_server.query_url).load(read_sources([EXAMPLES / "denmark.ttl"]))
    assert caught.value.code == "endpoint-login-refused" and caught.value.params["status"] == 401


def test_the_password_can_come_from_the_environment(virtuoso_server: Server, monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    virtuoso_server.configure(monkeypatch, tmp_path, password="not-the-password")
    monkeypatch.setenv("OFFRI_ENDPOINT_PASSWORD", virtuoso_server.password or "")
    remote = RemoteStore(virtuoso_server.query_url)
    reset(remote)
    [report] = remote.load(read_sources([EXAMPLES / "denmark.ttl"]))
    assert report.triples > 0


def test_a_closed_port_is_unreachable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OFFRI_CONFIG", str(tmp_path / "none.toml"))
    remote = RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=5)
    with pytest.raises(OffriError) as caught:
        remote.query("ASK {}")
    assert caught.value.code == "endpoint-unreachable"
    with pytest.raises(OffriError) as caught:
        remote.load(read_sources([EXAMPLES / "denmark.ttl"]))
    assert caught.value.code == "endpoint-unreachable"


@pytest.fixture(params=["oxigraph_scratch", "virtuoso_limited"])
def busy_server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> RemoteStore:
    """A server a runaway query may keep busy: a throwaway Oxigraph (stopped after the test,
    and --timeout-s 10) or the Virtuoso that stops every query after 1 s."""
    server: Server = request.getfixturevalue(request.param)
    server.configure(monkeypatch, tmp_path)
    remote = RemoteStore(server.query_url)
    reset(remote)
    remote.load(read_sources(example_data_files()))
    return remote


def test_a_slow_query_times_out(busy_server: RemoteStore) -> None:
    with pytest.raises(OffriError) as caught:
        busy_server.query(HEAVY, timeout=0.2)
    assert caught.value.code == "endpoint-timeout" and caught.value.params["seconds"] == "0.2"


@pytest.fixture
def limited(virtuoso_limited: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> RemoteStore:
    virtuoso_limited.configure(monkeypatch, tmp_path)
    remote = RemoteStore(virtuoso_limited.query_url, timeout=30)
    reset(remote)
    remote.load(read_sources(example_data_files()))
    return remote


def test_a_query_the_server_stops_is_a_timeout(limited: RemoteStore) -> None:
    # the data is loaded first: over an empty graph the cross product would answer at once
    with pytest.raises(OffriError) as caught:
        limited.query(HEAVY)
    assert caught.value.code == "endpoint-timeout"


def test_virtuoso_cutting_rows_is_a_partial_answer(limited: RemoteStore) -> None:
    assert number(limited, ALL_TRIPLES) > 100
    with pytest.raises(OffriError) as caught:
        limited.query(f"SELECT * WHERE {{ GRAPH <{ARENDAL_GRAPH}> {{ ?s ?p ?o }} }}")
    assert caught.value.code == "endpoint-partial"


def test_virtuoso_anytime_answer_is_partial(virtuoso_limited: Server, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    """With Virtuoso's ``timeout`` parameter (ms) a long query answers what it found so far."""
    virtuoso_limited.configure(monkeypatch, tmp_path, extra='query_params = { timeout = "300" }')
    with pytest.raises(OffriError) as caught:
        RemoteStore(virtuoso_limited.query_url, timeout=30).query(HEAVY)
    assert caught.value.code == "endpoint-partial"


def test_a_silently_cut_graph_is_never_trusted(limited: RemoteStore) -> None:
    """Virtuoso cuts a Graph Store GET at ResultSetMaxRows without a sign; the COUNT check sees it."""
    before = number(limited, ALL_TRIPLES)
    with pytest.raises(OffriError) as caught:
        limited.export(ox.RdfFormat.N_QUADS)
    assert caught.value.code == "endpoint-partial"
    with pytest.raises(OffriError) as caught:  # the backup of arendal would be cut: nothing is sent
        limited.load(read_sources([EXAMPLES / "arendal.ttl"]))
    assert caught.value.code == "endpoint-partial"
    assert number(limited, ALL_TRIPLES) == before


# ---- what the real servers never send: a loopback stub ---------------------------------------------

@contextmanager
def stub(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Iterator[str]:
    """A server that answers every request with ``status``; yields its /query URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            reply(self, status, body, headers)

        do_GET = do_HEAD = do_PUT = do_POST

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield url + "/query"


@pytest.mark.parametrize(("status", "body", "headers", "code"), [
    (206, b'{"head":{"vars":["s"]},"results":{"bindings":[]}}', {"Content-Type": "application/sparql-results+json"},
     "endpoint-partial"),
    (401, b"no", {"WWW-Authenticate": 'Basic realm="x"'}, "endpoint-login-refused"),
    (403, b"forbidden", {}, "endpoint-login-refused"),
    (503, b"Service Unavailable\nsecond line", {}, "endpoint-error"),
])
def test_status_codes(status: int, body: bytes, headers: dict, code: str, monkeypatch: pytest.MonkeyPatch,
                      tmp_path: Path) -> None:
    monkeypatch.setenv("OFFRI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("OFFRI_ENDPOINT_USER", "someone")
    monkeypatch.setenv("OFFRI_ENDPOINT_PASSWORD", "secret")
    with stub(status, body, headers) as url:
        with pytest.raises(OffriError) as caught:
            RemoteStore(url, timeout=5).query("SELECT * WHERE { ?s ?p ?o }")
    assert caught.value.code == code
    if code == "endpoint-error":
        assert caught.value.params["status"] == 503 and caught.value.params["detail"] == "Service Unavailable"


# ---- configuration ----------------------------------------------------------------------------------

def test_configuration_defaults_file_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OFFRI_ENDPOINT_USER", "OFFRI_ENDPOINT_PASSWORD", "OFFRI_ENDPOINT_AUTH",
                 "OFFRI_UPDATE_ENDPOINT", "OFFRI_STORE_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OFFRI_CONFIG", str(tmp_path / "missing.toml"))
    oxigraph = load_config("http://h:7878/query")
    assert (oxigraph.update, oxigraph.store, oxigraph.graph_param) == ("http://h:7878/update", "http://h:7878/store", "graph")
    virtuoso = load_config("http://h:8890/sparql")
    assert (virtuoso.update, virtuoso.store, virtuoso.graph_param, virtuoso.auth) == (
        "http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth", "graph-uri", "digest")
    assert load_config("http://h/other").update is None

    config = tmp_path / "config.toml"
    config.write_text('[endpoint."http://h/other"]\nupdate = "http://h/u"\nstore = "http://h/s"\nuser = "me"\n'
                      'password = "from-file"\nauth = "digest"\n', encoding="utf-8")
    monkeypatch.setenv("OFFRI_CONFIG", str(config))
    settings = load_config("http://h/other")
    assert (settings.update, settings.store, settings.user, settings.password, settings.auth) == (
        "http://h/u", "http://h/s", "me", "from-file", "digest")
    assert "from-file" not in repr(settings)
    monkeypatch.setenv("OFFRI_ENDPOINT_PASSWORD", "from-env")
    monkeypatch.setenv("OFFRI_STORE_ENDPOINT", "http://h/s2")
    settings = load_config("http://h/other")
    assert (settings.password, settings.store) == ("from-env", "http://h/s2")

    config.write_text('[endpoint."http://h/other"\n', encoding="utf-8")
    with pytest.raises(OffriError) as caught:
        load_config("http://h/other")
    assert caught.value.code == "syntax-error" and caught.value.location.file == str(config)


def test_no_write_address_means_cannot_write(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OFFRI_CONFIG", str(tmp_path / "none.toml"))
    for name in ("OFFRI_UPDATE_ENDPOINT", "OFFRI_STORE_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(OffriError) as caught:
        RemoteStore("http://127.0.0.1:9/elsewhere").load(read_sources([EXAMPLES / "denmark.ttl"]))
    assert caught.value.code == "endpoint-cannot-write"


@pytest.mark.parametrize(("sparql", "kind"), [
    ("PREFIX drop: <http://example.org/> SELECT * WHERE { ?s drop:p ?o }", "SELECT"),
    ("# DELETE is only a comment here\nASK {}", "ASK"),
    ('select ?add WHERE { ?add ?p "INSERT" }', "SELECT"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DELETE DATA { <urn:a> <urn:b> <urn:c> }", "DELETE"),
])
def test_query_kind(sparql: str, kind: str) -> None:
    assert query_kind(sparql) == kind


def test_an_update_is_not_a_query(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OFFRI_CONFIG", str(tmp_path / "none.toml"))
    with canary() as spy:
        with pytest.raises(OffriError) as caught:
            RemoteStore(spy.url + "/query").query("DELETE DATA { <urn:a> <urn:b> <urn:c> }")
    assert caught.value.code == "update-not-query" and caught.value.params["kind"] == "DELETE" and spy.requests == []


def test_build_puts_what_the_stored_queries_need_on_the_remote_store(store: RemoteStore) -> None:
    """Loading only the examples leaves a remote store without the ontology and vocabularies,
    and q01 finds nothing there; ``offri build --endpoint`` sends them too, once."""
    from offri_kg.build import build_remote
    from offri_kg.query.bind import bindings
    from offri_kg.query.library import get_stored_query
    from offri_kg.validate.dataset import reference_sources

    summary = build_remote(store.location)
    assert summary.report.count_violations() == 0
    graphs = {g.iri: g for g in store.graphs()}
    assert {s.graph for s in reference_sources()} <= set(graphs)
    q01 = get_stored_query("q01-partnerships")
    rows = store.query(q01.sparql, bindings(q01, {"lang": "en"})).rows
    assert rows and all(r["partnershipLabel"] is not None for r in rows)
    again = build_remote(store.location)
    assert {g.iri: g.loaded_at for g in store.graphs()} == {iri: g.loaded_at for iri, g in graphs.items()}
    assert again.graphs == summary.graphs
