"""Run compiled checks on a pyoxigraph store: offri's fast, set-based validation."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import pyoxigraph as ox
import rdflib

from offri_kg.ingest.parse import rdflib_graph
from offri_kg.ingest.read import read_source
from offri_kg.resources import shapes_files
from offri_kg.validate.compile import FOCUS, Check, compile_shapes
from offri_kg.validate.report import ValidationReport, ValidationResult
from offri_kg.validate.terms import ox_to_nt


@lru_cache(maxsize=1)
def project_shapes() -> rdflib.Graph:
    """offri's shapes graph (parsed once per process)."""
    return rdflib_graph(read_source(path) for path in shapes_files())


@lru_cache(maxsize=1)
def project_checks() -> tuple[Check, ...]:
    """offri's shapes compiled to SPARQL (once per process)."""
    return tuple(compile_shapes(project_shapes()))


def focus_clause(focus: Iterable[str] | None) -> str:
    """``VALUES ?this {…}`` for IRIs (blank nodes cannot be named in a query); "" for all."""
    if focus is None:
        return ""
    iris = sorted({f for f in focus if f.startswith("<")})
    return "VALUES ?this { " + " ".join(iris) + " }" if iris else "VALUES ?this { }"


def _run(store: ox.Store, check: Check, focus_clause: str) -> list[ValidationResult]:
    query = check.focused_query.replace(FOCUS, focus_clause) if focus_clause else check.query
    results = []
    for row in store.query(query, use_default_graph_as_union=True):
        this = ox_to_nt(row["this"])
        value = row["value"] if "?value" in query.split("WHERE", 1)[0] else None
        if value is None and check.value_is_focus:
            value_nt: str | None = this
        else:
            value_nt = None if value is None else ox_to_nt(value)
        path = check.path
        if "?path" in query.split("WHERE", 1)[0] and row["path"] is not None:
            path = ox_to_nt(row["path"])
        results.append(ValidationResult(focus=this, path=path, value=value_nt, severity=check.severity,
                                        source_shape=check.shape, component=check.component,
                                        messages=check.messages))
    return results


def validate_store(store: ox.Store, checks: Iterable[Check] | None = None,
                   focus: Iterable[str] | None = None, workers: int = 2) -> ValidationReport:
    """Validate everything in ``store`` (all graphs together), or only the ``focus`` nodes.

    ``focus`` holds N-Triples IRIs; results are then exactly full validation's results for
    those focus nodes. Oxigraph releases the GIL while it evaluates, so checks run in threads.
    """
    checks = list(checks if checks is not None else project_checks())
    clause = focus_clause(focus)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        batches = list(pool.map(lambda c: _run(store, c, clause), checks))
    return ValidationReport([r for batch in batches for r in batch])


CANDIDATE_GRAPH = ox.NamedNode("urn:offri:candidate")


def focus_nodes_of(quads: Iterable[ox.Quad]) -> set[str]:
    """IRIs a record mentions (as subject or object): the focus nodes its arrival can change."""
    nodes = set()
    for quad in quads:
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.NamedNode):
                nodes.add(ox_to_nt(term))
    return nodes


def validate_candidate(store: ox.Store, quads: Iterable[ox.Quad],
                       checks: Iterable[Check] | None = None) -> ValidationReport:
    """Validate a new record (e.g. one partnership) against everything already in ``store``.

    The record is added to a scratch graph, the checks run only for the focus nodes it
    mentions, and the scratch graph is removed again, so the store is left as it was. The
    result equals a full validation of store + record, restricted to those focus nodes.
    """
    quads = [ox.Quad(q.subject, q.predicate, q.object, CANDIDATE_GRAPH) for q in quads]
    store.extend(quads)
    try:
        return validate_store(store, checks, focus=focus_nodes_of(quads))
    finally:
        store.clear_graph(CANDIDATE_GRAPH)
