"""What the commands share: their fixed choices as enums, and the options several commands take.

A fixed choice is an enum so that a wrong value is refused by typer before the command runs,
with the choices named (and exit code 2). Every option names what it takes in words (``FILE``,
``IRI``, ``SECONDS``): typer's own metavars are Python type names (``<str>``, ``<list[Path]>``),
which tell a steward nothing. This module is imported by ``offri --help``: nothing heavy here.
"""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from offri_kg.errors import OffriError
from offri_kg.i18n import LANGS

#: The languages offri speaks (the one list is ``i18n.LANGS``); ``--lang NB`` is bokmål too.
Lang = StrEnum("Lang", [(code, code) for code in LANGS])


class Engine(StrEnum):
    """``offri validate --engine``: the same choices as ``offri_kg.validate.ENGINES`` (a test
    checks), written out here so that ``offri --help`` does not import the validator."""

    oxigraph = "oxigraph"
    pyshacl = "pyshacl"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    turtle = "turtle"


class FailOn(StrEnum):
    violation = "violation"
    warning = "warning"
    info = "info"


class ResultFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"


class ExportFormat(StrEnum):
    nquads = "nquads"
    trig = "trig"
    turtle = "turtle"
    ntriples = "ntriples"


LangOption = Annotated[Lang | None, typer.Option(
    "--lang", case_sensitive=False, help="Language of messages: nb or en (default from OFFRI_LANG/LANG).")]
# The input formats are ingest's to name and refuse (in nb and en, with the list): not an enum here.
InputFormatOption = Annotated[str | None, typer.Option(
    "--input-format", "-i", metavar="FORMAT",
    help="Input format when the extension does not tell: turtle, trig, ntriples, nquads, jsonld, rdfxml.")]
StoreOption = Annotated[Path | None, typer.Option(
    "--store", metavar="PATH", help="Embedded store folder (default: $OFFRI_STORE or ~/.local/share/offri/store).")]
EndpointOption = Annotated[str | None, typer.Option(
    "--endpoint", metavar="URL", help="A remote SPARQL 1.1 query URL instead of the embedded store.")]
TimeoutOption = Annotated[float, typer.Option(
    "--timeout", metavar="SECONDS", help="Seconds to wait for a remote store.")]
MemoryOption = Annotated[str, typer.Option(
    "--max-memory", metavar="SIZE", help="Memory a query may take before it is stopped (e.g. 1G, 500M).")]


#: An option that takes a count, or a number of seconds, and says so in the help.
count_option = partial(typer.Option, metavar="N")
seconds_option = partial(typer.Option, metavar="SECONDS")


def file(value: str) -> Path:
    """A file given as an argument. (A parser, so that the help's type column reads ``<file>``
    rather than typer's ``<path>``; its name is the word shown.)"""
    return Path(value)


def query(value: str) -> str:
    """A stored query's name, as given (the help's type column reads ``<query>``, not ``<str>``)."""
    return value


def byte_size(value: str, option: str) -> int:
    """A size option's value (``1G``, ``500M``) in bytes, or a refusal naming the option."""
    from offri_kg.query.sandbox import parse_size

    try:
        return parse_size(value)
    except ValueError:
        raise OffriError("bad-size", {"option": option, "value": value}) from None
