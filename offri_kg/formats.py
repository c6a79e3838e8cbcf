"""RDF and SPARQL-results formats as offri names and offers them.

pyoxigraph's ``RdfFormat`` and ``QueryResultsFormat`` already know every media type, file
extension and display name (``.media_type``, ``.file_extension``, ``.name``,
``from_media_type``, ``from_extension``). This module adds only what is offri's own choice:
the short names its command line takes, the file extensions stewards use beyond pyoxigraph's
(``.owl``; ``.turtle``), which extensions it refuses to guess from (``.txt``), and the order in
which the endpoint offers formats.
"""

from __future__ import annotations

import pyoxigraph as ox

#: RDF formats offri reads and writes, by the name ``--format`` takes.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
#: File extensions offri reads beyond each format's own (``RdfFormat.file_extension``).
#: ``.json`` and ``.xml`` are what pyoxigraph guesses too; ``.txt`` (N-Triples to pyoxigraph)
#: is not taken: a text file is more often not RDF at all.
_MORE_EXTENSIONS: dict[str, str] = {".turtle": "turtle", ".json": "jsonld", ".owl": "rdfxml", ".xml": "rdfxml"}

#: SPARQL results formats by the name ``offri query --format`` takes.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

#: What a SELECT/ASK answer may be sent as over HTTP, preferred first (the generic JSON and XML
#: types last: clients that send them mean the SPARQL results formats).
RESULT_OFFERS: list[str] = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                            "text/tab-separated-values", "application/json", "application/xml"]
#: What a CONSTRUCT/DESCRIBE answer may be sent as, preferred first.
GRAPH_OFFERS: list[str] = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
                           "application/n-quads", "application/trig", "text/plain"]


def rdf_format_name(extension: str) -> str | None:
    """The ``RDF_FORMATS`` name for a file extension (``".ttl"`` → ``"turtle"``), or None when
    offri does not read files with that ending."""
    extension = extension.lower()
    if extension in _MORE_EXTENSIONS:
        return _MORE_EXTENSIONS[extension]
    for name, fmt in RDF_FORMATS.items():
        if extension == "." + fmt.file_extension:
            return name
    return None


def extensions(name: str) -> tuple[str, ...]:
    """Every file ending offri reads as the format ``name``, its own first."""
    return ("." + RDF_FORMATS[name].file_extension,
            *(ext for ext, other in _MORE_EXTENSIONS.items() if other == name))


def result_format(media_type: str) -> ox.QueryResultsFormat:
    """The results format of one of ``RESULT_OFFERS``."""
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"not a SPARQL results media type: {media_type}")
    return fmt


def graph_format(media_type: str) -> ox.RdfFormat:
    """The RDF format of one of ``GRAPH_OFFERS`` (``text/plain`` is N-Triples, as pyoxigraph reads it)."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"not an RDF media type: {media_type}")
    return fmt
