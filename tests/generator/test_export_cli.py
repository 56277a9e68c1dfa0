"""``matcalc export``: each format from the command line, its notes, and clear errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from generator.cli import root
from generator.sets import SetOptions, make_set
from grader.numeric import tolerance_percent


@pytest.fixture(scope="module")
def symbolic_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sets") / "set.json"
    path.write_text(make_set(SetOptions(count=3, seed=5, families=("quadratic",))).dumps(),
                    "utf-8")
    return path


def test_moodle_says_symbolic_exercises_became_numbers(symbolic_set: Path,
                                                       tmp_path: Path) -> None:
    out = tmp_path / "quiz.xml"
    done = CliRunner().invoke(root, ["export", "moodle", str(symbolic_set), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "3 symbolic exercise(s) exported as numeric instances" in done.output
    quiz = etree.fromstring(out.read_bytes())
    assert [q.get("type") for q in quiz] == ["category", "cloze", "cloze", "cloze"]


def test_canvas_writes_a_zip(symbolic_set: Path, tmp_path: Path) -> None:
    out = tmp_path / "quiz.zip"
    done = CliRunner().invoke(root, ["export", "canvas", str(symbolic_set), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "symbolic or explicit: asked at concrete sizes and values" in done.output
    assert "imsmanifest.xml" in zipfile.ZipFile(out).namelist()


@pytest.mark.parametrize("format_", ["moodle", "canvas", "gradescope"])
def test_a_file_that_is_not_a_set_is_a_usage_error(format_: str, tmp_path: Path) -> None:
    bad = tmp_path / "set.json"
    bad.write_text('{"format": "something else"}', "utf-8")
    done = CliRunner().invoke(root, ["export", format_, str(bad), "-o", str(tmp_path / "x")])
    assert done.exit_code == 2 and "not a matcalc-set/1 exercise set" in done.output
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("command", [["export", "moodle"], ["export", "canvas"], ["check"]])
def test_the_help_states_the_graders_tolerance(command: list[str]) -> None:
    done = CliRunner().invoke(root, [*command, "--help"])
    assert done.exit_code == 0
    assert f"within {tolerance_percent()} of" in done.output.replace("\n  ", " ")
