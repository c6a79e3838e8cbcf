"""The web app under test: a store built from the shipped data, served in-process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.testclient import TestClient
from storekit import built_store

from offri_kg.web.app import ServeConfig, create_app

__all__ = ["built_store", "client"]


@contextmanager
def client(store: Path, **config: object) -> Iterator[TestClient]:
    """A client talking to ``offri serve`` on ``store``; worker processes live as long as it."""
    app = create_app(ServeConfig(store_path=store, **config))  # type: ignore[arg-type]
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
