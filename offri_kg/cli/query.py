"""``offri query`` and ``offri queries``: the stored queries, or a SPARQL file, against a store."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from offri_kg.cli import options
from offri_kg.cli.options import (
    EndpointOption,
    LangOption,
    MemoryOption,
    ResultFormat,
    StoreOption,
    byte_size,
)
from offri_kg.cli.store import open_store
from offri_kg.cli.talk import fail, language
from offri_kg.errors import OffriError


def query(
    name: Annotated[str | None, typer.Argument(
        metavar="NAME", parser=options.query, help="A stored query (see `offri queries`).", show_default=False)] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", metavar="FILE", help="A SPARQL query file instead.")] = None,
    param: Annotated[list[str], typer.Option(
        "--param", "-p", metavar="NAME=VALUE", help="A parameter of the stored query; repeatable.")] = [],  # noqa: B006
    output: Annotated[ResultFormat, typer.Option(
        "--format", "-f", help="A table for people (as wide as the terminal), or a W3C results format.")
    ] = ResultFormat.table,
    store: StoreOption = None, endpoint: EndpointOption = None,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", metavar="SECONDS", help="Seconds the query may run (a remote store: 30 unless given).")] = None,
    max_memory: MemoryOption = "1G",
    lang: LangOption = None,
) -> None:
    """Run a stored query with parameters, or a SPARQL file. Results as a table or a W3C format."""
    from offri_kg.query.bind import bindings
    from offri_kg.query.library import get_stored_query
    from offri_kg.report_text import render_table

    words = language(lang)
    try:
        if (name is None) == (file is None):
            raise OffriError("query-file-or-name")
        given = {}
        for item in param:
            if "=" not in item:
                raise OffriError("param-syntax", {"value": item})
            key, value = item.split("=", 1)
            given[key.strip()] = value
        if file is not None:
            from offri_kg.ingest.read import read_file_bytes

            sparql = read_file_bytes(file).decode("utf-8")
            terms = {}
            if given:
                raise OffriError("unknown-param", {"query": str(file), "name": next(iter(given)), "known": "—"})
        else:
            stored = get_stored_query(name)
            if "lang" in {p.name for p in stored.params} and "lang" not in given:
                given["lang"] = words
            terms = bindings(stored, given)
            sparql = stored.sparql
        memory = byte_size(max_memory, "--max-memory")
        kg = open_store(store, endpoint, 30.0 if timeout is None else timeout, read_only=endpoint is None,
                        isolate=True, max_memory=memory)
        try:
            result = kg.query(sparql, terms, timeout=timeout)
        finally:
            kg.close()
        if output is ResultFormat.table:
            # the terminal's width ($COLUMNS when set; 80 when the output is not a terminal)
            typer.echo(render_table(result, words, width=shutil.get_terminal_size().columns))
        else:
            sys.stdout.buffer.write(result.serialize(_serial_format(output, result.kind)))
            sys.stdout.flush()
    except OffriError as error:
        if error.code == "query-syntax" and file is not None:
            error.location.file = str(file)
            _locate_syntax(error)
        fail(error, words)


def _serial_format(output: ResultFormat, kind: str) -> object:
    """pyoxigraph's format for ``output``; a graph answer asked for as a results format comes
    as N-Triples, a table asked for as RDF comes as JSON results."""
    from offri_kg.formats import RDF_FORMATS, RESULT_FORMATS

    if kind == "graph":
        return RDF_FORMATS.get(output.value, RDF_FORMATS["ntriples"])
    return RESULT_FORMATS.get(output.value, RESULT_FORMATS["json"])


def _locate_syntax(error: OffriError) -> None:
    import re

    match = re.search(r"(\d+):(\d+)", error.params.get("detail", ""))
    if match:
        error.location.line, error.location.column = int(match.group(1)), int(match.group(2))


def queries(lang: LangOption = None) -> None:
    """List the stored queries with their research question and parameters."""
    from offri_kg.query.library import stored_queries

    words = language(lang)
    for stored in stored_queries().values():
        questions = ", ".join(str(q) for q in stored.question)
        typer.echo(f"{stored.id}  [Q{questions}]  {stored.title_in(words)}")
        for p in stored.params:
            default = f" = {p.default}" if p.default else ""
            typer.echo(f"    --param {p.name}=<{p.type}>{default}   {p.text(words)}")
