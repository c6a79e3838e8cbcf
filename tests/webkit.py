"""The web app under test: a store built from the shipped data, served in-process."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.testclient import TestClient

from offri_kg.build import build_default
from offri_kg.store.embedded import EmbeddedStore
from offri_kg.web.app import ServeConfig, create_app

_templates: dict[str, Path] = {}  # stores this test process made once, which the functions below copy


def _copy_of(kind: str, make: Callable[[Path], object], path: Path) -> Path:
    """A copy at ``path`` of the store ``make`` writes, made once per test process: a closed
    store's folder copied is the same store, in a fraction of the time it takes to write one."""
    if kind not in _templates:
        template = Path(tempfile.mkdtemp(prefix=f"offri-{kind}-")) / "store"
        make(template)
        atexit.register(shutil.rmtree, template.parent, True)
        _templates[kind] = template
    shutil.copytree(_templates[kind], path)
    return path


def built_store(path: Path) -> Path:
    """A store at ``path`` holding the reference and example data (as ``offri build`` makes it;
    tests that are about building run ``offri build`` themselves)."""
    return _copy_of("built", build_default, path)


def empty_store(path: Path) -> Path:
    """A new store at ``path``: only the reference graphs every embedded store starts with."""
    return _copy_of("empty", lambda template: EmbeddedStore(template).close(), path)


@contextmanager
def client(store: Path, **config: object) -> Iterator[TestClient]:
    """A client talking to ``offri serve`` on ``store``; worker processes live as long as it."""
    app = create_app(ServeConfig(store_path=store, **config))  # type: ignore[arg-type]
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
