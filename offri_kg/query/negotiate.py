"""HTTP content negotiation (RFC 9110 ``Accept``), small enough to read in one go.

Why not a library: the candidates on PyPI either pull in a web framework or do not handle
``q=0``; this is the one function the endpoint and the linked-data pages share.
"""

from __future__ import annotations


def _parse(accept: str) -> list[tuple[str, float, int]]:
    """(media range, quality, position) for each entry of an Accept header."""
    out = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for field in fields[1:]:
            if field.lower().startswith("q="):
                try:
                    quality = float(field[2:])
                except ValueError:
                    quality = 0.0
        out.append((media, quality, position))
    return out


def _matches(media_range: str, offer: str) -> int:
    """How specifically ``media_range`` matches ``offer``: 3 exact, 2 type/*, 1 */*, 0 not."""
    if media_range == offer:
        return 3
    kind, _, sub = media_range.partition("/")
    if sub == "*" and offer.split("/")[0] == kind:
        return 2
    if media_range == "*/*":
        return 1
    return 0


def choose(accept: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers most (ties go to the earlier offer); None if it accepts none.

    An absent or empty ``Accept`` means anything, so the first offer is chosen.
    """
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = _parse(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        matching = [(spec, q) for media, q, _ in ranges if (spec := _matches(media, offer))]
        if not matching:
            continue
        spec, quality = max(matching)  # the most specific range decides the quality
        if quality <= 0:
            continue
        key = (quality, spec, -index)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen
