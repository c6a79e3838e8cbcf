"""offri's optional parts, imported when first used.

pySHACL (``offri[pyshacl]``, the reference engine behind ``offri validate --engine pyshacl``)
and owlready2 (``offri[reason]``, HermiT for OWL reasoning; it also needs Java) are not
installed with offri itself: most users never run them, and importing pySHACL alone took more
than half of every ``offri`` start. Asking for one that is missing is a user's error to explain
(which pip command installs it), not an ``ImportError`` to show.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from offri_kg.errors import OffriError

#: Each optional package, and the extra of offri that installs it (pyproject.toml's optional-dependencies).
EXTRAS = {"pyshacl": "pyshacl", "owlready2": "reason"}


def require(package: str) -> ModuleType:
    """Import the optional ``package``, or raise ``OffriError("extra-missing")`` naming the
    ``pip install 'offri[…]'`` that brings it."""
    try:
        return importlib.import_module(package)
    except ImportError:
        raise OffriError("extra-missing", {"package": package, "extra": EXTRAS[package]}) from None
