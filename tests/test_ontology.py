"""The ontology, vocabularies and shapes: they parse, they are tidy, and HermiT finds them
consistent together with the example data (offline, local files only)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from offri_kg.resources import (example_data_files, ontology_files, reference_data_files,
                                resource_dir, shapes_files)

OFFRI = rdflib.Namespace("https://w3id.org/offri/ns#")
VOCAB = "https://w3id.org/offri/vocab/"
ONTO = resource_dir("ontology")


def parse(paths: list[Path]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return parse([ONTO / "offri.ttl"])


@pytest.fixture(scope="module")
def everything_defined() -> rdflib.Graph:
    return parse(ontology_files())


@pytest.fixture(scope="module")
def vocabularies() -> rdflib.Graph:
    return parse(sorted((ONTO / "vocab").glob("*.ttl")))


@pytest.mark.parametrize("path", [*ontology_files(), *shapes_files(), *reference_data_files(),
                                  *example_data_files()], ids=lambda p: p.name)
def test_every_file_parses(path: Path) -> None:
    assert len(rdflib.Graph().parse(path, format="turtle")) > 0


def test_ontology_header(ontology: rdflib.Graph) -> None:
    onto = rdflib.URIRef("https://w3id.org/offri/ns")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    for prop in (OWL.versionIRI, OWL.versionInfo, rdflib.DCTERMS.license, rdflib.DCTERMS.creator,
                 rdflib.URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"),
                 rdflib.URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")):
        assert ontology.value(onto, prop) is not None, prop
    for prop in (rdflib.DCTERMS.title, rdflib.DCTERMS.description):
        assert {o.language for o in ontology.objects(onto, prop)} >= {"nb", "en"}
    assert not list(ontology.objects(onto, OWL.imports)), "the ontology must load offline"


def minted_terms(graph: rdflib.Graph) -> set[rdflib.URIRef]:
    return {s for s in graph.subjects(RDF.type, None)
            if isinstance(s, rdflib.URIRef) and str(s).startswith(str(OFFRI))}


def test_every_minted_term_has_labels_definitions_and_is_defined_by(ontology: rdflib.Graph) -> None:
    terms = minted_terms(ontology)
    assert len(terms) > 50
    problems = []
    for term in sorted(terms):
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in ontology.objects(term, prop)}
            if not {"nb", "en"} <= langs:
                problems.append(f"{term} {prop} has {sorted(map(str, langs))}")
        if ontology.value(term, RDFS.isDefinedBy) != rdflib.URIRef("https://w3id.org/offri/ns"):
            problems.append(f"{term} lacks rdfs:isDefinedBy")
    assert not problems, "\n".join(problems)


def test_minted_classes_are_aligned(ontology: rdflib.Graph) -> None:
    """Every minted class is a subclass of, equivalent to or mapped to something reused."""
    unaligned = []
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if not isinstance(cls, rdflib.URIRef) or not str(cls).startswith(str(OFFRI)):
            continue
        links = list(ontology.objects(cls, RDFS.subClassOf)) + list(ontology.objects(cls, OWL.equivalentClass)) \
            + list(ontology.objects(cls, SKOS.closeMatch)) + list(ontology.objects(cls, SKOS.exactMatch)) \
            + list(ontology.objects(cls, SKOS.relatedMatch))
        if not links:
            unaligned.append(str(cls))
    # classes with no counterpart in a reused vocabulary are listed here on purpose
    assert set(unaligned) <= {str(OFFRI[n]) for n in ("Goal", "Anchoring", "Challenge", "ContextCondition",
                                                         "MunicipalContext")}, unaligned


def concepts(vocabularies: rdflib.Graph) -> set[rdflib.URIRef]:
    return set(vocabularies.subjects(RDF.type, SKOS.Concept))


def test_every_concept_is_complete(vocabularies: rdflib.Graph) -> None:
    problems = []
    for concept in sorted(concepts(vocabularies)):
        for prop in (SKOS.prefLabel, SKOS.definition):
            langs = sorted(o.language for o in vocabularies.objects(concept, prop))
            if langs != ["en", "nb"]:
                problems.append(f"{concept} {prop.fragment}: {langs}")
        if len(list(vocabularies.objects(concept, SKOS.notation))) != 1:
            problems.append(f"{concept} needs exactly one skos:notation")
        schemes = list(vocabularies.objects(concept, SKOS.inScheme))
        if len(schemes) != 1:
            problems.append(f"{concept} is in {len(schemes)} schemes")
    assert not problems, "\n".join(problems)


def test_no_orphan_concepts_and_top_concepts_declared(vocabularies: rdflib.Graph) -> None:
    problems = []
    for concept in concepts(vocabularies):
        scheme = vocabularies.value(concept, SKOS.inScheme)
        top = (concept, SKOS.topConceptOf, scheme) in vocabularies
        if top and (scheme, SKOS.hasTopConcept, concept) not in vocabularies:
            problems.append(f"{concept}: topConceptOf without hasTopConcept")
        broader = list(vocabularies.objects(concept, SKOS.broader))
        if not top and not broader:
            problems.append(f"{concept} is an orphan")
        for parent in broader:
            if vocabularies.value(parent, SKOS.inScheme) != scheme:
                problems.append(f"{concept} has a broader concept in another scheme")
    assert not problems, "\n".join(problems)


def test_every_scheme_is_described(vocabularies: rdflib.Graph) -> None:
    schemes = set(vocabularies.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) == 14
    for scheme in schemes:
        for prop in (rdflib.DCTERMS.title, rdflib.DCTERMS.description):
            assert {o.language for o in vocabularies.objects(scheme, prop)} >= {"nb", "en"}, (scheme, prop)
        assert list(vocabularies.objects(scheme, SKOS.hasTopConcept)), scheme
    notations = defaultdict(set)
    for concept in concepts(vocabularies):
        key = (vocabularies.value(concept, SKOS.inScheme), str(vocabularies.value(concept, SKOS.notation)))
        assert key not in notations, f"duplicate notation {key}"
        notations[key].add(concept)


def defined_terms(graph: rdflib.Graph) -> set[rdflib.term.Node]:
    kinds = {OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
             RDF.Property, SKOS.Concept, SKOS.ConceptScheme, OWL.NamedIndividual, RDFS.Datatype}
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind)}


BUILTIN = {str(RDF.type), str(RDFS.subClassOf), str(RDFS.label), str(RDFS.comment), str(RDFS.isDefinedBy)}


def test_every_term_named_by_a_shape_is_defined(everything_defined: rdflib.Graph) -> None:
    shapes = parse(shapes_files())
    defined = {str(t) for t in defined_terms(everything_defined)} | BUILTIN
    used = set()
    for prop in (SH.path, SH.inversePath, SH["class"], SH.targetClass, SH.targetSubjectsOf,
                 SH.targetObjectsOf, SH.lessThanOrEquals):
        for obj in shapes.objects(None, prop):
            if isinstance(obj, rdflib.URIRef):
                used.add(str(obj))
    for lst in shapes.objects(None, SH.path):  # sequence paths
        if isinstance(lst, rdflib.BNode) and shapes.value(lst, RDF.first) is not None:
            used.update(str(i) for i in rdflib.collection.Collection(shapes, lst))
    for obj in shapes.objects(None, SH.hasValue):
        if isinstance(obj, rdflib.URIRef):
            used.add(str(obj))
    undefined = sorted(u for u in used if u not in defined)
    assert not undefined, undefined


def test_every_term_used_in_data_is_defined(everything_defined: rdflib.Graph) -> None:
    data = parse([*reference_data_files(), *example_data_files()])
    defined = {str(t) for t in defined_terms(everything_defined)} | BUILTIN
    undefined = set()
    for _s, p, o in data:
        if str(p) not in defined:
            undefined.add(f"property {p}")
        if p == RDF.type and str(o) not in defined:
            undefined.add(f"class {o}")
        if isinstance(o, rdflib.URIRef) and str(o).startswith(VOCAB) and str(o) not in defined:
            undefined.add(f"concept {o}")
    assert not undefined, sorted(undefined)


def test_ontology_and_examples_are_consistent_under_hermit(tmp_path: Path) -> None:
    from offri_kg.reason import classify

    inferred = classify([*ontology_files(), *reference_data_files(), *example_data_files()], workdir=tmp_path)
    cross = {str(s) for s, _, o in inferred if o == OFFRI.CrossSectorPartnership}
    partnerships = {str(s) for s in parse(example_data_files()).subjects(RDF.type, OFFRI.Partnership)}
    assert partnerships and cross == partnerships
    public = {str(s) for s, _, o in inferred if o == OFFRI.PublicActor}
    assert "https://w3id.org/offri/id/municipality/arendal" in public


def test_hermit_finds_an_inconsistency(tmp_path: Path) -> None:
    """A reasoner test that cannot pass vacuously: something both a partnership and an actor."""
    from offri_kg.reason import InconsistentOntology, classify

    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://w3id.org/offri/id/x> a <https://w3id.org/offri/ns#Partnership> , "
                   "<https://w3id.org/offri/ns#Actor> .\n")
    with pytest.raises(InconsistentOntology):
        classify([*ontology_files(), bad], workdir=tmp_path)


def test_shapes_are_valid_shacl() -> None:
    """The shapes graph conforms to the W3C SHACL-for-SHACL shapes (pyshacl's meta-shacl)."""
    import pyshacl

    shapes = parse(shapes_files())
    conforms, _graph, text = pyshacl.validate(rdflib.Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_every_shape_has_messages_in_both_languages() -> None:
    from offri_kg.validate.engine import project_checks

    for check in project_checks():
        assert {lang for lang, _ in check.messages} == {"nb", "en"}, check.shape
