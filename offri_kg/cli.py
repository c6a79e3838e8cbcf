"""The ``offri`` command. The only module (with the web layer) that talks to people."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from offri_kg.errors import OffriError
from offri_kg.i18n import LANGS, default_lang, render_error, t

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="offri — models for collaboration between the public and the voluntary sector "
                       "/ modeller for samarbeid mellom offentlig og frivillig sektor.")


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


def _lang(value: str | None) -> str:
    lang = value or default_lang()
    if lang not in LANGS:
        typer.echo(f"offri: {t('bad-lang', 'en', value=lang)}", err=True)
        raise typer.Exit(2)
    return lang


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


@app.command()
def build(lang: LangOption = None) -> None:
    """Build the knowledge graph from the shipped data, validate it and print a summary."""
    from offri_kg.build import build_default
    from offri_kg.report_text import render_build

    language = _lang(lang)
    try:
        summary = build_default()
    except OffriError as error:
        _fail(error, language)
    typer.echo(render_build(summary, language))
    raise typer.Exit(1 if summary.report.count_violations() else 0)


def main() -> None:
    """Entry point: never show a traceback to a user."""
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
