"""Security headers on every answer, CSV that a spreadsheet will not run, and logins that cannot
be guessed at speed."""

from __future__ import annotations

import base64
import csv
import io
import re
import time
from pathlib import Path

import pytest

from webkit import built_store, client

USER, PASSWORD = "steward", "correct horse"
RIGHT = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
WRONG = "Basic " + base64.b64encode(f"{USER}:guess".encode()).decode()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_store(tmp_path_factory.mktemp("security") / "store")


def test_every_html_page_has_a_policy_and_no_inline_script(store: Path) -> None:
    with client(store) as web:
        for path in ("/", "/browse/models", "/queries/q01-partnerships", "/doc/ns", "/doc/id/municipality/arendal",
                     "/editor", "/queries"):
            for attempt in (1, 2):  # the second answer comes from the page cache
                page = web.get(path)
                policy = page.headers["content-security-policy"]
                assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy, path
                assert "unsafe-eval" not in policy and page.headers["x-frame-options"] == "DENY"
                assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"]
            # every <script> either loads from this server or is a data block (never run)
            for tag in re.findall(r"<script\b[^>]*>", page.text):
                assert 'src="/static/' in tag or 'type="application/ld+json"' in tag or \
                    'type="application/json"' in tag, (path, tag)
            assert "<style" not in page.text and " style=" not in page.text, path
        answer = web.get("/sparql", params={"query": "ASK {}"})
        assert answer.headers["x-content-type-options"] == "nosniff" and "content-security-policy" not in answer.headers


def test_csv_downloads_never_carry_a_formula(tmp_path: Path) -> None:
    path = built_store(tmp_path / "store")
    evil = ['=HYPERLINK("http://evil.example/","klikk")', "+SUM(A1:A9)", "-2+3", "@cmd", "\tsneaky"]
    escaped = [label.replace('"', '\\"').replace("\t", "\\t") for label in evil]
    inserts = " ".join(f'<urn:test:evil{i}> a <https://w3id.org/offri/ns#Municipality> ; '
                       f'<http://www.w3.org/2004/02/skos/core#prefLabel> "{label}"@nb .'
                       for i, label in enumerate(escaped))
    with client(path, allow_update=True, user=USER, password=PASSWORD) as web:
        done = web.post("/sparql", content=f"INSERT DATA {{ GRAPH <urn:test:evil> {{ {inserts} }} }}",
                        headers={"Content-Type": "application/sparql-update", "Authorization": RIGHT})
        assert done.status_code == 204, done.text
        table = web.get("/browse/municipalities", params={"format": "csv", "lang": "nb"})
        assert table.content.startswith("\ufeff".encode())  # Excel then reads æøå as UTF-8
        cells = [cell for row in csv.reader(io.StringIO(table.content.decode("utf-8-sig"))) for cell in row]
        for label in evil:
            assert "'" + label in cells and label not in cells, label
        query_page = web.get("/queries/q01-partnerships", params={"format": "csv"})
        assert query_page.content.startswith("\ufeff".encode())
        # the SPARQL endpoint's CSV is the W3C format, exactly as the data says
        raw = web.get("/sparql", params={"query": "SELECT ?l WHERE { GRAPH <urn:test:evil> { ?x ?p ?l FILTER(isLiteral(?l)) } }"},
                      headers={"Accept": "text/csv"})
        assert not raw.content.startswith("\ufeff".encode())
        assert evil[0] in [cell for row in csv.reader(io.StringIO(raw.text)) for cell in row]


def test_numbers_stay_numbers_in_a_spreadsheet_csv() -> None:
    from offri_kg.query.results import spreadsheet_cell

    assert [spreadsheet_cell(v) for v in ("-5", "+3.5", "-1e3", "42", "-2+3", "=1", "plain")] == \
        ["-5", "+3.5", "-1e3", "42", "'-2+3", "'=1", "plain"]


def test_guessing_the_update_password_slows_down_at_once(tmp_path: Path) -> None:
    path = built_store(tmp_path / "store")
    with client(path, allow_update=True, user=USER, password=PASSWORD) as web:
        def update(auth: str):  # noqa: ANN202
            return web.post("/sparql", content="INSERT DATA { GRAPH <urn:test:g> { <urn:a> <urn:b> 1 } }",
                            headers={"Content-Type": "application/sparql-update", "Authorization": auth})

        statuses = [update(WRONG).status_code for _ in range(7)]
        assert statuses[:6] == [401] * 6 and statuses[6] == 429
        blocked = update(RIGHT)  # right or wrong, nothing is looked at until the wait is over
        assert blocked.status_code == 429 and "wrong logins" in blocked.text
        time.sleep(int(blocked.headers["retry-after"]) + 0.2)
        assert update(RIGHT).status_code == 204
        assert update(WRONG).status_code == 401  # a right login cleared the record


def test_a_bug_answers_500_in_words_with_the_security_headers(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The catch-all for bugs sits inside the security headers: its 500 carries them too."""
    from starlette.testclient import TestClient

    from offri_kg.web import browse
    from offri_kg.web.app import ServeConfig, create_app

    def broken(request: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(browse, "queries_page", broken)
    app = create_app(ServeConfig(store_path=store))
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as web:
        page = web.get("/queries", headers={"Accept-Language": "en"})
    assert page.status_code == 500 and "internal error" in page.text
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"]
