"""The embedded store: provenance per graph, replacement, all-or-nothing loads, crash safety."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from clikit import INPUT, ROOT, invoke, offri
from offri_kg.errors import OffriError
from offri_kg.ingest.read import read_sources
from offri_kg.resources import example_data_files
from offri_kg.store.embedded import EmbeddedStore, ValidationFailed
from storekit import empty_store

ARENDAL = ROOT / "data" / "examples" / "arendal.ttl"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return empty_store(tmp_path / "store")


def dump(path: Path) -> bytes:
    store = EmbeddedStore(path, read_only=True)
    data = store.export(ox.RdfFormat.N_QUADS)
    store.close()
    return b"\n".join(sorted(data.splitlines()))


def test_load_records_provenance(store_path: Path) -> None:
    store = EmbeddedStore(store_path)
    reports = store.load(read_sources(example_data_files()), agent="tester")
    assert {r.graph for r in reports} >= {"https://w3id.org/offri/graph/examples/arendal"}
    info = {g.iri: g for g in store.graphs()}["https://w3id.org/offri/graph/examples/arendal"]
    assert info.source == "arendal.ttl" and info.loaded_by == "tester"
    assert info.checksum.startswith("sha256:") and info.loaded_at and info.triples > 100
    store.close()


def test_reloading_replaces_the_graph(store_path: Path, tmp_path: Path) -> None:
    store = EmbeddedStore(store_path)
    store.load(read_sources(example_data_files()))
    smaller = tmp_path / "arendal.ttl"
    text = ARENDAL.read_text(encoding="utf-8")
    smaller.write_text(text + "\n<https://w3id.org/offri/id/test/marker> <http://www.w3.org/2000/01/rdf-schema#comment> \"x\" .\n",
                       encoding="utf-8")
    with pytest.raises(OffriError) as owned:  # another file: never over it without being asked
        store.load(read_sources([smaller]), graph="https://w3id.org/offri/graph/examples/arendal")
    assert owned.value.code == "graph-owned" and owned.value.params["owner"] == "offri:data/examples/arendal.ttl"
    store.load(read_sources([smaller]), graph="https://w3id.org/offri/graph/examples/arendal", replace=True)
    graph = {g.iri: g for g in store.graphs()}["https://w3id.org/offri/graph/examples/arendal"]
    before = len(list(ox.parse(path=str(ARENDAL), format=ox.RdfFormat.TURTLE)))
    assert graph.triples == before + 1
    store.close()


def test_a_violation_loads_nothing(store_path: Path) -> None:
    invoke("load", *example_data_files(), "--store", store_path)
    before = dump(store_path)
    run = offri("load", INPUT / "missing-status.ttl", INPUT / "actors.ttl", "--store", store_path, "--lang", "en")
    assert run.code == 1
    assert "The partnership must have exactly one status" in run.err and "nothing was loaded" in run.err
    assert dump(store_path) == before
    store = EmbeddedStore(store_path)
    with pytest.raises(ValidationFailed) as caught:
        store.load(read_sources([INPUT / "missing-status.ttl", INPUT / "actors.ttl"]))
    assert any(r.source_shape.endswith('Partnership-status>') for r in caught.value.report.results)
    store.close()
    assert dump(store_path) == before


def test_references_resolve_against_the_store(store_path: Path) -> None:
    """A file may name actors loaded earlier from another file."""
    assert invoke("load", INPUT / "actors.ttl", "--store", store_path).code == 0
    run = invoke("load", INPUT / "missing-status.ttl", INPUT / "status.ttl", "--store", store_path)
    assert run.code == 0, run.err


def test_an_unreadable_second_file_loads_nothing(store_path: Path, tmp_path: Path) -> None:
    invoke("load", *example_data_files(), "--store", store_path)
    before = dump(store_path)
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://e/a> <http://e/b> .\n")
    run = invoke("load", INPUT / "actors.ttl", broken, "--store", store_path, "--lang", "nb")
    assert run.code == 2 and "broken.ttl:1:" in run.err and "syntaksfeil" in run.err
    assert dump(store_path) == before


def _big_file(tmp_path: Path) -> Path:
    """100k synthetic triples: a load long enough to be interrupted."""
    big = tmp_path / "big.nt"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "100k", "-o", str(big)],
                   check=True, capture_output=True, timeout=300)
    return big


def _load_under_way(big: Path, store_path: Path, *extra: str, **pipes: object) -> subprocess.Popen:
    """``offri load big`` in a child process, returned once its journal shows it is writing."""
    journal = store_path / "load-in-progress.json"
    proc = subprocess.Popen([sys.executable, "-m", "offri_kg.cli", "load", str(big), "--store", str(store_path),
                             *extra], **pipes)  # type: ignore[call-overload]
    deadline = time.monotonic() + 60
    while not journal.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert journal.exists(), "the load never started"
    return proc


def test_a_killed_load_leaves_the_store_as_it_was(store_path: Path, tmp_path: Path) -> None:
    invoke("load", *example_data_files(), "--store", store_path)
    before = dump(store_path)
    big = _big_file(tmp_path)
    journal = store_path / "load-in-progress.json"
    for delay in (0.0, 0.5):
        proc = _load_under_way(big, store_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert dump(store_path) == before  # readers see the last committed state at once
        EmbeddedStore(store_path).close()  # the next writer puts it back in place
        assert not journal.exists() and not (store_path / "snapshot").exists()
        assert dump(store_path) == before
    run = invoke("stats", "--store", store_path)
    assert run.code == 0 and "graph:examples/arendal" in run.out


def test_ctrl_c_during_a_load_says_what_happens_and_undoes_it(store_path: Path, tmp_path: Path) -> None:
    invoke("load", *example_data_files(), "--store", store_path)
    before = dump(store_path)
    proc = _load_under_way(_big_file(tmp_path), store_path, "--lang", "en",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "interrupted: the load is being undone" in err, err
    assert "Traceback" not in err
    assert dump(store_path) == before and not (store_path / "load-in-progress.json").exists()


def test_a_second_writer_is_told_the_store_is_in_use(store_path: Path) -> None:
    store = EmbeddedStore(store_path)
    run = offri("load", INPUT / "actors.ttl", "--store", store_path, "--lang", "en")
    store.close()
    assert run.code == 2 and "in use" in run.err


def test_export_round_trips(store_path: Path, tmp_path: Path) -> None:
    invoke("load", *example_data_files(), "--store", store_path)
    out = tmp_path / "dump.nq"
    assert invoke("export", "--store", store_path, "-o", out).code == 0
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == sum(1 for _ in ox.parse(dump(store_path), ox.RdfFormat.N_QUADS))
    one = invoke("export", "--store", store_path, "--graph", "https://w3id.org/offri/graph/examples/arendal",
                "-f", "turtle")
    assert one.code == 0
    assert len(list(ox.parse(one.out.encode(), ox.RdfFormat.TURTLE))) == len(
        list(ox.parse(path=str(ARENDAL), format=ox.RdfFormat.TURTLE)))
    trig = invoke("export", "--store", store_path, "-f", "trig")
    assert len(list(ox.parse(trig.out.encode(), ox.RdfFormat.TRIG))) == len(quads)
    missing = invoke("export", "--store", store_path, "--graph", "https://w3id.org/offri/graph/nope", "--lang", "en")
    assert missing.code == 2 and "no graph" in missing.err


def test_stats(store_path: Path) -> None:
    invoke("load", *example_data_files(), "--store", store_path)
    run = invoke("stats", "--store", store_path, "--lang", "nb")
    assert run.code == 0
    assert "Grafer" in run.out and "offri:Partnership" in run.out and "arendal.ttl" in run.out


def test_opening_a_missing_store_read_only(tmp_path: Path) -> None:
    run = invoke("stats", "--store", tmp_path / "nothing", "--lang", "en")
    assert run.code == 2 and "load data first" in run.err


def test_blank_nodes_stay_scoped_to_their_file(store_path: Path, tmp_path: Path) -> None:
    """Two N-Quads files that both say _:b0 mean two different nodes (ox.parse keeps labels)."""
    for name in ("one", "two"):
        (tmp_path / f"{name}.nq").write_text(f'_:b0 <urn:ex:says> "{name}" .\n', encoding="utf-8")
    store = EmbeddedStore(store_path)
    store.load(read_sources([tmp_path / "one.nq", tmp_path / "two.nq"]))
    rows = store.query("SELECT ?b (COUNT(*) AS ?n) WHERE { ?b <urn:ex:says> ?text } GROUP BY ?b").rows
    store.close()
    assert len(rows) == 2


def test_blank_node_labels_json_ld_allows_become_n_triples_labels(store_path: Path, tmp_path: Path) -> None:
    """JSON-LD may name a blank node ``_:a:b``, which N-Triples (the dump) and SPARQL TSV (how
    the server reads pages' rows) cannot carry: the store gets a label they can, and the node
    stays one node."""
    (tmp_path / "odd.jsonld").write_text(
        '[{"@id": "_:a:b", "urn:ex:says": "x"}, {"@id": "urn:ex:r", "urn:ex:about": {"@id": "_:a:b"}}]',
        encoding="utf-8")
    store = EmbeddedStore(store_path)
    store.load(read_sources([tmp_path / "odd.jsonld"]))
    rows = store.query("SELECT ?b WHERE { <urn:ex:r> <urn:ex:about> ?b . ?b <urn:ex:says> ?x }").rows
    dumped = store.export(ox.RdfFormat.N_QUADS)
    store.close()
    assert len(rows) == 1
    assert len(list(ox.parse(dumped, ox.RdfFormat.N_QUADS))) == len(dumped.splitlines())


def test_large_ntriples_load_keeps_blank_nodes(store_path: Path, tmp_path: Path) -> None:
    """A file big enough to be written in two parts keeps each blank node whole."""
    lines = []
    for i in range(60_000):
        lines.append(f"<urn:ex:r{i}> <urn:ex:period> _:p{i} .")
        lines.append(f'_:p{i} <urn:ex:note> "note {i}" .')
    path = tmp_path / "big.nt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 4_000_000
    store = EmbeddedStore(store_path)
    store.load(read_sources([path]))
    joined = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?r <urn:ex:period> ?p . ?p <urn:ex:note> ?note }").rows
    store.close()
    assert int(joined[0][0].value) == 60_000


def test_a_second_writer_never_undoes_a_running_load(store_path: Path) -> None:
    """While a load runs (its journal and snapshot on disk), another writer is refused before it
    could "recover" the store under the running load."""
    from offri_kg.errors import OffriError

    first = EmbeddedStore(store_path)
    first._begin(["https://w3id.org/offri/graph/test"])  # a load in progress
    with pytest.raises(OffriError) as caught:
        EmbeddedStore(store_path)
    assert caught.value.code == "store-locked"
    assert (store_path / "load-in-progress.json").exists() and (store_path / "oxigraph").exists()
    first._commit()
    first.close()
    EmbeddedStore(store_path).close()  # free again once the first writer is done


# ---- findings of an adversarial run of the CLI (2026-11-27) -------------------------------------
def test_a_blank_node_graph_name_is_refused_and_the_store_stays_usable(tmp_path: Path) -> None:
    store = empty_store(tmp_path / "store")
    bad = tmp_path / "bg.nq"
    bad.write_text('<http://example.org/a> <http://example.org/p> "q" _:g .\n', encoding="utf-8")
    refused = offri("load", "--store", store, bad, "--lang", "en")
    assert refused.code == 2 and "blank node" in refused.err and "bg.nq" in refused.err
    assert "navngir grafer med IRI-er" in offri("load", "--store", store, bad, "--lang", "nb").err
    good = tmp_path / "good.ttl"
    good.write_text('<urn:ex:a> <urn:ex:p> "x" .\n', encoding="utf-8")
    assert invoke("load", "--store", store, good).code == 0


def test_offris_own_graphs_cannot_be_loaded_into(tmp_path: Path) -> None:
    store = empty_store(tmp_path / "store")
    data = tmp_path / "x.ttl"
    data.write_text('<urn:ex:a> <urn:ex:p> "x" .\n', encoding="utf-8")
    assert invoke("load", "--store", store, data).code == 0
    before = invoke("export", "--store", store).out
    meta = "https://w3id.org/offri/graph/meta"
    refused = offri("load", "--store", store, data, "--graph", meta, "--lang", "en")
    assert refused.code == 2 and "offri's own graphs" in refused.err
    trig = tmp_path / "t.trig"
    trig.write_text(f'<{meta}> {{ <urn:ex:a> <urn:ex:p> "forged" . }}\n', encoding="utf-8")
    refused = offri("load", "--store", store, trig, "--lang", "en")
    assert refused.code == 2 and "offri's own graphs" in refused.err
    assert invoke("export", "--store", store).out == before


def test_a_file_name_with_a_space_loads(tmp_path: Path) -> None:
    data = tmp_path / "my data.ttl"
    data.write_text('<urn:ex:a> <urn:ex:p> "x" .\n', encoding="utf-8")
    loaded = invoke("load", "--store", tmp_path / "store", data)
    assert loaded.code == 0, loaded.err
    assert "graph:file/my%20data" in invoke("stats", "--store", tmp_path / "store").out


def test_turtle_export_needs_one_graph(tmp_path: Path) -> None:
    store = empty_store(tmp_path / "store")
    data = tmp_path / "x.ttl"
    data.write_text('<urn:ex:a> <urn:ex:p> "x" .\n', encoding="utf-8")
    assert invoke("load", "--store", store, data).code == 0
    refused = invoke("export", "--store", store, "-f", "turtle", "--lang", "en")
    assert refused.code == 2 and "--graph" in refused.err
    one = invoke("export", "--store", store, "-f", "turtle", "--graph", "https://w3id.org/offri/graph/file/x")
    assert one.code == 0 and len(list(ox.parse(one.out.encode(), ox.RdfFormat.TURTLE))) == 1


def test_replacing_a_graph_is_checked_against_the_graphs_that_use_it(tmp_path: Path) -> None:
    """Steinkjer's data names an own goal that Arendal's file describes. A new Arendal file
    without that goal would leave Steinkjer's participation pointing at nothing: refused, and
    the store stays as it was."""
    examples = ROOT / "data" / "examples"
    for name in ("arendal.ttl", "steinkjer.ttl"):
        (tmp_path / name).write_text((examples / name).read_text(encoding="utf-8"), encoding="utf-8")
    store = EmbeddedStore(empty_store(tmp_path / "store"))
    store.load(read_sources([tmp_path / "arendal.ttl", tmp_path / "steinkjer.ttl"]))
    before = store.export(ox.RdfFormat.N_QUADS)
    text = (tmp_path / "arendal.ttl").read_text(encoding="utf-8")
    start = text.index("goal:besoksvennforbundet-rekruttering a offri:Goal")
    text = text[:start] + text[text.index("offri:illustrative true .", start) + len("offri:illustrative true ."):]
    text = text.replace("    offri:ownGoal goal:besoksvennforbundet-rekruttering ;\n", "")
    assert "besoksvennforbundet-rekruttering" not in text
    (tmp_path / "arendal.ttl").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed) as refused:
        store.load(read_sources([tmp_path / "arendal.ttl"]))
    assert any("steinkjer" in r.focus for r in refused.value.report.results)
    assert store.export(ox.RdfFormat.N_QUADS) == before
    store.close()


def test_two_files_that_would_share_a_graph_are_refused_and_a_replace_says_so(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.ttl").write_text(f'<urn:ex:{folder}> <urn:ex:p> "x" .\n', encoding="utf-8")
    store = empty_store(tmp_path / "store")
    both = offri("load", "--store", store, tmp_path / "a" / "x.ttl", tmp_path / "b" / "x.ttl", "--lang", "en")
    assert both.code == 2 and "would both go into" in both.err
    assert invoke("load", "--store", store, tmp_path / "a" / "x.ttl", "--lang", "en").out.startswith("loaded 1 triple from")
    other = offri("load", "--store", store, tmp_path / "b" / "x.ttl", "--lang", "en")  # a file of the same name
    assert other.code == 2 and "a/x.ttl" in other.err and "b/x.ttl" in other.err and "--replace" in other.err
    again = invoke("load", "--store", store, tmp_path / "b" / "x.ttl", "--replace", "--lang", "nb")
    assert again.code == 0 and again.out.startswith("erstattet <https://w3id.org/offri/graph/file/x>")
    same = invoke("load", "--store", store, tmp_path / "b" / "x.ttl", "--lang", "en")  # its own graph now
    assert same.code == 0 and same.out.startswith("replaced")


def test_a_store_that_does_not_open_keeps_no_writer_lock(tmp_path: Path) -> None:
    """In a long-lived process (a server's update path, a notebook) a failed open must not leave
    the writer lock held: the next writer gets the same error, not 'store is locked'."""
    damaged = tmp_path / "damaged"
    (damaged / "oxigraph").mkdir(parents=True)
    (damaged / "oxigraph" / "CURRENT").write_text("garbage\n")
    for _ in range(2):
        with pytest.raises(OffriError) as caught:
            EmbeddedStore(damaged)
        assert caught.value.code == "store-error"
    shutil.rmtree(damaged / "oxigraph")
    EmbeddedStore(damaged).close()  # and once repaired, a writer opens it
