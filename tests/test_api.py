"""The notebook API: stored queries by name, rows as Python values, DataFrames with dtypes."""

from __future__ import annotations

import datetime as dt

import pytest

from offri_kg.api import KnowledgeGraph
from offri_kg.errors import OffriError
from offri_kg.ingest.read import read_sources
from offri_kg.resources import example_data_files
from offri_kg.store.embedded import EmbeddedStore


TYPED = """
PREFIX offri: <https://w3id.org/offri/ns#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?p ?start ?illustrative (COUNT(?x) AS ?participants) WHERE {
  ?p a offri:Partnership ; dct:temporal/dcat:startDate ?start ; offri:illustrative ?illustrative .
  ?x <http://www.w3.org/ns/org#organization> ?p
} GROUP BY ?p ?start ?illustrative"""


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "store"
    writer = EmbeddedStore(path)
    writer.load(read_sources(example_data_files()))
    writer.close()
    return path


@pytest.fixture(scope="module")
def kg(store_path) -> KnowledgeGraph:
    graph = KnowledgeGraph.open(store_path)
    yield graph
    graph.close()


def test_run_by_name_with_parameters(kg: KnowledgeGraph) -> None:
    arendal = kg.run("q01-partnerships")
    steinkjer = kg.run("q01-partnerships", municipality="https://w3id.org/offri/id/municipality/steinkjer")
    assert len(arendal) > 0 and len(steinkjer) > 0
    assert {tuple(r.items()) for r in arendal} != {tuple(r.items()) for r in steinkjer}


def test_rows_are_python_values(kg: KnowledgeGraph) -> None:
    rows = kg.sparql(TYPED).to_dicts()
    assert rows
    first = rows[0]
    assert isinstance(first["p"], str) and first["p"].startswith("https://")
    assert isinstance(first["start"], dt.date)
    assert first["illustrative"] is True
    assert isinstance(first["participants"], int) and first["participants"] >= 2


def test_dataframe_has_proper_dtypes(kg: KnowledgeGraph) -> None:
    frame = kg.sparql(TYPED).to_dataframe()
    assert str(frame["participants"].dtype) == "Int64"
    assert str(frame["start"].dtype).startswith("datetime64")
    assert str(frame["illustrative"].dtype) == "boolean"
    assert str(frame["p"].dtype) == "string"


def test_unknown_query_name(kg: KnowledgeGraph) -> None:
    with pytest.raises(OffriError) as caught:
        kg.run("q1-partnerships")
    assert caught.value.code == "unknown-query" and "q01-partnerships" in caught.value.params["matches"]


def test_bad_parameter(kg: KnowledgeGraph) -> None:
    with pytest.raises(OffriError) as caught:
        kg.run("q01-partnerships", municipality="Arendal")
    assert caught.value.code == "bad-param"


# ---- findings of an adversarial run of the API (2026-11-27) --------------------------------------
def test_opening_twice_and_reopening_after_a_cell_is_run_again(store_path) -> None:
    """A notebook re-runs cells: opening reads without a lock, so a second open, a re-run and
    a writer all get in; a closed graph says so; ``with`` closes."""
    first = KnowledgeGraph.open(store_path)
    second = KnowledgeGraph.open(store_path)
    assert len(first.run("q14-catalogue")) == len(second.run("q14-catalogue")) > 0
    first.close()
    first.close()  # twice is fine
    with pytest.raises(OffriError) as caught:
        first.run("q14-catalogue")
    assert caught.value.code == "store-closed"
    with KnowledgeGraph.open(store_path) as third:
        assert len(third.run("q14-catalogue")) > 0
    assert third._store is None
    second.close()


def test_a_folder_without_a_store_is_an_error_not_a_new_store(tmp_path) -> None:
    with pytest.raises(OffriError) as caught:
        KnowledgeGraph.open(tmp_path / "typo")
    assert caught.value.code == "store-missing" and not (tmp_path / "typo").exists()


def test_ask_and_construct_answers(kg: KnowledgeGraph) -> None:
    assert kg.sparql("ASK { ?s ?p ?o }") is True
    assert kg.sparql("ASK { <urn:nothing> ?p ?o }") is False
    graph = kg.sparql("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 3")
    assert graph.variables == ["subject", "predicate", "object"] and len(graph) == 3
    assert "row(s)" in repr(graph)


def test_dataframes_of_awkward_columns(kg: KnowledgeGraph) -> None:
    """Dates with and without time in one column, integers past 64 bits, a column never bound
    and an empty answer all give a DataFrame, not a pandas error."""
    mixed = kg.sparql('SELECT ?d WHERE { VALUES ?d { "2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> '
                      '"2020-01-01T10:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> } }').to_dataframe()
    assert len(mixed) == 2
    big = kg.sparql("SELECT ?x WHERE { VALUES ?x { 99999999999999999999999 } }").to_dataframe()
    assert big["x"][0] == 99999999999999999999999
    unbound = kg.sparql("SELECT ?s ?nothing WHERE { ?s a ?c OPTIONAL { ?s <urn:none> ?nothing } } LIMIT 2").to_dataframe()
    assert str(unbound["nothing"].dtype) == "string" and unbound["nothing"].isna().all()
    empty = kg.sparql("SELECT ?s WHERE { ?s <urn:none> ?o }").to_dataframe()
    assert list(empty.columns) == ["s"] and len(empty) == 0


def test_none_parameters_take_the_default_and_lang_ignores_case(kg: KnowledgeGraph) -> None:
    default = kg.run("q01-partnerships").to_dicts()
    assert kg.run("q01-partnerships", municipality=None, lang="EN").to_dicts() == default


def test_connect_refuses_a_timeout_that_is_no_time_and_sparql_wants_text(kg: KnowledgeGraph) -> None:
    with pytest.raises(OffriError) as caught:
        KnowledgeGraph.connect("http://127.0.0.1:9/query", timeout=-1)
    assert caught.value.code == "bad-timeout"
    with pytest.raises(OffriError) as caught:
        kg.sparql(None)  # type: ignore[arg-type]
    assert caught.value.code == "query-not-text"
