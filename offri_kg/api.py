"""The notebook API: open a store or endpoint, run stored queries, get rows or a DataFrame.

    >>> from offri_kg.api import KnowledgeGraph
    >>> kg = KnowledgeGraph.open()                       # the embedded default store
    >>> rows = kg.run("q01-partnerships", municipality="https://w3id.org/offri/id/municipality/steinkjer")
    >>> rows.to_dicts()[0]["partnershipLabel"]
    >>> df = rows.to_dataframe()                          # needs the pandas extra
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from offri_kg.errors import OffriError
from offri_kg.query.bind import bindings
from offri_kg.query.library import StoredQuery, get_stored_query, stored_queries
from offri_kg.store.base import QueryResult, Store, open_store
from offri_kg.vocab import XSD
_INTEGER = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                              "positiveInteger", "negativeInteger", "nonPositiveInteger",
                              "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


def to_python(term: object) -> Any:
    """An RDF term as the Python value a researcher expects (IRIs as strings)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else XSD + "string"
        value = term.value
        try:
            if datatype in _INTEGER:
                return int(value)
            if datatype == XSD + "decimal":
                return Decimal(value)
            if datatype in (XSD + "double", XSD + "float"):
                return float(value)
            if datatype == XSD + "boolean":
                return value in ("true", "1")
            if datatype == XSD + "date":
                return dt.date.fromisoformat(value[:10])
            if datatype == XSD + "dateTime":
                return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if datatype == XSD + "gYear":
                return int(value[:4] if not value.startswith("-") else value[:5])
        except ValueError:
            return value
        return value
    return getattr(term, "value", str(term))


class Rows:
    """The rows of a SELECT answer; a CONSTRUCT or DESCRIBE answer comes as rows of
    ``subject``, ``predicate``, ``object``."""

    def __init__(self, result: QueryResult) -> None:
        if result.kind == "graph":
            self.variables = ["subject", "predicate", "object"]
            self._rows = [{"subject": t.subject, "predicate": t.predicate, "object": t.object}
                          for t in result.triples]
        else:
            self.variables = result.variables
            self._rows = result.rows

    def __repr__(self) -> str:
        return f"<Rows: {len(self._rows)} row(s) of {', '.join(self.variables) or 'no variables'}>"

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.to_dicts())

    def to_dicts(self) -> list[dict[str, Any]]:
        """Rows as dicts of Python values (int, Decimal, date, bool, str; None when unbound)."""
        return [{v: to_python(row[v]) for v in self.variables} for row in self._rows]

    def to_dataframe(self) -> Any:
        """A pandas DataFrame with proper dtypes: Int64, boolean, datetime64 for dates, string."""
        import pandas as pd

        records = self.to_dicts()
        frame = pd.DataFrame.from_records(records, columns=self.variables).astype(object)
        for column in self.variables:
            frame[column] = _typed_column(pd, frame[column], [r[column] for r in records if r[column] is not None])
        return frame


def _typed_column(pd: Any, column: Any, values: list[Any]) -> Any:
    """``column`` with the dtype its values share (unbound cells NA); an empty or mixed column
    stays as it is (strings for an empty one), never an error in the notebook."""
    if not values:
        return column.astype("string")  # nothing bound: NA, typed as text
    try:
        if all(isinstance(v, bool) for v in values):
            return column.astype("boolean")
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            if all(-2**63 <= v < 2**63 for v in values):
                return column.astype("Int64")
            return column  # integers past 64 bits stay Python ints
        if all(isinstance(v, (int, Decimal, float)) and not isinstance(v, bool) for v in values):
            return column.astype("Float64")
        if all(isinstance(v, dt.datetime) for v in values):
            return pd.to_datetime(column, utc=True)
        if all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in values):
            return pd.to_datetime(column)
        if all(isinstance(v, str) for v in values):
            return column.astype("string")
    except (ValueError, TypeError, OverflowError):
        pass  # e.g. dates with and without time zones in one column: left as Python values
    return column.where(column.notna(), None)


class KnowledgeGraph:
    """A store (embedded or remote) with offri's stored queries; ``with KnowledgeGraph.open() as kg:``
    closes it at the end."""

    def __init__(self, store: Store, timeout: float | None = None) -> None:
        self._store: Store | None = store
        self.timeout = timeout

    @property
    def store(self) -> Store:
        if self._store is None:
            raise OffriError("store-closed")
        return self._store

    @classmethod
    def open(cls, path: str | Path | None = None, max_memory: int | str = "1G",
             timeout: float | None = None) -> KnowledgeGraph:
        """The embedded store at ``path`` (default: ``$OFFRI_STORE`` or the per-user location),
        opened for reading: no lock is taken, so other notebooks, ``offri load`` and a re-run of
        the same cell can open it too. A folder without a store is an error, not a new store.

        Queries run in a confined child process (no network, at most ``max_memory``: bytes,
        or a size such as ``"500M"``), stopped after ``timeout`` seconds if given, so a query
        that runs away never takes the notebook's kernel with it."""
        from offri_kg.query.sandbox import parse_size

        try:
            memory = max_memory if isinstance(max_memory, int) and max_memory > 0 else parse_size(str(max_memory))
        except ValueError:
            raise OffriError("bad-size", {"option": "max_memory", "value": max_memory}) from None
        if timeout is not None and (not isinstance(timeout, (int, float)) or timeout <= 0):
            raise OffriError("bad-timeout", {"value": timeout})
        return cls(open_store(Path(path).expanduser() if path else None, read_only=True, isolate=True,
                              max_memory=memory), timeout=timeout)

    @classmethod
    def connect(cls, endpoint: str, timeout: float | None = 30.0) -> KnowledgeGraph:
        """A remote SPARQL 1.1 endpoint (credentials from the environment or config file);
        ``timeout`` in seconds per request (None: 30)."""
        seconds = 30.0 if timeout is None else timeout
        if not isinstance(seconds, (int, float)) or seconds <= 0:
            raise OffriError("bad-timeout", {"value": timeout})
        return cls(open_store(endpoint=endpoint, timeout=float(seconds)))

    def queries(self) -> dict[str, StoredQuery]:
        return stored_queries()

    def run(self, name: str, **params: Any) -> Rows:
        """Run stored query ``name``; parameters are checked and typed (see ``offri queries``).
        A parameter given as None takes its default, as if it were left out."""
        query = get_stored_query(name)
        given = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items() if v is not None}
        if isinstance(given.get("lang"), str):
            given["lang"] = given["lang"].lower()
        return Rows(self.store.query(query.sparql, bindings(query, given), timeout=self.timeout))

    def sparql(self, text: str) -> Rows | bool:
        """Run any query: SELECT, CONSTRUCT and DESCRIBE give ``Rows`` (a graph as subject,
        predicate, object), ASK gives a bool. ``SERVICE``, ``LOAD`` and ``FROM`` are refused."""
        if not isinstance(text, str):
            raise OffriError("query-not-text", {"type": type(text).__name__})
        result = self.store.query(text, timeout=self.timeout)
        return bool(result.boolean) if result.kind == "ask" else Rows(result)

    def close(self) -> None:
        """Release the store (a second call does nothing)."""
        store, self._store = self._store, None
        if store is not None:
            store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
