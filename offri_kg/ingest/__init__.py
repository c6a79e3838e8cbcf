"""Ingest: read RDF files safely into quads, one named graph per source file."""

from offri_kg.ingest.read import FORMATS, Source, graph_iri_for, read_source, read_sources

__all__ = ["FORMATS", "Source", "graph_iri_for", "read_source", "read_sources"]
