"""Bad input: one clear line, in the user's language, exit 2, never a traceback, never the network."""

from __future__ import annotations

import time

import pytest

from clikit import INPUT, invoke, offri
from netkit import canary
from storekit import empty_store

GOOD = INPUT / "actors.ttl"


def check_refused(run, *needles: str) -> None:
    assert run.code == 2, (run.code, run.out, run.err)
    assert "Traceback" not in run.err and "Traceback" not in run.out
    assert run.out == ""
    for needle in needles:
        assert needle in run.err, run.err
    assert len(run.err.strip().splitlines()) == 1, run.err


def test_missing_file(tmp_path) -> None:
    check_refused(offri("validate", tmp_path / "nope.ttl", "--lang", "en"), "nope.ttl", "no such file")
    check_refused(offri("validate", tmp_path / "nope.ttl", "--lang", "nb"), "finner ikke filen")


def test_directory(tmp_path) -> None:
    check_refused(invoke("validate", tmp_path, "--lang", "en"), "is a directory")
    check_refused(invoke("validate", tmp_path, "--lang", "nb"), "er en mappe")


def test_unknown_extension(tmp_path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_text("x")
    check_refused(invoke("validate", path, "--lang", "en"), "unknown file type '.xlsx'")
    check_refused(invoke("validate", path, "--lang", "nb"), "ukjent filtype «.xlsx»")


def test_unknown_input_format(tmp_path) -> None:
    check_refused(invoke("validate", GOOD, "--input-format", "csv", "--lang", "en"), "unknown format 'csv'")


def test_empty_file(tmp_path) -> None:
    """Valid RDF (it conforms, with a note), but nothing to load."""
    path = tmp_path / "empty.ttl"
    path.write_text("  \n")
    assert invoke("validate", path, "--lang", "nb").code == 0
    check_refused(invoke("load", "--store", tmp_path / "store", path, "--lang", "en"), "empty.ttl is empty")
    check_refused(invoke("load", "--store", tmp_path / "store", path, "--lang", "nb"), "er tom")


def test_binary_file(tmp_path) -> None:
    path = tmp_path / "image.ttl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    check_refused(invoke("validate", path, "--lang", "en"), "binary file")


def test_wrong_encoding(tmp_path) -> None:
    path = tmp_path / "latin1.ttl"
    path.write_bytes('@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
                     '<http://e/a> skos:prefLabel "Bærum" .\n'.encode("latin-1"))
    run = invoke("validate", path, "--lang", "en")
    check_refused(run, "latin1.ttl:2:", "not UTF-8")
    check_refused(invoke("validate", path, "--lang", "nb"), "ikke UTF-8")


@pytest.mark.parametrize("lang, word", [("en", "syntax error in Turtle"), ("nb", "syntaksfeil i Turtle")])
def test_syntax_error_names_file_line_column(tmp_path, lang: str, word: str) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b \n  ex:c ex:d .\n")
    check_refused(invoke("validate", path, "--lang", lang), "broken.ttl:4:", word)


def test_syntax_error_in_a_second_file_reads_nothing(tmp_path) -> None:
    path = tmp_path / "broken.nt"
    path.write_text("<http://e/a> <http://e/b> .\n")
    check_refused(invoke("validate", GOOD, path, "--lang", "en"), "broken.nt:1:", "N-Triples")


def test_billion_laughs_is_refused_fast(tmp_path) -> None:
    entities = "".join(f'<!ENTITY l{i} "&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};">\n'
                       for i in range(1, 10))
    path = tmp_path / "laughs.rdf"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY l0 "lol">\n{entities}]>\n'
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                    'xmlns:s="http://www.w3.org/2004/02/skos/core#">'
                    '<rdf:Description rdf:about="http://e/a"><s:prefLabel>&l9;</s:prefLabel></rdf:Description></rdf:RDF>')
    assert path.stat().st_size < 1500
    started = time.monotonic()
    run = offri("validate", path, "--lang", "en")
    elapsed = time.monotonic() - started
    check_refused(run, "laughs.rdf:2:", "DOCTYPE")
    # the whole command, interpreter start included, stays well under a second of parsing work
    assert elapsed < 10


def test_external_entity_is_refused_without_a_request(tmp_path) -> None:
    with canary() as server:
        path = tmp_path / "external.rdf"
        path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{server.url}/entity">]>\n'
                        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&x;</rdf:RDF>')
        check_refused(invoke("validate", path, "--lang", "en"), "DOCTYPE")
    assert server.requests == []


@pytest.mark.parametrize("context_kind", ["http", "file", "list"])
def test_jsonld_context_from_outside_is_refused_without_a_request(tmp_path, context_kind: str) -> None:
    with canary() as server:
        local = tmp_path / "context.jsonld"
        local.write_text('{"@context": {"name": "http://schema.org/name"}}')
        context = {"http": f'"{server.url}/context.jsonld"', "file": f'"{local.as_uri()}"',
                   "list": f'[{{"x": "http://e/x"}}, "{server.url}/context.jsonld"]'}[context_kind]
        path = tmp_path / "remote.jsonld"
        path.write_text(f'{{"@context": {context}, "@id": "http://e/a", "name": "A"}}')
        check_refused(invoke("validate", path, "--lang", "en"), "remote.jsonld:1:", "@context")
        check_refused(invoke("validate", path, "--lang", "nb"), "henter aldri")
    assert server.requests == []


