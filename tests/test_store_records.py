"""One builder for the load records (offri_kg.store.provenance): the embedded store holds, and a
remote store receives, the very quads it builds."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from offri_kg.ingest.read import read_source, read_sources
from offri_kg.store.base import META_GRAPH
from offri_kg.store.embedded import EmbeddedStore
from offri_kg.store.provenance import DCT, RecordChange, record_quads
from offri_kg.store.remote import RemoteStore
from servers import Server
from test_remote_store import reset

MODIFIED = ox.NamedNode(DCT + "modified")
META = ox.NamedNode(META_GRAPH)


def timeless(quads: object) -> set[ox.Quad]:
    """Records without their time of loading (two loads never share it)."""
    return {q for q in quads if q.predicate != MODIFIED}  # type: ignore[attr-defined]


def odd_file(folder: Path) -> Path:
    """A file whose name needs escaping in any syntax that carries it (the records hold it)."""
    path = folder / 'we"ird \\ name ø.ttl'
    path.write_text('<urn:test:a> <urn:test:p> "one" .\n<urn:test:a> <urn:test:p> "two" .\n', encoding="utf-8")
    return path


def test_the_update_makes_the_change_apply_makes(tmp_path: Path) -> None:
    """``as_update`` (a remote store's form) and ``apply`` (the embedded store's) leave the same
    records: the old ones of the graph gone, another graph's kept, the new ones in."""
    source = read_source(odd_file(tmp_path))
    other = ox.Quad(ox.NamedNode("urn:test:other"), MODIFIED, ox.Literal("kept"), META)
    old = ox.Quad(ox.NamedNode(source.graph), MODIFIED, ox.Literal("old"), META)
    change = RecordChange((source.graph,), tuple(record_quads(source.graph, source, 2, 'an "agent"', "2026-01-01T00:00:00+00:00")))
    applied, updated = ox.Store(), ox.Store()
    for store in (applied, updated):
        store.extend([other, old])
    change.apply(applied)
    updated.update(change.as_update())
    # (a SPARQL engine writes the time in its canonical form: "Z" for "+00:00")
    assert timeless(applied) == timeless(updated) == timeless([other, *change.quads])
    assert len(applied) == len(updated) == len(change.quads) + 1


@pytest.mark.parametrize("server_name", ["oxigraph_server", "virtuoso_server"])
def test_both_backends_keep_the_records_the_builder_makes(
        server_name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    server: Server = request.getfixturevalue(server_name)
    server.configure(monkeypatch, tmp_path)
    path = odd_file(tmp_path)
    source = read_source(path)
    node = ox.NamedNode(source.graph)
    built = timeless(record_quads(source.graph, source, 2, "tester", "-"))

    embedded = EmbeddedStore(tmp_path / "store")
    try:
        [report] = embedded.load(read_sources([path]), agent="tester")
        held = timeless(embedded.oxigraph.quads_for_pattern(node, None, None, META))
    finally:
        embedded.close()
    remote = RemoteStore(server.query_url, timeout=30)
    try:
        reset(remote)
        remote.load(read_sources([path]), agent="tester")
        dump = remote.export(ox.RdfFormat.N_QUADS, graph=META_GRAPH)
        received = timeless(q for q in ox.parse(dump, ox.RdfFormat.N_QUADS) if q.subject == node)
        reset(remote)
    finally:
        remote.close()
    assert report.triples == 2
    assert held == built == received
