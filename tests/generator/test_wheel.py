"""The built wheel works on its own: installed into a fresh virtualenv (dependencies borrowed
from this one by a plain path line, so the editable checkout can't leak in), its ``matcalc
worksheet`` typesets from the templates shipped in the wheel, run from a directory that is not
the checkout."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.wheels import REPO, STEP_SECONDS, clean_environment, install, run

SOURCES = ("pyproject.toml", "README.md", "generator", "grader", "templates")

pytestmark = [pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")]
if importlib.util.find_spec("pytest_timeout") is not None:  # pragma: no cover - optional
    pytestmark.append(pytest.mark.timeout(4 * STEP_SECONDS))


def build_wheel(work: Path) -> Path:
    """Build from a copy of the sources, so the checkout gets no build/ or stale files."""
    source = work / "src"
    source.mkdir()
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, source / name)
    out = work / "dist"
    # without build isolation when this venv can build wheels itself (setuptools with the
    # wheel package); otherwise pip fetches the build requirements from the package index
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("wheel") else []
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", str(out),
         str(source)], cwd=work)
    wheels = list(out.glob("matcalc-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_wheel_installs_and_renders_outside_the_checkout(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("templates/__init__.py", "templates/preamble.tex", "templates/worksheet.tex",
                    "templates/key.tex", "templates/solutions.tex",
                    "grader/language/grammar.lark", "generator/render.py",
                    "templates/gradescope/setup.sh", "templates/gradescope/run_autograder"):
        assert shipped in names, f"{shipped} is not in the wheel"
    assert not [n for n in names if n.startswith("tests/")]

    venv = tmp_path / "venv"
    site = install(wheel, venv)
    python = venv / "bin" / "python"

    env = clean_environment()
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    probe = (
        "import json, sys, importlib.resources, templates, generator.render, grader\n"
        "import importlib.metadata as m\n"
        "print(json.dumps({'templates': templates.__file__,\n"
        "  'render': generator.render.__file__, 'grader': grader.__file__,\n"
        "  'modules': [getattr(x, '__file__', None) or '' for x in list(sys.modules.values())],\n"
        "  'editable': [n for n in sys.modules if 'editable' in n],\n"
        "  'sheet': importlib.resources.files('templates').joinpath('worksheet.tex').is_file(),\n"
        "  'version': m.version('matcalc'), 'path': sys.path}))\n"
    )
    found = json.loads(run([str(python), "-c", probe], cwd=cwd, env=env).stdout)
    for key in ("templates", "render", "grader"):
        assert Path(found[key]).resolve().is_relative_to(site.resolve()), found[key]
    assert found["sheet"] and found["version"] == "0.1.0"
    leaked = [f for f in found["modules"] if f and Path(f).resolve().is_relative_to(REPO)
              and ".venv" not in Path(f).resolve().relative_to(REPO).parts]
    assert leaked == [], "modules imported from the checkout"
    assert str(REPO) not in found["path"] and found["editable"] == []

    out = cwd / "out"
    done = run([str(venv / "bin" / "matcalc"), "worksheet", "-o", str(out), "--count", "2"],
               cwd=cwd, env=env)
    for name in ("worksheet", "answer-key", "solutions"):
        pdf = out / f"{name}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF"), done.stderr
        assert (out / f"{name}.tex").is_file()
    record = json.loads((out / "set.json").read_text("utf-8"))
    assert len(record["variants"][0]["exercises"]) == 2
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out / "worksheet.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert "Matrix calculus" in text and "Notation." in text
