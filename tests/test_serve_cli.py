"""``offri serve`` as a user starts it: a real server on a loopback port, real HTTP clients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from clikit import ROOT, offri


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("serve") / "store"  # empty: serve builds it from the shipped data
    port = free_port()
    env = {**os.environ, "OFFRI_STORE": str(store), "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "offri_kg.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "sparql?query=ASK%7B%7D", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read()) from None
            time.sleep(0.3)
    yield url, proc
    proc.terminate()
    proc.wait(timeout=20)


def test_prints_its_address(server) -> None:
    url, proc = server
    line = proc.stdout.readline()
    assert url in line and "sparql" in line


def test_sparqlwrapper_queries_the_endpoint(server) -> None:
    url, _ = server
    client = SPARQLWrapper(url + "sparql")
    client.setReturnFormat(JSON)
    client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/offri/ns#Partnership> }")
    result = client.queryAndConvert()
    assert int(result["results"]["bindings"][0]["n"]["value"]) >= 10


def test_curl_style_turtle_on_a_resource_uri(server) -> None:
    url, _ = server
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url + "id/actor/offri-maintainers", headers={"Accept": "text/turtle"})
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request)
    assert redirect.value.code == 303
    followed = urllib.request.urlopen(urllib.request.Request(url + "id/actor/offri-maintainers",
                                                             headers={"Accept": "text/turtle"}))
    assert followed.headers["Content-Type"].startswith("text/turtle") and b"prefLabel" in followed.read()


def test_update_needs_credentials_from_the_environment(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRI_SERVE_")}
    run = offri("serve", "--store", tmp_path / "store", "--allow-update", env=env)
    assert run.code == 2 and "OFFRI_SERVE_USER" in run.err and "Traceback" not in run.err


@pytest.mark.parametrize("lang, words", [("en", "there is no offri store"), ("nb", "det finnes ikke noe offri-lager")])
def test_a_store_path_that_holds_no_store_is_refused_not_filled_with_examples(tmp_path: Path, lang: str,
                                                                              words: str) -> None:
    """A steward's typo in --store gets an error naming the path, not a catalogue of example
    data that looks like theirs; nothing is written there."""
    typo = tmp_path / "my-sotre"
    run = offri("serve", "--store", typo, "--port", str(free_port()), "--lang", lang, timeout=60)
    assert run.code == 2 and words in run.err and str(typo) in run.err and "offri build --store" in run.err
    assert "Traceback" not in run.err and not typo.exists()
