"""Parameters are typed terms: no value can change a query's shape, on any backend."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from offri_kg.errors import OffriError
from offri_kg.i18n import render_error
from offri_kg.ingest.read import read_sources
from offri_kg.query.bind import bindings, parse_value, with_values_block
from offri_kg.query.guard import check_query
from offri_kg.query.library import parse_stored_query
from offri_kg.resources import example_data_files
from offri_kg.validate.dataset import build_store

QUERY = parse_stored_query(Path(__file__).parent / "fixtures" / "queries" / "t-params.rq")

HOSTILE = [
    '"} ; DROP ALL ; #',
    "x' } UNION { ?s ?p ?o } #",
    'a" . ?p ?q ?r . FILTER("x',
    "line\nbreak } }",
    "\\\" } #",
    "<https://evil.example/> } SERVICE <http://127.0.0.1:1/> {",
]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return build_store(read_sources(example_data_files()))


def run(store: ox.Store, given: dict[str, str], through_store: bool) -> list[tuple]:
    """Bind as the embedded store does (through its query method) or by hand."""
    terms = bindings(QUERY, given)
    if through_store:
        from offri_kg.store.embedded import EmbeddedStore

        fake = EmbeddedStore.__new__(EmbeddedStore)
        fake._ox = store
        result = fake.query(QUERY.sparql, terms).rows
    else:
        result = store.query(with_values_block(QUERY.sparql, terms), use_default_graph_as_union=True)
    return [tuple(str(row[v]) for v in ("p", "label")) for row in result]


@pytest.mark.parametrize("remote_style", [False, True], ids=["store", "by-hand"])
def test_defaults_and_given_values_agree_on_both_binding_styles(store, remote_style: bool) -> None:
    arendal = run(store, {}, remote_style)
    assert len(arendal) == 4
    nb = run(store, {"lang": "nb"}, remote_style)
    assert len(nb) == 4 and nb != arendal
    steinkjer = run(store, {"municipality": "https://w3id.org/offri/id/municipality/steinkjer"}, remote_style)
    assert len(steinkjer) == 3


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("remote_style", [False, True], ids=["store", "by-hand"])
def test_hostile_strings_stay_strings(store, value: str, remote_style: bool) -> None:
    before = len(store)
    rows = run(store, {"name": value}, remote_style)
    assert len(rows) == 4  # the OPTIONAL simply does not match; nothing else changes
    assert len(store) == before
    if remote_style:
        text = with_values_block(QUERY.sparql, bindings(QUERY, {"name": value}))
        prepareQuery(text)  # still one well-formed SELECT
        assert text.count("SELECT") == 1 and "DROP" not in text.replace(value, "").upper().replace("DROP ALL", "")


@pytest.mark.parametrize("value", HOSTILE + ["not an iri", "https://a b", "javascript:alert(1)>"])
def test_hostile_iris_are_refused(value: str) -> None:
    with pytest.raises(OffriError) as caught:
        parse_value(QUERY, "municipality", value)
    assert caught.value.code == "bad-param"
    assert "an IRI" in render_error(caught.value, "en")


@pytest.mark.parametrize("name, value, expected", [
    ("since", "2016-31-12", "a date"),
    ("since", "yesterday", "a date"),
    ("role", "https://w3id.org/offri/vocab/goal-theme/loneliness", "concept"),
])
def test_ill_typed_values_say_what_is_expected(name: str, value: str, expected: str) -> None:
    with pytest.raises(OffriError) as caught:
        parse_value(QUERY, name, value)
    assert caught.value.code == "bad-param" and expected in render_error(caught.value, "en")
    assert "venter" in render_error(caught.value, "nb") and "expects" not in render_error(caught.value, "nb")


def test_values_outside_the_allowed_list() -> None:
    with pytest.raises(OffriError) as caught:
        bindings(QUERY, {"lang": "de"})
    assert caught.value.code == "param-not-allowed" and "nb, en" in caught.value.params["allowed"]


def test_unknown_parameter_lists_the_known_ones() -> None:
    with pytest.raises(OffriError) as caught:
        bindings(QUERY, {"kommune": "x"})
    assert caught.value.code == "unknown-param" and "municipality" in caught.value.params["known"]


@pytest.mark.parametrize("text, feature", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ("select * from <http://127.0.0.1:9/data.ttl> where { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://x/> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("LOAD <http://127.0.0.1:9/x.ttl>", "LOAD"),
    ("SELECT * WHERE { ?s ?p ?o } # SERVICE in a comment\n", None),
    ('SELECT * WHERE { ?s ?p "LOAD from the SERVICE" }', None),
    ("SELECT * WHERE { ?s <http://e/SERVICE> ?o }", None),
])
def test_network_features_are_refused(text: str, feature: str | None) -> None:
    if feature is None:
        check_query(text)
        return
    with pytest.raises(OffriError) as caught:
        check_query(text)
    assert caught.value.params["feature"] == feature


MARKED = parse_stored_query(Path(__file__).parent / "fixtures" / "queries" / "t-marker.rq")


def test_a_parameters_marker_places_the_values_block_inside_the_subquery(store) -> None:
    """Without the marker the block would join after the subquery had counted every municipality."""
    text = with_values_block(MARKED.sparql, bindings(MARKED, {}))
    assert text.count("VALUES") == 1
    subquery = text[text.index("SELECT ?municipality (COUNT"):text.index("GROUP BY")]
    assert "VALUES (?municipality) { (<https://w3id.org/offri/id/municipality/arendal>) }" in subquery
    rows = list(store.query(text, use_default_graph_as_union=True))
    assert [r["municipality"].value for r in rows] == ["https://w3id.org/offri/id/municipality/arendal"]
    assert int(rows[0]["n"].value) > 0


def test_without_a_marker_the_values_block_opens_the_where_clause() -> None:
    text = with_values_block(QUERY.sparql, bindings(QUERY, {}))
    assert text.index("VALUES") < text.index("?p offri:inMunicipality")
    assert text.index("VALUES") > text.index("WHERE {")


def test_a_required_parameter_cannot_be_left_empty() -> None:
    with pytest.raises(OffriError) as caught:
        bindings(MARKED, {"municipality": ""})
    assert caught.value.code == "missing-param" and caught.value.params["name"] == "municipality"
    assert "needs a value" in render_error(caught.value, "en") and "an IRI" in render_error(caught.value, "en")
    assert "må ha en verdi" in render_error(caught.value, "nb")
    bindings(QUERY, {"municipality": ""})  # optional ones may: the query then answers for all


def test_strings_are_written_as_plain_literals() -> None:
    """The same term as "x"^^xsd:string, but Virtuoso matches only the plain form to its data."""
    text = with_values_block(MARKED.sparql, bindings(MARKED, {"county": "Trøndelag"}))
    assert 'VALUES (?county ?municipality) { ("Trøndelag" <' in text and "XMLSchema#string" not in text


def test_compact_iris_as_offri_prints_them_are_accepted() -> None:
    """``offri query`` shows ``id:municipality/steinkjer``; the same text as a parameter means the
    same IRI (it used to pass as an IRI of the scheme "id:" and find nothing)."""
    full = parse_value(QUERY, "municipality", "https://w3id.org/offri/id/municipality/steinkjer")
    assert parse_value(QUERY, "municipality", "id:municipality/steinkjer") == full


def test_query_names_ignore_case_and_an_unknown_one_without_matches_says_where_to_look() -> None:
    from offri_kg.query.library import get_stored_query

    assert get_stored_query("Q01-PARTNERSHIPS").id == "q01-partnerships"
    with pytest.raises(OffriError) as caught:
        get_stored_query("zzzz")
    assert caught.value.code == "unknown-query-none"
    assert "offri queries" in render_error(caught.value, "en") and "offri queries" in render_error(caught.value, "nb")


@pytest.mark.parametrize("name, param", [("q09-models-for-context", "year"), ("q12-brokers", "minimum"),
                                         ("q13-funding-continuity", "asOf")])
def test_a_number_left_empty_is_asked_for_not_taken_as_nothing(name: str, param: str) -> None:
    """A year or a threshold has no "all" (the query would find nothing, or blank its
    durations): left empty, it is an error that names it."""
    from offri_kg.query.library import get_stored_query

    with pytest.raises(OffriError) as caught:
        bindings(get_stored_query(name), {param: ""})
    assert param in render_error(caught.value, "en")
