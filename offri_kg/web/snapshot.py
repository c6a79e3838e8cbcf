"""The committed state of an embedded store, as a read-only checkpoint that the server reads.

Why: RocksDB calls a read-only open "undefined" while another process writes, and ``offri
load`` must be able to write while ``offri serve`` runs. A checkpoint is hard links to
immutable files (milliseconds, no copy): the workers read it while the store moves on, and a
new one is taken when the store's generation token changes (every committed load writes one).
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

import pyoxigraph as ox

from offri_kg.errors import OffriError
from offri_kg.store.layout import StoreLayout


class Snapshots:
    """Checkpoints of the store at ``store_path``, in its serving folder (``StoreLayout.serving``)."""

    def __init__(self, store_path: Path) -> None:
        self.store_path = store_path
        self.layout = StoreLayout(store_path)
        # one folder per server (named after its process): several may read the same store
        self.root = self.layout.serving / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        self.generation = ""
        self.current: Path | None = None
        self._previous: Path | None = None
        self._seen: tuple[int, int, int] = (0, 0, 0)
        self._sweep()
        self.refresh()

    def _sweep(self) -> None:
        """Remove the folders of servers that are no longer running (they did not stop cleanly)."""
        for folder in self.layout.serving.glob("*"):
            pid = folder.name.split("-")[0]
            if pid.isdigit() and not _running(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)

    def _stamp(self) -> tuple[int, int, int]:
        """The generation file's inode, size and mtime: a stat per request instead of a read
        (the file is replaced by rename on every commit, so a new one has a new inode)."""
        try:
            info = os.stat(self.layout.generation_file)
        except OSError:
            return (0, 0, 0)
        return (info.st_ino, info.st_size, info.st_mtime_ns)

    def refresh(self) -> bool:
        """Take a new checkpoint if the store changed; True if it did (callers drop caches)."""
        stamp = self._stamp()
        if self.current is not None and stamp == self._seen:
            return False
        token = self.layout.generation()
        if self.current is not None and token == self.generation:
            self._seen = stamp
            return False
        with self._lock:
            if self.current is not None and token == self.generation:
                return False
            source = self.layout.committed()  # the load's snapshot while a load runs
            if not source.exists():
                raise OffriError("store-missing", {"path": str(self.store_path)})
            target = self.root / uuid.uuid4().hex
            self.root.mkdir(parents=True, exist_ok=True)
            reader = ox.Store.read_only(str(source))
            try:
                reader.backup(str(target))
            finally:
                del reader
            # the previous checkpoint stays one generation longer: requests that named it just
            # before this refresh may still be waiting for a worker
            if self._previous is not None:
                shutil.rmtree(self._previous, ignore_errors=True)
            self._previous, self.current, self.generation, self._seen = self.current, target, token, stamp
            return True

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
