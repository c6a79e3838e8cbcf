"""Ingest: read RDF files safely into quads, one named graph per source file."""

from offri_kg.ingest.read import Source, graph_iri_for, read_source, read_sources

__all__ = ["Source", "graph_iri_for", "read_source", "read_sources"]
