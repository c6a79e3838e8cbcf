"""The ``offri`` command. The only module (with the web layer) that talks to people."""

from __future__ import annotations

import contextlib
import signal
import sys
import warnings
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from offri_kg.errors import OffriError, OffriWarning
from offri_kg.i18n import LANGS, default_lang, render_error, t

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="offri — models for collaboration between the public and the voluntary sector "
                       "/ modeller for samarbeid mellom offentlig og frivillig sektor.")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"offri {version('offri')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            typer.echo("offri (not installed)")
        raise typer.Exit(0)


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print offri's version and exit.")] = False) -> None:
    """The options that come before any command (the app's help text is the Typer's)."""


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    turtle = "turtle"


class FailOn(str, Enum):
    violation = "violation"
    warning = "warning"
    info = "info"


LangOption = Annotated[Optional[str], typer.Option(
    "--lang", help="Language of messages: nb or en (default from OFFRI_LANG/LANG).")]


_show_warning = warnings.showwarning
_language: list[str] = []  # the command's language, once known (for notes from warnings)


def _lang(value: str | None) -> str:
    lang = (value or default_lang()).lower()  # --lang NB is bokmål too
    if lang not in LANGS:
        typer.echo(f"offri: {t('bad-lang', 'en', value=lang)}", err=True)
        raise typer.Exit(2)
    _language[:] = [lang]
    return lang


def _note_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: object = None, line: str | None = None) -> None:
    """``warnings.showwarning`` for the CLI: offri's own warnings as a note in the user's
    language, not as a programmer's line with a file name."""
    if isinstance(message, OffriWarning):
        lang = _language[0] if _language else default_lang()
        typer.echo(f"offri: {t(message.code, lang, **message.params)}", err=True)
    else:
        _show_warning(message, category, filename, lineno, file, line)  # type: ignore[arg-type]


