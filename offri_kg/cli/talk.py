"""How the ``offri`` command talks to people: in their language, one ``offri:`` line per error,
never a traceback; a usage mistake (a wrong choice, a missing file name) in typer's words with
the same prefix."""

from __future__ import annotations

import contextlib
import signal
import warnings
from collections.abc import Iterator
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from offri_kg.errors import OffriError, OffriWarning
from offri_kg.i18n import default_lang, message, render_error

_show_warning = warnings.showwarning
_language: list[str] = []  # the command's language, once known (for notes from warnings)


def language(value: str | None) -> str:
    """The command's language: ``--lang`` (already one of offri's, typer checked), else from the
    environment. Remembered for the notes warnings become."""
    lang = str(value) if value is not None else default_lang()
    _language[:] = [lang]
    return lang


def say(text: str) -> None:
    """One line for the user on stderr, marked as offri's."""
    typer.echo(f"offri: {text}", err=True)


def fail(error: OffriError, lang: str) -> NoReturn:
    """Refuse in words: where and what, in the user's language; exit code 2."""
    say(render_error(error, lang))
    raise typer.Exit(2)


def note_warning(warning: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: object = None, line: str | None = None) -> None:
    """``warnings.showwarning`` for the CLI: offri's own warnings as a note in the user's
    language, not as a programmer's line with a file name."""
    if isinstance(warning, OffriWarning):
        lang = _language[0] if _language else default_lang()
        say(message(warning.code, lang, **warning.params))
    else:
        _show_warning(warning, category, filename, lineno, file, line)  # type: ignore[arg-type]


@contextlib.contextmanager
def say_when_interrupted(note: str) -> Iterator[None]:
    """Ctrl+C says at once what happens next: a load cannot stop its disk writes half-way, and
    undoes them only when they end (seconds, for a large file); without a word the command
    looks hung."""
    def interrupted(_signum: int, _frame: object) -> None:
        say(note)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl+C is not delayed
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _usage_error(error: Exception) -> NoReturn:
    """Typer's usage message, plain, its last line marked ``offri:`` like every other error;
    for a wrong value, what the option takes (its help) follows. Exit code 2."""
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        typer.echo(ctx.get_usage(), err=True)
        if ctx.command.get_help_option(ctx) is not None:
            typer.echo(f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help.", err=True)
    say(error.format_message())  # type: ignore[attr-defined]
    param = getattr(error, "param", None)
    if getattr(param, "help", None):  # what the option (or argument) takes, in its own words
        label = " / ".join(param.opts) if param.param_type_name == "option" else param.human_readable_name
        typer.echo(f"  {label}: {param.help}", err=True)
    raise typer.Exit(2)


class OffriGroup(TyperGroup):
    """The command group with offri's way of pointing out usage mistakes (a wrong choice, an
    unknown option, a missing argument): as one ``offri:`` line under typer's usage, without the
    framed box, so that it reads like the rest of offri's errors. It works whether the app runs
    as the console script or in a test runner (it ends in ``typer.Exit``)."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        if not args and self.no_args_is_help:  # plain ``offri``: typer shows the help
            return super().make_context(info_name, args, parent, **extra)
        with _usage_errors_in_words():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:  # a command's own arguments are read here
        with _usage_errors_in_words():
            return super().invoke(ctx)


@contextlib.contextmanager
def _usage_errors_in_words() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        # a usage error is (click's and typer's) ``UsageError``: exit code 2 and a message; told
        # by those two rather than by a class that moved between typer releases
        if getattr(error, "exit_code", None) != 2 or not hasattr(error, "format_message"):
            raise
        _usage_error(error)
