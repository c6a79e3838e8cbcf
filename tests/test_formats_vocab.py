"""The one table of formats and the one table of namespaces say what offri has always meant."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from offri_kg import formats, vocab


@pytest.mark.parametrize(("ending", "name"), [
    (".ttl", "turtle"), (".TTL", "turtle"), (".turtle", "turtle"), (".trig", "trig"), (".nt", "ntriples"),
    (".nq", "nquads"), (".jsonld", "jsonld"), (".json", "jsonld"), (".rdf", "rdfxml"), (".owl", "rdfxml"),
    (".xml", "rdfxml"), (".txt", None), (".n3", None), (".csv", None), ("", None)])
def test_file_endings_offri_reads(ending: str, name: str | None) -> None:
    assert formats.rdf_format_name(ending) == name


def test_every_format_reads_its_own_endings() -> None:
    for name, fmt in formats.RDF_FORMATS.items():
        own = formats.extensions(name)
        assert own[0] == "." + fmt.file_extension
        assert all(formats.rdf_format_name(ext) == name for ext in own)


def test_offers_map_to_the_formats_pyoxigraph_writes() -> None:
    assert formats.result_format("application/json") == ox.QueryResultsFormat.JSON
    assert formats.result_format("text/tab-separated-values") == ox.QueryResultsFormat.TSV
    assert formats.graph_format("text/plain") == ox.RdfFormat.N_TRIPLES
    for media in formats.GRAPH_OFFERS:
        assert formats.graph_format(media) in formats.RDF_FORMATS.values()
    with pytest.raises(ValueError, match="not a SPARQL results media type"):
        formats.result_format("text/turtle")


def test_sparql_prefixes_declare_what_a_query_names() -> None:
    text = vocab.sparql_prefixes("offri", "owl")
    assert text == "PREFIX offri: <https://w3id.org/offri/ns#> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
    query = vocab.sparql_prefixes(*vocab.PREFIXES) + "SELECT * WHERE { ?s a offri:Goal ; dct:title ?t }"
    ox.Store().query(query)  # every declared prefix is a valid SPARQL declaration
    with pytest.raises(KeyError):
        vocab.sparql_prefixes("nope")


def test_printed_prefixes_leave_owl_and_void_in_full() -> None:
    assert "owl" not in vocab.PREFIXES and "void" not in vocab.PREFIXES
    assert vocab.PREFIXES["offri"] == vocab.OFFRI == vocab.BASE + "ns#"
