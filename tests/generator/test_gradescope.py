"""The exported Gradescope autograder, end to end: the zip's layout, and its run_autograder run
in a simulated /autograder tree (from the zip, with the bundled wheel installed into a fresh
virtualenv) for a correct, a partly wrong, an empty, a garbage and a missing submission; each
results.json is checked against the documented fields."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import stat
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from generator.cli import root as cli
from tests.grader.classes import class_set, right_answers, submission_text
from tests.grader.gradescope_results import load_results
from tests.wheels import STEP_SECONDS, clean_environment, install

STUDENTS = 3


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    (folder / "set.json").write_text(class_set(STUDENTS).dumps(), "utf-8")
    done = CliRunner().invoke(cli, ["export", "gradescope", str(folder / "set.json"), "-o",
                                    str(folder / "autograder.zip"), "--points", "2"])
    assert done.exit_code == 0, done.output
    assert f"{STUDENTS} variants" in done.output and "no e-mail" not in done.output
    return folder / "autograder.zip"


@pytest.fixture(scope="module")
def autograder(package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``/autograder`` as Gradescope lays it out: source/ from the zip, and a venv with the
    zip's wheel (setup.sh's job, minus apt and the package index)."""
    root = tmp_path_factory.mktemp("autograder")
    source = root / "source"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(source)
        for info in archive.infolist():  # unzip keeps permissions; zipfile does not
            (source / info.filename).chmod((info.external_attr >> 16) & 0o777)
    wheels = list(source.glob("matcalc-*-py3-none-any.whl"))
    assert len(wheels) == 1
    install(wheels[0], root / "venv")
    return root


