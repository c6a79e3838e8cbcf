"""The store commands: ``build``, ``load``, ``export``, ``stats`` (and how every command opens a store)."""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path
from typing import Annotated, Any

import typer

from offri_kg.cli import options
from offri_kg.cli.options import (
    EndpointOption,
    ExportFormat,
    InputFormatOption,
    LangOption,
    StoreOption,
    TimeoutOption,
)
from offri_kg.cli.talk import fail, language, say, say_when_interrupted
from offri_kg.errors import OffriError
from offri_kg.i18n import message, render_error


def one_store(store: Path | None, endpoint: str | None) -> None:
    """``--store`` and ``--endpoint`` name two different stores: giving both is a mistake to
    point out, not a choice to make silently."""
    if store is not None and endpoint:
        raise OffriError("store-or-endpoint")


def open_store(store: Path | None, endpoint: str | None, timeout: float = 30.0, read_only: bool = False,
               isolate: bool = False, max_memory: int | None = None) -> Any:
    """The store the options name (after checking they name only one)."""
    from offri_kg.store import open_store as open_named

    one_store(store, endpoint)
    return open_named(store, endpoint=endpoint, timeout=timeout, read_only=read_only, isolate=isolate,
                      max_memory=max_memory)


def build(store: StoreOption = None, endpoint: EndpointOption = None, timeout: TimeoutOption = 30.0,
          lang: LangOption = None) -> None:
    """The main job: load the shipped data into the store (validated), and summarise it."""
    from offri_kg.build import build_default, build_remote
    from offri_kg.report_text import render_build

    words = language(lang)
    try:
        one_store(store, endpoint)
        summary = build_remote(endpoint, timeout) if endpoint else build_default(store)
    except OffriError as error:
        fail(error, words)
    typer.echo(render_build(summary, words))
    raise typer.Exit(1 if summary.report.count_violations() else 0)


def load(
    paths: Annotated[list[Path], typer.Argument(
        metavar="FILE...", parser=options.file, help="Data files; each replaces its own named graph.", show_default=False)],
    graph: Annotated[str | None, typer.Option(
        metavar="IRI", help="Named graph IRI (with exactly one file).")] = None,
    input_format: InputFormatOption = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace graphs that another file (or no recorded load) wrote.")] = False,
    store: StoreOption = None, endpoint: EndpointOption = None, timeout: TimeoutOption = 30.0,
    lang: LangOption = None,
) -> None:
    """Validate files and load them, all or nothing. Exit 1 if the data has violations, 2 if unreadable."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from offri_kg.ingest.read import read_sources
    from offri_kg.report_text import render_report

    words = language(lang)
    if graph is not None and "://" not in graph and not graph.startswith("urn:"):
        fail(OffriError("bad-graph-iri", {"graph": graph}), words)
    try:
        sources = read_sources(list(paths), input_format)
        with closing(open_store(store, endpoint, timeout)) as kg, \
                Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                         transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("load", total=sum(len(s.data) for s in sources))
            with say_when_interrupted(message("load-interrupted", words)):
                reports = kg.load(sources, graph=graph, replace=replace,
                                  progress=lambda done, total: bar.update(task, completed=done))
    except OffriError as error:
        if getattr(error, "report", None) is not None:  # the data has violations: which ones
            typer.echo(render_report(error.report, words), err=True)
            say(render_error(error, words))
            raise typer.Exit(1) from None
        fail(error, words)
    for report in reports:
        typer.echo(message("load-replaced" if report.replaced else "load-done", words, graph=report.graph,
                     triples=report.triples, source=report.source))


def export(
    graph: Annotated[str | None, typer.Option(metavar="IRI", help="Only this named graph.")] = None,
    output: Annotated[ExportFormat, typer.Option(
        "--format", "-f", help="nquads and trig hold every graph; turtle and ntriples one (--graph).")
    ] = ExportFormat.nquads,
    out: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE", help="File to write (default: stdout).")] = None,
    store: StoreOption = None, endpoint: EndpointOption = None, timeout: TimeoutOption = 30.0,
    lang: LangOption = None,
) -> None:
    """Dump the store (N-Quads or TriG), or one graph."""
    import os
    import tempfile

    from offri_kg.formats import RDF_FORMATS

    words = language(lang)
    fmt = RDF_FORMATS[output.value]
    try:
        if graph is None and not fmt.supports_datasets:
            raise OffriError("export-needs-graph", {"format": fmt.name})
        with closing(open_store(store, endpoint, timeout, read_only=endpoint is None)) as kg:
            data = kg.export(fmt, graph)
    except OffriError as error:
        fail(error, words)
    if out is None:
        sys.stdout.buffer.write(data)
        return
    if out.is_dir():
        fail(OffriError("cannot-write", {"path": str(out), "detail": "is a directory"}), words)
    try:
        handle, temp = tempfile.mkstemp(dir=out.resolve().parent, prefix=out.name, suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, out)
    except OSError as exc:
        fail(OffriError("cannot-write", {"path": str(out), "detail": exc.strerror or str(exc)}), words)


def stats(store: StoreOption = None, endpoint: EndpointOption = None, timeout: TimeoutOption = 30.0,
          lang: LangOption = None) -> None:
    """Graphs (with provenance), triples, and instances per class."""
    from offri_kg.report_text import render_stats

    words = language(lang)
    try:
        with closing(open_store(store, endpoint, timeout, read_only=endpoint is None)) as kg:
            text = render_stats(kg, words)
    except OffriError as error:
        fail(error, words)
    typer.echo(text)
