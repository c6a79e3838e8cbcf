"""Conversions between rdflib terms, pyoxigraph terms, N-Triples text and SHACL paths.

Reports from both engines (offri's set-based one and pyshacl) are expressed in N-Triples
strings, so that they can be compared result for result.
"""

from __future__ import annotations

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.util import from_n3

from offri_kg.vocab import XSD_STRING


def to_nt(term: rdflib.term.Node) -> str:
    """An rdflib term in N-Triples syntax; literals normalised like pyoxigraph prints them."""
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    if isinstance(term, rdflib.Literal):
        if term.language is None and term.datatype in (None, rdflib.XSD.string):
            return rdflib.Literal(str(term)).n3()
        return term.n3()
    return term.n3()


def ox_to_nt(term: object) -> str:
    """A pyoxigraph term in N-Triples syntax, normalised like ``to_nt``."""
    text = str(term)
    text = text.removesuffix(f"^^<{XSD_STRING}>")
    return to_nt(from_nt(text)) if text.startswith('"') else text


def from_nt(text: str) -> rdflib.term.Node:
    """Parse one N-Triples term."""
    if text.startswith("_:"):
        return rdflib.BNode(text[2:])
    return from_n3(text)


def path_to_sparql(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    """A SHACL path (as in a shapes or results graph) written as a SPARQL property path."""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _group(path_to_sparql(graph, inverse))
    if graph.value(node, RDF.first) is not None:
        return "/".join(_group(path_to_sparql(graph, item)) for item in Collection(graph, node))
    alternative = graph.value(node, SH.alternativePath)
    if alternative is not None:
        return "(" + "|".join(path_to_sparql(graph, item) for item in Collection(graph, alternative)) + ")"
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(node, predicate)
        if inner is not None:
            return _group(path_to_sparql(graph, inner)) + suffix
    raise ValueError(f"not a SHACL path: {node!r}")


def _group(path: str) -> str:
    return path if path.startswith("<") and path.endswith(">") or path.startswith("(") else f"({path})"


def path_to_rdf(graph: rdflib.Graph, path: str) -> rdflib.term.Node:
    """The inverse of ``path_to_sparql`` for IRIs, inverse IRIs and sequences of them."""
    steps = [s for s in _split_sequence(path)]
    nodes: list[rdflib.term.Node] = []
    for step in steps:
        step = step.strip("()") if step.startswith("(") else step
        if step.startswith("^"):
            inverse = rdflib.BNode()
            graph.add((inverse, SH.inversePath, rdflib.URIRef(step[1:].strip("()<>"))))
            nodes.append(inverse)
        else:
            nodes.append(rdflib.URIRef(step.strip("<>")))
    if len(nodes) == 1:
        return nodes[0]
    head = rdflib.BNode()
    Collection(graph, head, nodes)
    return head


def _split_sequence(path: str) -> list[str]:
    parts, depth, current = [], 0, ""
    inside_iri = False
    for char in path:
        if char == "<":
            inside_iri = True
        elif char == ">":
            inside_iri = False
        elif not inside_iri and char == "(":
            depth += 1
        elif not inside_iri and char == ")":
            depth -= 1
        if char == "/" and depth == 0 and not inside_iri:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


__all__ = ["from_nt", "ox_to_nt", "path_to_rdf", "path_to_sparql", "to_nt"]
