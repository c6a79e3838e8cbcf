"""Where the bundled ontology, vocabularies, shapes, queries and data live.

They ship inside the wheel as the packages ``offri_kg.ontology``, ``offri_kg.shapes`` and so on
(mapped from the repository's top-level folders in pyproject.toml), so an installed ``offri``
works outside the repository and an editable install reads the files in place.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def resource_dir(name: str) -> Path:
    """Return the folder of a bundled resource package, e.g. ``"ontology"`` or ``"data.reference"``."""
    spec = importlib.util.find_spec(f"offri_kg.{name}")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"offri_kg.{name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def ontology_files() -> list[Path]:
    """The ontology, the reused-term declarations and every SKOS vocabulary."""
    onto = resource_dir("ontology")
    return [onto / "offri.ttl", onto / "imports.ttl", *sorted((onto / "vocab").glob("*.ttl"))]


def shapes_files() -> list[Path]:
    """The SHACL shapes offri validates against (never shapes taken from the data)."""
    return sorted(resource_dir("shapes").glob("*.ttl"))


def reference_data_files() -> list[Path]:
    """True reference data: municipalities and their numbers, policy documents, the OFFRI project."""
    return sorted(resource_dir("data.reference").glob("*.ttl"))


def example_data_files() -> list[Path]:
    """Illustrative example data (marked ``offri:illustrative true`` in the data itself)."""
    return sorted(resource_dir("data.examples").glob("*.ttl"))
