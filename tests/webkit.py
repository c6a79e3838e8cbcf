"""The web app under test: a store built from the shipped data, served in-process."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.testclient import TestClient

from offri_kg.build import build_default
from offri_kg.web.app import ServeConfig, create_app

_built: list[Path] = []  # the store this test process built once, which every built_store copies


def built_store(path: Path) -> Path:
    """A store at ``path`` holding the reference and example data (as ``offri build`` makes it).

    The build (load, validate, record) runs once per test process; every call copies its closed
    store folder, which is the same store, in a fraction of the time. Tests that are about
    building run ``offri build`` themselves."""
    if not _built:
        template = Path(tempfile.mkdtemp(prefix="offri-built-")) / "store"
        build_default(template)
        atexit.register(shutil.rmtree, template.parent, True)
        _built.append(template)
    shutil.copytree(_built[0], path)
    return path


@contextmanager
def client(store: Path, **config: object) -> Iterator[TestClient]:
    """A client talking to ``offri serve`` on ``store``; worker processes live as long as it."""
    app = create_app(ServeConfig(store_path=store, **config))  # type: ignore[arg-type]
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
