"""Validate: SHACL against offri's own shapes, over the input plus the reference graphs.

``validate_files`` is the library entry point: it returns a ``ValidationReport`` and prints
nothing. The default engine compiles the shapes to SPARQL and runs them on Oxigraph; the
``pyshacl`` engine runs plain pyshacl over the same dataset and must give the same report.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from offri_kg.ingest.read import read_sources
from offri_kg.validate.dataset import build_store, store_to_rdflib
from offri_kg.validate.engine import project_shapes, validate_store
from offri_kg.validate.pyshacl_engine import validate_graph
from offri_kg.validate.report import Severity, ValidationReport, ValidationResult

ENGINES = ("oxigraph", "pyshacl")


def validate_files(paths: Iterable[Path | str], format: str | None = None,
                   engine: str = "oxigraph") -> ValidationReport:
    """Validate files together as one dataset (with the project's reference graphs).

    Raises ``InputError`` (with file, line and column) if any file cannot be read. What RDF
    calls valid is read: an empty file (no data: it conforms, and the report notes it), a graph
    named by a blank node (``offri load`` refuses those; a store names graphs by IRIs).
    """
    sources = read_sources(list(paths), format, allow_empty=True)
    store = build_store(sources, blank_graphs=True)
    report = (validate_graph(store_to_rdflib(store), project_shapes()) if engine == "pyshacl"
              else validate_store(store))
    if all(not source.data.strip() for source in sources):
        report.notes.append("no-data")
    return report


__all__ = [
    "ENGINES",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "validate_files",
    "validate_graph",
    "validate_store",
]
