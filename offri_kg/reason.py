"""OWL reasoning with HermiT through owlready2, offline and on the project's own files only.

owlready2 reads N-Triples, not Turtle, and would follow owl:imports over the network: the input
is converted to N-Triples with the imports removed, loaded into a private ``World``, and
classified with HermiT. The inferred types come back as triples for an inferred graph, never
mixed into the asserted data. owlready2 is an extra (``offri[reason]``), imported only when
``classify`` runs, so this module imports without it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF

from offri_kg.extras import require
from offri_kg.ingest.parse import rdflib_graph
from offri_kg.ingest.read import read_source


class InconsistentOntology(Exception):
    """HermiT found the ontology plus data inconsistent."""


def classify(paths: Iterable[Path], workdir: Path | None = None) -> set[tuple[rdflib.URIRef, rdflib.URIRef, rdflib.URIRef]]:
    """Classify ``paths`` (Turtle) with HermiT; return inferred ``rdf:type`` triples of named individuals.

    Raises ``OffriError("extra-missing")`` when owlready2 is not installed."""
    owlready2 = require("owlready2")

    graph = rdflib_graph(read_source(path, format="turtle") for path in paths)
    graph.remove((None, OWL.imports, None))
    asserted = set(graph.triples((None, RDF.type, None)))
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        target = Path(scratch) / "input.nt"
        graph.serialize(destination=str(target), format="nt", encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(target.as_uri()).load()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False,
                                           ignore_unsupported_datatypes=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            raise InconsistentOntology(str(exc)) from None
        inferred = set()
        subjects = {s for s, _p, _o in asserted if isinstance(s, rdflib.URIRef)}
        for subject in sorted(subjects):
            individual = world[str(subject)]
            if not isinstance(individual, owlready2.Thing):
                continue
            for cls in individual.is_a:
                iri = getattr(cls, "iri", None)
                if iri is None:
                    continue
                triple = (rdflib.URIRef(individual.iri), RDF.type, rdflib.URIRef(iri))
                if triple not in asserted:
                    inferred.add(triple)
        world.close()
    return inferred
