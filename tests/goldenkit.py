"""Golden results of stored queries, in a form every backend can be compared in.

Rows are lists of N-Triples terms (None for unbound). Triple stores disagree on a few
incidental things — Virtuoso types COUNT as xsd:int where Oxigraph says xsd:integer, writes
true as "1"^^xsd:boolean and may write "x"^^xsd:string for "x" — so numbers and booleans are
compared by value and xsd:string as plain text.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

GOLDEN = Path(__file__).parent / "golden"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "int", "long", "short", "byte", "decimal", "double", "float",
                              "nonNegativeInteger", "positiveInteger", "unsignedInt", "unsignedLong")}


def term_key(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else None
        if datatype in NUMERIC:
            value = Decimal(term.value)
            return f"number:{value.normalize() if value != value.to_integral() else int(value)}"
        if datatype == XSD + "string":
            return ox.Literal(term.value).__str__()
        if datatype == XSD + "boolean":  # Virtuoso writes true as "1"
            return f"boolean:{'true' if term.value in ('true', '1') else 'false'}"
    return str(term)


def normalise(solutions: object, ordered: bool) -> dict:
    """Variables and rows (from pyoxigraph solutions or an offri QueryResult); rows sorted
    unless the query orders them itself."""
    variables = [getattr(v, "value", v) for v in solutions.variables]
    rows = [[term_key(row[v]) for v in variables] for row in solutions]
    if not ordered:
        rows.sort(key=lambda r: json.dumps(r))
    return {"variables": variables, "rows": rows}


def golden_path(query_id: str, case: str = "default") -> Path:
    return GOLDEN / f"{query_id}.{case}.json"


def read_golden(query_id: str, case: str = "default") -> dict:
    return json.loads(golden_path(query_id, case).read_text(encoding="utf-8"))


def write_golden(query_id: str, result: dict, case: str = "default") -> None:
    """Write a golden answer (``pytest --regenerate-golden``): whole or not at all, so that a test
    process reading it meanwhile never sees half a file."""
    GOLDEN.mkdir(exist_ok=True)
    path = golden_path(query_id, case)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    partial.replace(path)