@contextlib.contextmanager
def _say_when_interrupted(message: str) -> Iterator[None]:
    """Ctrl+C says at once what happens next: a load cannot stop its disk writes half-way, and
    undoes them only when they end (seconds, for a large file); without a word the command
    looks hung."""
    def interrupted(_signum: int, _frame: object) -> None:
        typer.echo(f"offri: {message}", err=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl+C is not delayed
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _fail(error: OffriError, lang: str) -> None:
    typer.echo(f"offri: {render_error(error, lang)}", err=True)
    raise typer.Exit(2)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Data files, validated together as one dataset.",
                                                show_default=False)],
    input_format: Annotated[Optional[str], typer.Option(
        "--input-format", "-i",
        help="Input format when the extension does not tell: turtle, trig, ntriples, nquads, jsonld, rdfxml.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.text,
    fail_on: Annotated[FailOn, typer.Option(help="Lowest severity that makes the exit code 1.")] = FailOn.violation,
    engine: Annotated[str, typer.Option(help="oxigraph (fast, set-based) or pyshacl (reference).")] = "oxigraph",
    lang: LangOption = None,
) -> None:
    """Validate data files against offri's SHACL shapes. Exit 0: conforms, 1: violations, 2: unreadable input."""
    from offri_kg.validate import ENGINES, Severity, validate_files
    from offri_kg.report_text import render_report

    language = _lang(lang)
    if engine not in ENGINES:
        typer.echo(t("unknown-format", language, format=engine, choices=", ".join(ENGINES)), err=True)
        raise typer.Exit(2)
    try:
        report = validate_files(paths, input_format, engine=engine)
    except OffriError as error:
        _fail(error, language)
    if output is OutputFormat.json:
        typer.echo(report.to_json(language))
    elif output is OutputFormat.turtle:
        typer.echo(report.to_turtle())
    else:
        typer.echo(render_report(report, language))
    threshold = {"violation": Severity.VIOLATION, "warning": Severity.WARNING, "info": Severity.INFO}[fail_on.value]
    raise typer.Exit(1 if report.has_at_least(threshold) else 0)


StoreOption = Annotated[Optional[Path], typer.Option(
    "--store", help="Embedded store folder (default: $OFFRI_STORE or ~/.local/share/offri/store).")]
EndpointOption = Annotated[Optional[str], typer.Option(
    "--endpoint", help="A remote SPARQL 1.1 query URL instead of the embedded store.")]
TimeoutOption = Annotated[float, typer.Option("--timeout", help="Seconds to wait for a remote store.")]


MemoryOption = Annotated[str, typer.Option(
    "--max-memory", help="Memory a query may take before it is stopped (e.g. 1G, 500M).")]


def _one_store(store: Path | None, endpoint: str | None) -> None:
    """``--store`` and ``--endpoint`` name two different stores: giving both is a mistake to
    point out, not a choice to make silently."""
    if store is not None and endpoint:
        raise OffriError("store-or-endpoint")


def _open(store: Path | None, endpoint: str | None, timeout: float = 30.0, read_only: bool = False,
          isolate: bool = False, max_memory: int | None = None):
    from offri_kg.store import open_store

    _one_store(store, endpoint)
    return open_store(store, endpoint=endpoint, timeout=timeout, read_only=read_only, isolate=isolate,
                      max_memory=max_memory)


def _size(value: str, option: str) -> int:
    """A size option's value in bytes, or a clear refusal."""
    from offri_kg.query.sandbox import parse_size

    try:
        return parse_size(value)
    except ValueError:
        raise OffriError("bad-size", {"option": option, "value": value}) from None


@app.command()
def build(store: StoreOption = None, endpoint: EndpointOption = None, timeout: TimeoutOption = 30.0,
          lang: LangOption = None) -> None:
    """The main job: load the shipped data into the store (validated), and summarise it."""
    from offri_kg.build import build_default, build_remote
    from offri_kg.report_text import render_build

    language = _lang(lang)
    try:
        _one_store(store, endpoint)
        summary = build_remote(endpoint, timeout) if endpoint else build_default(store)
    except OffriError as error:
        _fail(error, language)
    typer.echo(render_build(summary, language))
    raise typer.Exit(1 if summary.report.count_violations() else 0)


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Data files; each replaces its own named graph.",
                                                show_default=False)],
    graph: Annotated[Optional[str], typer.Option(help="Named graph IRI (with exactly one file).")] = None,
    input_format: Annotated[Optional[str], typer.Option(
        "--input-format", "-i",
        help="Input format when the extension does not tell: turtle, trig, ntriples, nquads, jsonld, rdfxml.")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace graphs that another file (or no recorded load) wrote.")] = False,
    store: StoreOption = None, endpoint: EndpointOption = None, timeout: TimeoutOption = 30.0,
    lang: LangOption = None,
) -> None:
    """Validate files and load them, all or nothing. Exit 1 if the data has violations, 2 if unreadable."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from offri_kg.ingest.read import read_sources
    from offri_kg.report_text import render_report
    from offri_kg.store.embedded import ValidationFailed

    language = _lang(lang)
    if graph is not None and "://" not in graph and not graph.startswith("urn:"):
        _fail(OffriError("bad-graph-iri", {"graph": graph}), language)
    try:
        sources = read_sources(list(paths), input_format)
        kg = _open(store, endpoint, timeout)
        with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                      transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("load", total=sum(len(s.data) for s in sources))
            with _say_when_interrupted(t("load-interrupted", language)):
                reports = kg.load(sources, graph=graph, replace=replace,
                                  progress=lambda done, total: bar.update(task, completed=done))
        kg.close()
    except ValidationFailed as failure:
        typer.echo(render_report(failure.report, language), err=True)
        typer.echo(f"offri: {render_error(failure, language)}", err=True)
        raise typer.Exit(1)
    except OffriError as error:
        if getattr(error, "report", None) is not None:
            typer.echo(render_report(error.report, language), err=True)
            typer.echo(f"offri: {render_error(error, language)}", err=True)
            raise typer.Exit(1)
        _fail(error, language)
    for report in reports:
        typer.echo(t("load-replaced" if report.replaced else "load-done", language, graph=report.graph,
                     triples=report.triples, source=report.source))


class ResultFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"


@app.command()
def query(
    name: Annotated[Optional[str], typer.Argument(help="A stored query (see `offri queries`).")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", help="A SPARQL query file instead.")] = None,
    param: Annotated[list[str], typer.Option("--param", "-p", help="NAME=VALUE, repeatable.")] = [],  # noqa: B006
    output: Annotated[ResultFormat, typer.Option("--format", "-f")] = ResultFormat.table,
    store: StoreOption = None, endpoint: EndpointOption = None,
    timeout: Annotated[Optional[float], typer.Option(
        "--timeout", help="Seconds the query may run (a remote store: 30 unless given).")] = None,
    max_memory: MemoryOption = "1G",
    lang: LangOption = None,
) -> None:
    """Run a stored query with parameters, or a SPARQL file. Results as a table or a W3C format."""
    from offri_kg.query.bind import bindings
    from offri_kg.query.library import get_stored_query
    from offri_kg.report_text import render_table

    language = _lang(lang)
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
                given["lang"] = language
            terms = bindings(stored, given)
            sparql = stored.sparql
        memory = _size(max_memory, "--max-memory")
        kg = _open(store, endpoint, 30.0 if timeout is None else timeout, read_only=endpoint is None, isolate=True,
                   max_memory=memory)
        try:
            result = kg.query(sparql, terms, timeout=timeout)
        finally:
            kg.close()
        if output is ResultFormat.table:
            typer.echo(render_table(result, language))
        else:
            import pyoxigraph as ox

            formats = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
                       "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                       "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}
            fmt = formats[output.value]
            if result.kind == "graph" and isinstance(fmt, ox.QueryResultsFormat):
                fmt = ox.RdfFormat.N_TRIPLES
            if result.kind != "graph" and isinstance(fmt, ox.RdfFormat):
                fmt = ox.QueryResultsFormat.JSON
            sys.stdout.buffer.write(result.serialize(fmt))
            sys.stdout.flush()
    except OffriError as error:
        if error.code == "query-syntax" and file is not None:
            error.location.file = str(file)
            _locate_syntax(error)
        _fail(error, language)


def _locate_syntax(error: OffriError) -> None:
    import re

    match = re.search(r"(\d+):(\d+)", error.params.get("detail", ""))
    if match:
        error.location.line, error.location.column = int(match.group(1)), int(match.group(2))


@app.command()
def queries(lang: LangOption = None) -> None:
    """List the stored queries with their research question and parameters."""
    from offri_kg.query.library import stored_queries

    language = _lang(lang)
    for query in stored_queries().values():
        questions = ", ".join(str(q) for q in query.question)
        typer.echo(f"{query.id}  [Q{questions}]  {query.title_in(language)}")
        for p in query.params:
            default = f" = {p.default}" if p.default else ""
            typer.echo(f"    --param {p.name}=<{p.type}>{default}   {p.text(language)}")


class ExportFormat(str, Enum):
    nquads = "nquads"
    trig = "trig"
    turtle = "turtle"
    ntriples = "ntriples"


@app.command()
def export(
    graph: Annotated[Optional[str], typer.Option(help="Only this named graph.")] = None,
    output: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.nquads,
    out: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    store: StoreOption = None, endpoint: EndpointOption = None, timeout: TimeoutOption = 30.0,
    lang: LangOption = None,
) -> None:
    """Dump the store (N-Quads or TriG), or one graph."""
    import os
    import tempfile

    import pyoxigraph as ox

    language = _lang(lang)
    fmt = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE,
           "ntriples": ox.RdfFormat.N_TRIPLES}[output.value]
    try:
        if graph is None and not fmt.supports_datasets:
            raise OffriError("export-needs-graph", {"format": fmt.name})
        kg = _open(store, endpoint, timeout, read_only=endpoint is None)
        data = kg.export(fmt, graph)
        kg.close()
    except OffriError as error:
        _fail(error, language)
    if out is None:
        sys.stdout.buffer.write(data)
        return
    if out.is_dir():
        _fail(OffriError("cannot-write", {"path": str(out), "detail": "is a directory"}), language)
    try:
        handle, temp = tempfile.mkstemp(dir=out.resolve().parent, prefix=out.name, suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, out)
    except OSError as exc:
        _fail(OffriError("cannot-write", {"path": str(out), "detail": exc.strerror or str(exc)}), language)


@app.command()
def stats(store: StoreOption = None, endpoint: EndpointOption = None, timeout: TimeoutOption = 30.0,
          lang: LangOption = None) -> None:
    """Graphs (with provenance), triples, and instances per class."""
    from offri_kg.report_text import render_stats

    language = _lang(lang)
    try:
        kg = _open(store, endpoint, timeout, read_only=endpoint is None)
        text = render_stats(kg, language)
        kg.close()
    except OffriError as error:
        _fail(error, language)
    typer.echo(text)


@app.command()
def serve(
    store: StoreOption = None,
    endpoint: EndpointOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds a query may run.")] = 10.0,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Most rows an answer may have.")] = 100_000,
    workers: Annotated[int, typer.Option(help="Query worker processes kept ready (more start as needed).")] = 2,
    max_memory: MemoryOption = "1G",
    slow_after: Annotated[float, typer.Option(
        "--slow-after", help="Seconds after which a running query yields to newer ones (the slow lane).")] = 0.5,
    max_queries: Annotated[int, typer.Option("--max-queries", help="Queries running at once, all clients.")] = 128,
    slow_queries: Annotated[int, typer.Option("--slow-queries", help="Slow queries running at once.")] = 8,
    client_queries: Annotated[int, typer.Option(
        "--client-queries", help="Queries one client (address and User-Agent) may run at once.")] = 8,
    client_slow: Annotated[int, typer.Option("--client-slow", help="Slow queries one client may run at once.")] = 2,
    max_depth: Annotated[int, typer.Option("--max-depth", help="Deepest nesting of brackets a query may have.")] = 64,
    max_operators: Annotated[int, typer.Option(
        "--max-operators", help="Most patterns and operators one query may combine.")] = 1000,
    proxy: Annotated[Optional[str], typer.Option(
        "--proxy", help="Addresses of a reverse proxy whose X-Forwarded-For names the client (comma-separated).")] = None,
    allow_update: Annotated[bool, typer.Option(
        "--allow-update", help="Accept SPARQL Update from clients that log in as "
        "$OFFRI_SERVE_USER / $OFFRI_SERVE_PASSWORD (never given on the command line).")] = False,
    lang: LangOption = None,
) -> None:
    """Serve the store: SPARQL endpoint, linked data and the catalogue in a browser."""
    import uvicorn

    from offri_kg.build import build_default
    from offri_kg.store.base import default_store_path
    from offri_kg.web.app import config_from_env, create_app

    language = _lang(lang)
    path = None if endpoint else (store or default_store_path())
    try:
        _one_store(store, endpoint)
        for option, value in (("--workers", workers), ("--max-queries", max_queries), ("--slow-queries", slow_queries),
                              ("--client-queries", client_queries), ("--client-slow", client_slow),
                              ("--max-depth", max_depth), ("--max-operators", max_operators)):
            if value < 1:
                raise OffriError("bad-count", {"option": option, "value": value})
        if not (time_limit > 0 and slow_after > 0):
            raise OffriError("bad-timeout", {"value": time_limit if not time_limit > 0 else slow_after})
        config = config_from_env(path, endpoint=endpoint, time_limit=time_limit, row_cap=max_rows, workers=workers,
                                 max_memory=_size(max_memory, "--max-memory"), slow_after=slow_after,
                                 max_queries=max_queries, slow_queries=slow_queries, client_queries=client_queries,
                                 client_slow=client_slow, max_depth=max_depth, max_operators=max_operators,
                                 allow_update=allow_update)
        if allow_update and not (config.user and config.password):
            raise OffriError("update-credentials-missing")
        if path is not None and not (path / "oxigraph").exists():
            if store is not None:  # a typo must not serve example data as if it were the steward's
                raise OffriError("serve-store-missing", {"path": str(path)})
            build_default(path)  # a fresh machine: serve the shipped data from the default place
    except OffriError as error:
        _fail(error, language)
    typer.echo(t("serve-ready", language, url=f"http://{host}:{port}/"))
    # the client's address is the peer's, unless a proxy we were told to trust says otherwise
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", proxy_headers=proxy is not None,
                forwarded_allow_ips=proxy or "")


def main() -> None:
    """Entry point: never show a traceback to a user."""
    warnings.showwarning = _note_warning
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence
        lang = default_lang()
        typer.echo(f"offri: {t('internal-error', lang, kind=type(exc).__name__, detail=exc)}", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
