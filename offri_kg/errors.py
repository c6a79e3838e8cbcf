"""Errors a user can cause. Each carries a message code and where it happened, never prose:
the CLI and web layers turn them into Norwegian or English text (see ``offri_kg.i18n``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Location:
    """Where in the input something went wrong; every part is optional."""

    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file or ""]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(p for p in parts if p)


@dataclass(frozen=True)
class Msg:
    """A piece of a message that is itself translated (e.g. what a parameter expects)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(self.code)


@dataclass
class OffriError(Exception):
    """Base class: ``code`` names a message in ``offri_kg.i18n.MESSAGES``; ``params`` fill it in."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    location: Location = field(default_factory=Location)

    def __post_init__(self) -> None:
        super().__init__(self.code, self.params, str(self.location))

    def __str__(self) -> str:  # English text, for logs and tracebacks of programmers
        from offri_kg.i18n import render_error

        return render_error(self, "en")


class InputError(OffriError):
    """The input cannot be read: missing, unreadable, wrong format, syntax error, unsafe."""


class OffriWarning(UserWarning):
    """Something the user should know that does not stop the work (``warnings.warn``: a
    notebook shows it, the CLI prints it as a note in the user's language)."""

    def __init__(self, code: str, params: dict[str, Any] | None = None) -> None:
        self.code, self.params = code, params or {}
        super().__init__(code)

    def __str__(self) -> str:
        from offri_kg.i18n import default_lang, message

        return message(self.code, default_lang(), **self.params)


class UnsupportedShapeError(Exception):
    """A shape uses SHACL that offri's set-based engine does not compile (programming error)."""
