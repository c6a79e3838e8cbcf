"""The web layer's areas driven alone, without a store or workers: the page cache, the error
answers, and a handler module mounted on an app of its own."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from offri_kg.errors import OffriError
from offri_kg.web.cache import PageCache
from offri_kg.web.errors import EXCEPTION_HANDLERS, error_response, status_of
from offri_kg.web.state import ServeConfig, ServeState, reads_store, state_of


def request(if_none_match: str | None = None, accept: str = "text/html") -> Request:
    headers = [(b"host", b"testserver"), (b"accept", accept.encode())]
    if if_none_match is not None:
        headers.append((b"if-none-match", if_none_match.encode()))
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": headers,
                    "scheme": "http", "server": ("testserver", 80), "root_path": ""})


class Counting:
    """A page that takes a while to compute, and counts how often it was computed."""

    def __init__(self, delay: float = 0.05) -> None:
        self.calls, self.delay = 0, delay

    async def __call__(self) -> Response:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return Response(f"page {self.calls}", media_type="text/plain")


def test_requests_together_compute_a_page_once() -> None:
    cache, page = PageCache(entries=8, wait=5, generation=lambda: "g1"), Counting()

    async def together() -> list[Response]:
        return await asyncio.gather(*[cache.page(request(), ("home", "en"), page) for _ in range(5)])

    answers = asyncio.run(together())
    assert page.calls == 1
    assert {a.body for a in answers} == {b"page 1"} and all(a.status_code == 200 for a in answers)


def test_a_new_generation_misses_and_other_parts_are_other_pages() -> None:
    generation = ["g1"]
    cache, page = PageCache(entries=8, wait=5, generation=lambda: generation[0]), Counting(delay=0)

    async def ask(*parts: object) -> bytes:
        return (await cache.page(request(), parts, page)).body

    assert asyncio.run(ask("home", "en")) == b"page 1"
    assert asyncio.run(ask("home", "en")) == b"page 1"  # filed
    assert asyncio.run(ask("home", "nb")) == b"page 2"  # another page
    generation[0] = "g2"
    assert asyncio.run(ask("home", "en")) == b"page 3"  # a load since: computed again
    assert page.calls == 3


def test_a_filed_page_has_an_etag_and_answers_304_to_it() -> None:
    cache, page = PageCache(entries=8, wait=5, generation=lambda: "g1"), Counting(delay=0)
    first = asyncio.run(cache.page(request(), ("home",), page))
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.headers["cache-control"] == "no-cache"
    again = asyncio.run(cache.page(request(if_none_match=f"W/{etag}"), ("home",), page))
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.body
    other = asyncio.run(cache.page(request(if_none_match='"something-else"'), ("home",), page))
    assert other.status_code == 200 and other.body == first.body and page.calls == 1


def test_an_error_is_not_filed_and_a_remote_store_caches_nothing() -> None:
    failing = {"left": 1}

    async def flaky() -> Response:
        if failing["left"]:
            failing["left"] -= 1
            raise OffriError("not-found", {"what": "x"})
        return Response("found")

    cache = PageCache(entries=8, wait=5, generation=lambda: "g1")
    try:
        asyncio.run(cache.page(request(), ("doc",), flaky))
        raise AssertionError("the error should have been raised")
    except OffriError:
        pass
    assert asyncio.run(cache.page(request(), ("doc",), flaky)).body == b"found" and not cache.inflight
    remote, page = PageCache(entries=8, wait=5, generation=lambda: None), Counting(delay=0)
    for _ in range(2):
        asyncio.run(remote.page(request(), ("home",), page))
    assert page.calls == 2 and not remote.entries


def test_errors_get_their_status_and_the_headers_it_calls_for() -> None:
    assert status_of(OffriError("busy")) == 503 and status_of(OffriError("bad-page")) == 400
    busy = error_response(request(accept="application/json"), OffriError("busy", {"seconds": 1, "retry_after": 3}))
    assert busy.status_code == 503 and busy.headers["retry-after"] == "3"
    assert busy.headers["content-type"].startswith("application/json")
    login = error_response(request(), OffriError("update-unauthorized"))
    assert login.status_code == 401 and login.headers["www-authenticate"] == 'Basic realm="offri"'
    assert login.headers["content-type"].startswith("text/plain")


def test_a_handler_raises_and_the_registered_handler_answers() -> None:
    """A handler module needs no try/except: the app's registered handler says it in words."""

    async def missing(req: Request) -> Response:
        raise OffriError("not-found", {"what": req.url.path})

    app = Starlette(routes=[Route("/gone", missing)], exception_handlers=EXCEPTION_HANDLERS)

    async def ask(path: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as web:
            return await web.get(path, headers={"Accept": "application/json", "Accept-Language": "nb"})

    gone, nowhere = asyncio.run(ask("/gone")), asyncio.run(ask("/nowhere"))
    assert gone.status_code == 404 and gone.json()["error"] == "not-found" and "/gone" in gone.json()["message"]
    assert nowhere.status_code == 404 and nowhere.json()["error"] == "not-found"
    assert gone.headers["vary"] == "Accept, Accept-Language, Cookie"


def test_a_handler_that_reads_the_store_sees_a_new_generation_with_empty_caches() -> None:
    class Snapshots:
        """A store that a load changes between the two requests."""

        generation, current, loads = "g1", None, 0

        def refresh(self) -> bool:
            if self.loads:
                self.loads, self.generation = 0, "g2"
                return True
            return False

    snapshots = Snapshots()
    st = ServeState(config=ServeConfig(store_path=None), snapshots=snapshots, pool=None)  # type: ignore[arg-type]

    async def seen(req: Request) -> Response:
        mine = state_of(req)
        return Response(f"{mine.generation} {len(mine.pages.entries)} {len(mine.summaries)}")

    app = Starlette(routes=[Route("/", reads_store(seen))])
    app.state.offri = st

    async def ask() -> str:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as web:
            return (await web.get("/")).text

    st.pages.entries.put(("g1", "http://testserver/", "home"), (200, {}, [], b""))
    st.summaries.put("count", 1)
    assert asyncio.run(ask()) == "g1 1 1"
    snapshots.loads = 1
    assert asyncio.run(ask()) == "g2 0 0"
