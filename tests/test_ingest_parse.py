"""One reading of an RDF file (offri_kg.ingest.parse), the same for validation, the embedded store,
a remote store, the load plan, the shapes and the reasoner."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from offri_kg.errors import InputError, OffriError
from offri_kg.ingest.parse import graph_names, parse_into, quads, rdflib_graph, triples_by_graph
from offri_kg.ingest.read import read_source
from offri_kg.vocab import GRAPH as GRAPH_BASE
from offri_kg.resources import ontology_files, shapes_files
from offri_kg.validate.dataset import build_store

NAMED = "urn:test:named"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_blank_nodes_belong_to_their_file(tmp_path: Path) -> None:
    one = read_source(write(tmp_path / "one.ttl", "_:b0 <urn:test:p> _:b0 .\n"))
    two = read_source(write(tmp_path / "two.ttl", "_:b0 <urn:test:p> _:b0 .\n"))
    [first], [second] = list(quads(one)), list(quads(two))
    assert first.subject == first.object  # one label in one file: one node
    assert first.subject != second.subject  # the same label in another file: another node
    store = build_store([one, two], with_reference=False)
    assert len({q.subject for q in store}) == 2


def test_triples_go_to_the_sources_graph_and_named_graphs_stay_theirs(tmp_path: Path) -> None:
    trig = read_source(write(tmp_path / "mixed.trig", f'<urn:test:a> <urn:test:p> "default" .\n'
                                                      f'<{NAMED}> {{ <urn:test:b> <urn:test:p> "named" }}\n'))
    assert {q.graph_name.value for q in quads(trig)} == {GRAPH_BASE + "file/mixed", NAMED}
    assert {g: len(t) for g, t in triples_by_graph(trig).items()} == {GRAPH_BASE + "file/mixed": 1, NAMED: 1}
    assert graph_names(trig) == ([NAMED], True)
    assert graph_names(read_source(write(tmp_path / "plain.ttl", "<urn:test:a> <urn:test:p> 1 .\n"))) == ([], True)


def test_a_graph_named_by_a_blank_node_is_refused_unless_validating(tmp_path: Path) -> None:
    source = read_source(write(tmp_path / "blank.trig", '_:g { <urn:test:a> <urn:test:p> "x" }\n'))
    for reading in (lambda: list(quads(source)), lambda: graph_names(source), lambda: triples_by_graph(source)):
        with pytest.raises(InputError) as caught:
            reading()
        assert caught.value.code == "blank-graph-name" and caught.value.location.file == str(source.path)
    [quad] = list(quads(source, blank_graphs=True))
    assert quad.graph_name.value.startswith("urn:offri:blank-graph:")


def test_a_syntax_error_names_its_file_line_and_column(tmp_path: Path) -> None:
    source = read_source(write(tmp_path / "broken.ttl", "<urn:test:a> <urn:test:p> <urn:test:o> .\n<urn:test:a> <urn:test:p> .\n"))
    for reading in (lambda: parse_into(ox.Store(), source), lambda: triples_by_graph(source),
                    lambda: rdflib_graph([source])):
        with pytest.raises(InputError) as caught:
            reading()
        assert caught.value.code == "syntax-error" and caught.value.params["format"] == "Turtle"
        assert (caught.value.location.file, caught.value.location.line) == (str(source.path), 2)
        assert caught.value.location.column is not None
    assert graph_names(source) == ([], True)  # the plan's reading leaves the error to the strict one


def test_a_file_writes_only_the_graphs_it_was_given(tmp_path: Path) -> None:
    trig = read_source(write(tmp_path / "sneaky.trig", f'<{NAMED}> {{ <urn:test:b> <urn:test:p> "named" }}\n'))
    with pytest.raises(OffriError) as caught:
        parse_into(ox.Store(), trig, allowed={trig.graph})
    assert caught.value.code == "graph-reserved" and caught.value.params["graph"] == NAMED
    turtle = read_source(write(tmp_path / "plain.ttl", "<urn:test:a> <urn:test:p> 1 .\n"))
    with pytest.raises(OffriError):
        parse_into(ox.Store(), turtle, allowed={NAMED})
    store = ox.Store()
    assert parse_into(store, trig, allowed={NAMED}, bulk=True) == len(trig.data) and len(store) == 1


@pytest.mark.parametrize("path", [*shapes_files(), *ontology_files()[:2]], ids=lambda p: p.name)
def test_rdflib_gets_the_graph_rdflib_would_read(path: Path) -> None:
    """The shapes and the ontology reach rdflib through offri's reading: the same graph as
    rdflib's own Turtle parser gives (lists, literals and datatypes included)."""
    assert isomorphic(rdflib_graph([read_source(path)]), rdflib.Graph().parse(path, format="turtle"))
