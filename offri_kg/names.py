"""Short, readable names for IRIs in text output (``offri:Partnership`` instead of the full IRI)."""

from __future__ import annotations

from functools import lru_cache

from offri_kg.vocab import PREFIXES

__all__ = ["PREFIXES", "shorten"]

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
