"""The main job on the embedded default: build the knowledge graph from the shipped data.

It loads the ontology, vocabularies, reference and example data into the embedded store
(validated first, all-or-nothing), validates the whole store and summarises it; or puts the
same graphs into a remote SPARQL store (``build_remote``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from offri_kg.ingest.read import Source, read_sources
from offri_kg.resources import example_data_files
from offri_kg.store.base import Store, default_store_path
from offri_kg.store.provenance import checksum
from offri_kg.validate.engine import validate_store
from offri_kg.validate.report import Severity, ValidationReport
from offri_kg.vocab import OFFRI, sparql_prefixes

#: The classes a summary counts, in the order a reader meets them.
SUMMARY_CLASSES = ["Partnership", "Participation", "Actor", "Municipality", "Goal", "Anchoring",
                   "Challenge", "CollaborationModel", "ContextCondition", "Adoption", "Case",
                   "MunicipalContext", "PolicyDocument", "ResearchProject"]


class _Report(ValidationReport):
    def count_violations(self) -> int:
        return self.count(Severity.VIOLATION)


@dataclass
class BuildSummary:
    location: str
    graphs: dict[str, int]
    classes: dict[str, int]
    illustrative: int
    report: _Report

    @property
    def total_triples(self) -> int:
        return sum(self.graphs.values())


def class_counts(store: Store) -> dict[str, int]:
    """Instances of each offri class (with subclasses), in reading order."""
    values = " ".join(f"<{OFFRI}{name}>" for name in SUMMARY_CLASSES)
    rows = store.query(
        sparql_prefixes("rdf", "rdfs") +
        f"SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ VALUES ?c {{ {values} }} "
        "OPTIONAL { ?x rdf:type/rdfs:subClassOf* ?c } } GROUP BY ?c")
    counts = {row["c"].value: int(row["n"].value) for row in rows}
    return {f"<{OFFRI}{name}>": counts.get(f"{OFFRI}{name}", 0) for name in SUMMARY_CLASSES}


def build_default(path: Path | None = None) -> BuildSummary:
    """Load the shipped example data into the embedded store (validated, all-or-nothing;
    unchanged files are not reloaded), validate the whole store, and summarise it."""
    from offri_kg.store.embedded import EmbeddedStore

    store = EmbeddedStore(path or default_store_path())
    try:
        _load_changed(store, read_sources(example_data_files()))
        return _summary(store, validate_store(store.oxigraph))
    finally:
        store.close()


def _load_changed(store: Store, sources: list[Source]) -> None:
    """Load those of ``sources`` whose graph's load record names another checksum, or none."""
    known = {graph: record.checksum for graph, record in store.records().items()}
    changed = [s for s in sources if known.get(s.graph) != checksum(s.data)]
    if changed:
        store.load(changed, agent="offri build")


def _summary(store: Store, report: ValidationReport) -> BuildSummary:
    """What a build reports: the store's graphs and classes, its invented resources, ``report``."""
    graphs = {g.iri: g.triples for g in store.graphs()}
    illustrative = int(next(iter(store.query(
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x <{OFFRI}illustrative> true }}").rows))["n"].value)
    return BuildSummary(location=store.location, graphs=graphs, classes=class_counts(store),
                        illustrative=illustrative, report=_Report(report.results))


def build_remote(endpoint: str, timeout: float = 30.0) -> BuildSummary:
    """The same knowledge graph in a remote store: the ontology, vocabularies and reference data
    (which the embedded store carries by itself, and which the stored queries need) and the
    example data, each in the graph it has in the embedded store. Graphs whose recorded
    checksum matches are not sent again. The report is the validation of that data, made
    before anything is sent (a remote store has no engine of offri's to validate with)."""
    from offri_kg.store.remote import RemoteStore
    from offri_kg.validate.dataset import build_store, reference_sources

    store = RemoteStore(endpoint, timeout=timeout)
    try:
        examples = read_sources(example_data_files())
        _load_changed(store, [*reference_sources(), *examples])
        return _summary(store, validate_store(build_store(examples)))
    finally:
        store.close()
