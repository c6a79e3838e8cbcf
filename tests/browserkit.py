"""A real browser on a real server: ``offri serve`` as a subprocess, Debian's Chromium driven by Playwright.

Playwright (the Python package) only drives the browser: no ``playwright install``, the browser is
Debian's ``chromium`` (``make system-deps`` and ``.ci/run`` install it). Every page the browser
opens is watched: console errors, uncaught exceptions and any request to another origin (which
is also aborted, so nothing leaves the machine) are recorded, and ``Watch.assert_clean`` fails
listing them. Without ``/usr/bin/chromium`` the tests skip, except on CI (``CI`` set), where
they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from clikit import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: URL schemes that never leave the page (not "another origin" for the watch)
LOCAL_SCHEMES = ("data:", "blob:", "about:")


def need_chromium() -> None:
    """Skip (fail on CI) when the browser or Playwright is missing."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (Debian package chromium: make system-deps)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the Python package playwright is missing (pip install -e '.[test]')"
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run on CI: {problem}", pytrace=False)
    pytest.skip(f"browser tests skipped: {problem}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(store: Path, timeout: float = 120) -> Iterator[str]:
    """``offri serve --store STORE`` on a free loopback port; yields its origin (``http://127.0.0.1:PORT``)."""
    port = free_port()
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("OFFRI_LANG", None)
    with tempfile.TemporaryFile("w+") as log:  # a file, not a pipe: the access log must never block it
        proc = subprocess.Popen([sys.executable, "-m", "offri_kg.cli", "serve", "--store", str(store),
                                 "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                text=True)
        origin = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(origin + "/sparql?query=ASK%7B%7D", timeout=2).close()
                    break
                except (urllib.error.URLError, ConnectionError):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise AssertionError(f"offri serve did not start on {origin}:\n{log.read()}") from None
                    time.sleep(0.3)
            yield origin
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@dataclass
class Watch:
    """What went wrong in the pages of one browser context."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    off_origin: list[str] = field(default_factory=list)

    def same_origin(self, url: str) -> bool:
        if url.startswith(LOCAL_SCHEMES):
            return True
        parts, ours = urlsplit(url), urlsplit(self.origin)
        return (parts.scheme, parts.netloc) == (ours.scheme, ours.netloc)

    def attach(self, page) -> None:  # noqa: ANN001
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(
            f"{page.url}: {msg.text} ({msg.location.get('url', '')}:{msg.location.get('lineNumber', '')})"))
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors] + [f"page error: {m}" for m in self.page_errors]
                + [f"request to another origin: {u}" for u in self.off_origin])

    def clear(self) -> None:
        self.console_errors.clear()
        self.page_errors.clear()
        self.off_origin.clear()

    def assert_clean(self) -> None:
        found = self.problems()
        assert not found, "the browser saw:\n  " + "\n  ".join(found)


@dataclass
class Browser:
    """A headless Chromium context on ``origin``, with its ``watch``."""

    context: object
    watch: Watch
    origin: str

    def open(self, path: str = "/"):  # noqa: ANN201
        """A new page at ``origin + path`` (loaded)."""
        page = self.context.new_page()  # type: ignore[attr-defined]
        page.goto(self.origin + path)
        return page


@contextmanager
def chromium(origin: str) -> Iterator[Browser]:
    """Debian's Chromium, headless, with a fresh profile, watched on every page it opens."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    watch = Watch(origin)
    with tempfile.TemporaryDirectory(prefix="offri-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            locale="en-GB", service_workers="block")
        context.set_default_timeout(30_000)

        def off_origin(route) -> None:  # noqa: ANN001
            watch.off_origin.append(route.request.url)
            route.abort()

        context.route(lambda url: not watch.same_origin(url), off_origin)
        for page in context.pages:
            watch.attach(page)
        context.on("page", watch.attach)
        try:
            yield Browser(context, watch, origin)
        finally:
            context.close()
