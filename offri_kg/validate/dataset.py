"""The validation dataset: the user's files together with the project's reference graphs.

A partnership names municipalities, roles and sectors that live in the ontology, the
vocabularies and the reference data, so those are always validated alongside the input.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib

from offri_kg.ingest.parse import parse_into
from offri_kg.ingest.read import Source, read_source
from offri_kg.resources import ontology_files, reference_data_files
from offri_kg.vocab import GRAPH

ONTOLOGY_GRAPH = GRAPH + "ontology"


def load_source(store: ox.Store, source: Source, blank_graphs: bool = False) -> None:
    """Parse ``source`` into ``store``; default-graph triples go to the source's named graph
    (``blank_graphs``: graphs named by blank nodes get an IRI of their own instead of being
    refused — for validation, which keeps no store)."""
    parse_into(store, source, blank_graphs=blank_graphs)


@lru_cache(maxsize=1)
def reference_sources() -> tuple[Source, ...]:
    """Ontology, vocabularies and reference data, each in its own named graph."""
    sources = [read_source(p, graph=f"{ONTOLOGY_GRAPH}/{p.stem}") for p in ontology_files()]
    sources += [read_source(p) for p in reference_data_files()]
    return tuple(sources)


def build_store(sources: Iterable[Source], with_reference: bool = True, blank_graphs: bool = False) -> ox.Store:
    """A fresh in-memory store holding ``sources`` (and the reference graphs)."""
    store = ox.Store()
    for source in (*(reference_sources() if with_reference else ()), *sources):
        load_source(store, source, blank_graphs)
    return store


def store_to_rdflib(store: ox.Store) -> rdflib.Graph:
    """The union of all graphs as one rdflib graph (for pyshacl, the reference engine)."""
    data = store.dump(format=ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="nquads")
    graph = rdflib.Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def paths_of(paths: Iterable[Path | str]) -> list[Path]:
    return [Path(p) for p in paths]
