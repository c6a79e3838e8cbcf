"""``offri query`` and ``offri queries`` as a researcher uses them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rdflib.query import Result

from clikit import invoke, offri
from offri_kg.resources import example_data_files


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("q") / "store"
    assert invoke("load", *example_data_files(), "--store", path).code == 0
    return path


def test_queries_lists_titles_in_both_languages() -> None:
    en = invoke("queries", "--lang", "en")
    nb = invoke("queries", "--lang", "nb")
    assert en.code == nb.code == 0
    assert "q01-partnerships" in en.out and "[Q1]" in en.out and "--param municipality=<iri>" in en.out
    assert en.out != nb.out


def test_table_by_default(store: Path) -> None:
    run = invoke("query", "q01-partnerships", "--store", store, "--lang", "en")
    assert run.code == 0, run.err
    assert run.out.rstrip().endswith(" rows") and "┃" in run.out


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_w3c_result_formats_parse_with_another_tool(store: Path, fmt: str) -> None:
    run = invoke("query", "q01-partnerships", "--store", store, "-f", fmt)
    assert run.code == 0, run.err
    parsed = Result.parse(io.BytesIO(run.out.encode("utf-8")), format=fmt)
    assert len(list(parsed)) > 0
    if fmt == "json":
        assert "head" in json.loads(run.out)


def test_a_parameter_changes_the_answer(store: Path) -> None:
    arendal = invoke("query", "q01-partnerships", "--store", store, "-f", "csv")
    steinkjer = invoke("query", "q01-partnerships", "--store", store, "-f", "csv",
                      "--param", "municipality=https://w3id.org/offri/id/municipality/steinkjer")
    assert arendal.code == steinkjer.code == 0
    assert arendal.out != steinkjer.out and "steinkjer" in steinkjer.out


def test_unknown_query_lists_close_matches(store: Path) -> None:
    run = invoke("query", "q01-partnership", "--store", store, "--lang", "en")
    assert run.code == 2 and "Did you mean" in run.err and "q01-partnerships" in run.err
    nb = invoke("query", "partnerships", "--store", store, "--lang", "nb")
    assert nb.code == 2 and "Mente du" in nb.err and "q01-partnerships" in nb.err


def test_ill_typed_parameter(store: Path) -> None:
    run = invoke("query", "q01-partnerships", "--store", store, "--param", "municipality=not an iri", "--lang", "en")
    assert run.code == 2 and "municipality" in run.err and "expects an IRI" in run.err
    bad = invoke("query", "q01-partnerships", "--store", store, "--param", "nosuch=1", "--lang", "en")
    assert bad.code == 2 and "no parameter 'nosuch'" in bad.err
    syntax = invoke("query", "q01-partnerships", "--store", store, "--param", "municipality", "--lang", "en")
    assert syntax.code == 2 and "NAME=VALUE" in syntax.err
    missing = invoke("query", "q11-compare-municipalities", "--store", store, "--param", "second=", "--lang", "nb")
    assert missing.code == 2 and "second" in missing.err and "må ha en verdi" in missing.err


def test_sparql_file_with_syntax_error_names_line_and_column(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("SELECT * WHERE {\n  ?s ?p \n}\n")
    run = invoke("query", "--file", path, "--store", store, "--lang", "en")
    assert run.code == 2 and "bad.rq:3:" in run.err and "SPARQL syntax error" in run.err


def test_sparql_file_runs(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/offri/ns#Partnership> }\n")
    run = invoke("query", "--file", path, "--store", store, "-f", "csv")
    assert run.code == 0 and run.out.splitlines()[1].strip() == "10"


@pytest.mark.parametrize("text", ["SELECT * WHERE { SERVICE <URL> { ?s ?p ?o } }",
                                  "SELECT * FROM <URL> WHERE { ?s ?p ?o }",
                                  "SELECT * FROM NAMED <URL> WHERE { GRAPH ?g { ?s ?p ?o } }"])
def test_queries_never_reach_the_network(store: Path, tmp_path: Path, text: str) -> None:
    from netkit import canary

    with canary() as server:
        path = tmp_path / "net.rq"
        path.write_text(text.replace("URL", server.url + "/data"))
        run = invoke("query", "--file", path, "--store", store, "--lang", "en")
        assert run.code == 2 and "never reaches the network" in run.err
    assert server.requests == []


def test_name_and_file_together_are_refused(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.rq"
    path.write_text("ASK {}")
    run = invoke("query", "q01-partnerships", "--file", path, "--store", store, "--lang", "en")
    assert run.code == 2 and "either" in run.err


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_the_table_fits_a_narrow_terminal(store: Path) -> None:
    """COLUMNS=60: every line of the table fits; a question with many columns is shown one
    answer at a time (variable, value), each value whole (wrapped, not cut)."""
    run = offri("query", "q01-partnerships", "--store", store, "--lang", "en", env={"COLUMNS": "60"})
    assert run.code == 0, run.err
    assert _widest(run.out) <= 60, run.out
    assert "┃ variable" in run.out and "│ statusLabel" in run.out and "vocab:status/active" in run.out
    assert run.out.rstrip().endswith(" rows")


def test_a_long_value_wraps_within_the_width(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "labels.rq"
    path.write_text("SELECT ?thing ?label WHERE { ?thing <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
                    " ORDER BY ?thing LIMIT 5\n")
    run = offri("query", "--file", path, "--store", store, "--lang", "en", env={"COLUMNS": "60"})
    assert run.code == 0, run.err
    assert _widest(run.out) <= 60, run.out
    assert "┃ thing" in run.out and "┃ label" in run.out
    wide = offri("query", "--file", path, "--store", store, "--lang", "en", env={"COLUMNS": "200"})
    assert _widest(wide.out) <= 200 and len(wide.out.splitlines()) < len(run.out.splitlines())  # fewer, longer lines
