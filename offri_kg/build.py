"""The main job on the embedded default: build the knowledge graph from the shipped data.

Today it loads the ontology, vocabularies, reference and example data into an in-memory
Oxigraph store, validates the whole, and summarises it; the persistent store and the server
build on this.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from offri_kg.ingest.read import read_sources
from offri_kg.resources import example_data_files
from offri_kg.validate.dataset import build_store
from offri_kg.validate.engine import validate_store
from offri_kg.validate.report import Severity, ValidationReport

OFFRI = "https://w3id.org/offri/ns#"

#: The classes a summary counts, in the order a reader meets them.
SUMMARY_CLASSES = ["Partnership", "Participation", "Actor", "Municipality", "Goal", "Anchoring",
                   "Challenge", "CollaborationModel", "ContextCondition", "Adoption", "Case",
                   "MunicipalContext", "PolicyDocument", "ResearchProject"]


class _Report(ValidationReport):
    def count_violations(self) -> int:
        return self.count(Severity.VIOLATION)


@dataclass
class BuildSummary:
    graphs: dict[str, int]
    classes: dict[str, int]
    illustrative: int
    report: _Report

    @property
    def total_triples(self) -> int:
        return sum(self.graphs.values())


def summarise(store: ox.Store, report: ValidationReport) -> BuildSummary:
    """Triples per named graph, instances per offri class (with subclasses), illustrative count."""
    graphs = {str(row["g"].value): int(row["n"].value) for row in store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")}
    classes = {}
    for name in SUMMARY_CLASSES:
        rows = list(store.query(
            f"PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
            f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x rdf:type/rdfs:subClassOf* <{OFFRI}{name}> }}",
            use_default_graph_as_union=True))
        classes[f"<{OFFRI}{name}>"] = int(rows[0]["n"].value)
    rows = list(store.query(
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x <{OFFRI}illustrative> true }}",
        use_default_graph_as_union=True))
    return BuildSummary(graphs=graphs, classes=classes, illustrative=int(rows[0]["n"].value),
                        report=_Report(report.results))


def build_default() -> BuildSummary:
    """Build and validate the shipped data (reference + examples)."""
    store = build_store(read_sources(example_data_files()))
    return summarise(store, validate_store(store))
