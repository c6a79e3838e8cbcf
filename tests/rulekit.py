"""Shared helpers for the rule fixtures (tests/fixtures/rules/*.toml).

A fixture is a SPARQL Update applied to tests/fixtures/base.ttl that breaks exactly one rule
(``invalid``), its valid twin (``valid``), and the results the invalid data must produce.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.plugins.sparql import processor as sparql_processor

from offri_kg.names import PREFIXES
from offri_kg.validate.dataset import build_store, store_to_rdflib
from offri_kg.validate.engine import project_shapes, validate_store
from offri_kg.validate.pyshacl_engine import validate_graph
from offri_kg.validate.report import ValidationReport

HERE = Path(__file__).parent
BASE = HERE / "fixtures" / "base.ttl"
RULES = sorted((HERE / "fixtures" / "rules").glob("*.toml"))

SCHEMES = ["sector", "actor-type", "role", "goal-theme", "activity", "governance", "leadership",
           "anchoring", "challenge", "form", "status", "cluster-practice", "centrality", "source-type"]

ALL_PREFIXES = {
    **PREFIXES,
    "fx": "https://w3id.org/offri/id/fixture/",
    "sdg": "http://metadata.un.org/sdg/",
    "country": "http://publications.europa.eu/resource/authority/country/",
    **{"v" + s.replace("-", ""): f"https://w3id.org/offri/vocab/{s}/" for s in SCHEMES},
}
HEADER = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in ALL_PREFIXES.items())


@dataclass(frozen=True)
class Fixture:
    name: str
    invalid: str
    valid: str
    expect: tuple[tuple, ...]
    pyshacl_misses: tuple[tuple[str, str], ...] = ()


def expand(term: str | None) -> str | None:
    """``offri:status`` → ``<https://w3id.org/offri/ns#status>`` (also inside paths like ``^a:b/c:d``)."""
    if term is None:
        return None
    def repl(match: re.Match) -> str:
        prefix, local = match.group(1), match.group(2)
        return f"<{ALL_PREFIXES[prefix]}{local}>"
    # a local name may hold "/" (id:municipality/arendal) unless a path step follows (a:b/c:d)
    return re.sub(r"(?<![<\w])([A-Za-z][\w-]*):((?:[\w.-]|/(?![A-Za-z][\w-]*:))*[\w-])", repl, term)


def load(path: Path) -> Fixture:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    expect = []
    for item in data["expect"]:
        expect.append((expand(item["focus"]), expand(item.get("path")), item.get("severity", "Violation"),
                       expand(item["shape"]),
                       f"http://www.w3.org/ns/shacl#{item['component']}ConstraintComponent"))
    misses = tuple((expand(m["shape"]), f"http://www.w3.org/ns/shacl#{m['component']}ConstraintComponent")
                   for m in data.get("pyshacl_misses", []))
    return Fixture(path.stem, data["invalid"], data["valid"], tuple(sorted(expect, key=str)), misses)


def dataset(update: str | None) -> ox.Store:
    """The validation store for base.ttl changed by ``update`` (with the reference graphs)."""
    scratch = ox.Store()
    scratch.bulk_load(path=str(BASE), format=ox.RdfFormat.TURTLE)
    if update:
        scratch.update(HEADER + update)
    store = build_store([])
    graph = ox.NamedNode("https://w3id.org/offri/graph/file/fixture")
    store.extend([ox.Quad(q.subject, q.predicate, q.object, graph) for q in scratch])
    return store


def offri_report(store: ox.Store) -> ValidationReport:
    return validate_store(store)


_PREPARED: dict[tuple, Any] = {}  # rdflib's parsed queries, by text, prefixes and base
_REPORTS: dict[str, ValidationReport] = {}  # pyshacl's reports in this process, by content_key
_SHARED: list[Path] = []  # a folder the test processes of this run share reports in (conftest.py)


@contextmanager
def sparql_parsed_once() -> Iterator[None]:
    """rdflib parses each SPARQL text once while this lasts, not at every call.

    pyshacl hands rdflib the same few dozen query texts (the shapes' SPARQL constraints and its
    own lookups) for every focus node of every validation, and rdflib parses the text anew each
    time: four fifths of a pyshacl validation here was pyparsing. A parsed and translated query
    is what ``rdflib.plugins.sparql.prepareQuery`` hands out to be evaluated again and again, so
    the answers are the same; only the parsing is done once per text (and prefixes and base).
    """
    original = sparql_processor.SPARQLProcessor.query

    def query(self: Any, query_object: Any, initBindings: Mapping | None = None,
              initNs: Mapping | None = None, base: str | None = None, DEBUG: bool = False) -> Any:
        if isinstance(query_object, str):
            namespaces = tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items()))
            key = (query_object, namespaces, base)
            if key not in _PREPARED:
                _PREPARED[key] = sparql_processor.prepareQuery(query_object, initNs=dict(initNs or {}), base=base)
            query_object = _PREPARED[key]
        return original(self, query_object, initBindings, initNs, base, DEBUG)

    sparql_processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        sparql_processor.SPARQLProcessor.query = original  # type: ignore[method-assign]


def share_reports_in(folder: Path) -> None:
    """Keep pyshacl's reports in ``folder`` too, where the other test processes of this run
    find them (the same dataset is validated by tests in two modules)."""
    folder.mkdir(parents=True, exist_ok=True)
    _SHARED[:] = [folder]


def content_key(store: ox.Store) -> str:
    """A hash of what ``store`` holds, the same for the same quads whatever its blank nodes
    are called (each ``dataset()`` parses the reference data, with new blank nodes, again)."""
    canonical = ox.Dataset(store)
    canonical.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return hashlib.sha256("\n".join(sorted(map(str, canonical))).encode()).hexdigest()


def pyshacl_report(store: ox.Store) -> ValidationReport:
    """The reference engine's report (pyshacl, through offri's ``--engine pyshacl`` path),
    computed once per dataset content in a test run: the shapes, pyshacl and offri do not
    change during a run, so the same quads get the same report."""
    key = content_key(store)
    if key not in _REPORTS:
        kept = _SHARED[0] / f"{key}.pickle" if _SHARED else None
        if kept is not None and kept.exists():
            _REPORTS[key] = pickle.loads(kept.read_bytes())
        else:
            with sparql_parsed_once():
                _REPORTS[key] = validate_graph(store_to_rdflib(store), project_shapes())
            if kept is not None:  # written whole, then renamed: another process never reads half
                partial = kept.with_suffix(f".{os.getpid()}.partial")
                partial.write_bytes(pickle.dumps(_REPORTS[key]))
                partial.replace(kept)
    return _REPORTS[key]


def summary(report: ValidationReport) -> tuple[tuple, ...]:
    """What a fixture names: focus, path, severity, shape, component for each result."""
    return tuple(sorted(((r.focus, r.path, r.severity.value, r.source_shape, r.component)
                         for r in report.results), key=str))
