"""Short, readable names for IRIs in text output (``offri:Partnership`` instead of the full IRI)."""

from __future__ import annotations

from functools import lru_cache

PREFIXES: dict[str, str] = {
    "offri": "https://w3id.org/offri/ns#",
    "offrish": "https://w3id.org/offri/shapes#",
    "id": "https://w3id.org/offri/id/",
    "graph": "https://w3id.org/offri/graph/",
    "vocab": "https://w3id.org/offri/vocab/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "adms": "http://www.w3.org/ns/adms#",
    "time": "http://www.w3.org/2006/time#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "sh": "http://www.w3.org/ns/shacl#",
}


_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


@lru_cache(maxsize=8192)
def shorten(term: str | None) -> str:
    """``<https://w3id.org/offri/ns#Goal>`` → ``offri:Goal``; works inside paths and literals.
    (Cached: pages show the same properties and classes over and over.)"""
    if term is None:
        return ""
    out = term
    if "<" not in out:
        return out
    for prefix, namespace in _LONGEST_FIRST:
        out = _replace_iris(out, namespace, prefix)
    return out


def _replace_iris(text: str, namespace: str, prefix: str) -> str:
    result, start = [], 0
    needle = "<" + namespace
    while True:
        i = text.find(needle, start)
        if i < 0:
            result.append(text[start:])
            return "".join(result)
        j = text.find(">", i)
        local = text[i + len(needle): j]
        if j < 0 or any(c in local for c in " <>\"{}|^`\\"):
            result.append(text[start: i + 1])
            start = i + 1
            continue
        result.append(text[start:i] + f"{prefix}:{local}")
        start = j + 1
