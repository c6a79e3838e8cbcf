"""offri serve in-process: endpoint, content negotiation, linked data, pages, cache, errors."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from offri_kg.ingest.read import read_sources
from offri_kg.store.embedded import EmbeddedStore
from servers import oxigraph_scratch  # noqa: F401
from webkit import built_store, client

ACTOR = "https://w3id.org/offri/id/actor/offri-maintainers"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_store(tmp_path_factory.mktemp("web") / "store")


@pytest.fixture(scope="module")
def web(store: Path):
    with client(store) as c:
        yield c


def an_example(web) -> str:
    """An IRI of an illustrative partnership in the shipped examples."""
    answer = web.get("/sparql", params={"query": "SELECT ?p WHERE { ?p a <https://w3id.org/offri/ns#Partnership> ; "
                                                  "<https://w3id.org/offri/ns#illustrative> true } ORDER BY ?p LIMIT 1"})
    return answer.json()["results"]["bindings"][0]["p"]["value"]


# ---- the SPARQL endpoint ------------------------------------------------------------------------
def test_get_query_answers_json(web) -> None:
    answer = web.get("/sparql", params={"query": COUNT})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/sparql-results+json")
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 1000


@pytest.mark.parametrize("accept, parse", [
    ("application/sparql-results+xml", lambda b: "<sparql" in b.decode()),
    ("text/csv", lambda b: next(csv.reader(io.StringIO(b.decode()))) == ["n"]),
    ("text/tab-separated-values", lambda b: b.decode().splitlines()[0] == "?n"),
])
def test_select_formats_by_accept(web, accept: str, parse) -> None:
    answer = web.get("/sparql", params={"query": COUNT}, headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
    assert parse(answer.content)
    assert "Accept" in answer.headers["vary"]


def test_results_parse_with_rdflib(web) -> None:
    query = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?s ?label LIMIT 20"
    for accept, fmt in [("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
                        ("text/csv", "csv"), ("text/tab-separated-values", "tsv")]:
        body = web.get("/sparql", params={"query": query}, headers={"Accept": accept}).content
        parsed = rdflib.query.Result.parse(io.BytesIO(body), format=fmt)
        assert len(list(parsed)) == 20, accept


def test_result_formats_carry_the_same_terms(web) -> None:
    """JSON, XML and TSV (written from the worker's TSV) give the same rows: IRIs, blank nodes,
    language-tagged and typed literals, tabs and quotes inside values, unbound variables."""
    query = ('SELECT ?x ?y WHERE { { VALUES (?x ?y) { (<http://example.org/a> "tab\\there \\"q\\""@nb) '
             '("2.50"^^<http://www.w3.org/2001/XMLSchema#decimal> UNDEF) ("plain" "line\\nbreak") } } '
             'UNION { BIND(BNODE("b") AS ?x) } }')
    parsed = {}
    for accept, fmt in [("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
                        ("text/tab-separated-values", "tsv")]:
        body = web.get("/sparql", params={"query": query}, headers={"Accept": accept}).content
        rows = [tuple(row) for row in rdflib.query.Result.parse(io.BytesIO(body), format=fmt)]
        parsed[fmt] = sorted((tuple("BNODE" if isinstance(t, rdflib.BNode) else t for t in row) for row in rows),
                             key=repr)
    assert len(parsed["json"]) == 4
    assert (rdflib.URIRef("http://example.org/a"), rdflib.Literal('tab\there "q"', lang="nb")) in parsed["json"]
    assert (rdflib.Literal("2.5", datatype=rdflib.XSD.decimal), None) in parsed["json"]
    assert parsed["json"] == parsed["xml"] == parsed["tsv"]


@pytest.mark.parametrize("accept, fmt", [("application/sparql-results+json", ox.QueryResultsFormat.JSON),
                                         ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
                                         ("text/tab-separated-values", ox.QueryResultsFormat.TSV)])
def test_results_keep_a_literals_base_direction(web, accept: str, fmt) -> None:
    """RDF 1.2 ``"abc"@ar--rtl`` is another term than ``"abc"@ar``: the answer keeps its direction."""
    body = web.get("/sparql", params={"query": 'SELECT ?x WHERE { BIND(STRLANGDIR("abc", "ar", "rtl") AS ?x) }'},
                   headers={"Accept": accept}).content
    term = next(iter(ox.parse_query_results(body, format=fmt)))["x"]
    assert (term.value, term.language, str(term.direction)) == ("abc", "ar", "rtl")


def test_csv_quotes_iris_with_commas(web) -> None:
    """SPARQL 1.1 CSV quotes any value holding a comma, IRIs too (Oxigraph 0.5's CSV writer
    leaves IRIs bare, so offri writes CSV itself)."""
    query = 'SELECT ?i ?n WHERE { BIND(<http://dbpedia.org/resource/Washington,_D.C.> AS ?i) BIND("x" AS ?n) }'
    body = web.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"}).text
    assert list(csv.reader(io.StringIO(body))) == [["i", "n"], ["http://dbpedia.org/resource/Washington,_D.C.", "x"]]


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_blank_node_labels_with_colons_are_answered(web, accept: str) -> None:
    """``BNODE("a:b")`` makes a label that Oxigraph's TSV reader refuses: every format still
    answers (the endpoint writes answers from the rows, not through TSV)."""
    answer = web.get("/sparql", params={"query": 'SELECT ?b WHERE { BIND(BNODE("a:b") AS ?b) }'},
                     headers={"Accept": accept})
    assert answer.status_code == 200, answer.text


def test_post_form_and_direct(web) -> None:
    form = web.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    direct = web.post("/sparql", content="ASK { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query"})
    assert form.json()["boolean"] is True and direct.json()["boolean"] is True


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                         ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_construct_formats(web, accept: str, fmt: str) -> None:
    query = f"CONSTRUCT {{ <{ACTOR}> ?p ?o }} WHERE {{ <{ACTOR}> ?p ?o }}"
    answer = web.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
    graph = rdflib.Graph().parse(data=answer.content, format=fmt)
    assert (rdflib.URIRef(ACTOR), None, None) in graph


def test_service_description_on_bare_get(web) -> None:
    answer = web.get("/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=answer.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, rdflib.RDF.type, sd.Service) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) not in graph


def test_cors_for_browser_clients(web) -> None:
    answer = web.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert answer.headers["access-control-allow-origin"] == "*"
    preflight = web.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200


def test_default_graph_uri_selects_a_graph(web) -> None:
    graph = "https://w3id.org/offri/graph/examples/arendal"
    inside = web.get("/sparql", params={"query": COUNT, "default-graph-uri": graph}).json()
    everything = web.get("/sparql", params={"query": COUNT}).json()
    n = lambda a: int(a["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert 0 < n(inside) < n(everything)


def test_unacceptable_accept_is_406(web) -> None:
    answer = web.get("/sparql", params={"query": COUNT}, headers={"Accept": "image/png"})
    assert answer.status_code == 406 and "application/sparql-results+json" in answer.text


def test_errors_are_text_or_json_never_a_trace(web) -> None:
    plain = web.get("/sparql", params={"query": "SELEC * WHERE {"})
    assert plain.status_code == 400 and "Traceback" not in plain.text and "SPARQL" in plain.text
    as_json = web.get("/sparql", params={"query": "SELEC * WHERE {"}, headers={"Accept": "application/json"})
    assert as_json.json()["error"] == "query-syntax"
    norsk = web.get("/sparql", params={"query": "SELEC * WHERE {"}, headers={"Accept-Language": "nb"})
    assert "syntaksfeil" in norsk.text


# ---- linked data --------------------------------------------------------------------------------
def test_resource_uri_redirects_303_by_accept(web) -> None:
    html = web.get("/id/actor/offri-maintainers", headers={"Accept": "text/html"}, follow_redirects=False)
    turtle = web.get("/id/actor/offri-maintainers", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert html.status_code == 303 and html.headers["location"] == "/doc/id/actor/offri-maintainers"
    assert turtle.status_code == 303 and turtle.headers["location"] == "/doc/id/actor/offri-maintainers.ttl"
    assert "Accept" in html.headers["vary"]


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                         ("application/n-triples", "nt"), ("application/rdf+xml", "xml")])
def test_resource_rdf_by_content_negotiation(web, accept: str, fmt: str) -> None:
    answer = web.get("/id/actor/offri-maintainers", headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
    graph = rdflib.Graph().parse(data=answer.content, format=fmt)
    assert (rdflib.URIRef(ACTOR), rdflib.namespace.SKOS.prefLabel, rdflib.Literal("The offri maintainers", lang="en")) in graph


def test_resource_page_reads_as_a_page(web) -> None:
    page = web.get("/doc/id/actor/offri-maintainers", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "<h1>The offri maintainers</h1>" in page.text
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S).group(1))
    assert data["@id"] == ACTOR and data["name"] == "The offri maintainers"
    assert 'rel="alternate" type="text/turtle"' in page.text
    norsk = web.get("/doc/id/actor/offri-maintainers?lang=nb")
    assert "<h1>offri-vedlikeholderne</h1>" in norsk.text and 'lang="nb"' in norsk.text
    web.cookies.clear()


def test_illustrative_data_carries_a_badge(web) -> None:
    example = an_example(web)
    page = web.get("/doc/" + example.removeprefix("https://w3id.org/offri/"))
    assert page.status_code == 200 and 'class="badge"' in page.text
    real = web.get("/doc/id/actor/offri-maintainers")
    assert 'class="badge"' not in real.text


def test_vocabulary_terms_resolve(web) -> None:
    answer = web.get("/vocab/sector/public", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and "prefLabel" in answer.text


def test_unknown_resource_is_404(web) -> None:
    assert web.get("/doc/id/actor/nobody").status_code == 404
    assert web.get("/id/actor/nobody", headers={"Accept": "text/turtle"}).status_code == 404


def test_void_sitemap_and_dump(web) -> None:
    void = rdflib.Graph().parse(data=web.get("/.well-known/void").text, format="turtle")
    assert (None, rdflib.URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), None) in void
    sitemap = web.get("/sitemap.xml").text
    assert "/doc/id/actor/offri-maintainers</loc>" in sitemap
    dump = web.get("/dump.nq")
    assert len(list(ox.parse(dump.content, ox.RdfFormat.N_QUADS))) > 1000


# ---- pages -----------------------------------------------------------------------------------------
def test_home_in_both_languages(web) -> None:
    web.cookies.clear()  # an earlier ?lang= left its choice in a cookie, which wins over Accept-Language
    english = web.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    norsk = web.get("/", headers={"Accept-Language": "nb-NO,nb;q=0.9"})
    assert '<html lang="en">' in english.text and "collaboration models" in english.text
    assert '<html lang="nb">' in norsk.text and "samarbeidsmodeller" in norsk.text
    toggled = web.get("/?lang=nb")
    assert toggled.cookies.get("lang") == "nb"


def test_stored_query_page_and_csv(web) -> None:
    page = web.get("/queries/q01-partnerships", params={"municipality": "https://w3id.org/offri/id/municipality/steinkjer"})
    assert page.status_code == 200 and "<table>" in page.text and 'class="badge"' in page.text
    csv_answer = web.get("/queries/q01-partnerships", params={"format": "csv"})
    rows = list(csv.reader(io.StringIO(csv_answer.text)))
    assert rows[0][0] and len(rows) > 1
    bad = web.get("/queries/q01-partnerships", params={"municipality": "not an iri"})
    assert bad.status_code == 400
    typo = web.get("/queries/q01-partnershps")  # no such page, and the answer names the close one
    assert typo.status_code == 404 and "q01-partnerships" in typo.text
    form = web.get("/queries/q11-compare-municipalities")
    assert form.status_code == 200 and 'name="second" value="https://w3id.org/offri/id/municipality/steinkjer" size="60" required' in form.text
    missing = web.get("/queries/q11-compare-municipalities", params={"second": "", "lang": "en"})
    assert missing.status_code == 400 and "second" in missing.text and "needs a value" in missing.text


# ---- the cache ------------------------------------------------------------------------------------
def test_pages_carry_an_etag_and_answer_304_while_the_store_is_unchanged(tmp_path: Path) -> None:
    path = built_store(tmp_path / "store")
    marker = tmp_path / "marker.ttl"
    with client(path) as web:
        page = web.get("/doc/id/actor/offri-maintainers")
        etag = page.headers["etag"]
        assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
        again = web.get("/doc/id/actor/offri-maintainers", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        assert web.get("/doc/id/actor/offri-maintainers", headers={"If-None-Match": '"other"'}).status_code == 200
        marker.write_text(f'<{ACTOR}> <http://www.w3.org/2000/01/rdf-schema#comment> "etag-marker" .\n', encoding="utf-8")
        store = EmbeddedStore(path)
        store.load(read_sources([marker]))
        store.close()
        changed = web.get("/doc/id/actor/offri-maintainers", headers={"If-None-Match": etag})
        assert changed.status_code == 200 and "etag-marker" in changed.text and changed.headers["etag"] != etag


def test_a_load_invalidates_cached_pages(tmp_path: Path) -> None:
    path = built_store(tmp_path / "store")
    marker = tmp_path / "marker.ttl"
    with client(path) as web:
        first = web.get("/doc/id/actor/offri-maintainers").text
        assert "cache-marker" not in first
        assert web.get("/doc/id/actor/offri-maintainers").text == first  # from the cache
        dump = web.get("/dump.nq").content
        assert b"cache-marker" not in dump and web.get("/dump.nq").content == dump  # the dump file, kept
        search = {"q": "cachemarkerlabel", "lang": "en"}
        assert "<strong>0</strong>" in web.get("/browse/organisations", params=search).text
        marker.write_text(f'<{ACTOR}> <http://www.w3.org/2000/01/rdf-schema#comment> "cache-marker" ;\n'
                          f'    <http://www.w3.org/2000/01/rdf-schema#label> "cachemarkerlabel"@en .\n', encoding="utf-8")
        store = EmbeddedStore(path)
        store.load(read_sources([marker]))
        store.close()
        assert "cache-marker" in web.get("/doc/id/actor/offri-maintainers").text
        assert b"cache-marker" in web.get("/dump.nq").content  # a new generation, a new dump
        assert "<strong>1</strong>" in web.get("/browse/organisations", params=search).text  # count and facets too
        assert len(list((path / "serving").glob("*/dump-*.nq"))) == 1  # the old one is gone


# ---- in front of a remote store -------------------------------------------------------------------
def test_serves_a_remote_oxigraph_server(oxigraph_scratch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``--endpoint``: the same pages and endpoint, answered by a real Oxigraph server."""
    from offri_kg.ingest.read import read_sources as read
    from offri_kg.resources import example_data_files
    from offri_kg.store.remote import RemoteStore

    oxigraph_scratch.configure(monkeypatch, tmp_path)
    remote = RemoteStore(oxigraph_scratch.query_url)
    remote.load(read(example_data_files()))
    remote.close()
    with client(None, endpoint=oxigraph_scratch.query_url) as web:
        count = web.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/offri/ns#Partnership> }"})
        assert int(count.json()["results"]["bindings"][0]["n"]["value"]) >= 10
        assert web.get("/browse/models", params={"lang": "en"}).status_code == 200
        turtle = web.get("/id/partnership/example-borough-befriending", headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200 and "prefLabel" in turtle.text
        page = web.get("/doc/id/partnership/example-borough-befriending", params={"lang": "en"}).text
        assert "<h1>Befriending" in page and 'class="badge"' in page and "<svg" in page
        refused = web.get("/sparql", params={"query": "ASK FROM <http://example.org/g> { ?s ?p ?o }"})
        assert refused.status_code == 400


def test_a_bug_answers_500_in_words_and_the_server_goes_on(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from offri_kg.web import catalogue

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("simulated bug")

    with client(store) as web:
        monkeypatch.setattr(catalogue, "items_query", broken)
        answer = web.get("/browse/models", headers={"Accept-Language": "nb"})
        assert answer.status_code == 500 and "intern feil" in answer.text and "Traceback" not in answer.text
        monkeypatch.undo()
        assert web.get("/browse/models").status_code == 200


def test_only_http_iris_become_links(tmp_path: Path) -> None:
    marker = tmp_path / "odd.ttl"
    marker.write_text('<https://w3id.org/offri/id/test/odd> a <javascript:alert(1)> ; '
                      '<http://www.w3.org/2004/02/skos/core#prefLabel> "odd"@en .\n', encoding="utf-8")
    path = built_store(tmp_path / "store")
    store = EmbeddedStore(path)
    store.load(read_sources([marker]))
    store.close()
    with client(path) as web:
        answer = web.get("/doc/id/test/odd")
        page = answer.text
        assert answer.status_code == 200  # the page about the resource, not a 404 that links nothing
        assert "javascript:alert(1)" in page  # the odd IRI is shown, as text
        assert 'href="javascript:' not in page and "href='javascript:" not in page


def test_xml_results_stay_well_formed_with_control_characters(web) -> None:
    import xml.dom.minidom

    answer = web.get("/sparql", params={"query": 'SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }'},
                     headers={"Accept": "application/sparql-results+xml"})
    xml.dom.minidom.parseString(answer.content)


def test_requests_for_a_page_being_computed_wait_for_it(tmp_path: Path) -> None:
    """Eight requests that arrive together for one uncached page: the page is computed once
    (one batch of queries to the workers), and all eight get it."""
    import asyncio

    import httpx

    from offri_kg.web.app import ServeConfig, create_app

    app = create_app(ServeConfig(store_path=built_store(tmp_path / "store")))

    async def together() -> tuple[list[httpx.Response], int]:
        async with app.router.lifespan_context(app):
            pool = app.state.offri.pool
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as web:
                before = pool.batches
                pages = await asyncio.gather(*[web.get("/doc/id/actor/offri-maintainers") for _ in range(8)])
                return pages, pool.batches - before

    pages, batches = asyncio.run(together())
    assert [p.status_code for p in pages] == [200] * 8 and len({p.text for p in pages}) == 1
    assert batches == 1


def test_a_dump_that_cannot_be_written_is_a_clear_503(tmp_path: Path) -> None:
    """A dump that fails (here: a folder stands where its file would be written) is 503 in
    words without the server's paths, leaves nothing half-written, and works once it can."""
    with client(built_store(tmp_path / "store")) as web:
        snapshots = web.app.state.offri.snapshots
        blocker = snapshots.root / f"dump-{snapshots.generation}.partial"
        blocker.mkdir(parents=True)
        (blocker / "keep").write_text("x")
        failed = web.get("/dump.nq", headers={"Accept": "application/json", "Accept-Language": "en"})
        assert failed.status_code == 503 and failed.json()["error"] == "dump-failed"
        assert str(tmp_path) not in failed.text and "try again later" in failed.json()["message"]
        assert not list(snapshots.root.glob("dump-*.nq"))
        (blocker / "keep").unlink()
        blocker.rmdir()
        assert web.get("/dump.nq").status_code == 200


# ---- findings of an adversarial run (2026-11-27) ------------------------------------------------
STEINKJER_GRAPH = "https://w3id.org/offri/graph/examples/steinkjer"


def _count(web, query: str, **params: str) -> int:
    answer = web.get("/sparql", params={"query": query, **params})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_from_sets_the_default_graph(web) -> None:
    """SPARQL 1.1 Query §13.2: FROM makes the default graph the merge of the graphs named; FROM
    NAMED alone leaves it empty. offri's default graph is otherwise the union of all graphs."""
    in_graph = _count(web, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{STEINKJER_GRAPH}> {{ ?s ?p ?o }} }}")
    everything = _count(web, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert 0 < in_graph < everything
    assert _count(web, f"SELECT (COUNT(*) AS ?n) FROM <{STEINKJER_GRAPH}> WHERE {{ ?s ?p ?o }}") == in_graph
    assert _count(web, "PREFIX g: <https://w3id.org/offri/graph/examples/> "
                       "SELECT (COUNT(*) AS ?n) FROM g:steinkjer WHERE { ?s ?p ?o }") == in_graph
    assert _count(web, "BASE <https://w3id.org/offri/graph/examples/> "
                       "SELECT (COUNT(*) AS ?n) FROM <steinkjer> WHERE { ?s ?p ?o }") == in_graph
    assert _count(web, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{STEINKJER_GRAPH}> WHERE {{ ?s ?p ?o }}") == 0
    assert _count(web, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{STEINKJER_GRAPH}> "
                       "WHERE { GRAPH ?g { ?s ?p ?o } }") == in_graph
    # the protocol's default-graph-uri wins over the query's FROM (SPARQL 1.1 Protocol §2.1.4)
    assert _count(web, f"SELECT (COUNT(*) AS ?n) FROM <{STEINKJER_GRAPH}> WHERE {{ ?s ?p ?o }}",
                  **{"default-graph-uri": "https://w3id.org/offri/graph/examples/arendal"}) != in_graph


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service a ?t } LIMIT 1",
    "SELECT ?from ?load WHERE { ?from ?load ?o } LIMIT 1",
    "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?s schema:from ?o } LIMIT 1",
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:load ?o } LIMIT 1",
])
def test_names_that_look_like_keywords_are_not_refused(web, query: str) -> None:
    assert web.get("/sparql", params={"query": query}).status_code == 200


