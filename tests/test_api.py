"""The notebook API: stored queries by name, rows as Python values, DataFrames with dtypes."""

from __future__ import annotations

import datetime as dt

import pytest

from offri_kg.api import KnowledgeGraph
from offri_kg.errors import OffriError
from offri_kg.ingest.read import read_sources
from offri_kg.resources import example_data_files


TYPED = """
PREFIX offri: <https://w3id.org/offri/ns#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?p ?start ?illustrative (COUNT(?x) AS ?participants) WHERE {
  ?p a offri:Partnership ; dct:temporal/dcat:startDate ?start ; offri:illustrative ?illustrative .
  ?x <http://www.w3.org/ns/org#organization> ?p
} GROUP BY ?p ?start ?illustrative"""


@pytest.fixture(scope="module")
def kg(tmp_path_factory) -> KnowledgeGraph:
    graph = KnowledgeGraph.open(tmp_path_factory.mktemp("api") / "store")
    graph.store.load(read_sources(example_data_files()))
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
