"""No query starves the others: a cheap query and an uncached page are answered while slow
queries from other clients run; the slow lane and each client's share hold, with 429/503 and
``Retry-After`` in words. (Order, not time, is asserted: the cheap answers come back while every
slow query is still running.)"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from webkit import built_store, client

#: A cross product the engine cannot finish: it runs until the time limit stops it.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_store(tmp_path_factory.mktemp("fair") / "store")


def _send_slow(web, agents: list[str], answers: dict[str, object]) -> list[threading.Thread]:  # noqa: ANN001
    threads = []
    for agent in agents:
        def ask(agent: str = agent) -> None:
            answers[agent] = web.get("/sparql", params={"query": SLOW}, headers={"User-Agent": agent})

        thread = threading.Thread(target=ask)
        thread.start()
        threads.append(thread)
    return threads


def test_a_cheap_query_and_a_page_are_answered_while_eight_slow_queries_run(store: Path) -> None:
    answers: dict[str, object] = {}
    with client(store, time_limit=8, workers=1, slow_after=0.3) as web:
        slow = _send_slow(web, [f"slow-{i}" for i in range(8)], answers)
        time.sleep(1)  # every slow query has started and been moved to the slow lane
        ask = web.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"User-Agent": "probe"})
        page = web.get("/browse/partnerships", params={"q": "frivillig"}, headers={"User-Agent": "browser"})
        still_running = not answers
        for thread in slow:
            thread.join(60)
    assert ask.status_code == 200 and ask.json()["boolean"] is True
    assert page.status_code == 200 and "<html" in page.text
    assert still_running, "the slow queries were to be running still"
    assert sorted(a.status_code for a in answers.values()) == [503] * 8  # type: ignore[attr-defined]
    assert all("time limit" in a.text for a in answers.values())  # type: ignore[attr-defined]


def test_the_slow_lane_is_shared_and_says_when_to_come_back(store: Path) -> None:
    answers: dict[str, object] = {}
    # slow_after 0.1: a query is slow once it has computed 0.2 s, soon even on a busy machine
    with client(store, time_limit=8, workers=1, slow_after=0.1, slow_queries=2) as web:
        threads = _send_slow(web, ["first", "second", "third"], answers)
        for thread in threads:
            thread.join(60)
        statuses = sorted(a.status_code for a in answers.values())  # type: ignore[attr-defined]
        stopped = next(a for a in answers.values() if "long-running queries are already running" in a.text)  # type: ignore[attr-defined]
        assert statuses == [503, 503, 503] and int(stopped.headers["retry-after"]) >= 1  # type: ignore[attr-defined]
        assert sum("time limit" in a.text for a in answers.values()) == 2  # type: ignore[attr-defined]


def test_one_client_over_its_share_gets_429_and_waits(store: Path) -> None:
    answers: dict[str, object] = {}
    with client(store, time_limit=8, workers=1, slow_after=0.1, client_slow=1) as web:
        first = _send_slow(web, ["same"], answers)
        time.sleep(0.8)
        second = web.get("/sparql", params={"query": SLOW}, headers={"User-Agent": "same"})
        assert second.status_code == 429 and int(second.headers["retry-after"]) >= 1
        assert "long-running queries" in second.text
        again = web.get("/sparql", params={"query": "ASK {}"}, headers={"User-Agent": "same"})
        assert again.status_code == 429 and "try again in" in again.text  # told to wait: it waits
        other = web.get("/sparql", params={"query": "ASK {}"}, headers={"User-Agent": "someone else"})
        assert other.status_code == 200
        for thread in first:
            thread.join(60)


def test_a_client_may_run_only_so_many_requests_at_once(store: Path) -> None:
    answers: dict[str, object] = {}
    with client(store, time_limit=3, workers=1, slow_after=10, client_queries=2) as web:
        threads = _send_slow(web, ["busy-client"] * 2, answers)
        time.sleep(0.5)
        third = web.get("/sparql", params={"query": "ASK {}"}, headers={"User-Agent": "busy-client",
                                                                         "Accept-Language": "nb"})
        assert third.status_code == 429 and "Retry-After" in third.headers and "spørringer i gang" in third.text
        for thread in threads:
            thread.join(60)


def test_made_up_clients_are_forgotten_and_cost_nothing_while_idle() -> None:
    """Anyone can be a new client with a new User-Agent: records of idle clients are
    forgotten past a bound, and what the pool scans while queries run is what runs (its
    admitted batches), not every client it has met."""
    from offri_kg.web import lanes, workers

    pool = workers.QueryPool(workers.PoolSettings())
    for i in range(3 * lanes.CLIENTS_KEPT):
        pool.lanes.client(f"127.0.0.1|agent-{i}")
    assert len(pool.lanes.clients) <= lanes.CLIENTS_KEPT
    busy = pool.lanes.client("127.0.0.1|busy")
    busy.stopped.append(time.monotonic())  # a client stopped lately is remembered
    for i in range(3 * lanes.CLIENTS_KEPT):
        pool.lanes.client(f"127.0.0.1|more-{i}")
    assert pool.lanes.clients.get("127.0.0.1|busy") is busy
    assert pool.lanes.wanted() == [] and not pool.lanes.admitted