def test_a_service_right_after_a_dot_is_still_refused(web) -> None:
    answer = web.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o .SERVICE <http://127.0.0.1:9/> { } }"})
    assert answer.status_code == 400 and "SERVICE" in answer.text


@pytest.mark.parametrize("params", [{"default-graph-uri": ""}, {"named-graph-uri": "relative"},
                                    {"default-graph-uri": "not an iri"}])
def test_dataset_iris_that_are_not_iris_are_a_400(web, params: dict) -> None:
    answer = web.get("/sparql", params={"query": "ASK {}", **params}, headers={"Accept": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"] == "protocol-bad-graph-iri"


@pytest.mark.parametrize("accept, parse", [
    ("application/ld+json", lambda body: json.loads(body) == []),
    ("application/rdf+xml", lambda body: len(rdflib.Graph().parse(data=body, format="xml")) == 0),
])
def test_empty_graph_answers_are_valid_documents(web, accept: str, parse) -> None:
    answer = web.get("/sparql", params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s <urn:none> ?o }"},
                     headers={"Accept": accept})
    assert answer.status_code == 200 and parse(answer.content)


def test_a_form_body_in_raw_utf8_is_read(web) -> None:
    body = 'query=SELECT ?x WHERE { BIND("Bodø" AS ?x) }'.encode()
    answer = web.post("/sparql", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200 and answer.json()["results"]["bindings"][0]["x"]["value"] == "Bodø"


@pytest.mark.parametrize("path, status", [
    ("/browse/partnerships?page=%C2%B2", 400),
    ("/sitemap-%C2%B2.xml", 404),
    ("/sitemap-0.xml", 404),
    ("/queries/no-such-query", 404),
    ("/queries/q12-brokers?minimum=" + "9" * 5000, 400),
])
def test_odd_numbers_and_names_in_addresses_are_answered_in_words(web, path: str, status: int) -> None:
    answer = web.get(path)
    assert answer.status_code == status, answer.text[:200]
    assert "Traceback" not in answer.text and "internal error" not in answer.text.lower()


@pytest.mark.parametrize("header, lang", [("en;q=0.1, nb;q=0.9", "nb"), ("nb;q=0, en", "en"),
                                          ("da, nb;q=0.5, en;q=0.4", "nb"), ("en-GB, nb", "en")])
def test_accept_language_weights_count(web, header: str, lang: str) -> None:
    web.cookies.clear()  # a language chosen by an earlier test's ?lang= would win over the header
    page = web.get("/", headers={"Accept-Language": header}).text
    assert f'<html lang="{lang}"' in page


def test_pages_name_things_in_the_readers_language(web) -> None:
    """Concept schemes are named by their dct:title; the ontology's headings and the pages'
    landmarks are words in both languages; an unknown address is a 404 in words."""
    role_nb = web.get("/doc/vocab/role", params={"lang": "nb"}).text
    role_en = web.get("/doc/vocab/role", params={"lang": "en"}).text
    assert "<h1>https://" not in role_nb and "<h1>https://" not in role_en
    ontology = web.get("/doc/ns", params={"lang": "nb"}).text
    assert "<h2>Klasser</h2>" in ontology and "<h2>Class</h2>" not in ontology
    browse = web.get("/browse/models", params={"lang": "nb"}).text
    assert 'aria-label="Filtre"' in browse and 'aria-label="Hovedmeny"' in browse
    missing = web.get("/no/such/address", params={"lang": "nb"})
    assert missing.status_code == 404 and "ingenting er kjent om /no/such/address" in missing.text


def test_answers_that_depend_on_language_or_accept_say_so(web) -> None:
    error = web.get("/sparql", params={"query": "SELECT"})
    assert error.status_code == 400 and "Accept-Language" in error.headers["vary"] and "Accept" in error.headers["vary"]
    table = web.get("/browse/models", params={"format": "csv"})
    assert table.status_code == 200 and "Accept-Language" in table.headers["vary"]


def test_nested_blank_node_lists_count_as_nesting(web) -> None:
    deep = "SELECT * WHERE { ?s <urn:p> " + "[ <urn:q> " * 100 + "1" + " ]" * 100 + " }"
    answer = web.get("/sparql", params={"query": deep}, headers={"Accept": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"] == "query-too-deep"


def test_weak_etags_and_star_match(web) -> None:
    first = web.get("/", params={"lang": "en"})
    etag = first.headers["etag"]
    for header in (f"W/{etag}", "*"):
        assert web.get("/", params={"lang": "en"}, headers={"If-None-Match": header}).status_code == 304


def test_a_percent_in_a_resource_uri_stays_escaped_in_the_redirect(web) -> None:
    answer = web.get("/id/x%25y", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/doc/id/x%25y"


def test_tsv_writes_triple_terms_as_rdf_1_2(web) -> None:
    query = "SELECT ?t WHERE { BIND(<<( <http://e/s> <http://e/p> \"c\" )>> AS ?t) }"
    body = web.get("/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"}).content
    term = next(iter(ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)))["t"]
    assert isinstance(term, ox.Triple) and term.object == ox.Literal("c")


def test_a_megabyte_of_from_clauses_is_answered(web) -> None:
    """Near the request cap of FROM clauses (checked in one pass: the check used to rescan the
    query for each clause), and a graph named many times counts once."""
    query = "SELECT (COUNT(*) AS ?n) " + f"FROM <{STEINKJER_GRAPH}> " * 15_000 + "WHERE { ?s ?p ?o }"
    once = _count(web, f"SELECT (COUNT(*) AS ?n) FROM <{STEINKJER_GRAPH}> WHERE {{ ?s ?p ?o }}")
    answer = web.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert answer.status_code == 200 and int(answer.json()["results"]["bindings"][0]["n"]["value"]) == once
