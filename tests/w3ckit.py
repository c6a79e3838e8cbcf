"""Where the W3C test suites are: ``shared/w3c`` beside the project (never copied into it).

Looked for in ``$OFFRI_W3C``, then beside this checkout (``../shared/w3c``), then beside the
repository this one was cloned from (a fresh ``git clone`` of the project lives elsewhere).
Missing suites skip the tests that need them, except on CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import rdflib

from clikit import ROOT

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")


def _candidates() -> list[Path]:
    found = [Path(os.environ["OFFRI_W3C"])] if os.environ.get("OFFRI_W3C") else []
    found.append(ROOT.parent / "shared" / "w3c")
    try:
        origin = subprocess.run(["git", "-C", str(ROOT), "remote", "get-url", "origin"], capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        origin = ""
    if origin and "://" not in origin:
        found.append(Path(origin).resolve().parent / "shared" / "w3c")
    return found


def w3c_suite(name: str) -> Path:
    """The folder of suite ``name`` (e.g. ``sparql11-syntax``)."""
    for base in _candidates():
        if (base / name).is_dir():
            return base / name
    message = f"the W3C suite {name} was not found (set OFFRI_W3C to the shared/w3c folder)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
    raise AssertionError  # unreachable


def syntax_tests(suite: Path) -> list[tuple[str, Path, bool, bool]]:
    """(name, file, is an update, is positive) for every syntax test of the suite's manifests."""
    tests = []
    for manifest in sorted(suite.glob("*/manifest.ttl")):
        graph = rdflib.Graph()
        graph.parse(manifest, publicID=manifest.resolve().as_uri())
        for test, kind in sorted(graph.subject_objects(rdflib.RDF.type)):
            name = str(kind).rsplit("#", 1)[-1]
            if "Syntax" not in name:
                continue
            action = Path(str(graph.value(test, MF.action)).removeprefix("file://"))
            tests.append((f"{manifest.parent.name}/{action.name}", action, "Update" in name,
                          name.startswith("Positive")))
    return tests
