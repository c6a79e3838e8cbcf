"""What every test shares: no test touches the store of whoever runs the tests; the real
triple-store servers, started once per test process (a session fixture defined here is one
fixture; imported into two test modules it would be two, each starting its own server); the
reference validator's reports, shared by the test processes of a run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import rulekit
from servers import Server, running, start_oxigraph, start_virtuoso


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regenerate-golden", action="store_true",
                     help="write each stored query's answer on the embedded store as its golden answer "
                          "(tests/golden/), then compare as usual; refused when CI is set")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("regenerate_golden") and os.environ.get("CI"):
        raise pytest.UsageError("--regenerate-golden rewrites the golden answers that a CI run must compare "
                                "against; run it on your machine (without CI) and commit the changes you meant")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if config.getoption("regenerate_golden"):
        terminalreporter.write_line("golden answers rewritten from the embedded store: review `git diff tests/golden`")


@pytest.fixture(autouse=True)
def own_default_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``OFFRI_STORE`` points into a temporary folder for every test (and the commands it
    runs), so that ``offri build`` or a command without ``--store`` never writes into
    ``~/.local/share/offri/store`` of the person running the tests."""
    path = tmp_path_factory.mktemp("default-store") / "store"
    monkeypatch.setenv("OFFRI_STORE", str(path))
    return path


@pytest.fixture(scope="session", autouse=True)
def shared_pyshacl_reports(tmp_path_factory: pytest.TempPathFactory) -> None:
    """pyshacl's reports (``rulekit.pyshacl_report``) kept in this run's temporary folder, which
    every test process of the run (pytest-xdist's workers: their own folders are inside it) sees."""
    run_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_folder = run_folder.parent
    rulekit.share_reports_in(run_folder / "pyshacl-reports")


# ---- real SPARQL servers (tests/servers.py) --------------------------------------------------------

@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(start_oxigraph(tmp_path_factory.mktemp("oxigraph"), timeout_s=60)) as server:
        yield server


@pytest.fixture
def oxigraph_scratch(tmp_path: Path) -> Iterator[Server]:
    """A throwaway Oxigraph server for tests that leave it busy (a runaway query): stopped after the test."""
    with running(start_oxigraph(tmp_path / "oxigraph-scratch", timeout_s=10)) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(start_virtuoso(tmp_path_factory.mktemp("virtuoso"))) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_golden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Virtuoso that holds only the shipped data, for the golden answers. Virtuoso 7.2's answers
    depend on what it held before: after test_load_ownership's loads and deletes on the shared
    server, q06-anchoring's nested OPTIONAL lost a decision date that the server still held."""
    with running(start_virtuoso(tmp_path_factory.mktemp("virtuoso-golden"))) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second Virtuoso with low limits, as public endpoints have: at most 100 rows per answer
    (more are cut, with only a header to say so) and 1 s per query (a runaway query of a test
    never outlives it; with the ``timeout`` parameter it answers with a partial result)."""
    with running(start_virtuoso(tmp_path_factory.mktemp("virtuoso-limited"),
                                sparql={"MaxQueryExecutionTime": "1", "ResultSetMaxRows": "100"})) as server:
        yield server
