"""Loopback HTTP servers for tests: a canary that records every request it gets (there must be
none), and the pieces to build other stubs with (``serving``, ``reply``)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Iterator


@dataclass
class Canary:
    url: str
    requests: list[str] = field(default_factory=list)


@contextmanager
def canary() -> Iterator[Canary]:
    record = Canary(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            record.requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(b'{"@context": {}}')

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        record.url = url
        yield record


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A loopback HTTP server with ``handler`` in a thread, stopped at the end; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    """Answer the request ``handler`` holds whole: its body read, then ``status``, ``headers``
    and ``body`` (none to a HEAD)."""
    handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)
