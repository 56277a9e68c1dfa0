"""The exercise files the tests use: real files, as an instructor writes them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FILES = Path(__file__).parent / "files"
MATCALC = Path(sys.executable).parent / "matcalc"


def matcalc(*arguments: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it."""
    return subprocess.run([str(MATCALC), *map(str, arguments)], capture_output=True, text=True,
                          timeout=600, check=False, cwd=cwd)
