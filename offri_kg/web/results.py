"""Query answers in the W3C formats, with a row cap checked before anything is sent.

pyoxigraph serialises a result only while it streams it, so a cap on rows ("more than N rows is
refused, never cut silently") would otherwise mean running the query twice. The worker has
Oxigraph write SPARQL TSV (a row is a line) and stops it after N + 1 rows, so N bounds the
cost; the TSV is then turned into the format asked for, by Oxigraph again except for XML (its
writer lets through characters XML cannot carry). Nothing here makes a Python object per
term: that was a sixth of a small query's cost in the worker. CONSTRUCT/DESCRIBE answers and
booleans are written by pyoxigraph.
"""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: media type -> results format, for SELECT and ASK
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: media type -> RDF format, for CONSTRUCT and DESCRIBE
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
CONTENT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8"}


# characters XML 1.0 cannot carry at all (even escaped); RDF literals may hold them
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    """XML-safe text: escaped, and characters XML cannot carry replaced by U+FFFD."""
    return _xml_escape(_NOT_XML.sub("\ufffd", text))


def quoteattr(text: str) -> str:
    return _xml_quoteattr(_NOT_XML.sub("\ufffd", text))


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"not an RDF term: {term!r}")


#: the formats Oxigraph writes from TSV itself
_NATIVE = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV}


def from_tsv(tsv: bytes, fmt: str) -> bytes:
    """A SELECT answer that Oxigraph wrote as SPARQL TSV, in ``fmt`` (json, xml, csv, tsv)."""
    if fmt == "tsv":
        return tsv
    solutions = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    if fmt in _NATIVE:
        return solutions.serialize(format=_NATIVE[fmt])  # type: ignore[union-attr]
    if fmt == "xml":
        return _write_xml([v.value for v in solutions.variables], solutions)  # type: ignore[union-attr]
    raise ValueError(fmt)


def _write_xml(variables: list[str], rows: object) -> bytes:
    """A SELECT answer in SPARQL XML, with characters XML cannot carry replaced."""
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
    parts.append("</head><results>")
    for row in rows:  # type: ignore[attr-defined]
        parts.append("<result>")
        parts += [f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
                  for v in variables if row[v] is not None]
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode()


def write_boolean(value: bool, fmt: str) -> bytes:
    """An ASK answer in ``fmt``; CSV/TSV carry it as one value, as Jena and Oxigraph do."""
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if fmt in ("csv", "tsv"):
        return (("_askResult\r\n" if fmt == "csv" else "?_askResult\n") + ("true" if value else "false")
                + ("\r\n" if fmt == "csv" else "\n")).encode()
    raise ValueError(fmt)
