"""Refuse input that would make a parser reach outside or expand without end.

offri never fetches anything because of input: a JSON-LD ``@context`` given as a URL (remote or
``file:``) and RDF/XML with a DOCTYPE (entities, "billion laughs") are refused before any parser
sees them. Checks are textual and linear in the input size, so a hostile file is refused fast.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.parsers import expat

from offri_kg.errors import InputError, Location

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
#: Deepest element nesting read in RDF/XML: Oxigraph's parser is quadratic in the depth (50,000
#: levels of parseType="Resource", 1.9 MB, took 63 s); real RDF/XML nests a dozen levels.
MAX_XML_DEPTH = 1000
#: Deepest nesting read in JSON-LD (Python's JSON reader recurses once per level).
MAX_JSON_DEPTH = 500


class _TooDeep(Exception):
    pass


def check_rdfxml(data: bytes, path: str) -> None:
    """Raise if the RDF/XML declares a DOCTYPE or entities, is not well-formed XML (Oxigraph's
    parser accepts a file cut off before ``</rdf:RDF>``, and would load the first half), or
    nests deeper than ``MAX_XML_DEPTH``."""
    match = _DOCTYPE.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        column = match.start() - (data.rfind(b"\n", 0, match.start()) + 1) + 1
        raise InputError("doctype-refused", {}, Location(path, line, column))
    parser = expat.ParserCreate()  # no DOCTYPE, so nothing to expand or fetch
    depth = 0

    def start(_name: str, _attributes: dict) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise _TooDeep

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(data, True)
    except _TooDeep:
        raise InputError("rdfxml-too-deep", {"max": MAX_XML_DEPTH},
                         Location(path, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)) from None
    except expat.ExpatError as exc:
        raise InputError("rdfxml-malformed", {"detail": expat.ErrorString(exc.code)},
                         Location(path, exc.lineno, exc.offset + 1)) from None


def _contexts(node: Any) -> list[Any]:
    """Every value of ``@context`` (and of ``@import`` inside a context) anywhere in the document."""
    found: list[Any] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("@context", "@import"):
                    found.append(value)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _json_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of ``[`` and ``{`` outside strings, and where it first passes
    ``MAX_JSON_DEPTH`` (-1 if it does not): one linear pass, before Python's reader recurses."""
    depth = deepest = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                return deepest, match.start()
        elif token in "]}":
            depth -= 1
    return deepest, -1


def check_jsonld(text: str, path: str) -> None:
    """Raise if the JSON-LD is not JSON, nests deeper than ``MAX_JSON_DEPTH``, or names a
    context to be loaded from an IRI. Numbers are read as text: a 5,000-digit number is valid
    JSON, which Python would refuse to turn into an int."""
    _, past = _json_depth(text)
    if past >= 0:
        line = text.count("\n", 0, past) + 1
        raise InputError("jsonld-too-deep", {"max": MAX_JSON_DEPTH},
                         Location(path, line, past - (text.rfind("\n", 0, past) + 1) + 1))
    try:
        document = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise InputError("jsonld-invalid", {"detail": exc.msg}, Location(path, exc.lineno, exc.colno)) from None
    except RecursionError:  # the depth check above keeps within the limit; a deeper stack calling us may not
        raise InputError("jsonld-too-deep", {"max": MAX_JSON_DEPTH}, Location(path)) from None
    for context in _contexts(document):
        for entry in context if isinstance(context, list) else [context]:
            if isinstance(entry, str):
                line = column = None
                position = text.find(json.dumps(entry))
                if position >= 0:
                    line = text.count("\n", 0, position) + 1
                    column = position - (text.rfind("\n", 0, position) + 1) + 1
                raise InputError("remote-context-refused", {"context": entry}, Location(path, line, column))
