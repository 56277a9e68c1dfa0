"""The README's set-up commands are the ones CI runs, and they stay runnable."""

from __future__ import annotations

import re
from pathlib import Path

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
