"""offri serve in a real browser (Debian's Chromium through Playwright): pages, forms and the SPARQL
editor work with no JavaScript error and no request to another origin."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from browserkit import chromium, need_chromium, served
from offri_kg.query.library import stored_queries
from webkit import built_store

STEINKJER = "https://w3id.org/offri/id/municipality/steinkjer"


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory):
    need_chromium()  # before building the store: a skip should cost nothing
    with served(built_store(tmp_path_factory.mktemp("browser") / "store")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(origin: str):
    with chromium(origin) as b:
        yield b


@pytest.fixture
def clean(browser):
    """The browser with a fresh watch and no cookies; the test fails on anything the watch saw."""
    browser.context.clear_cookies()
    browser.watch.clear()
    yield browser
    for page in browser.context.pages:
        page.close()
    browser.watch.assert_clean()


def test_home_page(clean) -> None:
    page = clean.open("/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("offri")
    assert page.locator("main table tbody tr").count() > 3
    assert page.locator("nav a[href='/editor']").inner_text() == "SPARQL editor"


def test_switching_language_with_the_language_link(clean) -> None:
    page = clean.open("/?lang=en")
    page.locator("header a[hreflang='nb']").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.locator("nav a[href='/editor']").inner_text() == "SPARQL-editor"
    page.locator("nav a[href='/queries']").click()  # the choice holds on the next page (a cookie)
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.locator("h1").inner_text() == "Lagrede spørringer"
    page.locator("header a[hreflang='en']").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Stored queries"


def test_a_stored_query_page_and_its_form(clean) -> None:
    page = clean.open("/queries/q01-partnerships?lang=en")
    assert page.locator("h1").inner_text() == stored_queries()["q01-partnerships"].title_in("en")
    assert page.locator("main table tbody tr").count() > 0
    page.locator("#p-municipality").fill(STEINKJER)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    given = parse_qs(urlsplit(page.url).query)
    assert given["municipality"] == [STEINKJER]
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#p-municipality").input_value() == STEINKJER
    rows = page.locator("main table tbody tr")
    assert rows.count() > 0
    assert "steinkjer" in rows.first.inner_text().lower()


def editor(browser, path: str = "/editor?lang=en"):  # noqa: ANN001, ANN201
    page = browser.open(path)
    page.wait_for_selector(".yasgui .tabPanel.active .yasqe .CodeMirror")
    return page


def run_and_wait_for_rows(page) -> int:  # noqa: ANN001
    with page.expect_response(lambda r: urlsplit(r.url).path == "/sparql") as answer:
        page.locator(".tabPanel.active .yasqe_queryButton").click()
    assert answer.value.status == 200, answer.value.text()
    rows = page.locator(".tabPanel.active .yasr table tbody tr")
    rows.first.wait_for()
    return rows.count()


def test_the_editor_runs_a_stored_query(clean) -> None:
    page = editor(clean)
    tabs = page.locator(".yasgui .tabsList .tab")
    titles = sorted(stored_queries().items())
    assert tabs.count() == len(titles)
    assert [t.split("\n")[0].strip() for t in tabs.all_inner_texts()] == [q.title_in("en") for _, q in titles]
    active = page.evaluate("window.offriYasgui.getTab().getYasqe().getValue()")
    assert active.startswith('#+ id = "q01-partnerships"') and "VALUES" in active
    assert run_and_wait_for_rows(page) > 0
    assert page.evaluate("Object.keys(localStorage)") == []  # persistence is off


def test_the_editor_runs_another_tab_and_a_typed_query(clean) -> None:
    page = editor(clean, "/editor?lang=nb")
    page.locator(".yasgui .tabsList .tab", has_text=stored_queries()["q14-catalogue"].title_in("nb")).click()
    assert page.evaluate("window.offriYasgui.getTab().getId()") == "q14-catalogue"
    assert run_and_wait_for_rows(page) > 0
    # A query typed by hand, in the editor itself: a class after "a" would have asked Linked Open
    # Vocabularies with YASGUI's default autocompleters (the watch fails on any such request).
    page.locator(".tabPanel.active .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("PREFIX offri: <https://w3id.org/offri/ns#>\nSELECT ?p WHERE { ?p a offri:Partn")
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(300)
    page.keyboard.press("Escape")  # closes a hint, else leaves the editor: come back to its end
    page.locator(".tabPanel.active .CodeMirror").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("ership }")
    assert page.evaluate("window.offriYasgui.getTab().getYasqe().getValue()").endswith("offri:Partnership }")
    assert page.evaluate("Yasgui.Yasqe.defaults.autocompleters") == ["variables", "offri-prefixes"]
    assert run_and_wait_for_rows(page) >= 10
    assert page.locator(".tabPanel.active .yasr table thead th").all_inner_texts()[-1].strip() == "p"


def test_a_shared_editor_link_runs_on_this_server_only(clean) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    path = "/editor?lang=en#query=" + quote(query) + "&endpoint=" + quote("https://example.org/sparql")
    page = clean.open(path)
    rows = page.locator(".tabPanel.active .yasr table tbody tr")
    rows.first.wait_for()
    assert rows.count() > 0
    assert page.evaluate("window.offriYasgui.getTab().getEndpoint()") == clean.origin + "/sparql"
    assert page.locator(".yasgui .tabsList .tab").count() == len(stored_queries()) + 1


def test_the_watch_sees_off_origin_requests_and_errors(browser) -> None:
    """The harness itself: what it must catch, it catches (and aborts the request). On a page
    without a Content-Security-Policy (a style sheet), the request goes out and is caught;
    on a catalogue page the policy stops it before it leaves."""
    browser.watch.clear()
    page = browser.open("/static/offri.css")
    page.evaluate("fetch('https://example.org/x').catch(() => {})")
    page.evaluate("setTimeout(() => { throw new Error('boom') }, 0)")
    page.evaluate("console.error('bad thing')")
    page.wait_for_timeout(300)
    page.close()
    problems = "\n".join(browser.watch.problems())
    browser.watch.clear()
    assert "request to another origin: https://example.org/x" in problems
    assert re.search(r"page error: .*boom", problems)
    assert "console error: " in problems and "bad thing" in problems
    page = browser.open("/?lang=en")
    page.evaluate("fetch('https://example.org/y').catch(() => {})")
    page.wait_for_timeout(300)
    page.close()
    problems = "\n".join(browser.watch.problems())
    browser.watch.clear()
    assert "example.org/y" in problems and "Content Security Policy" in problems
    assert "request to another origin" not in problems


def test_browse_filter_open_a_model_and_follow_it_to_a_case(clean) -> None:
    page = clean.open("/?lang=en")
    page.locator("main a[href='/browse/models']").click()
    page.wait_for_load_state()
    total = int(page.locator("main section p strong").first.inner_text())
    page.locator("a.facet-value", has_text="Co-creation").first.click()  # a facet: only co-creation models
    page.wait_for_load_state()
    assert "f.form=" in page.url
    assert page.locator("a.facet-value[aria-current='true']").count() == 1
    narrowed = int(page.locator("main section p strong").first.inner_text())
    assert 0 < narrowed < total
    page.locator("ul.items a").first.click()  # open a model
    page.wait_for_load_state()
    assert page.locator("text=Derived from the cases:").count() == 1
    assert page.locator(".badge").count() >= 1  # invented example data says so
    case_link = page.locator("p:has(strong:text('Derived from the cases:')) a").first
    with page.expect_navigation():
        case_link.click()  # follow the model to a case it was derived from
    assert "/doc/id/case/" in page.url
    assert page.locator("h1").inner_text()
