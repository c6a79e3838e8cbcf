"""offri's optional parts: pySHACL (``offri[pyshacl]``) and owlready2 (``offri[reason]``) are
imported only when used, and asking for one that is not installed is refused in words that name
the pip command. "Not installed" is a process in which importing it fails (``sys.modules[name] =
None``), so the test environment itself keeps both."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from clikit import INPUT, ROOT, Run

BROKEN = [INPUT / "missing-status.ttl", INPUT / "actors.ttl"]
OPTIONAL = ("pyshacl", "owlready2")


def python(code: str, *args: object, blocked: tuple[str, ...] = ()) -> Run:
    """``code`` in a fresh interpreter in which the ``blocked`` modules cannot be imported."""
    prelude = f"import sys\nfor name in {blocked!r}:\n    sys.modules[name] = None\n"
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("OFFRI_LANG", None)
    proc = subprocess.run([sys.executable, "-c", prelude + code, *map(str, args)], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env)
    return Run(proc.returncode, proc.stdout, proc.stderr)


OFFRI = "sys.argv[0] = 'offri'\nfrom offri_kg.cli import main\nmain()\n"


@pytest.mark.parametrize("lang, words", [("en", "is not installed here"), ("nb", "er ikke installert her")])
def test_the_reference_engine_without_pyshacl_names_the_pip_command(lang: str, words: str) -> None:
    run = python(OFFRI, "validate", *BROKEN, "--engine", "pyshacl", "--lang", lang, blocked=("pyshacl",))
    assert run.code == 2 and run.out == "", (run.code, run.out, run.err)
    assert run.err.startswith("offri: pyshacl ") and words in run.err, run.err
    assert "pip install 'offri[pyshacl]'" in run.err
    assert len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err


def test_the_default_engine_needs_neither_extra() -> None:
    run = python(OFFRI, "validate", *BROKEN, "--lang", "en", blocked=OPTIONAL)
    assert run.code == 1, run.err  # it ran: the violation is found
    assert "The partnership must have exactly one status" in run.out


def test_a_validation_imports_neither_extra_nor_pydantic() -> None:
    """A user's ``offri validate`` does not pay for what it does not use (pySHACL's import alone
    was more than half of every start; typer 0.29's pydantic another 0.1 s)."""
    code = ("from offri_kg.cli import app\n"
            "try:\n    app(sys.argv[1:], prog_name='offri')\nexcept SystemExit:\n    pass\n"
            "import offri_kg.reason, offri_kg.validate\n"
            "print(json.dumps(sorted(m for m in ('pyshacl', 'owlready2', 'pydantic') if m in sys.modules)))\n")
    run = python("import json\n" + code, "validate", *BROKEN, "--lang", "en")
    assert json.loads(run.out.strip().splitlines()[-1]) == [], run.out + run.err


def test_reasoning_without_owlready2_is_refused_with_the_pip_command() -> None:
    """reason.py imports without owlready2 (a command will call it); ``classify`` says what to install."""
    code = ("from offri_kg.errors import OffriError\n"
            "from offri_kg.i18n import render_error\n"
            "from offri_kg.reason import classify\n"
            "from offri_kg.resources import ontology_files\n"
            "try:\n    classify(ontology_files())\n"
            "except OffriError as error:\n    print(error.code, render_error(error, 'en'))\n")
    run = python(code, blocked=("owlready2",))
    assert run.code == 0, run.err
    assert run.out.startswith("extra-missing owlready2 ") and "pip install 'offri[reason]'" in run.out
