"""HTTP to a remote SPARQL store: one httpx client per store, and offri's error codes.

Why httpx: a maintained client with digest authentication, timeouts and streaming. Before it,
offri carried its own digest code around urllib and a SPARQLWrapper subclass that switched
SPARQLWrapper's sending off: its digest support installs a process-wide urllib opener and its
timeout keeps whole seconds only (0.2 meant "none"). What remains here is what offri decides:

- **A total deadline per request.** The body is read in chunks, and the request fails once its
  time is up, also when a slow server trickles bytes (a timeout per read alone never ends). It
  is checked between reads, and each read may wait as long as the time left when the request
  began: so a request ends within about twice its limit, not to the millisecond.
- **Requests go where the configuration says, and nowhere else**: no proxy nor ``.netrc`` from
  the environment (``trust_env=False``), and a redirect is an error, never followed.
- **Credentials only in headers**: user info written into a configured URL is dropped, and every
  address in a message is shown without it and without its query string (``where``).
- **Virtuoso and digest logins** (measured with 7.2.5): Virtuoso answers a request with a body
  before reading that body (401, then a reset connection). So before the first request with a
  body to an address, a body-less ``HEAD`` learns the login's challenge, which httpx then reuses
  with an increasing ``nc``; a reset connection is tried once more after a new ``HEAD`` (the
  nonce may have gone stale). Every request offri sends is idempotent, so one retry is safe.
- **Answers that are not whole or not answers**: HTTP 206, Virtuoso's ``X-SPARQL-MaxRows`` (rows
  cut by ``ResultSetMaxRows``) and ``X-SQL-State: S1TAT`` (an anytime query cut by its time
  limit) are refused as partial; a 500 naming Virtuoso's SQL states for a query its own limits
  stopped is a timeout.
"""

from __future__ import annotations

import re
import ssl
import time
import urllib.parse
from dataclasses import dataclass

import httpx

from offri_kg import __version__
from offri_kg.errors import OffriError
from offri_kg.store.endpoint import EndpointConfig

#: How much of an error's body is read for its message.
ERROR_BODY = 4096

# Virtuoso's SQL states for a query its own limits stopped (transaction timeout, anytime timeout).
_SERVER_TIMEOUT = re.compile(r"\bS1T00\b|\bS1TAT\b|\bSR171\b")


def where(url: str) -> str:
    """A URL as messages show it: no user info, no query string."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, _host(parts), parts.path, "", ""))


def _host(parts: urllib.parse.SplitResult) -> str:
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host


def _without_login(url: str) -> str:
    """``url`` without user info: a login travels in a header or not at all."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, _host(parts), parts.path, parts.query, ""))


