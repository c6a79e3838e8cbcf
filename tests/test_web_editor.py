"""The SPARQL editor page (/editor): YASGUI served by offri serve itself, nothing from other origins."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from offri_kg.query.library import stored_queries
from offri_kg.web.editor import YASGUI, editor_tabs, script_json
from webkit import built_store, client

STATIC = Path(__file__).resolve().parent.parent / "offri_kg" / "web" / "static"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    with client(built_store(tmp_path_factory.mktemp("editor") / "store")) as c:
        yield c


class Links(HTMLParser):
    """Every src/href of the page, and the elements that load something (script, link, img, …)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[tuple[str, str]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif values.get("src") or (tag == "link" and values.get("href")):
            self.loads.append((tag, values.get("src") or values["href"]))


def parsed(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def page_config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', html, re.S)
    assert found, "the page embeds its configuration as JSON"
    return json.loads(found.group(1))


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_editor_page_answers_in_both_languages(web, lang: str) -> None:
    answer = web.get("/editor", params={"lang": lang})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in answer.text
    title = {"nb": "SPARQL-editor", "en": "SPARQL editor"}[lang]
    assert f"<h1>{title}</h1>" in answer.text


def test_language_from_accept_language_and_nav_link_on_other_pages(web) -> None:
    web.cookies.clear()  # the cookie a ?lang= of another test left
    answer = web.get("/editor", headers={"Accept-Language": "nb-NO,nb;q=0.9"})
    assert '<html lang="nb">' in answer.text
    assert "/editor" in parsed(web.get("/queries", params={"lang": "en"}).text).links


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_page_loads_only_same_origin_scripts_and_styles(web, lang: str) -> None:
    html = web.get("/editor", params={"lang": lang}).text
    loads = parsed(html).loads
    assert ("script", f"/static/{YASGUI}/yasgui.min.js") in loads
    assert ("link", f"/static/{YASGUI}/yasgui.min.css") in loads
    assert ("script", "/static/editor.js") in loads
    off_origin = [src for _, src in loads if re.match(r"(?i)^(https?:)?//", src)]
    assert off_origin == []
    assert not re.search(r"(?i)@import|cdn\.|unpkg|jsdelivr", html)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_stored_query_is_a_tab_with_its_default_parameters(web, lang: str) -> None:
    config = page_config(web.get("/editor", params={"lang": lang}).text)
    assert config["endpoint"] == "/sparql"
    queries = stored_queries()
    tabs = {tab["id"]: tab for tab in config["tabs"]}
    assert set(tabs) == set(queries)
    assert [tab["id"] for tab in config["tabs"]] == sorted(queries)
    for query_id, query in queries.items():
        assert tabs[query_id]["name"] == query.title_in(lang)
        assert query.sparql.splitlines()[0] in tabs[query_id]["query"]
    q01 = queries["q01-partnerships"]
    for param in q01.params:
        if param.default:
            assert param.default in tabs["q01-partnerships"]["query"]
    assert "VALUES" in tabs["q01-partnerships"]["query"] or not any(p.default for p in q01.params)


def test_tab_queries_run_on_the_endpoint(web) -> None:
    for tab in editor_tabs("en"):
        answer = web.post("/sparql", data={"query": tab["query"]},
                          headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200, (tab["id"], answer.text)
        assert "results" in answer.json() or "boolean" in answer.json()


def test_embedded_json_cannot_close_the_script_element() -> None:
    text = script_json({"query": "# </script><script>alert(1)</script> <!-- & \u2028"})
    assert "</" not in text and "<!--" not in text and "\u2028" not in text
    assert json.loads(text) == {"query": "# </script><script>alert(1)</script> <!-- & \u2028"}


def test_the_noscript_fallback_links_the_stored_query_pages(web) -> None:
    links = parsed(web.get("/editor", params={"lang": "en"}).text).links
    assert {f"/queries/{q}" for q in stored_queries()} <= set(links)


@pytest.mark.parametrize("path, media", [
    (f"/static/{YASGUI}/yasgui.min.js", ("text/javascript", "application/javascript")),
    (f"/static/{YASGUI}/yasgui.min.css", ("text/css",)),
    ("/static/editor.js", ("text/javascript", "application/javascript")),
])
def test_static_files_answer_with_their_content_type(web, path: str, media: tuple[str, ...]) -> None:
    answer = web.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] in media
    assert answer.content == (STATIC / path.removeprefix("/static/")).read_bytes()
    assert "etag" in answer.headers


def test_static_files_stay_inside_their_folder(web) -> None:
    assert web.get("/static/nothing-here.js").status_code == 404
    assert web.get("/static/../app.py").status_code == 404
    assert web.get("/static/%2e%2e/app.py").status_code == 404


def test_the_vendored_yasgui_is_complete_and_small() -> None:
    folder = STATIC / YASGUI
    names = {p.name for p in folder.iterdir()}
    assert {"yasgui.min.js", "yasgui.min.css", "LICENSE", "THIRD-PARTY-LICENSES", "VERSION"} <= names
    assert "MIT" in (folder / "LICENSE").read_text()
    pinned = json.loads((STATIC.parent.parent.parent / "web-vendor" / "package.json").read_text())
    assert pinned["dependencies"]["@zazuko/yasgui"] == (folder / "VERSION").read_text().strip()
    assert sum(p.stat().st_size for p in folder.iterdir()) < 3 * 1024 * 1024
    assert "sourceMappingURL" not in (folder / "yasgui.min.js").read_text(encoding="utf-8")
