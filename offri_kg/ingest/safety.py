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


def check_rdfxml(data: bytes, path: str) -> None:
    """Raise if the RDF/XML declares a DOCTYPE or entities, or is not well-formed XML (Oxigraph's
    parser accepts a file cut off before ``</rdf:RDF>``, and would load the first half)."""
    match = _DOCTYPE.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        column = match.start() - (data.rfind(b"\n", 0, match.start()) + 1) + 1
        raise InputError("doctype-refused", {}, Location(path, line, column))
    parser = expat.ParserCreate()  # no DOCTYPE, so nothing to expand or fetch
    try:
        parser.Parse(data, True)
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


def check_jsonld(text: str, path: str) -> None:
    """Raise if the JSON-LD is not JSON or names a context to be loaded from an IRI."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError("jsonld-invalid", {"detail": exc.msg}, Location(path, exc.lineno, exc.colno)) from None
    for context in _contexts(document):
        for entry in context if isinstance(context, list) else [context]:
            if isinstance(entry, str):
                line = column = None
                position = text.find(json.dumps(entry))
                if position >= 0:
                    line = text.count("\n", 0, position) + 1
                    column = position - (text.rfind("\n", 0, position) + 1) + 1
                raise InputError("remote-context-refused", {"context": entry}, Location(path, line, column))
