"""The ``offri`` command's conventions: a wrong choice is a usage error in typer's words with the
``offri:`` prefix and exit code 2; every option's help says in words what it takes."""

from __future__ import annotations

import re

import pytest
from clikit import INPUT, offri
from typer.main import get_command
from typer.testing import CliRunner

from offri_kg.cli import app
from offri_kg.cli.options import Engine, Lang
from offri_kg.i18n import LANGS

GOOD = INPUT / "actors.ttl"
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


def run(*args: str) -> object:
    """``offri ARGS`` in this process (these tests are about the parsing, not the process)."""
    return CliRunner().invoke(app, [str(a) for a in args], prog_name="offri", env={"COLUMNS": "200", "NO_COLOR": "1"})


@pytest.mark.parametrize("args, value, choice", [
    (["validate", GOOD, "--engine", "jena"], "jena", "pyshacl"),
    (["validate", GOOD, "--format", "html"], "html", "turtle"),
    (["validate", GOOD, "--fail-on", "error"], "error", "warning"),
    (["validate", GOOD, "--lang", "de"], "de", "nb"),
    (["queries", "--lang", "sv"], "sv", "en"),
    (["query", "q14-catalogue", "-f", "yaml"], "yaml", "ntriples"),
    (["export", "--format", "rdfxml"], "rdfxml", "nquads"),
])
def test_a_wrong_choice_is_refused_in_typers_words_with_offris_prefix(args: list, value: str, choice: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Usage: offri ")
    [said] = [line for line in lines if line.startswith("offri: ")]
    assert f"'{value}'" in said and f"'{choice}'" in said, result.stderr
    assert "Traceback" not in result.stderr and "╭" not in result.stderr  # no frame around it either


def test_the_process_refuses_the_same_way() -> None:
    """The console script (``main``) as well as the app: the same words, exit code 2."""
    result = offri("validate", GOOD, "--engine", "jena")
    assert result.code == 2 and result.out == ""
    assert "offri: Invalid value for '--engine': 'jena' is not one of 'oxigraph', 'pyshacl'." in result.err
    assert "Traceback" not in result.err


def test_other_usage_mistakes_carry_the_prefix_too() -> None:
    missing = run("validate")
    assert missing.exit_code == 2 and "offri: Missing argument 'FILE...'." in missing.stderr
    unknown = run("validate", GOOD, "--no-such-option")
    assert unknown.exit_code == 2 and "offri: No such option: --no-such-option" in unknown.stderr
    command = run("no-such-command")
    assert command.exit_code == 2 and "offri: No such command 'no-such-command'." in command.stderr


def test_offri_alone_shows_the_help() -> None:
    result = run()
    assert "Usage: offri [OPTIONS] COMMAND" in result.output and "validate" in result.output
    assert "offri: " not in result.output


def test_language_is_case_blind() -> None:
    assert run("queries", "--lang", "NB").exit_code == 0


def test_the_cli_choices_are_the_librarys() -> None:
    from offri_kg.validate import ENGINES

    assert [e.value for e in Engine] == list(ENGINES)
    assert [lang.value for lang in Lang] == list(LANGS)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_names_what_each_option_takes_in_words(command: str | None) -> None:
    """No Python type name (``<str>``, ``<list[Path]>``, ``<float>``) in any help: a value is a
    FILE, an IRI, SECONDS; a fixed choice lists its choices."""
    result = run(*([command] if command else []), "--help")
    assert result.exit_code == 0, result.output
    for shown in re.findall(r"<[^<>\s]*>", result.output):
        assert "|" in shown or shown in ("<file>", "<query>"), (command, shown)
    for name in ("str", "int", "float", "bool", "path", "list", "Path", "dict", "text"):
        assert not re.search(rf"\b{name}\[|<{name}>", result.output), (command, name)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_and_argument_has_a_help_text(command: str) -> None:
    group = get_command(app)
    params = group.commands[command].params  # type: ignore[attr-defined]
    assert params
    for param in params:
        assert (param.help or "").strip(), (command, param.name)