def test_owl_imports_in_data_are_not_followed(tmp_path) -> None:
    with canary() as server:
        path = tmp_path / "imports.ttl"
        path.write_text(f"<http://e/onto> a <http://www.w3.org/2002/07/owl#Ontology> ;\n"
                        f"  <http://www.w3.org/2002/07/owl#imports> <{server.url}/onto.ttl> .\n")
        run = invoke("validate", path, "--lang", "en")
        assert run.code == 0, run.err
    assert server.requests == []


def test_invalid_json(tmp_path) -> None:
    path = tmp_path / "bad.jsonld"
    path.write_text('{"@id": "http://e/a",\n  "x": }')
    check_refused(invoke("validate", path, "--lang", "en"), "bad.jsonld:2:", "JSON")


def test_bad_language(tmp_path) -> None:
    run = invoke("validate", GOOD, "--lang", "de")
    assert run.code == 2 and "nb or en" in run.err and "Traceback" not in run.err


# ---- findings of an adversarial run (2026-11-27): mistakes that ended as "internal error" --------
def _small_store(tmp_path):
    data = tmp_path / "a.ttl"
    data.write_text('<urn:ex:a> <urn:ex:p> "x" .\n', encoding="utf-8")
    store = empty_store(tmp_path / "store")
    assert invoke("load", "--store", store, data).code == 0
    return store


def test_a_function_the_engine_lacks(tmp_path) -> None:
    query = tmp_path / "f.rq"
    query.write_text("PREFIX x: <urn:x:>\nSELECT * WHERE { BIND(x:fn(1) AS ?v) }\n", encoding="utf-8")
    check_refused(invoke("query", "--store", _small_store(tmp_path), "--file", query, "--lang", "en"),
                  "could not be run", "custom function")


def test_an_endpoint_that_is_not_an_address(tmp_path) -> None:
    check_refused(invoke("query", "q14-catalogue", "--endpoint", "not-a-url", "--lang", "en"), "not an http(s) address")
    check_refused(invoke("query", "q14-catalogue", "--endpoint", "not-a-url", "--lang", "nb"), "er ikke en http(s)-adresse")


def test_an_export_that_cannot_be_written(tmp_path) -> None:
    store = _small_store(tmp_path)
    check_refused(invoke("export", "--store", store, "-o", tmp_path / "no" / "such" / "x.nq", "--lang", "en"),
                  "cannot write")
    check_refused(invoke("export", "--store", store, "-o", tmp_path, "--lang", "nb"), "kan ikke skrive")


def test_a_damaged_store(tmp_path) -> None:
    (tmp_path / "bad" / "oxigraph").mkdir(parents=True)
    (tmp_path / "bad" / "oxigraph" / "CURRENT").write_text("garbage\n")
    check_refused(invoke("stats", "--store", tmp_path / "bad", "--lang", "en"), "cannot be opened")


def test_a_byte_order_mark_is_not_data(tmp_path) -> None:
    data = tmp_path / "bom.ttl"
    data.write_bytes(b'\xef\xbb\xbf<urn:ex:a> <urn:ex:p> "x" .\n')
    assert invoke("validate", data).code == 0
    query = tmp_path / "bom.rq"
    query.write_bytes(b"\xef\xbb\xbfSELECT * WHERE { ?s ?p ?o } LIMIT 1\n")
    assert invoke("query", "--store", _small_store(tmp_path), "--file", query, "--format", "csv").code == 0


def test_rdfxml_cut_off_before_its_end_is_refused(tmp_path) -> None:
    data = tmp_path / "cut.rdf"
    data.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                    '  <rdf:Description rdf:about="urn:ex:a"><rdf:value>x</rdf:value></rdf:Description>\n',
                    encoding="utf-8")
    check_refused(invoke("validate", data, "--lang", "en"), "cut.rdf:4:", "not well-formed")
    check_refused(invoke("validate", data, "--lang", "nb"), "ikke velformet")


@pytest.mark.parametrize("text, kind", [("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT"), ("DROP ALL", "DROP")])
def test_an_update_given_to_offri_query(tmp_path, text: str, kind: str) -> None:
    query = tmp_path / "u.rq"
    query.write_text(text + "\n", encoding="utf-8")
    store = _small_store(tmp_path)
    check_refused(invoke("query", "--store", store, "--file", query, "--lang", "en"), f"an update ({kind})", "offri load")
    check_refused(invoke("query", "--store", store, "--file", query, "--lang", "nb"), "en oppdatering")


def test_lang_in_capitals() -> None:
    run = invoke("queries", "--lang", "NB")
    assert run.code == 0 and "Samarbeid i en kommune eller et land" in run.out


@pytest.mark.parametrize("command", [["build"], ["stats"], ["query", "q14-catalogue"], ["serve"],
                                     ["load", str(INPUT / "status.ttl")]])
def test_a_store_and_an_endpoint_together_are_a_mistake_pointed_out(tmp_path, command: list[str]) -> None:
    """Two stores named at once: refused in words before anything is read or written, not a
    silent choice of one (the endpoint is never contacted)."""
    run = offri(*command, "--store", tmp_path / "store", "--endpoint", "http://127.0.0.1:9/sparql", "--lang", "en")
    assert run.code == 2 and "either --store or --endpoint" in run.err and "Traceback" not in run.err
    assert not (tmp_path / "store").exists()


def test_version_is_printed_and_nothing_else_runs() -> None:
    from importlib.metadata import version

    run = offri("--version", "build")
    assert run.code == 0 and run.out.strip() == f"offri {version('offri')}" and not run.err
