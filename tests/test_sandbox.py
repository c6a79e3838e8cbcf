"""Defence in depth: the processes that run queries cannot reach the network even when a query
gets past the guard, and cannot outgrow their memory cap — in the server, in ``offri query``
and in the notebook API.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from clikit import offri
from netkit import canary
from offri_kg.errors import OffriError
from offri_kg.query.isolated import IsolatedQueries
from offri_kg.query.sandbox import confine
from offri_kg.query.worker import Job
from offri_kg.web.workers import PoolSettings, QueryPool
from webkit import built_store, client

#: 32 characters doubled 26 times: 2 GB in one string, in a query of 1 KB.
BOMB = ('SELECT (STRLEN(?s26) AS ?n) WHERE { BIND("0123456789abcdef0123456789abcdef" AS ?s0) '
        + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(26)) + " }")
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_store(tmp_path_factory.mktemp("sandbox") / "store")


def test_the_sandbox_is_complete_here() -> None:
    """Where the tests run (Linux with libseccomp), nothing of the confinement is missing."""
    import multiprocessing as mp

    def child(queue) -> None:  # noqa: ANN001
        queue.put(confine(None))

    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    process = ctx.Process(target=child, args=(queue,))
    process.start()
    assert queue.get(timeout=30) == []
    process.join(10)


def test_a_query_past_the_guard_cannot_reach_the_network_from_a_server_worker(store: Path) -> None:
    """The pages' own queries are not read by the guard (offri writes them); a SERVICE in one
    would still be stopped by the worker's network filter."""
    with canary() as net:
        async def run() -> object:
            pool = QueryPool(PoolSettings(workers=1))
            await pool.start()
            try:
                job = Job(sparql=f"SELECT * WHERE {{ SERVICE <{net.url}/sparql> {{ ?s ?p ?o }} }}", accept=None,
                          db=str(store / "oxigraph"), row_cap=10, want_rows=True)
                with pytest.raises(OffriError) as caught:
                    await pool.arun_many([job])
                return caught.value
            finally:
                pool.close()

        error = asyncio.run(run())
    assert error.code == "query-failed" and "ermission denied" in error.params["detail"]
    assert net.requests == []


def test_a_query_past_the_guard_cannot_reach_the_network_from_the_cli_child(store: Path) -> None:
    with canary() as net:
        child = IsolatedQueries(store / "oxigraph")
        try:
            with pytest.raises(OffriError) as caught:
                child.run(f"SELECT * WHERE {{ SERVICE <{net.url}/sparql> {{ ?s ?p ?o }} }}")
            assert child.missing == []
        finally:
            child.close()
    assert caught.value.code == "query-failed"
    assert net.requests == []


def test_a_memory_bomb_is_stopped_at_the_server_s_cap_and_its_worker_replaced(store: Path) -> None:
    with client(store, max_memory=300 * 1024**2, workers=1, time_limit=120) as web:  # memory, not time, stops it
        pool = web.app.state.offri.pool
        replaced = pool.replaced
        answer = web.get("/sparql", params={"query": BOMB})
        assert answer.status_code == 503 and "300 MB" in answer.text and answer.headers.get("retry-after")
        norwegian = web.get("/sparql", params={"query": BOMB}, headers={"Accept-Language": "nb"})
        assert norwegian.status_code == 503 and "minne" in norwegian.text
        ask = web.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert ask.status_code == 200 and ask.json()["boolean"] is True
        assert pool.replaced > replaced


def test_a_memory_bomb_beside_other_queries_takes_only_itself(store: Path) -> None:
    """The queries that shared the bomb's worker are run again and answer."""
    import threading

    medium = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d <http://www.w3.org/2004/02/skos/core#prefLabel> ?f }"
    with client(store, max_memory=300 * 1024**2, workers=1, slow_after=30, time_limit=120) as web:
        expected = web.get("/sparql", params={"query": medium}).json()
        answers: dict[str, object] = {}
        innocent = threading.Thread(target=lambda: answers.update(medium=web.get("/sparql", params={"query": medium})))
        innocent.start()
        time.sleep(0.05)
        bomb = web.get("/sparql", params={"query": BOMB})
        innocent.join(60)
        assert bomb.status_code == 503
        assert answers["medium"].status_code == 200 and answers["medium"].json() == expected  # type: ignore[attr-defined]


