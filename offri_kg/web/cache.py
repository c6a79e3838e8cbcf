"""The page cache: each page is computed once per store generation, by one request at a time.

Why: a committed load makes a new store generation, so a page filed under a generation is
never stale, and a page nobody changed can be answered from memory (a third of a millisecond)
or with ``304 Not Modified``. The first visitors after a load all ask for the same pages at
once; they wait for the one computation in flight instead of each paying for it.

A cache whose generation is ``None`` (a remote store, which offri cannot watch for changes)
keeps nothing: every request computes its page.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

from starlette.requests import Request
from starlette.responses import Response


class Recent(OrderedDict):
    """A mapping that keeps only its ``size`` most recently used entries."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get(self, key: Hashable, default: object = None) -> object:
        if key not in self:
            return default
        self.move_to_end(key)
        return self[key]

    def put(self, key: Hashable, value: object) -> None:
        self[key] = value
        while len(self) > self.size:
            self.popitem(last=False)


class PageCache:
    """Answers filed by ``(generation, host, *parts)``; ``generation`` is read per request.

    ``wait`` bounds how long a request waits for the same page being computed by another
    request (then it computes the page itself)."""

    def __init__(self, entries: int, wait: float, generation: Callable[[], str | None]) -> None:
        self.entries = Recent(entries)
        self.wait = wait
        self.generation = generation
        self.inflight: dict[tuple, asyncio.Future] = {}  # pages being computed, by key

    def key(self, request: Request, *parts: object) -> tuple:
        """A cache key: the store generation this request reads (taken before any await, so a
        page computed from an older snapshot is never filed under a newer one) and the host
        (pages carry absolute URLs), then what the page depends on."""
        return (self.generation() or "", str(request.base_url), *parts)

    def clear(self) -> None:
        self.entries.clear()

    async def page(self, request: Request, parts: tuple, compute: Callable[[], Awaitable[Response]]) -> Response:
        """The page for ``parts``: from the cache (or ``304``), else computed by ``compute`` once
        and filed. An error raised by ``compute`` is not filed: the next request tries again."""
        if self.generation() is None:
            return await compute()
        key = self.key(request, *parts)
        hit, claim = await self._lookup(key, request)
        try:
            if hit is not None:
                return hit
            return self._remember(key, await compute())
        finally:
            self._release(key, claim)

    def _cached(self, key: tuple, request: Request) -> Response | None:
        """The cached answer for ``key``, or ``304 Not Modified`` when the client already has
        it (``If-None-Match`` with its ETag)."""
        hit = self.entries.get(key)
        if hit is None:
            return None
        status, headers, raw, body = hit
        etag = headers.get("etag")
        # weak comparison (RFC 9110 §13.1.2): W/"x" matches "x", and * matches any
        wanted = [t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")]
        if etag and (etag in wanted or "*" in wanted):
            return Response(status_code=304, headers={k: v for k, v in headers.items()
                                                      if k in ("etag", "cache-control", "vary")})
        return _Stored(status, raw, body)

    def _remember(self, key: tuple, response: Response) -> Response:
        """File a computed answer under ``key``. It gets an ETag (of its bytes) and
        ``Cache-Control: no-cache``: a browser or proxy may keep it but asks each time, and a
        store that has not changed answers ``304`` without sending the page again."""
        if response.status_code == 200:
            response.headers["ETag"] = '"' + hashlib.blake2b(response.body, digest_size=12).hexdigest() + '"'
            response.headers["Cache-Control"] = "no-cache"
        self.entries.put(key, (response.status_code, dict(response.headers), list(response.raw_headers), response.body))
        return response

    async def _lookup(self, key: tuple, request: Request) -> tuple[Response | None, asyncio.Future | None]:
        """The cached answer for ``key``, or the claim to compute it. Requests for a page that
        another request is computing wait for it instead of computing it too."""
        hit = self._cached(key, request)
        if hit is not None:
            return hit, None
        computing = self.inflight.get(key)
        if computing is not None:
            # wait once: if that computation fails, compute it here rather than queue behind
            # the next one (a failing page would otherwise hold its visitors one after another)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(computing), self.wait)
            hit = self._cached(key, request)
            if hit is not None or key in self.inflight:
                return hit, None
        claim = asyncio.get_running_loop().create_future()
        self.inflight[key] = claim
        return None, claim

    def _release(self, key: tuple, claim: asyncio.Future | None) -> None:
        """End a claim (the answer is filed by then, or it failed): its waiters go on."""
        if claim is None:
            return
        if self.inflight.get(key) is claim:
            del self.inflight[key]
        if not claim.done():
            claim.set_result(None)


class _Stored(Response):
    """A cached answer sent as it was filed: its headers are already encoded (a cache hit is a
    third of a millisecond, so building them again showed)."""

    def __init__(self, status: int, raw_headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status_code, self.body, self.background = status, body, None
        self.raw_headers = list(raw_headers)
