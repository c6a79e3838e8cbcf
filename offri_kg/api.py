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

from offri_kg.query.bind import bindings
from offri_kg.query.library import StoredQuery, get_stored_query, stored_queries
from offri_kg.store.base import QueryResult, Store, open_store

XSD = "http://www.w3.org/2001/XMLSchema#"
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
    """The rows of a SELECT answer."""

    def __init__(self, result: QueryResult) -> None:
        self.variables = result.variables
        self._rows = result.rows

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.to_dicts())

    def to_dicts(self) -> list[dict[str, Any]]:
        """Rows as dicts of Python values (int, Decimal, date, bool, str; None when unbound)."""
        return [{v: to_python(row[v]) for v in self.variables} for row in self._rows]

    def to_dataframe(self) -> "Any":
        """A pandas DataFrame with proper dtypes: Int64, boolean, datetime64 for dates, string."""
        import pandas as pd

        records = self.to_dicts()
        frame = pd.DataFrame.from_records(records, columns=self.variables)
        for column in self.variables:
            values = [r[column] for r in records if r[column] is not None]
            if not values:
                continue
            if all(isinstance(v, bool) for v in values):
                frame[column] = frame[column].astype("boolean")
            elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                frame[column] = frame[column].astype("Int64")
            elif all(isinstance(v, (int, Decimal, float)) and not isinstance(v, bool) for v in values):
                frame[column] = frame[column].astype("Float64")
            elif all(isinstance(v, dt.datetime) for v in values):
                frame[column] = pd.to_datetime(frame[column], utc=True)
            elif all(isinstance(v, dt.date) for v in values):
                frame[column] = pd.to_datetime(frame[column])
            elif all(isinstance(v, str) for v in values):
                frame[column] = frame[column].astype("string")
        return frame


class KnowledgeGraph:
    """A store (embedded or remote) with offri's stored queries."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, path: str | Path | None = None) -> "KnowledgeGraph":
        """The embedded store at ``path`` (default: ``$OFFRI_STORE`` or the per-user location)."""
        return cls(open_store(path))

    @classmethod
    def connect(cls, endpoint: str, timeout: float = 30.0) -> "KnowledgeGraph":
        """A remote SPARQL 1.1 endpoint (credentials from the environment or config file)."""
        return cls(open_store(endpoint=endpoint, timeout=timeout))

    def queries(self) -> dict[str, StoredQuery]:
        return stored_queries()

    def run(self, name: str, **params: Any) -> Rows:
        """Run stored query ``name``; parameters are checked and typed (see ``offri queries``)."""
        query = get_stored_query(name)
        terms = bindings(query, {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items()})
        return Rows(self.store.query(query.sparql, terms))

    def sparql(self, text: str) -> Rows:
        """Run any SELECT query (``SERVICE``, ``LOAD`` and ``FROM`` are refused)."""
        return Rows(self.store.query(text))

    def close(self) -> None:
        self.store.close()
