"""Embedded stores for tests, each written once per test process and then copied.

Writing a store costs seconds (a new store bulk-loads the reference graphs file by file; a
built one is loaded, validated and recorded); a closed store's folder copied is the same store,
in a hundredth of the time. Tests about creating or building a store make their own.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from offri_kg.build import build_default
from offri_kg.store.embedded import EmbeddedStore

_templates: dict[str, Path] = {}  # the stores this test process wrote once, by kind


def _copy_of(kind: str, make: Callable[[Path], object], path: Path) -> Path:
    """A copy at ``path`` of the store ``make`` writes (written once per test process)."""
    if kind not in _templates:
        template = Path(tempfile.mkdtemp(prefix=f"offri-{kind}-")) / "store"
        make(template)
        atexit.register(shutil.rmtree, template.parent, True)
        _templates[kind] = template
    shutil.copytree(_templates[kind], path)
    return path


def built_store(path: Path) -> Path:
    """A store at ``path`` holding the reference and example data, as ``offri build`` makes it."""
    return _copy_of("built", build_default, path)


def empty_store(path: Path) -> Path:
    """A new store at ``path``: only the reference graphs every embedded store starts with."""
    return _copy_of("empty", lambda template: EmbeddedStore(template).close(), path)
