"""Queries of ``offri query`` and the notebook API, run in a confined child process.

Why not in the caller's process: a query that takes gigabytes, or crashes the engine, would
take the terminal command or the notebook's kernel with it, and nothing stops a query running
in-process (Oxigraph never returns to Python mid-query). The child is the server's worker
(``offri_kg.query.worker``): no network, a memory cap it ends itself at, killed at the time
limit or on Ctrl+C. It is started at the first query and kept for the next ones (a notebook
asks many); the answer comes back in Oxigraph's own formats and is read into the same objects
a query in the caller's process would give.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing as mp
import time
import warnings
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from offri_kg.errors import OffriError, OffriWarning
from offri_kg.query.sandbox import MEMORY_EXIT, LeanProcess, size_text
from offri_kg.query.worker import Answer, Job, worker_main

#: Default memory cap of the child, as for the server's workers.
DEFAULT_MEMORY = 1024**3


class IsolatedQueries:
    """One child process running queries on the store database at ``db``."""

    def __init__(self, db: Path, max_memory: int | None = DEFAULT_MEMORY) -> None:
        self.db = db
        self.max_memory = max_memory
        self._process: mp.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._ids = itertools.count()
        #: what the child could not apply of its confinement (``sandbox.confine``), once started
        self.missing: list[str] = []

    def _start(self) -> Connection:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        self.close()
        ctx = mp.get_context("spawn")  # a fresh interpreter: the caller may hold the store open
        parent, child = ctx.Pipe()
        # without the caller's __main__: a script read from stdin has none to import, and a
        # notebook's or the CLI's would cost the start for nothing
        self._process = LeanProcess("spawn", target=worker_main, args=(child, self.max_memory, True), daemon=True)
        self._process.start()
        child.close()
        self._conn = parent
        hello = self._receive(parent, None)
        self.missing = list(hello[1]) if hello and hello[0] == "hello" else []
        if self.missing:  # the queries still run, but the user must know they are not confined
            warnings.warn(OffriWarning("query-unconfined", {"detail": "; ".join(self.missing)}), stacklevel=4)
        return parent

    def _receive(self, conn: Connection, deadline: float | None) -> object:
        """The child's next message; ``query-timeout`` after ``deadline`` (the child is killed),
        ``query-memory``/``query-crashed`` if it died; Ctrl+C kills it too."""
        try:
            while not conn.poll(0.05):
                if self._process is not None and not self._process.is_alive():
                    raise self._death()
                if deadline is not None and time.monotonic() > deadline:
                    self.close()
                    raise OffriError("query-timeout", {"seconds": f"{deadline - self._started:g}"})
            return conn.recv()
        except (EOFError, OSError):
            raise self._death() from None
        except KeyboardInterrupt:
            self.close()
            raise

    def _death(self) -> OffriError:
        process = self._process
        code = None
        if process is not None:
            process.join(timeout=2)
            code = process.exitcode
        self.close()
        if code == MEMORY_EXIT:
            return OffriError("query-memory", {"limit": size_text(self.max_memory or 0)})
        return OffriError("query-crashed-local")

    def run(self, sparql: str, timeout: float | None = None) -> Answer:
        """The answer to ``sparql`` (already checked by the guard), whole, in raw form."""
        conn = self._start()
        ident = next(self._ids)
        self._started = time.monotonic()
        conn.send(("run", ident, [Job(sparql=sparql, accept=None, db=str(self.db), row_cap=2**62, raw=True)]))
        deadline = self._started + timeout if timeout else None
        while True:
            message = self._receive(conn, deadline)
            if isinstance(message, tuple) and message and message[0] == ident:
                reply = message[1][0]
                if reply[0] != "ok":
                    raise OffriError(reply[1], reply[2])
                return reply[1]

    def close(self) -> None:
        """Stop the child (a second call does nothing)."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is not None and process.is_alive():
            process.kill()
            process.join(timeout=5)
        if conn is not None:
            conn.close()


def result_of(answer: Answer) -> object:
    """The pyoxigraph object a query in this process would have given for ``answer``."""
    if answer.kind == "ask":
        return ox.parse_query_results(json.dumps({"head": {}, "boolean": bool(answer.boolean)}).encode(),
                                      format=ox.QueryResultsFormat.JSON)
    if answer.kind == "select":
        return ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    return [quad.triple for quad in ox.parse(answer.body, ox.RdfFormat.N_TRIPLES)]

