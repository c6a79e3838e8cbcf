"""Compile SHACL shapes into SPARQL queries that find all violations of a rule at once.

Why: pyshacl checks focus node by focus node in Python (≈260 s for a 1M-triple graph); the
same rules as set-based queries on Oxigraph take seconds, and restricted to a few focus nodes
(``VALUES ?this``) take milliseconds — that is how one new partnership is checked against a
national graph. The compiler covers the SHACL Core and SHACL-SPARQL features offri's shapes
use and refuses anything else (``UnsupportedShapeError``) rather than ignore it; a test runs
pyshacl and this engine side by side and demands identical reports.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from offri_kg.errors import UnsupportedShapeError
from offri_kg.validate.report import Severity
from offri_kg.validate.terms import path_to_sparql, to_nt
from offri_kg.vocab import sparql_prefixes

FOCUS = "#FOCUS#"

#: Predicates on a shape that are not constraints (or are read together with one).
_NON_CONSTRAINTS = {
    RDF.type, SH.path, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group,
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property,
    SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint,
    RDFS.label, RDFS.comment, SH.deactivated,
}

#: Components whose results carry no sh:value when on a property shape.
_NO_VALUE = {SH.minCount, SH.maxCount, SH.hasValue, SH.qualifiedValueShape}

_CASTS = {XSD.date: "xsd:date", XSD.integer: "xsd:integer", XSD.boolean: "xsd:boolean",
          XSD.gYear: "xsd:gYear", XSD.dateTime: "xsd:dateTime", XSD.decimal: "xsd:decimal"}

PREFIXES = sparql_prefixes("rdf", "rdfs", "xsd", separator="\n")


@dataclass(frozen=True)
class Check:
    """One rule (a shape and one of its constraint components) as a query.

    The query selects ``?this`` (focus node) and optionally ``?value`` and ``?path``; the marker
    ``#FOCUS#`` sits where a ``VALUES ?this {…}`` may restrict it to some focus nodes.
    """

    shape: str
    component: str
    severity: Severity
    messages: tuple[tuple[str, str], ...]
    path: str | None
    query: str
    value_is_focus: bool = False
    focused_query: str = ""


class _Vars:
    def __init__(self) -> None:
        self._counter = itertools.count()

    def new(self) -> str:
        return f"?_v{next(self._counter)}"


def _term(node: rdflib.term.Node) -> str:
    if isinstance(node, rdflib.BNode):
        raise UnsupportedShapeError("blank node as a constant in a shape")
    return to_nt(node) if not isinstance(node, rdflib.Literal) else node.n3()


class ShapeCompiler:
    """Turns a shapes graph into ``Check`` objects."""

    def __init__(self, shapes: rdflib.Graph, focused: bool = False) -> None:
        self.g = shapes
        self.vars = _Vars()
        #: Whether the queries are for a few focus nodes (``VALUES ?this``) or for all of them.
        #: A top-level "no value conforms" test is written as ``MINUS`` for all (Oxigraph runs it
        #: as a hash anti-join: 0.1 s at 1M triples, where ``FILTER NOT EXISTS`` took 370 s),
        #: and as ``OPTIONAL`` + ``!bound`` for a few (index lookups from the bound ?this).
        self.focused = focused

    # ---- helpers -------------------------------------------------------------------------
    def _messages(self, shape: rdflib.term.Node) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((m.language or "", str(m)) for m in self.g.objects(shape, SH.message)))

    def _severity(self, shape: rdflib.term.Node) -> Severity:
        value = self.g.value(shape, SH.severity)
        return Severity.from_iri(str(value)) if value is not None else Severity.VIOLATION

    def _targets(self, shape: rdflib.term.Node) -> list[str]:
        parts = []
        for cls in self.g.objects(shape, SH.targetClass):
            parts.append(f"?this rdf:type/rdfs:subClassOf* {_term(cls)} .")
        for pred in self.g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"?this {_term(pred)} ?_ts .")
        for pred in self.g.objects(shape, SH.targetObjectsOf):
            parts.append(f"?_to {_term(pred)} ?this .")
        nodes = list(self.g.objects(shape, SH.targetNode))
        if nodes:
            parts.append("VALUES ?this { " + " ".join(_term(n) for n in nodes) + " }")
        if (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, OWL.Class) in self.g:
            parts.append(f"?this rdf:type/rdfs:subClassOf* {_term(shape)} .")
        return parts

    def _target_block(self, shape: rdflib.term.Node) -> str:
        union = " UNION ".join("{ " + p + " }" for p in self._targets(shape))
        if self.focused:
            # a few focus nodes: bind ?this first and join the targets inline, so Oxigraph looks
            # the nodes up instead of scanning (at 1M: a label check over one record, 100 ms -> 1 ms)
            return f"{FOCUS} {union}"
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"

    def _implied_by_value(self, shape: rdflib.term.Node, path: str | None) -> bool:
        """Whether every focus node with a value for ``path`` is a target anyway: the shape's
        only target is ``sh:targetSubjectsOf P`` and the path is ``P``. Then a full check can
        skip the target subquery (at 1M triples: 0.41 s -> 0.09 s for a datatype rule)."""
        targets = self._targets(shape)
        subjects_of = list(self.g.objects(shape, SH.targetSubjectsOf))
        return (not self.focused and path is not None and len(targets) == 1 and len(subjects_of) == 1
                and path == _term(subjects_of[0]))

    def _path(self, shape: rdflib.term.Node) -> str | None:
        node = self.g.value(shape, SH.path)
        return None if node is None else path_to_sparql(self.g, node)

    def _constraints(self, shape: rdflib.term.Node) -> list[tuple[rdflib.URIRef, rdflib.term.Node]]:
        if self.g.value(shape, SH.deactivated) == rdflib.Literal(True):
            raise UnsupportedShapeError(f"deactivated shape {shape}")
        out = []
        for pred, obj in self.g.predicate_objects(shape):
            if pred in _NON_CONSTRAINTS:
                continue
            if pred == SH.sparql or str(pred).startswith(str(SH)):
                out.append((pred, obj))
            # predicates outside sh: are annotations
        return sorted(out, key=lambda po: (str(po[0]), str(po[1])))

    # ---- violation patterns: hold when ``focus`` violates one constraint ------------------
    def _pattern(self, shape: rdflib.term.Node, pred: rdflib.URIRef, obj: rdflib.term.Node,
                 focus: str, value: str, nested: bool) -> str | None:
        """A group pattern true when ``focus`` violates constraint ``pred obj`` of ``shape``.

        Binds ``value`` when the component reports a value node. Returns None for components
        that are handled elsewhere (aggregates at top level)."""
        path = self._path(shape)
        subject_is_property = path is not None
        bind = f"{focus} {path} {value} ." if subject_is_property else f"BIND({focus} AS {value})"
        if pred == SH.minCount:
            n = int(obj)
            if not subject_is_property:
                raise UnsupportedShapeError("sh:minCount on a node shape")
            if n == 1:
                return f"FILTER NOT EXISTS {{ {focus} {path} {self.vars.new()} }}"
            if nested:
                raise UnsupportedShapeError("nested sh:minCount > 1")
            return None
        if pred == SH.maxCount:
            if nested and int(obj) == 1:
                a, b = self.vars.new(), self.vars.new()
                return f"{focus} {path} {a} . {focus} {path} {b} . FILTER(!sameTerm({a}, {b}))"
            if nested:
                raise UnsupportedShapeError("nested sh:maxCount > 1")
            return None
        if pred == SH["class"]:
            if not nested and not self.focused:
                # all instances once, as a hash anti-join (at 1M: 0.26 s -> 0.16 s)
                return f"{bind} MINUS {{ {value} rdf:type/rdfs:subClassOf* {_term(obj)} }}"
            return f"{bind} FILTER NOT EXISTS {{ {value} rdf:type/rdfs:subClassOf* {_term(obj)} }}"
        if pred == SH.datatype:
            cast = _CASTS.get(obj)
            if obj == RDF.langString:
                check = f"!isLiteral({value}) || datatype({value}) != rdf:langString"
                return f"{bind} FILTER({check})"
            if cast:
                ok = self.vars.new()
                return (f"{bind} BIND({cast}({value}) AS {ok}) "
                        f"FILTER(!isLiteral({value}) || datatype({value}) != {_term(obj)} || !bound({ok}))")
            return f"{bind} FILTER(!isLiteral({value}) || datatype({value}) != {_term(obj)})"
        if pred == SH.nodeKind:
            tests = {SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
                     SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
                     SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
                     SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))"}
            return f"{bind} FILTER(!{tests[obj].format(v=value)})"
        if pred == SH.pattern:
            flags = self.g.value(shape, SH.flags)
            args = rdflib.Literal(str(obj)).n3() + (", " + rdflib.Literal(str(flags)).n3() if flags else "")
            return f"{bind} FILTER(isBlank({value}) || !regex(str({value}), {args}))"
        if pred == SH.hasValue:
            if not subject_is_property:
                return f"FILTER(!sameTerm({focus}, {_term(obj)}))"
            return f"FILTER NOT EXISTS {{ {focus} {path} {_term(obj)} }}"
        if pred == SH["in"]:
            members = [_term(m) for m in Collection(self.g, obj)]
            same = " || ".join(f"sameTerm({value}, {m})" for m in members) or "false"
            return f"{bind} FILTER(!({same}))"
        if pred == SH.node:
            return f"{bind} FILTER EXISTS {{ {self.violates(obj, value)} }}"
        if pred == SH["not"]:
            return f"{bind} FILTER NOT EXISTS {{ {self.violates(obj, value)} }}"
        if pred == SH["or"]:
            alternatives = list(Collection(self.g, obj))
            filters = " ".join(f"FILTER EXISTS {{ {self.violates(a, value)} }}" for a in alternatives)
            return f"{bind} {filters}"
        if pred == SH.qualifiedValueShape:
            low = self.g.value(shape, SH.qualifiedMinCount)
            high = self.g.value(shape, SH.qualifiedMaxCount)
            if high is not None or low is None or int(low) != 1:
                raise UnsupportedShapeError("only sh:qualifiedMinCount 1 is supported")
            q = self.vars.new()
            positive = self.conforms_positively(obj, q)
            if positive is not None and nested:
                return f"FILTER NOT EXISTS {{ {focus} {path} {q} . {positive} }}"
            if positive is not None and self.focused:
                return f"OPTIONAL {{ {focus} {path} {q} . {positive} }} FILTER(!bound({q}))"
            if positive is not None:
                return f"MINUS {{ {focus} {path} {q} . {positive} }}"
            return (f"FILTER NOT EXISTS {{ {focus} {path} {q} . "
                    f"FILTER NOT EXISTS {{ {self.violates(obj, q)} }} }}")
        if pred in (SH.lessThanOrEquals, SH.lessThan):
            other = self.vars.new()
            op = "<=" if pred == SH.lessThanOrEquals else "<"
            return f"{bind} {focus} {_term(obj)} {other} . FILTER(!COALESCE({value} {op} {other}, false))"
        if pred in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            op = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
                  SH.maxExclusive: "<"}[pred]
            return f"{bind} FILTER(!COALESCE({value} {op} {_term(obj)}, false))"
        if pred == SH.sparql:
            if nested:
                raise UnsupportedShapeError("nested sh:sparql")
            return None
        raise UnsupportedShapeError(f"constraint {pred} is not supported by the set-based engine")

    def conforms_positively(self, shape: rdflib.term.Node, focus: str) -> str | None:
        """A positive pattern for "``focus`` conforms to ``shape``" when the shape is one
        ``sh:hasValue`` or one ``sh:class`` (else None); it lets the engine join instead of
        nesting two negations."""
        constraints = self._constraints(shape)
        if len(constraints) != 1 or list(self.g.objects(shape, SH.property)):
            return None
        pred, obj = constraints[0]
        path = self._path(shape)
        if pred == SH.hasValue:
            return f"{focus} {path} {_term(obj)} ." if path else f"FILTER(sameTerm({focus}, {_term(obj)}))"
        if pred == SH["class"] and path is None:
            return f"{focus} rdf:type/rdfs:subClassOf* {_term(obj)} ."
        return None

    def violates(self, shape: rdflib.term.Node, focus: str) -> str:
        """A group pattern that holds when ``focus`` does not conform to ``shape`` (nested use)."""
        patterns = []
        for pred, obj in self._constraints(shape):
            value = self.vars.new()
            patterns.append(self._pattern(shape, pred, obj, focus, value, nested=True))
        for prop in self.g.objects(shape, SH.property):
            patterns.append(self.violates(prop, focus))
        if not patterns:
            return "FILTER(false)"
        return " UNION ".join("{ " + p + " }" for p in patterns)

    # ---- top-level checks ----------------------------------------------------------------
    def _component(self, pred: rdflib.URIRef) -> str:
        name = {SH["class"]: "Class", SH["in"]: "In", SH["or"]: "Or", SH["not"]: "Not",
                SH.sparql: "SPARQL", SH.qualifiedValueShape: "QualifiedMinCount"}.get(pred)
        if name is None:
            local = str(pred).rsplit("#", 1)[-1]
            name = local[0].upper() + local[1:]
        return f"{SH}{name}ConstraintComponent"

    def _checks_for(self, shape: rdflib.term.Node, targets_of: rdflib.term.Node) -> list[Check]:
        """Checks for ``shape``'s own constraints, with the targets of ``targets_of``."""
        checks = []
        path = self._path(shape)
        targets = self._target_block(targets_of)
        implied = self._implied_by_value(targets_of, path)
        common = dict(shape=to_nt(shape), severity=self._severity(shape), messages=self._messages(shape),
                      path=path)
        for pred, obj in self._constraints(shape):
            component = self._component(pred)
            if pred == SH.sparql:
                checks.append(self._sparql_check(shape, obj, targets, common))
                continue
            pattern = self._pattern(shape, pred, obj, "?this", "?value", nested=False)
            if pattern is None and pred == SH.minCount:
                query = (f"SELECT ?this WHERE {{ {targets} OPTIONAL {{ ?this {path} ?_v }} }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) < {int(obj)})")
            elif pattern is None and pred == SH.maxCount and int(obj) == 1:
                # two different values, as a self-join: 4x faster on Oxigraph than GROUP BY at 1M
                query = (f"SELECT DISTINCT ?this WHERE {{ {'' if implied else targets} ?this {path} ?_a . "
                         f"?this {path} ?_b . FILTER(!sameTerm(?_a, ?_b)) }}")
            elif pattern is None and pred == SH.maxCount:
                query = (f"SELECT ?this WHERE {{ {'' if implied else targets} ?this {path} ?_v }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) > {int(obj)})")
            else:
                reports_value = path is None or pred not in _NO_VALUE
                select = "?this ?value" if reports_value else "?this"
                needs_value = pattern.startswith(f"?this {path} ?value .")
                query = f"SELECT DISTINCT {select} WHERE {{ {'' if implied and needs_value else targets} {pattern} }}"
            checks.append(Check(component=component, query=PREFIXES + query,
                                value_is_focus=path is None, **common))
        return checks

    def _prefixes_of(self, constraint: rdflib.term.Node) -> str:
        lines = []
        for source in self.g.objects(constraint, SH.prefixes):
            for decl in self.g.objects(source, SH.declare):
                prefix = self.g.value(decl, SH.prefix)
                namespace = self.g.value(decl, SH.namespace)
                lines.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(sorted(set(lines))) + "\n"

    def _sparql_check(self, shape, constraint, targets: str, common: dict) -> Check:
        text = str(self.g.value(constraint, SH.select))
        text = re.sub(r"\$this\b", "?this", text)
        select_part, _, body = text.partition("WHERE")
        body = body.strip()
        if not (body.startswith("{") and body.endswith("}")):
            raise UnsupportedShapeError("SPARQL constraint must be SELECT … WHERE { … }")
        projected = [v for v in ("?value", "?path") if v in select_part]
        query = (f"SELECT DISTINCT ?this {' '.join(projected)} WHERE {{ {targets} {body[1:-1]} }}")
        messages = self._messages(constraint) or common["messages"]
        return Check(component=f"{SH}SPARQLConstraintComponent", query=PREFIXES + self._prefixes_of(constraint) + query,
                     value_is_focus=common["path"] is None and "?value" not in projected,
                     **{**common, "messages": messages})

    def compile(self) -> list[Check]:
        """Every check of every shape that has targets, with its property shapes."""
        checks: list[Check] = []
        shapes_with_targets = set()
        for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            shapes_with_targets.update(self.g.subjects(pred, None))
        for shape in sorted(shapes_with_targets, key=str):
            checks.extend(self._checks_for(shape, shape))
            for prop in sorted(self.g.objects(shape, SH.property), key=str):
                checks.extend(self._checks_for(prop, shape))
        return checks


def compile_shapes(shapes: rdflib.Graph) -> list[Check]:
    """Compile ``shapes`` into checks; raises ``UnsupportedShapeError`` for SHACL it cannot run.

    Each check carries two equivalent queries: ``query`` for the whole graph and
    ``focused_query`` for a few focus nodes, written for what Oxigraph evaluates fast in each case.
    """
    full = ShapeCompiler(shapes).compile()
    focused = ShapeCompiler(shapes, focused=True).compile()
    return [replace(f, focused_query=g.query) for f, g in zip(full, focused, strict=True)]
