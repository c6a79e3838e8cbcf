"""The validation report: typed results, grouped by focus node, in SHACL's own terms."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum

import rdflib
from rdflib.namespace import RDF, SH

from offri_kg.i18n import message


class Severity(str, Enum):
    """SHACL's three severities, most serious first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def iri(self) -> str:
        return str(SH) + self.value

    @property
    def rank(self) -> int:
        return {"Violation": 0, "Warning": 1, "Info": 2}[self.value]

    @classmethod
    def from_iri(cls, iri: str) -> Severity:
        return cls(iri.rsplit("#", 1)[-1])


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``. Terms are in N-Triples syntax (``<iri>``, ``"lit"@en``, ``_:b``);
    ``path`` is the SHACL path written as a SPARQL property path."""

    focus: str
    path: str | None
    value: str | None
    severity: Severity
    source_shape: str
    component: str
    messages: tuple[tuple[str, str], ...] = ()

    def message(self, lang: str) -> str:
        """The shape's message in ``lang``, falling back to English, then to any."""
        by_lang = dict(self.messages)
        return by_lang.get(lang) or by_lang.get("en") or next(iter(by_lang.values()), "")

    def key(self) -> tuple:
        """What two engines must agree on (blank node labels are engine-specific)."""
        def norm(term: str | None) -> str | None:
            return "_:" if term is not None and term.startswith("_:") else term
        return (norm(self.focus), self.path, norm(self.value), self.severity.value,
                norm(self.source_shape), self.component, self.messages)


@dataclass
class ValidationReport:
    """All results of one validation. ``conforms`` follows SHACL: no results of any severity."""

    results: list[ValidationResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # message codes: what a reader should know (no data)

    @property
    def conforms(self) -> bool:
        return not self.results

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.results if r.severity is severity)

    def has_at_least(self, severity: Severity) -> bool:
        """True when a result is as serious as ``severity`` or more (for ``--fail-on``)."""
        return any(r.severity.rank <= severity.rank for r in self.results)

    def by_focus(self) -> dict[str, list[ValidationResult]]:
        """Results grouped by focus node, the most serious first within each group."""
        groups: dict[str, list[ValidationResult]] = defaultdict(list)
        for result in sorted(self.results, key=lambda r: (r.focus, r.severity.rank, r.path or "", r.source_shape)):
            groups[result.focus].append(result)
        return dict(sorted(groups.items(), key=lambda kv: (min(r.severity.rank for r in kv[1]), kv[0])))

    def summary(self, lang: str) -> str:
        notes = "".join(f" {message('report-note-' + note, lang)}" for note in self.notes)
        if self.conforms:
            return message("report-conforms", lang) + notes
        return message("report-summary", lang, violations=self.count(Severity.VIOLATION),
                 warnings=self.count(Severity.WARNING), infos=self.count(Severity.INFO),
                 nodes=len({r.focus for r in self.results})) + notes

    def to_json(self, lang: str) -> str:
        """A JSON document: conforms, counts, and results grouped by focus node."""
        return json.dumps({
            "conforms": self.conforms,
            "violations": self.count(Severity.VIOLATION),
            "warnings": self.count(Severity.WARNING),
            "infos": self.count(Severity.INFO),
            "notes": [message("report-note-" + note, lang) for note in self.notes],
            "focusNodes": [
                {"focusNode": focus, "results": [
                    {"severity": r.severity.value, "path": r.path, "value": r.value,
                     "message": r.message(lang), "sourceShape": r.source_shape,
                     "constraintComponent": r.component} for r in results]}
                for focus, results in self.by_focus().items()
            ],
        }, ensure_ascii=False, indent=2)

    def to_graph(self) -> rdflib.Graph:
        """A standard ``sh:ValidationReport`` graph (paths as SPARQL path literals when complex)."""
        from offri_kg.validate.terms import from_nt, path_to_rdf

        graph = rdflib.Graph()
        graph.bind("sh", SH)
        report = rdflib.BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, rdflib.Literal(self.conforms)))
        for r in self.results:
            node = rdflib.BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, from_nt(r.focus)))
            graph.add((node, SH.resultSeverity, rdflib.URIRef(r.severity.iri)))
            graph.add((node, SH.sourceShape, from_nt(r.source_shape)))
            graph.add((node, SH.sourceConstraintComponent, rdflib.URIRef(r.component)))
            if r.path:
                graph.add((node, SH.resultPath, path_to_rdf(graph, r.path)))
            if r.value:
                graph.add((node, SH.value, from_nt(r.value)))
            for lang, text in r.messages:
                graph.add((node, SH.resultMessage, rdflib.Literal(text, lang=lang)))
        return graph

    def to_turtle(self) -> str:
        return self.to_graph().serialize(format="turtle")
