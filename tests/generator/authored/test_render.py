"""Authored exercises typeset like built-in ones, with their parameters folded into numbers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.authored.draws import family_of
from generator.authored.loading import load
from generator.render import render
from generator.sets import SetOptions, make_set
from tests.generator.authored.conftest import FILES


@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                    reason="needs pdflatex and pdftotext")
def test_an_authored_sheet_renders_with_folded_constants(tmp_path: Path) -> None:
    families = tuple(family_of(e) for e in load([FILES / "good.toml"]))
    exercise_set = make_set(SetOptions(families=("bilinear",), count=1, seed=5,
                                       authored=families))
    (exercise,) = exercise_set.variants[0].exercises
    coefficient = exercise.function.split(" - ")[1].split(" ")[0]  # x^T A y - 8 x^T x
    assert coefficient.isdigit() and 2 <= int(coefficient) <= 9
    rendered = render(exercise_set, tmp_path, kinds=("worksheet", "key"), split=False)
    key = subprocess.run(["pdftotext", str(rendered.combined["key"]), "-"], capture_output=True,
                         text=True, check=True).stdout
    assert str(2 * int(coefficient)) in key  # the key shows 2c as one number
    assert "{c}" not in exercise.prompt_latex
