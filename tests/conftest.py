"""What every test shares: no test touches the store of whoever runs the tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def own_default_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``OFFRI_STORE`` points into a temporary folder for every test (and the commands it
    runs), so that ``offri build`` or a command without ``--store`` never writes into
    ``~/.local/share/offri/store`` of the person running the tests."""
    path = tmp_path_factory.mktemp("default-store") / "store"
    monkeypatch.setenv("OFFRI_STORE", str(path))
    return path