def test_the_cli_stops_a_memory_bomb_in_words(store: Path, tmp_path: Path) -> None:
    query = tmp_path / "bomb.rq"
    query.write_text(BOMB)
    run = offri("query", "--store", store, "--file", query, "--max-memory", "300M", "--lang", "en")
    assert run.code == 2 and "300 MB" in run.err and "Traceback" not in run.err, run.err
    assert len(run.err.strip().splitlines()) == 1
    bad = offri("query", "--store", store, "--file", query, "--max-memory", "lots")
    assert bad.code == 2 and "--max-memory" in bad.err


def test_the_cli_stops_a_query_at_its_timeout(store: Path, tmp_path: Path) -> None:
    query = tmp_path / "slow.rq"
    query.write_text(SLOW)
    started = time.monotonic()
    run = offri("query", "--store", store, "--file", query, "--timeout", "1", "--lang", "nb")
    assert run.code == 2 and "tidsgrensen" in run.err and time.monotonic() - started < 30, run.err


def test_the_notebook_api_survives_a_memory_bomb(store: Path) -> None:
    from offri_kg.api import KnowledgeGraph

    with KnowledgeGraph.open(store, max_memory="300M") as kg:
        with pytest.raises(OffriError) as caught:
            kg.sparql(BOMB)
        assert caught.value.code == "query-memory" and caught.value.params["limit"] == "300 MB"
        assert kg.sparql("ASK { ?s ?p ?o }") is True  # a new child took over
        with pytest.raises(OffriError):
            KnowledgeGraph.open(store, max_memory="much")


def test_an_engine_crash_in_the_child_is_an_error_not_a_dead_process(store: Path) -> None:
    crash = "SELECT (" + "+".join(["1"] * 200_000) + " AS ?x) WHERE {}"
    child = IsolatedQueries(store / "oxigraph")
    try:
        with pytest.raises(OffriError) as caught:
            child.run(crash)
        assert caught.value.code == "query-crashed-local"
        assert child.run("ASK { ?s ?p ?o }").boolean is True
    finally:
        child.close()


def test_the_issue_s_query_is_refused_by_offri_query_and_the_api(store: Path, tmp_path: Path) -> None:
    from offri_kg.api import KnowledgeGraph

    with canary() as net:
        text = ("PREFIX ex: <http://example.org/>\nSELECT ?x WHERE { OPTIONAL { ?s ?p ex:a\\# } "
                f"SERVICE <{net.url}/sparql> {{ ?x ?y ?z }} }}")
        query = tmp_path / "escape.rq"
        query.write_text(text)
        run = offri("query", "--store", store, "--file", query, "--lang", "en")
        assert run.code == 2 and "SERVICE" in run.err and "Traceback" not in run.err
        with KnowledgeGraph.open(store) as kg, pytest.raises(OffriError) as caught:
            kg.sparql(text)
        assert caught.value.code == "query-refused"
    assert net.requests == []


def _without_libseccomp(tmp_path: Path) -> dict[str, str]:
    """An environment in which ``import pyseccomp`` fails as it does where libseccomp is not
    installed (the child processes inherit it)."""
    blocker = tmp_path / "no-seccomp"
    blocker.mkdir(exist_ok=True)
    (blocker / "pyseccomp.py").write_text('raise ImportError("libseccomp.so.2: cannot open shared object file")\n',
                                          encoding="utf-8")
    return {"PYTHONPATH": str(blocker)}


def test_queries_without_the_network_filter_say_so_in_the_cli_and_the_api(store: Path, tmp_path: Path) -> None:
    """Where the filter cannot be loaded the query still runs, and the user is told, in words
    and in their language: a note from ``offri query``, a warning in the notebook."""
    env = _without_libseccomp(tmp_path)
    ran = offri("query", "q14-catalogue", "--store", store, "--lang", "nb", "-f", "csv", env=env)
    assert ran.code == 0, ran.err
    assert "nettverksfilteret" in ran.err and "libseccomp2" in ran.err and "Traceback" not in ran.err
    script = ("import warnings\nfrom offri_kg.api import KnowledgeGraph\nfrom offri_kg.errors import OffriWarning\n"
              "with warnings.catch_warnings(record=True) as seen:\n    warnings.simplefilter('always')\n"
              f"    kg = KnowledgeGraph.open({str(store)!r})\n    assert kg.sparql('ASK {{}}') is True\n"
              "print([w.message.code for w in seen if isinstance(w.message, OffriWarning)])\n")
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['query-unconfined']"
    # and with libseccomp, nothing is said
    quiet = offri("query", "q14-catalogue", "--store", store, "-f", "csv")
    assert quiet.code == 0 and "libseccomp" not in quiet.err
