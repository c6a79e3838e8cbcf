"""The embedded store's files are named in one place (offri_kg.store.layout), and the store and
the server's snapshots find them there."""

from __future__ import annotations

import os
from pathlib import Path

from clikit import ROOT
from offri_kg.ingest.read import read_sources
from offri_kg.store.embedded import EmbeddedStore, generation_of
from offri_kg.store.layout import StoreLayout
from offri_kg.web.snapshot import Snapshots

ARENDAL = ROOT / "data" / "examples" / "arendal.ttl"


def test_a_folder_without_a_store_has_none(tmp_path: Path) -> None:
    layout = StoreLayout(tmp_path / "nothing")
    assert not layout.has_store() and not layout.load_in_progress()
    assert layout.generation() == "" and layout.committed() == layout.database


def test_the_layout_names_every_file_the_store_writes(tmp_path: Path) -> None:
    layout = StoreLayout(tmp_path / "store")
    store = EmbeddedStore(layout.root)
    try:
        store.load(read_sources([ARENDAL]))
        assert store.generation() == layout.generation() != ""
    finally:
        store.close()
    named = {layout.database, layout.snapshot, layout.journal, layout.writer_lock, layout.generation_file,
             layout.serving}
    assert set(layout.root.iterdir()) <= named
    assert layout.has_store() and layout.database.is_dir() and layout.writer_lock.exists()
    assert generation_of(layout.root) == layout.generation()


def test_readers_take_the_snapshot_while_a_load_runs(tmp_path: Path) -> None:
    layout = StoreLayout(tmp_path)
    layout.database.mkdir()
    layout.journal.write_text("{}")
    assert layout.load_in_progress() and layout.committed() == layout.database  # no snapshot yet
    layout.snapshot.mkdir()
    assert layout.committed() == layout.snapshot
    layout.journal.unlink()
    assert layout.committed() == layout.database  # a finished load's leftover snapshot is not the state


def test_a_new_generation_replaces_the_token_whole(tmp_path: Path) -> None:
    layout = StoreLayout(tmp_path)
    layout.new_generation()
    first = layout.generation()
    layout.new_generation()
    assert len(first) == 32 and layout.generation() not in ("", first)
    assert sorted(os.listdir(tmp_path)) == ["generation"]  # no temporary file left behind


def test_the_servers_snapshots_follow_the_layout(tmp_path: Path) -> None:
    layout = StoreLayout(tmp_path / "store")
    EmbeddedStore(layout.root).close()
    snapshots = Snapshots(layout.root)
    try:
        assert snapshots.root.parent == layout.serving and snapshots.generation == layout.generation()
        store = EmbeddedStore(layout.root)
        try:
            store.load(read_sources([ARENDAL]))
        finally:
            store.close()
        assert snapshots.refresh() and snapshots.generation == layout.generation()
        assert snapshots.current is not None and snapshots.current.parent == snapshots.root
    finally:
        snapshots.close()
