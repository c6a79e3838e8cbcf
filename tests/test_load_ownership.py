"""Files write only where they belong, by the same rules on the embedded store and on remote
stores (Oxigraph server, Virtuoso): a file's graphs are its own, another source's graph is
replaced only when asked, offri's own graphs never, and every graph written is recorded."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from clikit import invoke, offri
from offri_kg.errors import OffriError
from offri_kg.ingest.read import read_sources
from offri_kg.vocab import GRAPH as GRAPH_BASE
from offri_kg.store.base import META_GRAPH
from offri_kg.store.embedded import EmbeddedStore
from offri_kg.store.remote import RemoteStore
from servers import Server
from storekit import empty_store
from test_remote_store import reset

OWNED = GRAPH_BASE + "file/first"
NEW = "urn:test:new-graph"


def _files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "mine").mkdir()
    (tmp_path / "theirs").mkdir()
    first = tmp_path / "mine" / "first.ttl"
    first.write_text('<urn:test:a> <urn:test:p> "mine" .\n', encoding="utf-8")
    trig = tmp_path / "theirs" / "sneaky.trig"
    trig.write_text(f'<urn:test:b> <urn:test:p> "default" .\n<{OWNED}> {{ <urn:test:evil> <urn:test:p> "theirs" }}\n'
                    f'<{NEW}> {{ <urn:test:c> <urn:test:p> "new" . <urn:test:d> <urn:test:p> "new" }}\n', encoding="utf-8")
    twin = tmp_path / "theirs" / "first.ttl"  # the same file name in another folder: another source
    twin.write_text('<urn:test:x> <urn:test:p> "twin" .\n', encoding="utf-8")
    polite = tmp_path / "theirs" / "polite.trig"
    polite.write_text(f'<{NEW}> {{ <urn:test:c> <urn:test:p> "new" . <urn:test:d> <urn:test:p> "new" }}\n',
                      encoding="utf-8")
    meta = tmp_path / "theirs" / "meta.ttl"
    meta.write_text('<urn:test:m> <urn:test:p> "into the records" .\n', encoding="utf-8")
    return {"first": first, "trig": trig, "twin": twin, "polite": polite, "meta": meta}


def _graph_triples(export: bytes, graph: str) -> set[str]:
    return {str(q.triple) for q in ox.parse(export, ox.RdfFormat.N_QUADS) if q.graph_name == ox.NamedNode(graph)}


def check_rules(store: "EmbeddedStore | RemoteStore", files: dict[str, Path]) -> None:
    store.load(read_sources([files["first"]]))
    before = store.export(ox.RdfFormat.N_QUADS)
    # a TriG file's GRAPH cannot add to another file's graph, nor can a twin's name replace it
    for attempt in (lambda: store.load(read_sources([files["trig"]])),
                    lambda: store.load(read_sources([files["twin"]]))):
        with pytest.raises(OffriError) as owned:
            attempt()
        assert owned.value.code == "graph-owned" and owned.value.params["graph"] == OWNED
        assert owned.value.params["owner"].endswith("mine/first.ttl")
    # offri's own graphs: never
    with pytest.raises(OffriError) as reserved:
        store.load(read_sources([files["meta"]]), graph=META_GRAPH)
    assert reserved.value.code == "graph-reserved"
    assert _graph_triples(store.export(ox.RdfFormat.N_QUADS), OWNED) == _graph_triples(before, OWNED)
    # a TriG file's own new graph is written, recorded and counted
    reports = store.load(read_sources([files["polite"]]))
    assert [(r.graph, r.triples) for r in reports] == [(NEW, 2)]  # no empty graph of its own
    records = {g.iri: g for g in store.graphs()}
    assert records[NEW].source == "polite.trig" and records[NEW].triples == 2
    # asked to replace: replaced, and the records say whose the graph is now
    reports = store.load(read_sources([files["trig"]]), replace=True)
    assert {(r.graph, r.triples, r.replaced) for r in reports} == {
        (GRAPH_BASE + "file/sneaky", 1, False), (OWNED, 1, True), (NEW, 2, True)}
    assert {g.iri: g for g in store.graphs()}[OWNED].source == "sneaky.trig"
    # a graph whose triples are gone (an update deleted them) is still its source's
    store.load(read_sources([files["first"]]), replace=True)
    if isinstance(store, RemoteStore):
        store._delete(OWNED)
    else:
        store.oxigraph.remove_graph(ox.NamedNode(OWNED))
    with pytest.raises(OffriError) as emptied:
        store.load(read_sources([files["twin"]]))
    assert emptied.value.code == "graph-owned" and emptied.value.params["owner"].endswith("mine/first.ttl")


def test_the_embedded_store_keeps_files_in_their_graphs(tmp_path: Path) -> None:
    store = EmbeddedStore(empty_store(tmp_path / "store"))
    try:
        check_rules(store, _files(tmp_path))
    finally:
        store.close()


@pytest.mark.parametrize("server_name", ["oxigraph_server", "virtuoso_server"])
def test_a_remote_store_keeps_files_in_their_graphs_by_the_same_rules(
        server_name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    server: Server = request.getfixturevalue(server_name)
    server.configure(monkeypatch, tmp_path)
    store = RemoteStore(server.query_url, timeout=30)
    reset(store)
    for graph in (OWNED, NEW, GRAPH_BASE + "file/polite", GRAPH_BASE + "file/sneaky"):
        store._delete(graph)
    try:
        check_rules(store, _files(tmp_path))
    finally:
        store.close()


def test_the_cli_names_both_sources_and_counts_every_graph(tmp_path: Path) -> None:
    files = _files(tmp_path)
    store = tmp_path / "store"
    assert invoke("load", "--store", store, files["first"]).code == 0
    refused = offri("load", "--store", store, files["trig"], "--lang", "en")
    assert refused.code == 2 and "mine/first.ttl" in refused.err and "sneaky.trig" in refused.err
    assert "--replace" in refused.err and "Traceback" not in refused.err
    done = invoke("load", "--store", store, files["trig"], "--replace", "--lang", "en")
    assert done.code == 0, done.err
    lines = done.out.strip().splitlines()
    assert any(line.startswith(f"replaced <{OWNED}>: it now holds 1 triple from") for line in lines)
    assert any("2 triples" in line and NEW in line for line in lines)


def test_a_graph_no_load_recorded_is_not_taken_silently(tmp_path: Path) -> None:
    files = _files(tmp_path)
    store = EmbeddedStore(empty_store(tmp_path / "store"))
    try:
        store.update(f'INSERT DATA {{ GRAPH <{NEW}> {{ <urn:test:u> <urn:test:p> "by hand" }} }}')
        with pytest.raises(OffriError) as unrecorded:
            store.load(read_sources([files["polite"]]))
        assert unrecorded.value.code == "graph-unrecorded" and unrecorded.value.params["graph"] == NEW
        store.load(read_sources([files["polite"]]), replace=True)
        assert {g.iri: g for g in store.graphs()}[NEW].triples == 2
    finally:
        store.close()


def test_two_stewards_home_folders_are_two_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``~/data/good.ttl`` of one steward is not the other's, though the records write both
    ``~/data/good.ttl`` (a home folder's name is not published): the second is refused, naming
    whose the graph is; the first steward reloads the file as before."""
    store = EmbeddedStore(empty_store(tmp_path / "store"))
    try:
        for steward, text in (("anna", "mine"), ("bo", "theirs")):
            (tmp_path / steward / "data").mkdir(parents=True)
            (tmp_path / steward / "data" / "good.ttl").write_text(f'<urn:test:a> <urn:test:p> "{text}" .\n',
                                                                   encoding="utf-8")
        monkeypatch.setenv("HOME", str(tmp_path / "anna"))
        store.load(read_sources([tmp_path / "anna" / "data" / "good.ttl"]), agent="anna")
        assert {g.iri: g for g in store.graphs()}[GRAPH_BASE + "file/good"].source == "good.ttl"
        monkeypatch.setenv("HOME", str(tmp_path / "bo"))
        with pytest.raises(OffriError) as owned:
            store.load(read_sources([tmp_path / "bo" / "data" / "good.ttl"]), agent="bo")
        assert owned.value.code == "graph-owned"
        assert owned.value.params["owner"] == "~/data/good.ttl (anna)"
        assert owned.value.params["source"] == "~/data/good.ttl (bo)"
        monkeypatch.setenv("HOME", str(tmp_path / "anna"))
        (tmp_path / "anna" / "data" / "good.ttl").write_text('<urn:test:a> <urn:test:p> "edited" .\n', encoding="utf-8")
        assert [r.replaced for r in store.load(read_sources([tmp_path / "anna" / "data" / "good.ttl"]), agent="anna")] == [True]
    finally:
        store.close()
