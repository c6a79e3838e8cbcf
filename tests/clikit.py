"""Run the ``offri`` command: as a user does (a subprocess, ``offri``), or through the same entry
point inside the test process (``invoke``), which spares each call an interpreter start and
offri's imports.

``invoke`` is for tests about what a command says and does. Tests about the process itself —
the exit code a shell sees after a signal, what reaches the real stdout and stderr (encoding,
output of child processes), the environment a command is started with, a command that might
hang (``offri serve``) — use ``offri``.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from offri_kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
INPUT = ROOT / "tests" / "fixtures" / "input"
#: What both ways set in the command's environment (no colours, a wide terminal) and take out.
ENVIRONMENT = {"NO_COLOR": "1", "COLUMNS": "200"}
UNSET = ("OFFRI_LANG",)


@dataclass
class Run:
    code: int
    out: str
    err: str


def offri(*args: str | Path, cwd: Path | None = None, timeout: float = 300, env: dict | None = None) -> Run:
    """Run ``offri ARGS`` with the interpreter of this test run (its console script equivalent)."""
    environment = {**os.environ, **ENVIRONMENT, **(env or {})}
    for name in UNSET:
        environment.pop(name, None)
    proc = subprocess.run([sys.executable, "-m", "offri_kg.cli", *map(str, args)], cwd=cwd or ROOT, check=False,
                          capture_output=True, text=True, timeout=timeout, env=environment)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def invoke(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> Run:
    """``offri ARGS`` through ``offri_kg.cli.main`` in this process, as the console script runs it:
    the same arguments, working folder, environment and warning filters as ``offri`` gives the
    subprocess, stdout and stderr captured as text, and the code it would exit with."""
    out, err = _text_stream(), _text_stream()
    changes = {**ENVIRONMENT, **(env or {}), **dict.fromkeys(UNSET)}
    with _environment(changes), contextlib.chdir(cwd or ROOT), _fresh_interpreter_warnings(), \
            _replaced(sys, argv=["offri", *map(str, args)], stdin=_text_stream(), stdout=out, stderr=err):
        try:
            main()
            code = 0
        except SystemExit as end:
            code = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
    return Run(code, _read(out), _read(err))


def _text_stream() -> io.TextIOWrapper:
    """An empty text stream with a ``buffer`` underneath, as the real ones have (offri writes
    result bytes to stdout's buffer)."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace", write_through=True)


def _read(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8", errors="replace")  # type: ignore[attr-defined]


@contextlib.contextmanager
def _replaced(owner: object, **values: object) -> Iterator[None]:
    """Attributes of ``owner`` set to ``values`` for the block, then put back."""
    before = {name: getattr(owner, name) for name in values}
    for name, value in values.items():
        setattr(owner, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(owner, name, value)


@contextlib.contextmanager
def _environment(changes: dict[str, str | None]) -> Iterator[None]:
    """``os.environ`` with ``changes`` (None: unset) for the block, then as it was."""
    before = {name: os.environ.get(name) for name in changes}
    try:
        for name, value in changes.items():
            _set_variable(name, value)
        yield
    finally:
        for name, value in before.items():
            _set_variable(name, value)


def _set_variable(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@contextlib.contextmanager
def _fresh_interpreter_warnings() -> Iterator[None]:
    """The warning filters a new interpreter starts with (pytest shows every deprecation; a
    command run by a user hides them), and ``warnings.showwarning`` put back after the command
    (``main`` points it at its own notes)."""
    with warnings.catch_warnings():
        warnings.resetwarnings()
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.simplefilter("ignore", category)
        warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
        yield
