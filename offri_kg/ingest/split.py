"""Cut one N-Triples document into parts that can be bulk-loaded side by side.

Why: Oxigraph's bulk loader works on one core per call (1M triples into a named graph: ~9 s
of CPU here); two calls on two halves release the GIL and finish in about half the time. The
catch is blank nodes: every ``bulk_load`` call gives the labels it reads fresh identities, so
``_:b1`` on both sides of a cut would become two nodes. A cut is therefore only made between
lines where no blank node label is used on both sides. A line is one statement in N-Triples
(literals escape their newlines), so no statement is cut either.
"""

from __future__ import annotations

import bisect
import re

#: Below this size splitting costs more than it saves.
MIN_SPLIT_BYTES = 4_000_000

# A blank node label, conservatively: "_:" inside a literal counts too (it only makes the
# allowed cuts fewer, never wrong). A label cannot end with ".", the statement's end can.
_LABEL = re.compile(rb"_:([^\s<>\"]+)")


def _spans(data: bytes) -> list[tuple[int, int]]:
    """Merged byte ranges from a label's first to its last use: no cut may fall inside one."""
    first: dict[bytes, int] = {}
    last: dict[bytes, int] = {}
    for match in _LABEL.finditer(data):
        label = match.group(1).rstrip(b".")
        first.setdefault(label, match.start())
        last[label] = match.end()
    merged: list[tuple[int, int]] = []
    for start, end in sorted((first[k], last[k]) for k in first if last[k] - first[k] > 0):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def split_ntriples(data: bytes, parts: int = 2, min_bytes: int = MIN_SPLIT_BYTES) -> list[bytes]:
    """``data`` as up to ``parts`` N-Triples documents holding the same statements.

    Each cut is at a line end near an even share of the bytes, moved forward past any blank
    node label that is used both before and after it. Returns ``[data]`` when it is small or
    no such cut exists.
    """
    if parts < 2 or len(data) < min_bytes:
        return [data]
    spans = _spans(data) if b"_:" in data else []
    starts = [s for s, _ in spans]
    cuts = [0]
    for i in range(1, parts):
        at = max(len(data) * i // parts, cuts[-1])
        while True:
            newline = data.find(b"\n", at)
            if newline < 0:
                break
            cut = newline + 1
            k = bisect.bisect_right(starts, cut) - 1
            if k >= 0 and spans[k][0] < cut < spans[k][1]:
                at = spans[k][1]  # inside a blank node's span: move past it
                continue
            cuts.append(cut)
            break
    cuts.append(len(data))
    pieces = [data[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]
    return pieces or [data]
