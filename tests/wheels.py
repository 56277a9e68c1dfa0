"""Installing a built wheel into a fresh virtualenv, for tests that must not see the checkout:
the dependencies are borrowed from this interpreter by a plain path line, so nothing is
downloaded and the editable install's finder hook is not inherited."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STEP_SECONDS = 300  # no single build, install or run may take longer than this


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=STEP_SECONDS, check=False)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


def dependency_paths() -> list[str]:
    """This interpreter's site-packages folders: the dependencies, never the checkout."""
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    paths |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    return sorted(p for p in paths if Path(p).is_dir() and Path(p).resolve() != REPO)


def install(wheel: Path, venv: Path) -> Path:
    """A new virtualenv at ``venv`` with ``wheel`` installed; returns its site-packages."""
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv.parent)
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", str(wheel)], cwd=venv.parent)
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                     "['purelib'])"], cwd=venv.parent).stdout.strip())
    (site / "zz_matcalc_test_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in dependency_paths()), "utf-8")
    return site


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