def test_the_zip_has_the_scripts_at_its_root(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        modes = {i.filename: (i.external_attr >> 16) for i in archive.infolist()}
        assert {"setup.sh", "run_autograder", "set.json", "autograder.json",
                "constraints.txt"} <= set(names)
        assert all("/" not in name for name in names)
        for script in ("setup.sh", "run_autograder"):
            assert stat.S_ISREG(modes[script]) and modes[script] & 0o111 == 0o111
            assert archive.read(script).startswith(b"#!/usr/bin/env bash\n")
        assert json.loads(archive.read("autograder.json"))["points"] == 2.0
        wheel = next(n for n in names if n.endswith(".whl"))
        with zipfile.ZipFile(archive.open(wheel)) as inner:
            shipped = inner.namelist()
    assert "grader/autograder.py" in shipped and "grader/language/grammar.lark" in shipped
    assert any(n.endswith(".dist-info/RECORD") for n in shipped)
    assert not [n for n in shipped if "__pycache__" in n or n.startswith("tests/")]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_setup_sh_is_valid_bash(package: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        (tmp_path / "setup.sh").write_bytes(archive.read("setup.sh"))
    subprocess.run(["bash", "-n", str(tmp_path / "setup.sh")], check=True)


def submit(root: Path, files: dict[str, bytes] | None, email: str = "s001@uni.example"
           ) -> dict[str, Any]:
    """One Gradescope run: a fresh submission/ and results/, then run_autograder."""
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
    if files is not None:
        (root / "submission").mkdir()
        for name, data in files.items():
            (root / "submission" / name).write_bytes(data)
    metadata = {"id": 12345, "created_at": "2026-11-22T10:00:00Z",
                "assignment": {"due_date": "2026-12-01T23:59:00Z", "total_points": 6.0},
                "users": [{"email": email, "id": 4242, "name": "Student One"}],
                "previous_submissions": []}
    (root / "submission_metadata.json").write_text(json.dumps(metadata), "utf-8")
    env = clean_environment() | {"MATCALC_AUTOGRADER_ROOT": str(root)}
    done = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=STEP_SECONDS, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return load_results(root / "results" / "results.json")


def text(answers: dict[str, str]) -> bytes:
    return submission_text(None, answers).encode("utf-8")


def test_a_correct_submission(autograder: Path) -> None:
    results = submit(autograder, {"answers.txt": text(right_answers(3))})
    assert results["score"] == 6.0
    assert [(t["score"], t["max_score"], t["status"]) for t in results["tests"]] == [
        (2.0, 2.0, "passed")] * 3
    assert results["execution_time"] > 0


def test_a_partly_wrong_submission(autograder: Path) -> None:
    answers = right_answers(3) | {"q1": "2 x^T A", "q3": "[2xy, x^2"}
    results = submit(autograder, {"answers.txt": text(answers)})
    assert [t["status"] for t in results["tests"]] == ["failed", "passed", "failed"]
    assert results["score"] == 2.0
    assert "You assumed A is symmetric." in results["tests"][0]["output"]
    assert "never closed" in results["tests"][2]["output"]


def test_another_account_gets_its_own_variant(autograder: Path) -> None:
    results = submit(autograder, {"answers.txt": text(right_answers(3))},
                     email="s002@uni.example")
    assert [t["status"] for t in results["tests"]] == ["passed", "failed", "passed"]


def test_an_empty_submission(autograder: Path) -> None:
    results = submit(autograder, {"answers.txt": b""})
    assert results["score"] == 0.0
    assert all("no answer" in t["output"] for t in results["tests"])


def test_a_garbage_submission(autograder: Path) -> None:
    results = submit(autograder, {"answers.txt": os.urandom(4000) + b"\xff"})
    assert results["score"] == 0.0 and len(results["tests"]) == 3
    assert "could not be read" in results["output"]


def test_a_missing_submission(autograder: Path) -> None:
    results = submit(autograder, None)
    assert results["score"] == 0.0
    assert "no file was submitted" in results["output"]


def test_results_are_written_even_if_matcalc_cannot_start(autograder: Path,
                                                          tmp_path: Path) -> None:
    broken = tmp_path / "autograder"
    shutil.copytree(autograder / "source", broken / "source")  # no venv: matcalc is missing
    results = submit(broken, {"answers.txt": text(right_answers(3))})
    assert results["score"] == 0.0 and results["tests"][0]["status"] == "failed"
    assert "could not start" in results["output"]


def test_the_zip_pins_every_dependency_to_the_version_installed(package: Path) -> None:
    """constraints.txt pins matcalc's dependencies and theirs, each to the version this
    (tested) install has; setup.sh installs the wheel under it and checks the result."""
    with zipfile.ZipFile(package) as archive:
        pins = dict(line.split("==") for line in archive.read("constraints.txt").decode().split())
        setup = archive.read("setup.sh").decode()
    direct = {canonicalize_name(Requirement(r).name)
              for r in importlib.metadata.distribution("matcalc").requires or []
              if "extra ==" not in r}
    assert direct <= set(pins)
    assert "markupsafe" in pins and "mpmath" in pins  # jinja2's and sympy's own
    for name, version in pins.items():
        assert importlib.metadata.version(name) == version
    assert '--constraint "$SOURCE/constraints.txt"' in setup and "pip check" in setup
    assert "--upgrade" not in setup  # nothing unpinned


def test_the_same_set_gives_the_same_zip(package: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    done = CliRunner().invoke(cli, ["export", "gradescope", str(package.parent / "set.json"),
                                    "-o", str(again), "--points", "2"])
    assert done.exit_code == 0, done.output
    assert again.read_bytes() == package.read_bytes()


def test_a_roster_without_emails_is_pointed_out(tmp_path: Path) -> None:
    exercise_set = class_set(2)
    bare = replace(exercise_set, variants=tuple(replace(v, email="")
                                                for v in exercise_set.variants))
    (tmp_path / "set.json").write_text(bare.dumps(), "utf-8")
    done = CliRunner().invoke(cli, ["export", "gradescope", str(tmp_path / "set.json"), "-o",
                                    str(tmp_path / "a.zip")])
    assert done.exit_code == 0, done.output
    assert "2 of the roster's students have no e-mail" in done.output
