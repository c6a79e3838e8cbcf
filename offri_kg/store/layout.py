"""Where an embedded store keeps its parts, in one place.

The embedded store (``offri_kg.store.embedded``) writes these files and the server's snapshots
(``offri_kg.web.snapshot``) and the CLI read them; each asks this object instead of naming the
files itself, so the folder's layout can change in one module.

``PATH/`` holds:

- ``oxigraph/``: the database (RocksDB);
- ``snapshot/`` and ``load-in-progress.json``: while a load runs (or after one died), a
  checkpoint of the last committed state and the journal that says so;
- ``writer.lock``: the lock a writer holds (one writer process at a time);
- ``generation``: a token replaced after every committed write (servers compare it), written
  as ``generation.tmp`` first;
- ``serving/``: the checkpoints that running servers read, one folder per server.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

#: attribute -> name under the store's folder
FILES = {"database": "oxigraph", "snapshot": "snapshot", "journal": "load-in-progress.json",
         "writer_lock": "writer.lock", "generation_file": "generation", "generation_temp": "generation.tmp",
         "serving": "serving"}


@dataclass(frozen=True)
class StoreLayout:
    """The files of the embedded store at ``root`` (each named in ``FILES``)."""

    root: Path
    database: Path = field(init=False)
    snapshot: Path = field(init=False)
    journal: Path = field(init=False)
    writer_lock: Path = field(init=False)
    generation_file: Path = field(init=False)
    generation_temp: Path = field(init=False)
    serving: Path = field(init=False)

    def __post_init__(self) -> None:
        for attribute, name in FILES.items():
            object.__setattr__(self, attribute, self.root / name)

    def has_store(self) -> bool:
        """Whether a store was ever created here (a folder without one is not a store)."""
        return self.database.exists()

    def load_in_progress(self) -> bool:
        """Whether a load runs now, or died and was not yet undone by the next writer."""
        return self.journal.exists()

    def committed(self) -> Path:
        """The database holding the last committed state, for readers: while a load runs, or
        after one died, that is the snapshot (the next writer puts it back in place)."""
        if self.journal.exists() and self.snapshot.exists():
            return self.snapshot
        return self.database

    def generation(self) -> str:
        """The token of the last committed write ("" if none was written)."""
        try:
            return self.generation_file.read_text().strip()
        except OSError:
            return ""

    def new_generation(self) -> None:
        """Write a fresh token, atomically (temporary file, then rename): a reader sees the old
        token or the new one, never half of one."""
        self.generation_temp.write_text(uuid.uuid4().hex)
        os.replace(self.generation_temp, self.generation_file)