@dataclass(frozen=True)
class Deadline:
    """When a request's time is up: one limit for all it takes (a login learnt first, a retry)."""

    url: str
    seconds: float
    end: float

    @classmethod
    def after(cls, seconds: float, url: str) -> Deadline:
        return cls(url, seconds, time.monotonic() + seconds)

    def left(self) -> float:
        """Seconds left; ``endpoint-timeout`` once there are none."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise self.passed()
        return left

    def passed(self) -> OffriError:
        return OffriError("endpoint-timeout", {"endpoint": where(self.url), "seconds": f"{self.seconds:g}"})


@dataclass(frozen=True)
class Reply:
    """A whole answer: its status, headers and body."""

    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def partial(self) -> bool:
        """Whether the server says this is only part of the answer (see the module's text)."""
        state = (self.headers.get("X-SQL-State") or "").strip()
        return self.status == 206 or state.startswith("S1TAT") or bool(self.headers.get("X-SPARQL-MaxRows"))


class Http:
    """Requests to one endpoint's addresses, with its login; ``close`` when done."""

    def __init__(self, config: EndpointConfig) -> None:
        self.config = config
        self._client = httpx.Client(trust_env=False, follow_redirects=False, verify=ssl.create_default_context(),
                                    headers={"User-Agent": f"offri/{__version__}"})
        self._digests: dict[str, httpx.DigestAuth] = {}  # per address: a challenge belongs to one
        self._ready: set[str] = set()  # addresses whose digest challenge is known

    def request(self, method: str, url: str, *, seconds: float, params: dict[str, str] | None = None,
                content: bytes | None = None, data: dict[str, str] | None = None,
                headers: dict[str, str] | None = None, allow: tuple[int, ...] = ()) -> Reply:
        """The whole answer to one request, within ``seconds`` in total: a 2xx that is not
        partial, or a status listed in ``allow``. Every failure is an ``OffriError``:
        unreachable, login refused, timeout, partial answer or another HTTP status."""
        url = _without_login(url)
        deadline = Deadline.after(seconds, url)
        body = content is not None or data is not None
        for attempt in (0, 1):
            try:
                if body:
                    self._learn_login(url, deadline)
                reply = self._send(method, url, deadline, params=params, content=content, data=data, headers=headers)
            except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
                if attempt == 0:  # a reset: a stale connection, or Virtuoso refusing before the body
                    self._ready.discard(where(url))
                    continue
                raise self._failure(exc, deadline) from None
            except httpx.HTTPError as exc:
                raise self._failure(exc, deadline) from None
            if reply.status in allow:
                return reply
            if not 200 <= reply.status < 300:
                raise self._refusal(reply, deadline)
            if reply.partial():
                raise OffriError("endpoint-partial", {"endpoint": where(url)})
            return reply
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._client.close()

    # -- sending -------------------------------------------------------------------------------------
    def _auth(self, url: str) -> httpx.Auth | None:
        if not self.config.login:
            return None
        user, password = self.config.user or "", self.config.password or ""
        if self.config.auth == "basic":
            return httpx.BasicAuth(user, password)
        return self._digests.setdefault(where(url), httpx.DigestAuth(user, password))

    def _learn_login(self, url: str, deadline: Deadline) -> None:
        """Before a body goes to ``url`` with a digest login: a ``HEAD`` there, so the body is
        sent with the login's answer already in it (see the module's text)."""
        key = where(url)
        if self.config.auth != "digest" or not self.config.login or key in self._ready:
            return
        reply = self._send("HEAD", url, deadline)
        if reply.status in (401, 403):
            raise OffriError("endpoint-login-refused", {"endpoint": key, "status": reply.status})
        self._ready.add(key)

    def _send(self, method: str, url: str, deadline: Deadline, **arguments: object) -> Reply:
        """One request, its body read in chunks until the deadline (an error's only in part:
        its first line is all a message shows)."""
        with self._client.stream(method, url, auth=self._auth(url), timeout=deadline.left(),
                                 **arguments) as response:  # type: ignore[arg-type]
            limit = None if 200 <= response.status_code < 300 else ERROR_BODY
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                deadline.left()
                chunks.append(chunk)
                size += len(chunk)
                if limit is not None and size >= limit:
                    break
            return Reply(response.status_code, response.headers, b"".join(chunks))

    # -- failures ------------------------------------------------------------------------------------
    @staticmethod
    def _refusal(reply: Reply, deadline: Deadline) -> OffriError:
        """The error for an answer that is not a success."""
        endpoint = where(deadline.url)
        if reply.status in (401, 403):
            return OffriError("endpoint-login-refused", {"endpoint": endpoint, "status": reply.status})
        if 300 <= reply.status < 400:  # never followed: the login would go along
            detail = "Location: " + where(reply.headers.get("Location", ""))
        else:
            text = reply.body.decode("utf-8", errors="replace")
            detail = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")[:300]
            if reply.status == 500 and _SERVER_TIMEOUT.search(text):
                return deadline.passed()
        return OffriError("endpoint-error", {"endpoint": endpoint, "status": reply.status, "detail": detail})

    @staticmethod
    def _failure(exc: httpx.HTTPError, deadline: Deadline) -> OffriError:
        """The error for a request that got no answer."""
        if isinstance(exc, httpx.TimeoutException):
            return deadline.passed()
        cause: BaseException | None = exc
        while cause is not None and not (isinstance(cause, OSError) and cause.strerror):
            cause = cause.__cause__ or cause.__context__
        detail = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(exc) or type(exc).__name__
        return OffriError("endpoint-unreachable", {"endpoint": where(deadline.url), "detail": detail})

