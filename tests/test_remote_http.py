"""The remote store's HTTP (offri_kg.store.http) against loopback stubs: what real servers do
not show on demand — redirects, proxies in the environment, credentials in a URL, an answer that
trickles in, a digest login that must be known before a body is sent."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from netkit import canary, reply, serving
from offri_kg.errors import OffriError
from offri_kg.i18n import render_error
from offri_kg.store.remote import RemoteStore

EMPTY_RESULTS = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
RESULTS_JSON = {"Content-Type": "application/sparql-results+json"}


@dataclass
class Seen:
    """One request a stub got."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Stub:
    url: str
    seen: list[Seen] = field(default_factory=list)


Answer = Callable[[BaseHTTPRequestHandler, Seen], None]


@contextmanager
def stub(answer: Answer) -> Iterator[Stub]:
    """A loopback server that records every request and lets ``answer`` reply; yields its /query URL."""
    record = Stub(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_any(self) -> None:
            seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            record.seen.append(seen)
            answer(self, seen)

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = handle_any

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        record.url = url + "/query"
        yield record


def results(handler: BaseHTTPRequestHandler, _seen: Seen) -> None:
    reply(handler, 200, EMPTY_RESULTS, RESULTS_JSON)


@pytest.fixture(autouse=True)
def no_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OFFRI_CONFIG", str(tmp_path / "none.toml"))
    for name in ("OFFRI_ENDPOINT_USER", "OFFRI_ENDPOINT_PASSWORD", "OFFRI_ENDPOINT_AUTH",
                 "OFFRI_UPDATE_ENDPOINT", "OFFRI_STORE_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)


def test_a_redirect_is_an_error_and_not_followed() -> None:
    with canary() as elsewhere:
        def moved(handler: BaseHTTPRequestHandler, _seen: Seen) -> None:
            reply(handler, 307, b"", {"Location": elsewhere.url + "/query?secret=1"})

        with stub(moved) as server, pytest.raises(OffriError) as caught:
            RemoteStore(server.url, timeout=5).query("ASK {}")
    assert caught.value.code == "endpoint-error" and caught.value.params["status"] == 307
    assert caught.value.params["detail"] == f"Location: {elsewhere.url}/query"  # no query string
    assert elsewhere.requests == []


def test_proxies_in_the_environment_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    with canary() as proxy, stub(results) as server:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        with httpx.Client() as trusting:  # the premise: a client that reads the environment goes there
            trusting.get(server.url)
        assert proxy.requests, "the proxy canary is not reachable through the environment"
        proxy.requests.clear()
        assert RemoteStore(server.url, timeout=5).query("SELECT ?s WHERE { ?s ?p ?o }").rows == []
    assert proxy.requests == [] and [s.method for s in server.seen] == ["POST"]


def test_credentials_in_the_url_are_never_sent_nor_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(handler: BaseHTTPRequestHandler, _seen: Seen) -> None:
        reply(handler, 500, b"boom")

    with stub(failing) as server:
        url = server.url.replace("http://", "http://someone:s3cret@")
        with pytest.raises(OffriError) as caught:
            RemoteStore(url, timeout=5).query("ASK {}")
    assert [s.headers.get("authorization") for s in server.seen] == [None]
    assert caught.value.params["endpoint"] == server.url
    assert "s3cret" not in str(caught.value) and "someone" not in str(caught.value)


def test_credentials_in_the_url_are_not_shown_where_offri_names_the_store() -> None:
    """The store's own name for itself (``offri build``'s "Store:" line, the cannot-write
    error) drops the user info too."""
    store = RemoteStore("http://someone:s3cret@127.0.0.1:9/sparql-x", timeout=1)
    try:
        assert store.location == "http://127.0.0.1:9/sparql-x"
        with pytest.raises(OffriError) as caught:
            store.load([])
        assert caught.value.code == "endpoint-cannot-write"
        assert "s3cret" not in render_error(caught.value, "en") and "someone" not in render_error(caught.value, "nb")
    finally:
        store.close()


def test_an_answer_that_trickles_in_stops_at_the_deadline() -> None:
    """Every read gets a byte within the timeout, so only a total deadline ends the request."""
    def trickle(handler: BaseHTTPRequestHandler, _seen: Seen) -> None:
        handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        handler.send_response(200)
        handler.send_header("Content-Type", "application/sparql-results+json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            for _ in range(200):
                handler.wfile.write(b"1\r\n \r\n")
                handler.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass  # the client gave up, as it should

    with stub(trickle) as server:
        started = time.monotonic()
        with pytest.raises(OffriError) as caught:
            RemoteStore(server.url, timeout=0.5).query("ASK {}")
        elapsed = time.monotonic() - started
    assert caught.value.code == "endpoint-timeout" and caught.value.params["seconds"] == "0.5"
    assert elapsed < 5  # the stub would trickle for 10 s


def test_a_digest_login_is_known_before_a_body_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Virtuoso answers 401 before it reads a body (and resets the connection): a body must go
    out with the login already in it, learnt by a body-less request first."""
    monkeypatch.setenv("OFFRI_ENDPOINT_USER", "someone")
    monkeypatch.setenv("OFFRI_ENDPOINT_PASSWORD", "secret")
    monkeypatch.setenv("OFFRI_ENDPOINT_AUTH", "digest")

    def login(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        if not seen.headers.get("authorization", "").startswith("Digest "):
            handler.send_response(401)
            handler.send_header("WWW-Authenticate", 'Digest realm="stub", nonce="abc", qop="auth"')
            handler.send_header("Content-Length", "0")
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.close_connection = True
            return
        reply(handler, 200, EMPTY_RESULTS, RESULTS_JSON)

    with stub(login) as server:
        store = RemoteStore(server.url, timeout=5)
        assert store.query("ASK {}").kind == "select"  # the stub answers rows to anything
        store.query("ASK {}")
        store.close()
    bodies = [s for s in server.seen if s.method == "POST"]
    assert server.seen[0].method == "HEAD"
    assert len(bodies) == 2 and all(s.headers["authorization"].startswith("Digest ") for s in bodies)
    assert sum(s.method == "HEAD" for s in server.seen) <= 2  # learnt once, not per request
