"""Query answers in the W3C formats, from rows already read — so a row cap can be checked first.

pyoxigraph serialises a result only while it streams it, so a cap on rows ("more than N rows is
refused, never cut silently") would have to run the query twice. The endpoint instead reads at
most N + 1 rows and writes them itself; N bounds the cost. CONSTRUCT/DESCRIBE answers and
booleans are written by pyoxigraph.
"""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_quoteattr

import pyoxigraph as ox

from offri_kg.formats import GRAPH_OFFERS, RESULT_FORMATS, RESULT_OFFERS, graph_format, result_format
from offri_kg.vocab import ITS, XSD_STRING

#: media type -> results format name (``formats.RESULT_FORMATS``), for SELECT and ASK
RESULT_TYPES: dict[str, str] = {
    media: next(name for name, fmt in RESULT_FORMATS.items() if fmt == result_format(media))
    for media in RESULT_OFFERS}
#: media type -> RDF format, for CONSTRUCT and DESCRIBE
GRAPH_TYPES: dict[str, ox.RdfFormat] = {media: graph_format(media) for media in GRAPH_OFFERS}
#: results format name -> the Content-Type it is sent with
CONTENT_TYPES: dict[str, str] = {name: fmt.media_type for name, fmt in RESULT_FORMATS.items()}


def _json_term(term: object) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction:  # RDF 1.2 base direction, as the SPARQL 1.2 results drafts write it
                out["its:dir"] = str(term.direction)
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


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
            direction = (f' its:dir={quoteattr(str(term.direction))} xmlns:its="{ITS}" its:version="2.0"'
                         if term.direction else "")
            return f"<literal xml:lang={quoteattr(term.language)}{direction}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"not an RDF term: {term!r}")


def _plain(term: object) -> str:
    """A term as CSV carries it (SPARQL 1.1 CSV: no types, blank nodes as _:label)."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value  # type: ignore[attr-defined]


def _csv_value(term: object) -> str:
    return _csv_field(_plain(term))


def _tsv_value(term: object) -> str:
    """TSV carries RDF terms in Turtle/N-Triples syntax (pyoxigraph's str() of a term; a triple
    term in RDF 1.2's ``<<( s p o )>>``, which str() of a Triple leaves out)."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return f"<<( {_tsv_value(term.subject)} {_tsv_value(term.predicate)} {_tsv_value(term.object)} )>>"
    return str(term)


#: A cell a spreadsheet would read as a formula (OWASP "CSV injection"): = + - @, a tab or a
#: carriage return first. A number is left as it is (a negative one starts with -).
_FORMULA = re.compile(r"[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def spreadsheet_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it and never evaluates it: a formula-looking cell gets a
    leading apostrophe, which Excel and LibreOffice hide and read as "this is text"."""
    if text and _FORMULA.match(text) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_select(variables: list[str], rows: list[ox.QuerySolution], fmt: str) -> bytes:
    """A SELECT answer in ``fmt`` (json, xml, csv, tsv; ``spreadsheet-csv`` is CSV for a person
    to open: formula cells neutralised, and a UTF-8 byte order mark, without which Excel reads
    æøå as Windows-1252)."""
    if fmt == "json":
        bindings = []
        for row in rows:
            bindings.append({v: _json_term(row[v]) for v in variables if row[v] is not None})
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode()
    if fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
                      for v in variables if row[v] is not None]
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode()
    if fmt == "csv":
        lines = [",".join(variables)] + [",".join(_csv_value(row[v]) for v in variables) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    if fmt == "spreadsheet-csv":
        lines = [",".join(_csv_field(spreadsheet_cell(v)) for v in variables)]
        lines += [",".join(_csv_field(spreadsheet_cell(_plain(row[v]))) for v in variables) for row in rows]
        return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)] + ["\t".join(_tsv_value(row[v]) for v in variables)
                                                             for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(fmt)


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
