"""Plain pyshacl: the reference semantics offri's set-based engine must reproduce exactly.

Used by the tests (result-for-result comparison) and the benchmark (the naive baseline), and
available as ``offri validate --engine pyshacl``. Always given offri's own shapes graph: pyshacl
would otherwise take shapes from the data. pyshacl is an extra (``offri[pyshacl]``), imported
only when a validation runs: reading a report back needs only rdflib.
"""

from __future__ import annotations

import rdflib
from rdflib.namespace import SH

from offri_kg.extras import require
from offri_kg.validate.report import Severity, ValidationReport, ValidationResult
from offri_kg.validate.terms import path_to_sparql, to_nt


def validate_graph(data: rdflib.Graph, shapes: rdflib.Graph) -> ValidationReport:
    """Validate one rdflib graph with pyshacl (no inference, shapes never from the data).

    Raises ``OffriError("extra-missing")`` when pyshacl is not installed."""
    pyshacl = require("pyshacl")
    _conforms, results_graph, _text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=None, inference="none", abort_on_first=False,
        allow_infos=True, allow_warnings=True, advanced=False, meta_shacl=False, debug=False)
    return report_from_graph(results_graph, shapes)


def _message_languages(shapes: rdflib.Graph | None) -> dict[str, str]:
    """Message text -> language tag, from every sh:message in the shapes.

    pyshacl drops the language tag of messages of SPARQL constraints (it treats them as
    templates); the shapes tell which language each text was written in.
    """
    if shapes is None:
        return {}
    return {str(m): m.language for m in shapes.objects(None, SH.message)
            if isinstance(m, rdflib.Literal) and m.language}


def report_from_graph(graph: rdflib.Graph, shapes: rdflib.Graph | None = None) -> ValidationReport:
    """Read a ``sh:ValidationReport`` graph into offri's typed report."""
    languages = _message_languages(shapes)
    results = []
    for node in graph.objects(None, SH.result):  # not nested sh:detail results
        path_node = graph.value(node, SH.resultPath)
        value = graph.value(node, SH.value)
        results.append(ValidationResult(
            focus=to_nt(graph.value(node, SH.focusNode)),
            path=None if path_node is None else path_to_sparql(graph, path_node),
            value=None if value is None else to_nt(value),
            severity=Severity.from_iri(str(graph.value(node, SH.resultSeverity))),
            source_shape=to_nt(graph.value(node, SH.sourceShape)),
            component=str(graph.value(node, SH.sourceConstraintComponent)),
            messages=tuple(sorted((m.language or languages.get(str(m), ""), str(m))
                                  for m in graph.objects(node, SH.resultMessage))),
        ))
    return ValidationReport(results)
