"""``offri validate``: check data files against offri's shapes, without a store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from offri_kg.cli import options
from offri_kg.cli.options import (
    Engine,
    FailOn,
    InputFormatOption,
    LangOption,
    ReportFormat,
)
from offri_kg.cli.talk import fail, language
from offri_kg.errors import OffriError


def validate(
    paths: Annotated[list[Path], typer.Argument(
        metavar="FILE...", parser=options.file, help="Data files, validated together as one dataset.", show_default=False)],
    input_format: InputFormatOption = None,
    output: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = ReportFormat.text,
    fail_on: Annotated[FailOn, typer.Option(help="Lowest severity that makes the exit code 1.")] = FailOn.violation,
    engine: Annotated[Engine, typer.Option(
        help="oxigraph (fast, set-based) or pyshacl (the reference; needs offri's pyshacl extra).")
    ] = Engine.oxigraph,
    lang: LangOption = None,
) -> None:
    """Validate data files against offri's SHACL shapes. Exit 0: conforms, 1: violations, 2: unreadable input."""
    from offri_kg.report_text import render_report
    from offri_kg.validate import Severity, validate_files

    words = language(lang)
    try:
        report = validate_files(paths, input_format, engine=engine.value)
    except OffriError as error:
        fail(error, words)
    if output is ReportFormat.json:
        typer.echo(report.to_json(words))
    elif output is ReportFormat.turtle:
        typer.echo(report.to_turtle())
    else:
        typer.echo(render_report(report, words))
    threshold = {FailOn.violation: Severity.VIOLATION, FailOn.warning: Severity.WARNING,
                 FailOn.info: Severity.INFO}[fail_on]
    raise typer.Exit(1 if report.has_at_least(threshold) else 0)
