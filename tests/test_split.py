"""Splitting N-Triples for parallel bulk loads must keep every statement and every blank node."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from offri_kg.ingest.split import split_ntriples

G = ox.NamedNode("urn:test:g")


def _document(records: int, seed: int = 7) -> bytes:
    """Records that each own a blank node used on several lines, plus a few shared ones."""
    rng = random.Random(seed)
    lines = []
    for i in range(records):
        lines.append(f'<urn:r:{i}> <urn:p:period> _:p{i} .')
        lines.append(f'_:p{i} <urn:p:start> "{2000 + i % 20}"^^<http://www.w3.org/2001/XMLSchema#gYear> .')
        lines.append(f'<urn:r:{i}> <urn:p:label> "record _:{i} with a fake label in a literal"@en .')
        if rng.random() < 0.05:  # a blank node shared by nearby records
            lines.append(f'_:group{i // 300} <urn:p:mentions> <urn:r:{i}> .')
    return ("\n".join(lines) + "\n").encode()


def _bulk(parts: list[bytes]) -> ox.Store:
    store = ox.Store()
    for part in parts:
        store.bulk_load(part, ox.RdfFormat.N_TRIPLES, to_graph=G)
    return store


def _shape(store: ox.Store) -> tuple[int, int, int]:
    """Triples, distinct blank nodes, and the largest number of records one blank node links."""
    triples = len(store)
    blanks = {t for q in store for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    fan = max((sum(1 for _ in store.quads_for_pattern(b, None, None, G)) for b in blanks), default=0)
    return triples, len(blanks), fan


def test_parts_hold_the_same_graph_and_blank_nodes() -> None:
    data = _document(3000)
    parts = split_ntriples(data, parts=2, min_bytes=0)
    assert len(parts) == 2 and min(map(len, parts)) > len(data) // 3
    assert b"".join(parts).count(b"\n") == data.count(b"\n")
    assert _shape(_bulk(parts)) == _shape(_bulk([data]))


def test_cut_never_separates_uses_of_one_label() -> None:
    data = _document(3000)
    for parts in (2, 3, 4):
        pieces = split_ntriples(data, parts=parts, min_bytes=0)
        seen: dict[bytes, int] = {}
        for index, piece in enumerate(pieces):
            for token in piece.split():
                if token.startswith(b"_:"):
                    assert seen.setdefault(token, index) == index, token


def test_one_label_across_the_whole_document_prevents_a_cut() -> None:
    data = b"_:x <urn:p> <urn:a> .\n" + b"<urn:s> <urn:p> <urn:o> .\n" * 1000 + b"_:x <urn:p> <urn:b> .\n"
    assert split_ntriples(data, parts=2, min_bytes=0) == [data]


@pytest.mark.parametrize("size", [10, 10_000])
def test_small_documents_stay_whole(size: int) -> None:
    data = b"<urn:s> <urn:p> <urn:o> .\n" * size
    assert split_ntriples(data) == [data]


def test_document_without_blank_nodes_splits_evenly() -> None:
    data = b"<urn:s> <urn:p> <urn:o> .\n" * 200_000
    parts = split_ntriples(data, parts=2)
    assert len(parts) == 2 and b"".join(parts) == data
    assert abs(len(parts[0]) - len(parts[1])) < 100
