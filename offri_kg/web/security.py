"""What cuts across every route for safety: security headers, who the client is, login backoff.

- **Headers.** Every answer says ``X-Content-Type-Options: nosniff`` and a ``Referrer-Policy``;
  every HTML page adds a ``Content-Security-Policy`` that lets scripts and styles come from
  this server only (no inline script: the pages' JSON-LD and the editor's settings are data
  blocks, which are never run; the editor alone allows inline styles, which YASGUI writes),
  nothing may frame the page (``frame-ancestors 'none'``, and
  ``X-Frame-Options`` for older browsers), and forms post only here.
- **Clients.** The query pool shares its lanes out per client (``offri_kg.web.workers``): a
  client is its address and User-Agent, so a notebook, a browser and a test on one machine
  (or an office behind one proxy) are told apart. ``CLIENT`` holds the current request's.
- **Logins.** ``--allow-update`` asks for a password; after a few wrong ones from an address,
  each further attempt from it must wait twice as long as the last (to five minutes), right
  or wrong, so guessing takes years instead of seconds.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

#: The client of the request being answered (address and User-Agent), and the request itself
#: (the pool counts a page's several queries as one request).
CLIENT: ContextVar[str] = ContextVar("offri_client", default="")
REQUEST: ContextVar[object] = ContextVar("offri_request", default=None)

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")
#: The editor's: YASGUI (CodeMirror) positions its widgets with inline styles it writes at run
#: time, so styles may be inline there; scripts still come from this server only.
EDITOR_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
_ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"strict-origin-when-cross-origin")]
_HTML = [(b"content-security-policy", CONTENT_SECURITY_POLICY.encode()), (b"x-frame-options", b"DENY")]


class _HttpMiddleware:
    """A plain ASGI middleware that acts on HTTP requests and passes anything else (lifespan)
    through (Starlette's ``BaseHTTPMiddleware`` would put a task between every request and the
    app; these run on every request, cached answers included)."""

    def __init__(self, app: object) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # type: ignore[operator]
            return
        await self.http(scope, receive, send)

    async def http(self, scope: dict, receive: object, send: object) -> None:
        raise NotImplementedError


class SecurityHeaders(_HttpMiddleware):
    """Adds the headers above to every answer (cached answers get them too)."""

    async def http(self, scope: dict, receive: object, send: object) -> None:
        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                kind = next((value for name, value in headers if name.lower() == b"content-type"), b"")
                extra = _ALWAYS + (_HTML if kind.startswith(b"text/html") else [])
                message["headers"] = headers + [(n, v) for n, v in extra if n not in names]
            await send(message)  # type: ignore[operator]

        await self.app(scope, receive, with_headers)  # type: ignore[operator]


def client_key(scope: dict) -> str:
    """Who is asking: the peer address (the proxy's client, when uvicorn is told to trust a
    proxy's X-Forwarded-For) and the User-Agent."""
    address = (scope.get("client") or ("", 0))[0]
    agent = next((value for name, value in scope.get("headers", []) if name == b"user-agent"), b"")
    return f"{address}|{agent[:200].decode('latin-1')}"


class ClientIdentity(_HttpMiddleware):
    """Sets ``CLIENT`` for the request (tasks the request starts inherit it)."""

    async def http(self, scope: dict, receive: object, send: object) -> None:
        client, request = CLIENT.set(client_key(scope)), REQUEST.set(object())
        try:
            await self.app(scope, receive, send)  # type: ignore[operator]
        finally:
            CLIENT.reset(client)
            REQUEST.reset(request)


class LoginThrottle:
    """Wrong logins per address: the first ``free`` cost nothing, then each one makes the next
    attempt wait 1, 2, 4 … seconds (at most ``longest``). A right login clears the record."""

    def __init__(self, free: int = 5, longest: float = 300.0) -> None:
        self.free, self.longest = free, longest
        self._records: dict[str, tuple[int, float]] = {}  # address -> (wrong logins, allowed from)

    def wait(self, address: str) -> int:
        """Whole seconds ``address`` must still wait before a login is looked at (0: none)."""
        record = self._records.get(address)
        if record is None:
            return 0
        remaining = record[1] - time.monotonic()
        return max(0, int(remaining + 0.999))

    def failed(self, address: str) -> None:
        count = self._records.get(address, (0, 0.0))[0] + 1
        delay = 0.0 if count <= self.free else min(self.longest, 2.0 ** (count - self.free - 1))
        if len(self._records) > 10_000:  # forget addresses that may try again anyway
            now = time.monotonic()
            self._records = {a: r for a, r in self._records.items() if r[1] > now}
        self._records[address] = (count, time.monotonic() + delay)

    def succeeded(self, address: str) -> None:
        self._records.pop(address, None)
