"""The README's set-up commands are the ones CI runs, and they stay runnable."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.grader.gradescope_results import load_results

ROOT = Path(__file__).resolve().parent.parent


def shell_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.S)]


def test_readme_has_the_two_set_up_commands() -> None:
    blocks = shell_blocks()
    assert len(blocks) >= 2
    main_job, tests = blocks[0], blocks[1]
    assert "pip install" in main_job and "matcalc " in main_job
    assert "pip install" in tests and "pytest" in tests


def test_ci_runs_exactly_the_readme_test_command() -> None:
    test_command = shell_blocks()[1]
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert test_command in ci
    assert any(line.startswith(".venv/bin/ruff check") for line in ci)
    assert any(line.startswith(".venv/bin/mypy") for line in ci)


def gradescope_trial() -> str:
    """The README's local trial of the Gradescope autograder: the shell block of its section."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Gradescope: `matcalc export gradescope`", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, re.S)
    return block


def package_index_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_gradescope_trial_runs_as_written(tmp_path: Path) -> None:
    """Every line of the README's trial, run as written in an empty folder, with ``matcalc`` on
    the PATH as the set-up leaves it: setup.sh installs the zip's pinned dependencies into the
    trial's virtualenv, and run_autograder writes a valid results.json."""
    if not package_index_reachable():
        pytest.skip("setup.sh installs the pinned dependencies from the package index")
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = os.environ | {"PATH": path}
    env.pop("MATCALC_AUTOGRADER_ROOT", None)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", gradescope_trial()], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    trial = tmp_path / "trial" / "autograder"
    results = load_results(trial / "results" / "results.json")
    assert json.loads(done.stdout[done.stdout.index("{"):]) == results  # the last step's output
    assert len(results["tests"]) == 3 and "could not start" not in results["output"]
    assert results["tests"][0]["name"].startswith("q1: ")
    # the trial's virtualenv holds exactly the versions the zip pins
    pins = dict(line.split("==") for line in
                (trial / "source" / "constraints.txt").read_text("utf-8").split())
    frozen = subprocess.run([str(trial / "venv" / "bin" / "python"), "-m", "pip", "freeze",
                             "--all"], capture_output=True, text=True, check=True).stdout
    installed = {canonicalize_name(name): version for name, version in
                 (line.split("==") for line in frozen.split() if "==" in line)}
    needed = {canonicalize_name(Requirement(r).name)
              for r in importlib.metadata.distribution("matcalc").requires or []
              if "extra ==" not in r}
    assert needed <= set(pins) and needed <= set(installed)
    for name, version in pins.items():
        if name in installed:
            assert installed[name] == version, name
