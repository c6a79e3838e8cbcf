"""Read RDF files safely, one named graph per source; ``offri_kg.ingest.parse`` parses them.

pyoxigraph parses (≈30× faster than rdflib, and it never fetches JSON-LD contexts); the checks
here, before it, give every failure a file, line and column and a message code the CLI can
translate.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from offri_kg.errors import InputError, Location
from offri_kg.formats import RDF_FORMATS, rdf_format_name
from offri_kg.ingest.safety import check_jsonld, check_rdfxml
from offri_kg.resources import resource_dir
from offri_kg.vocab import GRAPH



@dataclass(frozen=True)
class Source:
    """One input file, read and checked for safety, not yet parsed.

    Parsing is ``offri_kg.ingest.parse``'s: straight into a store where it can, which is
    several times faster than building Python objects for every quad.
    """

    path: Path
    graph: str
    format: str
    data: bytes


def format_for(path: Path, override: str | None = None) -> str:
    """The format name for ``path``: ``override`` if given, else by extension."""
    if override:
        if override not in RDF_FORMATS:
            raise InputError("unknown-format", {"format": override, "choices": ", ".join(RDF_FORMATS)})
        return override
    name = rdf_format_name(path.suffix)
    if name is None:
        raise InputError("unknown-extension", {"path": str(path), "ext": path.suffix.lower() or path.name})
    return name


def graph_iri_for(path: Path) -> str:
    """The named graph a file is loaded into.

    Files of the bundled data get stable IRIs (``graph/reference/municipalities``); any other
    file gets one from its name, so loading the same file twice replaces rather than duplicates.
    """
    resolved = path.resolve()
    try:
        relative = resolved.relative_to(resource_dir("data").resolve())
        return GRAPH + relative.with_suffix("").as_posix()
    except ValueError:
        # percent-encoded: a name such as "my data.ttl" holds characters an IRI cannot
        return GRAPH + "file/" + quote(resolved.with_suffix("").name, safe="")


def read_file_bytes(path: Path, allow_empty: bool = False) -> bytes:
    """The bytes of a regular file as UTF-8 text (a byte order mark dropped), or an error in
    words: missing, a folder, not a regular file (a FIFO or ``/dev/zero`` would never end),
    unreadable, not UTF-8, or empty (unless ``allow_empty``: an empty document is valid RDF)."""
    try:
        info = path.stat()  # through symbolic links: what would be read
    except FileNotFoundError:
        raise InputError("file-missing", {"path": str(path)}) from None
    except OSError as exc:
        raise InputError("unreadable", {"path": str(path), "reason": exc.strerror or str(exc)}) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("is-directory", {"path": str(path)})
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not-a-file", {"path": str(path)})
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("unreadable", {"path": str(path), "reason": exc.strerror or str(exc)}) from None
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark (Windows editors write one) is not data
        data = data[3:]
    if not data.strip() and not allow_empty:
        raise InputError("empty-file", {"path": str(path)})
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:8192]:  # not text at all (a NUL in valid UTF-8 may be data: a literal can hold one)
            raise InputError("binary-file", {"path": str(path)}) from None
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError("bad-encoding", {"path": str(path), "offset": exc.start},
                         Location(str(path), line, column)) from None
    return data


def read_source(path: Path | str, format: str | None = None, graph: str | None = None,
                allow_empty: bool = False) -> Source:
    """Read one file and refuse what is unsafe or unreadable; its triples will go to ``graph``
    (``allow_empty``: an empty file is read as no data, as for validation)."""
    path = Path(path)
    if not path.exists():
        raise InputError("file-missing", {"path": str(path)})
    if path.is_dir():
        raise InputError("is-directory", {"path": str(path)})
    name = format_for(path, format)
    data = read_file_bytes(path, allow_empty)
    if name == "rdfxml":
        check_rdfxml(data, str(path))
    elif name == "jsonld":
        check_jsonld(data.decode("utf-8"), str(path))
    return Source(path=path, graph=graph or graph_iri_for(path), format=name, data=data)


def read_sources(paths: list[Path | str], format: str | None = None, allow_empty: bool = False) -> list[Source]:
    """Read several files; the first unreadable one stops the whole read."""
    if not paths:
        raise InputError("no-input")
    return [read_source(p, format, allow_empty=allow_empty) for p in paths]

