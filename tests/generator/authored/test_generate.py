"""Authored exercises generate, grade and export like families, and a set can be rebuilt."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from generator.authored.check import check_exercise
from generator.authored.draws import family_of
from generator.authored.loading import from_set, load
from generator.authored.reading import read_text
from generator.sets import SetOptions, make_set
from grader.checker import check
from grader.exercise_set import ExerciseSet
from tests.generator.authored.conftest import FILES, matcalc


def test_generate_records_each_exercise_by_content_and_the_set_rebuilds(tmp_path: Path) -> None:
    out = tmp_path / "set.json"
    done = matcalc("generate", "--exercises", FILES / "good.toml", "--count", "2", "--seed", "3",
                   "--layout", "denominator", "-o", out)
    assert done.returncode == 0, done.stderr
    recorded = ExerciseSet.loads(out.read_text("utf-8"))
    assert {a.id for a in recorded.authored} == {"bilinear", "scaled_trace"}
    assert all(len(a.sha256) == 64 and "[[exercise]]" in a.source for a in recorded.authored)
    families = {e.family for e in recorded.variants[0].exercises}
    assert families == {"bilinear", "scaled_trace"}
    # rebuilt from the set alone (the file is not read), with the same options
    exercises = from_set(recorded)
    options = SetOptions(count=2, seed=3, layout="denominator",
                         authored=tuple(family_of(e) for e in exercises))
    rebuilt = make_set(options)
    rebuilt = dataclasses.replace(rebuilt, authored=recorded.authored)
    assert rebuilt.dumps() == out.read_text("utf-8")


def test_keys_grade_and_answers_are_in_the_sheets_layout(tmp_path: Path) -> None:
    families = tuple(family_of(e) for e in load([FILES / "good.toml"]))
    for layout, shape in (("numerator", ("1", "n")), ("denominator", ("n", "1"))):
        exercise_set = make_set(SetOptions(families=("bilinear",), count=1, layout=layout,
                                           authored=families))
        for exercise in exercise_set.variants[0].exercises:
            assert exercise.shape == shape
            assert "{" not in exercise.function and "{" not in exercise.answer
            assert check(exercise.answer, exercise.answer_latex, exercise.given).status == \
                "correct"
            for mistake in exercise.mistakes:
                assert check(exercise.answer, mistake.answer, exercise.given).status != "correct"


def test_distractors_are_made_when_the_file_lists_none() -> None:
    families = tuple(family_of(e) for e in load([FILES / "good.toml"]))
    exercise_set = make_set(SetOptions(families=("scaled_trace",), count=2, authored=families))
    for exercise in exercise_set.variants[0].exercises:
        notes = {m.note for m in exercise.mistakes}
        assert {"transposed", "sign", "factor"} <= notes
        for mistake in exercise.mistakes:
            assert check(exercise.answer, mistake.answer, exercise.given).status != "correct"


def test_numeric_form_evaluates_the_key_at_the_drawn_values() -> None:
    families = tuple(family_of(e) for e in load([FILES / "good.toml"]))
    exercise_set = make_set(SetOptions(families=("bilinear",), count=1, form="numeric",
                                       authored=families))
    for exercise in exercise_set.variants[0].exercises:
        assert exercise.values and exercise.answer.startswith("[")


def test_exports_take_authored_sets(tmp_path: Path) -> None:
    out = tmp_path / "set.json"
    assert matcalc("generate", "--exercises", FILES, "--family", "bilinear", "--family",
                   "quadratic", "--count", "3", "-o", out).returncode == 1  # a bad file in FILES
    done = matcalc("generate", "--exercises", FILES / "good.toml", "--family", "bilinear",
                   "--family", "quadratic", "--count", "3", "-o", out)
    assert done.returncode == 0, done.stderr
    assert {e["family"] for e in json.loads(out.read_text())["variants"][0]["exercises"]} == \
        {"bilinear", "quadratic"}
    for kind in ("moodle", "canvas", "gradescope"):
        done = matcalc("export", kind, out, "-o", tmp_path / kind)
        assert done.returncode == 0, done.stderr
    assert "bilinear" in (tmp_path / "moodle").read_text("utf-8")


def test_a_malformed_file_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "set.json"
    for name in ("syntax_error.toml", "bad_parameter.toml"):
        done = matcalc("generate", "--exercises", FILES / name, "-o", out)
        assert done.returncode != 0
        assert f"{name}:" in done.stderr and "Traceback" not in done.stderr
        assert not out.exists()


def test_an_exercise_in_scalars_offers_the_explicit_form() -> None:
    assert matcalc("author", "check", FILES / "explicit.toml").returncode == 0
    families = tuple(family_of(e) for e in load([FILES / "explicit.toml"]))
    assert families[0].forms == ("symbolic", "explicit", "numeric")
    exercise_set = make_set(SetOptions(count=1, form="explicit", authored=families))
    for exercise in exercise_set.variants[0].exercises:
        assert "{" not in exercise.answer and exercise.answer.startswith("[")
        assert {"transposed", "sign"} <= {m.note for m in exercise.mistakes}
        assert all(not m.answer.endswith("^T") for m in exercise.mistakes)


HESSIAN = """[[exercise]]
id = "hessian_of_a_form"
given = "x[n], A[n,n]"
wrt = "x"
function = "{c} x^T A x + sum(x)"
hessian = true
answer = "{c} (A + A^T)"
[exercise.parameters]
c = [-3, -1]
[[exercise.tests]]
answer = "2 {c} A"
expect = "incorrect"
"""


def test_a_hessian_exercise_is_n_by_n_in_both_layouts() -> None:
    (exercise,) = read_text(HESSIAN, "h.toml")
    assert check_exercise(exercise) == []
    families = (family_of(exercise),)
    for layout in ("numerator", "denominator"):
        (built,) = make_set(SetOptions(count=1, layout=layout, authored=families)
                            ).variants[0].exercises
        assert built.kind == "hessian" and built.shape == ("n", "n")
        assert built.answer.startswith("-")  # c < 0 folded into the sign
