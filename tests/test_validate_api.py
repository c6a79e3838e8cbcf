"""The library API: typed reports, the two engines agree, one record against a larger graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from offri_kg.errors import InputError
from offri_kg.i18n import MESSAGES
from offri_kg.resources import example_data_files
from offri_kg.validate import Severity, validate_files
from offri_kg.validate.dataset import build_store
from offri_kg.validate.engine import focus_nodes_of, validate_candidate, validate_store
from rulekit import RULES, dataset, load, pyshacl_report, sparql_parsed_once


def test_examples_same_report_from_both_engines() -> None:
    ours = validate_files(example_data_files())
    with sparql_parsed_once():
        theirs = validate_files(example_data_files(), engine="pyshacl")
    assert sorted(r.key() for r in ours.results) == sorted(r.key() for r in theirs.results)
    assert ours.count(Severity.VIOLATION) == 0 and ours.count(Severity.WARNING) == 0


def test_input_error_carries_location(tmp_path) -> None:
    path = tmp_path / "x.ttl"
    path.write_text("<http://e/a> <http://e/b> .\n")
    with pytest.raises(InputError) as caught:
        validate_files([path])
    assert caught.value.code == "syntax-error"
    assert caught.value.location.file == str(path) and caught.value.location.line == 1


def test_every_message_exists_in_both_languages() -> None:
    for code, texts in MESSAGES.items():
        assert set(texts) == {"nb", "en"}, code
        assert texts["nb"] != texts["en"] or code.startswith("label-severity"), code


@pytest.mark.parametrize("fixture", [load(p) for p in RULES[:40]], ids=lambda f: f.name)
def test_candidate_validation_equals_full_validation_on_its_focus_nodes(fixture) -> None:
    """Adding the broken record to a store that already holds the rest gives exactly the
    results a full validation gives for the nodes the record mentions."""
    full_store = dataset(fixture.invalid)
    everything = [q for q in full_store if q.graph_name == ox.NamedNode("https://w3id.org/offri/graph/file/fixture")]
    record = [q for q in everything if str(q.subject).startswith("<https://w3id.org/offri/id/fixture/partnership")
              or str(q.subject).startswith("<https://w3id.org/offri/id/fixture/participation")]
    rest = [q for q in everything if q not in record]
    store = build_store([])
    store.extend(rest)
    before = len(store)
    got = validate_candidate(store, record)
    assert len(store) == before, "the candidate must leave the store as it was"
    focus = focus_nodes_of(record)
    expected = [r for r in validate_store(full_store).results if r.focus in focus]
    assert sorted(r.key() for r in got.results) == sorted(r.key() for r in expected)
    assert sorted(r.key() for r in expected) == sorted(
        r.key() for r in pyshacl_report(full_store).results if r.focus in focus)
