"""The ``offri`` command: the only place (with the web layer) that talks to people.

One module per group of commands (``validate``, ``store``: build/load/export/stats, ``query``,
``serve``); ``options`` holds the choices and options they share, ``talk`` how errors and notes
reach the user. Each command imports what it needs when it runs, so ``offri --help`` stays quick.
"""

from __future__ import annotations

import sys
import warnings
from typing import Annotated

import typer

from offri_kg.cli import query, serve, store, validate
from offri_kg.cli.talk import OffriGroup, note_warning, say
from offri_kg.i18n import default_lang, message

app = typer.Typer(cls=OffriGroup, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
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


# The commands, in the order the help lists them.
app.command()(validate.validate)
app.command()(store.build)
app.command()(store.load)
app.command()(query.query)
app.command()(query.queries)
app.command()(store.export)
app.command()(store.stats)
app.command()(serve.serve)


def main() -> None:
    """Entry point: never show a traceback to a user."""
    warnings.showwarning = note_warning
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence
        say(message("internal-error", default_lang(), kind=type(exc).__name__, detail=exc))
        sys.exit(3)


__all__ = ["app", "main"]
