"""Run the ``offri`` command as a user does: a subprocess, with its exit code and output."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUT = ROOT / "tests" / "fixtures" / "input"


@dataclass
class Run:
    code: int
    out: str
    err: str


def offri(*args: str | Path, cwd: Path | None = None, timeout: float = 300, env: dict | None = None) -> Run:
    """Run ``offri ARGS`` with the interpreter of this test run (its console script equivalent)."""
    environment = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    environment.pop("OFFRI_LANG", None)
    proc = subprocess.run([sys.executable, "-m", "offri_kg.cli", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout, env=environment)
    return Run(proc.returncode, proc.stdout, proc.stderr)
