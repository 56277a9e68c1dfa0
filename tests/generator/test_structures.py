"""Deep randomisation: over 200 seeds every family × difficulty × form draws at least 4 distinct
structures once digits *and* declared names are masked (renaming alone does not count) and at
least 20 distinct exercises as text.

The numeric form is left out: its keys must be rational at rational points, so several families
keep only their rational draws there (the README's family table says which).
"""

from __future__ import annotations

import re

import pytest

from generator.families import registry
from generator.family import build
from grader.exercise_set import Exercise
from grader.language.parser import parse_declarations

SEEDS = 200

CASES = [
    pytest.param(family.name, difficulty, form, id=f"{family.name}-d{difficulty}-{form}")
    for family in registry().values()
    for difficulty in family.difficulties
    for form in family.forms
    if form != "numeric"
]


def masked(exercise: Exercise) -> str:
    """``given | wrt | function`` with every number as ``#`` and every declared name as ``@``."""
    names = [name for name, _ in parse_declarations(exercise.given).entries]
    text = re.sub(r"\d+", "#", f"{exercise.given} | {exercise.wrt} | {exercise.function}")
    if not names:
        return text
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.sub(rf"(?<![A-Za-z_0-9])({alternatives})(?![A-Za-z_0-9(])", "@", text)


def test_masking_hides_names_and_digits_but_not_structure() -> None:
    def exercise(given: str, function: str) -> Exercise:
        return Exercise(id="q1", family="f", difficulty=1, seed=0, layout="numerator",
                        form="symbolic", kind="gradient", given=given, wrt=given[0],
                        function=function, answer="0", shape=("1", "1"), prompt_latex="",
                        answer_latex="", steps_latex=(), mistakes=(), sympy=(), values=())

    assert masked(exercise("x[n], A[n,n]", "2 x^T A x")) == masked(
        exercise("y[n], B[n,n]", "3 y^T B y"))
    assert masked(exercise("x[n], A[n,n]", "x^T A x")) != masked(
        exercise("x[n], A[n,n]", "(A x)^T x"))
    assert masked(exercise("x[n], A[n,n]", "sigma(A x)")) == "@[n], @[n,n] | @ | sigma(@ @)"


@pytest.mark.parametrize(("name", "difficulty", "form"), CASES)
def test_structures_and_texts(name: str, difficulty: int, form: str) -> None:
    family = registry()[name]
    structures: set[str] = set()
    texts: set[tuple[str, str, str]] = set()
    for seed in range(SEEDS):
        exercise = build(family, seed, difficulty, form, "numerator", "q1")  # type: ignore[arg-type]
        structures.add(masked(exercise))
        texts.add((exercise.given, exercise.wrt, exercise.function))
    assert len(structures) >= 4, sorted(structures)
    assert len(texts) >= 20, len(texts)
