"""``offri validate`` as a user runs it: exit codes, both languages, the three report formats."""

from __future__ import annotations

import json

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from clikit import INPUT, ROOT, invoke, offri

EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.ttl"))
BROKEN = [INPUT / "missing-status.ttl", INPUT / "actors.ttl"]


def test_shipped_examples_conform() -> None:
    run = invoke("validate", *EXAMPLES, "--lang", "en")
    assert run.code == 0, run.out + run.err
    assert "The data conforms" in run.out or "0 violations," in run.out


def test_files_are_validated_together() -> None:
    alone = offri("validate", INPUT / "missing-status.ttl", "--lang", "en")
    assert alone.code == 1
    assert "offri:inMunicipality" in alone.out and "org:member" in alone.out  # actors unknown alone
    together = offri("validate", *BROKEN, INPUT / "status.ttl", "--lang", "en")
    assert together.code == 0, together.out


@pytest.mark.parametrize("lang, text", [
    ("en", "The partnership must have exactly one status"),
    ("nb", "Samarbeidet skal ha nøyaktig én status"),
])
def test_violation_message_in_both_languages(lang: str, text: str) -> None:
    run = invoke("validate", *BROKEN, "--lang", lang)
    assert run.code == 1
    assert text in run.out
    assert "id:test/partnership" in run.out and "offri:status" in run.out
    assert ("Brudd" if lang == "nb" else "Violation") in run.out


def test_language_from_environment() -> None:
    run = offri("validate", *BROKEN, env={"LANG": "nb_NO.UTF-8"})
    assert "Samarbeidet skal ha nøyaktig én status" in run.out


def test_json_report() -> None:
    run = invoke("validate", *BROKEN, "--format", "json", "--lang", "en")
    assert run.code == 1
    report = json.loads(run.out)
    assert report["conforms"] is False and report["violations"] == 1
    [group] = report["focusNodes"]
    assert group["focusNode"] == "<https://w3id.org/offri/id/test/partnership>"
    [result] = group["results"]
    assert result["severity"] == "Violation"
    assert result["path"] == "<https://w3id.org/offri/ns#status>"
    assert result["sourceShape"] == "<https://w3id.org/offri/shapes#Partnership-status>"


def test_turtle_report_is_a_standard_validation_report() -> None:
    run = invoke("validate", *BROKEN, "--format", "turtle")
    assert run.code == 1
    graph = rdflib.Graph().parse(data=run.out, format="turtle")
    [report] = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == rdflib.Literal(False)
    [result] = graph.objects(report, SH.result)
    assert graph.value(result, SH.focusNode) == rdflib.URIRef("https://w3id.org/offri/id/test/partnership")
    assert graph.value(result, SH.resultPath) == rdflib.URIRef("https://w3id.org/offri/ns#status")
    assert graph.value(result, SH.resultSeverity) == SH.Violation
    assert {m.language for m in graph.objects(result, SH.resultMessage)} == {"nb", "en"}


def test_warnings_fail_only_when_asked() -> None:
    data = INPUT / "warning-only.ttl"
    relaxed = invoke("validate", data, "--lang", "en")
    assert relaxed.code == 0 and "Warning" in relaxed.out
    strict = invoke("validate", data, "--fail-on", "warning", "--lang", "en")
    assert strict.code == 1


def test_pyshacl_engine_gives_the_same_report() -> None:
    ours = json.loads(invoke("validate", *BROKEN, "-f", "json").out)
    theirs = json.loads(invoke("validate", *BROKEN, "-f", "json", "--engine", "pyshacl").out)
    assert ours["violations"] > 0 and ours["focusNodes"]  # two empty reports would agree too
    assert ours == theirs


@pytest.mark.parametrize("fmt, ext", [("trig", ".trig"), ("ntriples", ".nt"), ("nquads", ".nq"),
                                      ("jsonld", ".jsonld"), ("rdfxml", ".rdf"), ("turtle", ".ttl")])
def test_every_rdf_format_is_read(tmp_path, fmt: str, ext: str) -> None:
    import pyoxigraph as ox

    from offri_kg.formats import RDF_FORMATS

    files = []
    for source in [*BROKEN, INPUT / "status.ttl"]:
        quads = list(ox.parse(path=str(source), format=ox.RdfFormat.TURTLE))
        target = tmp_path / (source.stem + ext)
        if RDF_FORMATS[fmt].supports_datasets:
            graph = ox.NamedNode(f"https://w3id.org/offri/graph/test/{source.stem}")
            quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]
            target.write_bytes(ox.serialize(quads, format=RDF_FORMATS[fmt]))
        else:
            target.write_bytes(ox.serialize([q.triple for q in quads], format=RDF_FORMATS[fmt]))
        files.append(target)
    assert invoke("validate", *files).code == 0
    # the same file, with an extension that does not tell, read with --input-format
    odd = tmp_path / "data.txt"
    odd.write_bytes(files[0].read_bytes())
    assert invoke("validate", odd, *files[1:], "--input-format", fmt).code == 0


def test_nothing_read_is_modified(tmp_path) -> None:
    """validate reads its files and writes nothing: not into them, not beside them (a cache, a
    report, an editor's backup), not into the current folder."""
    import shutil

    copies = []
    for path in BROKEN:
        shutil.copy2(path, tmp_path / path.name)
        copies.append(tmp_path / path.name)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    run = invoke("validate", *copies, "--format", "turtle", cwd=tmp_path)
    assert run.code == 1 and "sh:Violation" in run.out  # it did read them: the violation is reported
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()} == before
