"""The catalogue in a browser's place: type pages with facets, prose pages, ontology and vocabularies."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import rdflib

from webkit import built_store, client

DNK = "http://publications.europa.eu/resource/authority/country/DNK"
NOR = "http://publications.europa.eu/resource/authority/country/NOR"
CO_CREATION = "https://w3id.org/offri/vocab/form/co-creation"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    with client(built_store(tmp_path_factory.mktemp("catalogue") / "store")) as c:
        yield c


def found(page: str) -> int:
    return int(re.search(r"<strong>(\d+)</strong>", page).group(1))


def facet_count(page: str, label: str) -> int:
    match = re.search(rf"[☐☑]</span> {re.escape(label)}(?:<span[^>]*>[^<]*</span>)?</a> <span class=\"count\">\((\d+)\)", page)
    assert match, label
    return int(match.group(1))


def test_every_type_page_answers_in_both_languages(web) -> None:
    for kind in ("models", "partnerships", "cases", "organisations", "municipalities"):
        for lang in ("nb", "en"):
            page = web.get(f"/browse/{kind}", params={"lang": lang})
            assert page.status_code == 200 and f'<html lang="{lang}">' in page.text, kind
            assert found(page.text) > 0, kind


def test_facets_count_and_combine(web) -> None:
    everything = web.get("/browse/partnerships", params={"lang": "en"}).text
    denmark = web.get("/browse/partnerships", params={"lang": "en", "f.country": DNK}).text
    assert found(denmark) == facet_count(everything, "Denmark") < found(everything)
    both = web.get("/browse/partnerships", params=[("lang", "en"), ("f.country", DNK), ("f.country", NOR)]).text
    assert found(both) == facet_count(everything, "Denmark") + facet_count(everything, "Norway")  # OR in a facet
    narrowed = web.get("/browse/partnerships", params=[("lang", "en"), ("f.country", NOR), ("f.form", CO_CREATION)]).text
    assert found(narrowed) <= found(web.get("/browse/partnerships", params={"lang": "en", "f.country": NOR}).text)
    assert found(narrowed) == facet_count(
        web.get("/browse/partnerships", params={"lang": "en", "f.country": NOR}).text, "Co-creation")  # AND across


def test_text_search_and_csv_of_what_is_shown(web) -> None:
    hits = web.get("/browse/models", params={"lang": "en", "q": "loneliness"}).text
    assert found(hits) == 1 and "Co-creation against loneliness" in hits
    rows = list(csv.DictReader(io.StringIO(web.get("/browse/models", params={"q": "loneliness", "format": "csv"})
                                           .content.decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["x"].endswith("/model/samskaping-mot-ensomhet")
    assert web.get("/browse/models", params={"q": '") } DROP ALL #'}).status_code == 200  # only ever a literal


def test_bad_facet_values_are_refused(web) -> None:
    answer = web.get("/browse/partnerships", params={"f.country": "> } ?x ?y ?z"})
    assert answer.status_code == 400 and "IRI" in answer.text
    assert web.get("/browse/nothing").status_code == 404


def test_illustrative_items_show_the_badge(web) -> None:
    page = web.get("/browse/models", params={"lang": "en"}).text
    assert page.count('class="badge"') == found(page)  # every shipped model is illustrative


def test_model_page_reads_as_prose(web) -> None:
    page = web.get("/doc/id/model/samskaping-mot-ensomhet", params={"lang": "en"}).text
    for heading in ("Form of collaboration", "Roles it needs", "Governance", "Suits these contexts",
                    "Derived from the cases", "Challenges to expect", "Adopted in"):
        assert f"<strong>{heading}:</strong>" in page, heading
    assert 'href="/doc/id/case/odense-samskabelse-ensomhed"' in page
    norsk = web.get("/doc/id/model/samskaping-mot-ensomhet", params={"lang": "nb"}).text
    assert "<strong>Roller som trengs:</strong>" in norsk


def test_partnership_page_draws_who_takes_which_role(web) -> None:
    page = web.get("/doc/id/partnership/example-borough-befriending", params={"lang": "en"}).text
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert "<title" in svg and "Coordinator" in svg and svg.count("<a href=") >= 2
    assert 'class="badge"' in page


def test_ontology_page_and_hash_terms(web) -> None:
    assert web.get("/ns", follow_redirects=False).headers["location"] == "/doc/ns"
    page = web.get("/doc/ns", params={"lang": "en"}).text
    assert 'id="Partnership"' in page and 'id="requiredRole"' in page
    turtle = rdflib.Graph().parse(data=web.get("/doc/ns", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/offri/ns#Partnership"), rdflib.RDF.type, rdflib.OWL.Class) in turtle


def test_concept_scheme_hierarchy_and_a_to_z(web) -> None:
    page = web.get("/doc/vocab/goal-theme", params={"lang": "en"}).text
    tree = page.split("<h2>A–Z</h2>")[0]
    assert re.search(r"Health and .*?<ul><li>.*?Loneliness", tree, re.S)  # narrower under broader
    assert 'id="letter-L"' in page
    turtle = rdflib.Graph().parse(data=web.get("/vocab/goal-theme", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert len(set(turtle.subjects(rdflib.namespace.SKOS.inScheme, None))) >= 10


@pytest.mark.parametrize("path", ["/", "/browse/models", "/queries", "/queries/q06-anchoring", "/editor", "/doc/ns",
                                  "/doc/vocab/role", "/doc/id/model/samskaping-mot-ensomhet"])
def test_every_page_embeds_schema_org_json_ld(web, path: str) -> None:
    import json

    page = web.get(path, params={"lang": "en"}).text
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1, path
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org/" and data["@type"], path


def test_pages_link_their_machine_readable_twins(web) -> None:
    assert '<link rel="alternate" type="text/csv"' in web.get("/browse/partnerships").text
    assert '<link rel="alternate" type="text/csv"' in web.get("/queries/q06-anchoring").text
    assert '<link rel="alternate" type="text/turtle" href="/.well-known/void"' in web.get("/").text
    model = web.get("/doc/id/model/samskaping-mot-ensomhet").text
    assert '<link rel="alternate" type="text/turtle" href="/doc/id/model/samskaping-mot-ensomhet.ttl"' in model
    assert '"@type": "HowTo"' in model or '"@type":"HowTo"' in model


def test_the_language_link_keeps_the_chosen_facets(web) -> None:
    page = web.get("/browse/partnerships", params={"lang": "en", "f.country": DNK}).text
    link = re.search(r'<a href="([^"]+)" lang="nb"', page).group(1)
    assert "f.country=" in link and "lang=nb" in link
    web.cookies.clear()


def test_stored_query_pages_mark_invented_data_in_rows_and_counts(web) -> None:
    for name in ("q01-partnerships", "q11-compare-municipalities", "q11b-compare-countries"):
        assert 'class="badge"' in web.get(f"/queries/{name}", params={"lang": "en"}).text, name


def test_long_lists_come_in_pages(tmp_path: Path) -> None:
    """Past ``browse_rows`` items a type page shows one page and links the next; together the
    pages hold every item once, in order of name; the CSV holds all of them."""
    with client(built_store(tmp_path / "store"), browse_rows=4) as small:
        first = small.get("/browse/partnerships", params={"lang": "en"}).text
        total = found(first)
        assert total > 8 and "Showing 1–4 of" in first and 'rel="next"' in first and 'rel="prev"' not in first
        names, page = [], 1
        while True:
            text = small.get("/browse/partnerships", params={"lang": "en", "page": page}).text
            shown = re.findall(r'<li><a href="/doc/id/partnership/[^"]+">([^<]+)</a>', text)
            assert len(shown) <= 4
            names += shown
            if 'rel="next"' not in text:
                break
            assert 'rel="next"' in text and f"page={page + 1}" in text
            page += 1
        assert len(names) == total == len(set(names)) and names == sorted(names, key=str.lower)
        rows = list(csv.DictReader(io.StringIO(small.get("/browse/partnerships", params={"format": "csv"})
                                               .content.decode("utf-8-sig"))))
        assert len(rows) == total
        bad = small.get("/browse/partnerships", params={"page": "0", "lang": "nb"})
        assert bad.status_code == 400 and "sidenummer" in bad.text


def test_a_large_sitemap_becomes_an_index(tmp_path: Path) -> None:
    """The sitemaps.org limit is 50,000 URLs per file; past it (here past 10) /sitemap.xml lists
    /sitemap-N.xml files that together hold every URL once."""
    with client(built_store(tmp_path / "store"), sitemap_size=10) as small:
        index = small.get("/sitemap.xml")
        assert index.status_code == 200 and "<sitemapindex" in index.text
        parts = re.findall(r"<loc>http://testserver(/sitemap-\d+\.xml)</loc>", index.text)
        assert len(parts) > 2
        urls = []
        for part in parts:
            page = small.get(part)
            assert page.status_code == 200 and "<urlset" in page.text
            urls += re.findall(r"<loc>([^<]+)</loc>", page.text)
        assert len(urls) == len(set(urls)) and "http://testserver/doc/id/actor/offri-maintainers" in urls
        assert small.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404
    with client(tmp_path / "store") as whole:
        single = whole.get("/sitemap.xml").text
        assert "<urlset" in single and sorted(re.findall(r"<loc>([^<]+)</loc>", single)) == sorted(urls)


def test_a_stored_query_page_shows_the_first_rows_and_says_so(tmp_path: Path) -> None:
    """Past ``page_rows`` a stored-query page shows the first rows with a notice (never a
    silent cut, never an error); its CSV holds every row."""
    with client(built_store(tmp_path / "store"), page_rows=3) as small:
        page = small.get("/queries/q01-partnerships", params={"lang": "en"})
        assert page.status_code == 200 and "Showing the first 3 rows; the answer has more." in page.text
        assert page.text.count("<tr>") == 1 + 3  # the header and three rows
        rows = list(csv.DictReader(io.StringIO(small.get("/queries/q01-partnerships", params={"format": "csv"})
                                               .content.decode("utf-8-sig"))))
        assert len(rows) > 3
        few = small.get("/queries/q12b-shared-partners", params={"lang": "nb"}).text
        assert "de første" not in few and "rader" in few
