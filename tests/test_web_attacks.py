"""A public endpoint is attacked: every guard rail holds, nothing reaches the network, and the
server still answers afterwards."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from netkit import canary
from webkit import built_store, client

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_store(tmp_path_factory.mktemp("attacks") / "store")


def still_answers(web) -> None:  # noqa: ANN001
    answer = web.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert answer.status_code == 200 and answer.json()["boolean"] is True


def test_time_limit_stops_the_query(store: Path) -> None:
    with client(store, time_limit=1.0, workers=1) as web:
        started = time.monotonic()
        answer = web.get("/sparql", params={"query": SLOW})
        assert answer.status_code == 503 and "time limit" in answer.text
        assert time.monotonic() - started < 10
        still_answers(web)


def test_a_query_that_crashes_the_engine_does_not_take_the_server_down(store: Path) -> None:
    deep = "SELECT * WHERE " + "{" * 6000 + "}" * 6000
    with client(store, max_depth=10**6, workers=1) as web:  # let it through to the engine
        answer = web.post("/sparql", content=deep, headers={"Content-Type": "application/sparql-query"})
        assert answer.status_code == 500 and "restarted" in answer.text
        still_answers(web)


def test_deep_nesting_is_refused_before_the_engine(store: Path) -> None:
    deep = "SELECT * WHERE " + "{" * 6000 + "}" * 6000
    with client(store) as web:
        answer = web.post("/sparql", content=deep, headers={"Content-Type": "application/sparql-query"})
        assert answer.status_code == 400 and "nests 6000 levels" in answer.text
        still_answers(web)


def test_row_cap_is_signalled_never_silent(store: Path) -> None:
    with client(store, row_cap=5) as web:
        answer = web.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert answer.status_code == 422 and "more than 5 rows" in answer.text
        paged = web.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
        assert len(paged.json()["results"]["bindings"]) == 5


def test_request_size_is_capped(store: Path) -> None:
    with client(store, max_request_bytes=10_000) as web:
        big = "ASK { " + "# padding\n" * 2000 + "}"
        answer = web.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
        assert answer.status_code == 413
        still_answers(web)


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
])
def test_queries_that_would_fetch_are_refused(store: Path, template: str) -> None:
    with canary() as net, client(store) as web:
        answer = web.get("/sparql", params={"query": template.format(url=net.url)})
        assert answer.status_code == 400 and "Traceback" not in answer.text
        still_answers(web)
    assert net.requests == []


def test_protocol_dataset_never_fetches(store: Path) -> None:
    with canary() as net, client(store) as web:
        answer = web.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": f"{net.url}/g",
                                            "named-graph-uri": f"{net.url}/n"})
        assert answer.status_code == 200 and answer.json()["boolean"] is False  # no such graph here
    assert net.requests == []


def test_load_is_refused_even_with_updates_allowed(tmp_path: Path) -> None:
    import base64

    path = built_store(tmp_path / "store")
    auth = "Basic " + base64.b64encode(b"u:p").decode()
    with canary() as net, client(path, allow_update=True, user="u", password="p") as web:
        answer = web.post("/sparql", content=f"LOAD <{net.url}/data.ttl>",
                          headers={"Content-Type": "application/sparql-update", "Authorization": auth})
        assert answer.status_code == 400 and "LOAD" in answer.text
        still_answers(web)
    assert net.requests == []


def test_updates_are_refused_on_a_read_only_server(store: Path) -> None:
    with client(store) as web:
        answer = web.post("/sparql", data={"update": "CLEAR ALL"})
        assert answer.status_code == 403
        still_answers(web)


def test_queries_beside_a_crash_are_run_again_not_failed(store: Path) -> None:
    """One worker process runs several queries at once; when one of them kills it, the others
    did nothing wrong: they are sent to the replacement and answer normally."""
    import threading

    medium = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d <http://www.w3.org/2004/02/skos/core#prefLabel> ?f }")
    deep = "SELECT * WHERE " + "{" * 6000 + "}" * 6000
    answers: dict[str, object] = {}
    with client(store, max_depth=10**6, workers=1, threads=4) as web:
        expected = web.get("/sparql", params={"query": medium}).json()

        def ask(name: str, method: str, **kwargs: object) -> None:
            answers[name] = web.request(method, "/sparql", **kwargs)

        innocent = threading.Thread(target=ask, args=("medium", "GET"), kwargs={"params": {"query": medium}})
        innocent.start()
        time.sleep(0.05)
        ask("deep", "POST", content=deep, headers={"Content-Type": "application/sparql-query"})
        innocent.join(60)
        assert answers["deep"].status_code == 500  # type: ignore[attr-defined]
        assert answers["medium"].status_code == 200  # type: ignore[attr-defined]
        assert answers["medium"].json() == expected  # type: ignore[attr-defined]
        still_answers(web)
