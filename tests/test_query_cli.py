"""``offri query`` and ``offri queries`` as a researcher uses them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rdflib.query import Result

from clikit import offri
from offri_kg.resources import example_data_files


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("q") / "store"
    assert offri("load", *example_data_files(), "--store", path).code == 0
    return path


def test_queries_lists_titles_in_both_languages() -> None:
    en = offri("queries", "--lang", "en")
    nb = offri("queries", "--lang", "nb")
    assert en.code == nb.code == 0
    assert "q01-partnerships" in en.out and "[Q1]" in en.out and "--param municipality=<iri>" in en.out
    assert en.out != nb.out


def test_table_by_default(store: Path) -> None:
    run = offri("query", "q01-partnerships", "--store", store, "--lang", "en")
    assert run.code == 0, run.err
    assert run.out.rstrip().endswith(" rows") and "┃" in run.out


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_w3c_result_formats_parse_with_another_tool(store: Path, fmt: str) -> None:
    run = offri("query", "q01-partnerships", "--store", store, "-f", fmt)
    assert run.code == 0, run.err
    parsed = Result.parse(io.BytesIO(run.out.encode("utf-8")), format=fmt)
    assert len(list(parsed)) > 0
    if fmt == "json":
        assert "head" in json.loads(run.out)


def test_a_parameter_changes_the_answer(store: Path) -> None:
    arendal = offri("query", "q01-partnerships", "--store", store, "-f", "csv")
    steinkjer = offri("query", "q01-partnerships", "--store", store, "-f", "csv",
                      "--param", "municipality=https://w3id.org/offri/id/municipality/steinkjer")
    assert arendal.code == steinkjer.code == 0
    assert arendal.out != steinkjer.out and "steinkjer" in steinkjer.out


def test_unknown_query_lists_close_matches(store: Path) -> None:
    run = offri("query", "q01-partnership", "--store", store, "--lang", "en")
    assert run.code == 2 and "Did you mean" in run.err and "q01-partnerships" in run.err
    nb = offri("query", "partnerships", "--store", store, "--lang", "nb")
    assert nb.code == 2 and "Mente du" in nb.err and "q01-partnerships" in nb.err


def test_ill_typed_parameter(store: Path) -> None:
    run = offri("query", "q01-partnerships", "--store", store, "--param", "municipality=not an iri", "--lang", "en")
    assert run.code == 2 and "municipality" in run.err and "expects an IRI" in run.err
    bad = offri("query", "q01-partnerships", "--store", store, "--param", "nosuch=1", "--lang", "en")
    assert bad.code == 2 and "no parameter 'nosuch'" in bad.err
    syntax = offri("query", "q01-partnerships", "--store", store, "--param", "municipality", "--lang", "en")
    assert syntax.code == 2 and "NAME=VALUE" in syntax.err
    missing = offri("query", "q11-compare-municipalities", "--store", store, "--param", "second=", "--lang", "nb")
    assert missing.code == 2 and "second" in missing.err and "må ha en verdi" in missing.err


def test_sparql_file_with_syntax_error_names_line_and_column(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("SELECT * WHERE {\n  ?s ?p \n}\n")
    run = offri("query", "--file", path, "--store", store, "--lang", "en")
    assert run.code == 2 and "bad.rq:3:" in run.err and "SPARQL syntax error" in run.err


def test_sparql_file_runs(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/offri/ns#Partnership> }\n")
    run = offri("query", "--file", path, "--store", store, "-f", "csv")
    assert run.code == 0 and run.out.splitlines()[1].strip() == "10"


@pytest.mark.parametrize("text", ["SELECT * WHERE { SERVICE <URL> { ?s ?p ?o } }",
                                  "SELECT * FROM <URL> WHERE { ?s ?p ?o }",
                                  "SELECT * FROM NAMED <URL> WHERE { GRAPH ?g { ?s ?p ?o } }"])
def test_queries_never_reach_the_network(store: Path, tmp_path: Path, text: str) -> None:
    from netkit import canary

    with canary() as server:
        path = tmp_path / "net.rq"
        path.write_text(text.replace("URL", server.url + "/data"))
        run = offri("query", "--file", path, "--store", store, "--lang", "en")
        assert run.code == 2 and "never reaches the network" in run.err
    assert server.requests == []


def test_name_and_file_together_are_refused(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.rq"
    path.write_text("ASK {}")
    run = offri("query", "q01-partnerships", "--file", path, "--store", store, "--lang", "en")
    assert run.code == 2 and "either" in run.err
