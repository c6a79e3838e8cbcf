"""The SPARQL 1.1 Protocol's request rules: which operation a request carries, and its dataset.

Kept apart from the web framework so the rules read like the spec (§2.1 query, §2.2 update)
and each refusal carries the HTTP status the W3C protocol tests expect. What the operation
itself may do is the guard's to say (``offri_kg.query.guard``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pyoxigraph as ox

from offri_kg.errors import OffriError


class ProtocolError(OffriError):
    """A request the protocol refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, code: str, status: int, params: dict[str, object] | None = None) -> None:
        super().__init__(code, params or {})
        self.status = status


@dataclass
class Operation:
    """A query or an update with the dataset the request names (empty lists: none named)."""

    kind: str  # "query" or "update"
    text: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def _charset_ok(content_type: str) -> bool:
    match = re.search(r"charset\s*=\s*\"?([\w.-]+)", content_type, re.IGNORECASE)
    return match is None or match.group(1).lower() in ("utf-8", "utf8")


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("protocol-not-utf8", 400) from None


def parse_operation(method: str, query_string: str, content_type: str | None, body: bytes) -> Operation | None:
    """The operation in a request to the endpoint, or None for a bare GET (service description)."""
    try:
        url_params = parse_qsl(query_string, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError("protocol-not-utf8", 400) from None
    if method in ("GET", "HEAD"):
        method = "GET"
        params = url_params
    elif method == "POST":
        media = (content_type or "").split(";")[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            if not _charset_ok(content_type or ""):
                raise ProtocolError("protocol-not-utf8", 415)
            try:
                params = url_params + parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                                encoding="utf-8", errors="strict")
            except (UnicodeDecodeError, ValueError):
                raise ProtocolError("protocol-not-utf8", 400) from None
        elif media in ("application/sparql-query", "application/sparql-update"):
            if not _charset_ok(content_type or ""):
                raise ProtocolError("protocol-not-utf8", 415)
            kind = "query" if media == "application/sparql-query" else "update"
            if any(k in ("query", "update") for k, _ in url_params):
                raise ProtocolError("protocol-two-operations", 400)
            params = url_params + [(kind, _decode(body))]
        elif not media:
            raise ProtocolError("protocol-no-media-type", 400)
        else:
            raise ProtocolError("protocol-media-type", 415, {"media": media})
    else:
        raise ProtocolError("protocol-method", 405, {"method": method})  # Allow: set by the caller

    queries = [v for k, v in params if k == "query"]
    updates = [v for k, v in params if k == "update"]
    if len(queries) + len(updates) > 1:
        raise ProtocolError("protocol-two-operations", 400)
    if updates and method == "GET":
        raise ProtocolError("protocol-update-get", 400)
    if not queries and not updates:
        if method == "GET":
            return None
        raise ProtocolError("protocol-no-operation", 400)
    names = ("default-graph-uri", "named-graph-uri") if queries else ("using-graph-uri", "using-named-graph-uri")
    for name, value in params:
        if name in names and not _absolute_iri(value):
            raise ProtocolError("protocol-bad-graph-iri", 400, {"param": name, "graph": value})
    if queries:
        return Operation("query", queries[0], [v for k, v in params if k == names[0]],
                         [v for k, v in params if k == names[1]])
    return Operation("update", updates[0], [v for k, v in params if k == names[0]],
                     [v for k, v in params if k == names[1]])


def _absolute_iri(value: str) -> bool:
    """Whether ``value`` is an absolute IRI (what Oxigraph accepts as a graph name)."""
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True
